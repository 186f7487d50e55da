import type { SchemaName, Statement } from '../model/index.js';

/**
 * Ports: what ingestion needs from the rest of Tessera. The store implements `IngestSink`, watchlist
 * screening implements `ScreeningPort`; `memory.ts` has in-memory versions for tests and benches.
 */

/** A row that could not be ingested, kept with everything needed to fix and replay it. */
export interface QuarantineEntry {
  /** The source the row came from (`<agency>/<mapping name>`). */
  readonly sourceId: string;
  /** The mapping that read it (name), so a replay uses the same one. */
  readonly mapping: string;
  /** The file as given to ingest. */
  readonly file: string;
  /** 1-based line where the row starts. */
  readonly line: number;
  /** The column (or mapping key) at fault; `(row)` when the row as a whole could not be read. */
  readonly field: string;
  readonly reason: string;
  /** The row exactly as read (CSV lines, JSON element, XML element); over-long lines are cut at 200 bytes. */
  readonly raw: string;
  /** sha256(sourceId + "\n" + raw): the row's identity. Sinks keep one entry per (sourceId, rowHash). */
  readonly rowHash: string;
  /** When it was quarantined (ISO). */
  readonly at: string;
}

/** Where an interrupted ingest of one file stopped. */
export interface IngestCheckpoint {
  readonly sourceId: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** Size and mtime of the file when the checkpoint was taken: a changed file is read from the start. */
  readonly fileSize: number;
  readonly fileMtimeMs: number;
  /** Records consumed (written, quarantined or duplicate) — a resumed run skips this many. */
  readonly recordsDone: number;
  /** Last line consumed. */
  readonly line: number;
  readonly updatedAt: string;
}

/** One unit of work, written atomically: all of it or none of it. */
export interface IngestBatch {
  readonly sourceId: string;
  /**
   * Validated statements (ids are content hashes, deduplicated within the batch). A statement id the
   * sink already holds is not an error: it is the same claim again (insert-or-ignore).
   */
  readonly statements: readonly Statement[];
  /** Content hashes of the rows whose statements are in this batch: recorded so a re-ingest skips them. */
  readonly rowHashes: readonly string[];
  /** Rows quarantined in this batch (upsert by sourceId + rowHash). */
  readonly quarantine: readonly QuarantineEntry[];
  /** Progress through the file after this batch. */
  readonly checkpoint: IngestCheckpoint;
}

/**
 * What ingest writes to. Implementations must make `writeBatch` atomic (one transaction): the
 * statements, the row hashes, the quarantine entries and the checkpoint are all written, or none
 * is — that is what makes an interrupted ingest resumable without loss or duplicates.
 */
export interface IngestSink {
  /** Which of these row hashes were already written for this source (idempotent re-ingest). */
  knownRowHashes(sourceId: string, hashes: readonly string[]): Promise<ReadonlySet<string>>;
  /** Writes one batch atomically. */
  writeBatch(batch: IngestBatch): Promise<void>;
  /** The checkpoint of an unfinished ingest of this file from this source, if any. */
  loadCheckpoint(sourceId: string, file: string): Promise<IngestCheckpoint | undefined>;
  /** Forgets the checkpoint once the file has been ingested to its end. */
  clearCheckpoint(sourceId: string, file: string): Promise<void>;
  /**
   * Called before a run's first batch (optional). The store sink starts a bulk load when the store
   * holds no statements yet: batches still commit one by one, indexes are built at the end.
   */
  beginRun?(): Promise<void>;
  /** Called once after the run — also after a failure or an interruption — to end what `beginRun` started. */
  endRun?(): Promise<void>;
}

/** An entity as ingested: its id, schema and the statements this ingest wrote about it. */
export interface IngestedEntity {
  readonly id: string;
  readonly schema: SchemaName;
  readonly statements: readonly Statement[];
}

/**
 * Watchlist screening as data arrives. Ingest calls `screen` after each batch is written, with
 * every entity the batch touched (each once). A failure is counted and reported, never retried
 * inline and never blocks ingest: screening can catch up from the store.
 */
export interface ScreeningPort {
  screen(entities: readonly IngestedEntity[], context: { readonly sourceId: string; readonly file: string }): Promise<void>;
}
