import type { Statement } from '../model/index.js';
import type { IngestBatch, IngestCheckpoint, IngestSink, IngestedEntity, QuarantineEntry, ScreeningPort } from './ports.js';

export interface MemorySinkOptions {
  /** Keep statements (default true); a bench counts them only, to measure ingest rather than a Map. */
  readonly keepStatements?: boolean;
  /** Throw on the n-th writeBatch call (1-based) without writing anything: simulates a crash. */
  readonly failOnBatch?: number;
}

// 128 bits of the row hash identify a row well enough in memory (birthday bound ~2^64) and halve the footprint.
const short = (h: string) => h.slice(0, 32);

/** An in-memory IngestSink with the same atomicity contract as the store's (for tests and benches). */
export class MemorySink implements IngestSink {
  readonly statements = new Map<string, Statement>();
  readonly quarantine = new Map<string, QuarantineEntry>();
  readonly checkpoints = new Map<string, IngestCheckpoint>();
  private readonly rows = new Map<string, Set<string>>();
  statementsWritten = 0;
  batches = 0;
  private readonly keep: boolean;

  constructor(private readonly options: MemorySinkOptions = {}) {
    this.keep = options.keepStatements ?? true;
  }

  rowCount(sourceId: string): number {
    return this.rows.get(sourceId)?.size ?? 0;
  }

  knownRowHashes(sourceId: string, hashes: readonly string[]): Promise<ReadonlySet<string>> {
    const set = this.rows.get(sourceId);
    const known = new Set<string>();
    if (set) for (const h of hashes) if (set.has(short(h))) known.add(h);
    return Promise.resolve(known);
  }

  writeBatch(batch: IngestBatch): Promise<void> {
    this.batches++;
    if (this.options.failOnBatch === this.batches) return Promise.reject(new Error(`simulated crash on batch ${this.batches}`));
    for (const s of batch.statements) {
      if (this.keep) this.statements.set(s.id, s);
      this.statementsWritten++;
    }
    let set = this.rows.get(batch.sourceId);
    if (!set) this.rows.set(batch.sourceId, (set = new Set()));
    for (const h of batch.rowHashes) set.add(short(h));
    for (const q of batch.quarantine) this.quarantine.set(`${q.sourceId}|${q.rowHash}`, q);
    this.checkpoints.set(`${batch.sourceId}|${batch.checkpoint.file}`, batch.checkpoint);
    return Promise.resolve();
  }

  loadCheckpoint(sourceId: string, file: string): Promise<IngestCheckpoint | undefined> {
    return Promise.resolve(this.checkpoints.get(`${sourceId}|${file}`));
  }

  clearCheckpoint(sourceId: string, file: string): Promise<void> {
    this.checkpoints.delete(`${sourceId}|${file}`);
    return Promise.resolve();
  }
}

/** A ScreeningPort that records what it was given (and can be told to fail). */
export class MemoryScreening implements ScreeningPort {
  readonly screened: IngestedEntity[] = [];
  constructor(private readonly fail = false) {}
  screen(entities: readonly IngestedEntity[]): Promise<void> {
    if (this.fail) return Promise.reject(new Error('screening service unavailable'));
    this.screened.push(...entities);
    return Promise.resolve();
  }
}
