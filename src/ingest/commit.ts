import type { Grading } from '../model/index.js';
import type { MappedBatch } from './batch.js';
import type { IngestCheckpoint, IngestSink, ScreeningPort } from './ports.js';

/** Provenance and run options; each provenance option overrides the mapping's `source` block. */
export interface IngestOptions {
  readonly agency?: string;
  /** Grading code (B2, adm:C3) or object. */
  readonly grading?: string | Grading;
  /** Handling codes (H2, H1+H2, H3:conditions). */
  readonly handling?: string;
  readonly releasableTo?: readonly string[];
  readonly classification?: string;
  readonly subjectCategory?: string;
  readonly cases?: readonly string[];
  /** When the source collected the data (ISO date-time; default: now). */
  readonly collectedAt?: string;
  /** The document id statements cite (default: the file's base name). */
  readonly documentId?: string;
  /** Rows per atomic batch (default 2,000). */
  readonly batchSize?: number;
  /**
   * Read, map and normalise in a worker thread while this thread writes (mapped files). Default: on
   * for files over 4 MiB when the machine has more than one core.
   */
  readonly parallel?: boolean;
  /** Continue from the checkpoint of an interrupted run of the same file (default true). */
  readonly resume?: boolean;
  readonly screening?: ScreeningPort;
  /** Aborting stops after the batch in hand; its checkpoint lets a later run resume. */
  readonly signal?: AbortSignal;
  /** The clock (tests). */
  readonly now?: () => Date;
}

export interface IngestProgress {
  /** Rows read in this run (not counting rows skipped by resuming). */
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  readonly duplicates: number;
  readonly statements: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
  /** Estimated seconds to the end of the file, from the byte rate. */
  readonly etaSeconds: number | undefined;
}

export interface IngestReport extends IngestProgress {
  readonly file: string;
  readonly sourceId: string;
  readonly mapping: string;
  /** Rows skipped because an earlier run had consumed them (checkpoint). */
  readonly resumedFrom: number;
  readonly entitiesScreened: number;
  readonly screeningErrors: number;
  readonly screeningError?: string;
  /** Values skipped under `onInvalid: skip` (the rows were written). */
  readonly warnings: number;
  readonly sampleWarnings: readonly string[];
  /** True when stopped by the abort signal before the end of the file. */
  readonly interrupted: boolean;
}

/** Counts, screening and progress of one run: what the committing side does with each mapped batch. */
export class BatchCommitter {
  private readonly started = performance.now();
  read = 0;
  written = 0;
  quarantined = 0;
  duplicates = 0;
  statements = 0;
  warnings = 0;
  readonly sampleWarnings: string[] = [];
  screened = 0;
  screeningErrors = 0;
  screeningError: string | undefined;
  bytesRead = 0;

  constructor(
    private readonly job: { readonly file: string; readonly path: string; readonly size: number; readonly mtimeMs: number; readonly sourceId: string },
    private readonly sink: IngestSink,
    private readonly options: IngestOptions,
    private readonly onProgress: ((p: IngestProgress) => void) | undefined,
  ) {}

  progress(): IngestProgress {
    const elapsedMs = performance.now() - this.started;
    const rate = this.bytesRead / Math.max(elapsedMs, 1);
    return {
      read: this.read,
      written: this.written,
      quarantined: this.quarantined,
      duplicates: this.duplicates,
      statements: this.statements,
      bytesRead: this.bytesRead,
      totalBytes: this.job.size,
      elapsedMs,
      rowsPerSecond: this.read / Math.max(elapsedMs / 1000, 1e-6),
      etaSeconds: rate > 0 ? Math.max(0, (this.job.size - this.bytesRead) / rate / 1000) : undefined,
    };
  }

  /** Writes one mapped batch atomically (statements, row hashes, quarantine, checkpoint), then screens it. */
  async commit(b: MappedBatch, bytesRead: number): Promise<void> {
    if (b.size === 0) return;
    const { sourceId, path } = this.job;
    const at = (this.options.now ?? (() => new Date()))().toISOString();
    const checkpoint: IngestCheckpoint = { sourceId, file: path, fileSize: this.job.size, fileMtimeMs: this.job.mtimeMs, recordsDone: b.recordsDone, line: b.lastLine, updatedAt: at };
    // Counters move only after the batch is durably written: a failed write leaves the report true.
    await this.sink.writeBatch({ sourceId, statements: b.statements, rowHashes: b.rowHashes, quarantine: b.quarantine.map((q) => ({ ...q, at })), checkpoint });
    this.read += b.size;
    this.written += b.written;
    this.quarantined += b.quarantined;
    this.duplicates += b.duplicates;
    this.statements += b.statements.length;
    this.warnings += b.warnings;
    for (const w of b.sampleWarnings) if (this.sampleWarnings.length < 10) this.sampleWarnings.push(w);
    this.bytesRead = bytesRead;
    const screening = this.options.screening;
    if (screening && b.entities && b.entities.length > 0) {
      try {
        await screening.screen(b.entities, { sourceId, file: this.job.file });
        this.screened += b.entities.length;
      } catch (e) {
        this.screeningErrors++;
        this.screeningError ??= (e as Error).message;
      }
    }
    this.onProgress?.(this.progress());
  }

  report(mappingName: string, resumedFrom: number, interrupted: boolean): IngestReport {
    return {
      ...this.progress(),
      file: this.job.file,
      sourceId: this.job.sourceId,
      mapping: mappingName,
      resumedFrom,
      entitiesScreened: this.screened,
      screeningErrors: this.screeningErrors,
      ...(this.screeningError === undefined ? {} : { screeningError: this.screeningError }),
      warnings: this.warnings,
      sampleWarnings: this.sampleWarnings,
      interrupted,
    };
  }
}

/** Records to skip: those an interrupted run of the same, unchanged file consumed. */
export async function resumePoint(job: { readonly path: string; readonly size: number; readonly mtimeMs: number; readonly sourceId: string }, sink: IngestSink, options: IngestOptions): Promise<number> {
  const checkpoint = options.resume === false ? undefined : await sink.loadCheckpoint(job.sourceId, job.path);
  return checkpoint && checkpoint.fileSize === job.size && checkpoint.fileMtimeMs === job.mtimeMs ? checkpoint.recordsDone : 0;
}


/**
 * Runs an ingest between the sink's `beginRun` and `endRun` (the latter also after a failure, whose
 * error is the one reported).
 */
export async function withSinkRun<T>(sink: IngestSink, run: () => Promise<T>): Promise<T> {
  await sink.beginRun?.();
  let result: T;
  try {
    result = await run();
  } catch (e) {
    await sink.endRun?.().catch(() => undefined);
    throw e;
  }
  await sink.endRun?.();
  return result;
}
