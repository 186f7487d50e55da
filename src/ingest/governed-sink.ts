import type { Principal, QueryContext } from '../governance/index.js';
import { TesseraError } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { IngestBatch, IngestCheckpoint, IngestSink, QuarantineEntry } from './ports.js';
import { QUARANTINE_COLLECTION, quarantineId, storeIngestSink } from './store-sink.js';

/**
 * The ingest sink the CLI and API use: the store sink's atomic batch (statements, row hashes,
 * quarantine, checkpoint) plus, in the SAME transaction, an audit entry naming the user, purpose and
 * case — and a refusal when a user writes statements sourced to another agency (admins excepted).
 */
export class GovernedIngestSink implements IngestSink {
  private readonly plain: IngestSink;

  constructor(
    private readonly store: Store,
    private readonly ctx: QueryContext,
    private readonly principal: Principal,
  ) {
    this.plain = storeIngestSink(store);
  }

  knownRowHashes(sourceId: string, hashes: readonly string[]): Promise<ReadonlySet<string>> {
    return this.plain.knownRowHashes(sourceId, hashes);
  }

  async writeBatch(batch: IngestBatch): Promise<void> {
    const foreign = this.principal.roles.includes('admin') ? undefined : batch.statements.find((s) => s.source.agency !== this.principal.agency);
    if (foreign) {
      throw new TesseraError('FORBIDDEN', `user ${this.principal.userId} of ${this.principal.agency} cannot ingest statements sourced to ${foreign.source.agency}`, {
        record: foreign.entityId,
        field: 'source.agency',
      });
    }
    await this.store.transaction(async (tx) => {
      await storeIngestSink(tx).writeBatch(batch);
      await tx.appendAudit({
        at: new Date().toISOString(),
        userId: this.ctx.userId,
        agency: this.principal.agency,
        purpose: this.ctx.purpose,
        caseId: this.ctx.caseId,
        action: 'ingest.batch',
        outcome: 'allowed',
        entityIds: [...new Set(batch.statements.map((s) => s.entityId))].slice(0, 5_000),
        details: { source: batch.sourceId, file: batch.checkpoint.file, line: batch.checkpoint.line, statements: batch.statements.length, rows: batch.rowHashes.length, quarantined: batch.quarantine.length },
      });
    });
  }

  loadCheckpoint(sourceId: string, file: string): Promise<IngestCheckpoint | undefined> {
    return this.plain.loadCheckpoint(sourceId, file);
  }

  /** A run into a store without statements is a bulk load (see storeIngestSink). */
  async beginRun(): Promise<void> {
    await this.plain.beginRun?.();
  }

  async endRun(): Promise<void> {
    await this.plain.endRun?.();
  }

  clearCheckpoint(sourceId: string, file: string): Promise<void> {
    return this.plain.clearCheckpoint(sourceId, file);
  }
}

/** Removes quarantined rows whose replay has been written (the audit entry of the replay records it). */
export async function resolveQuarantine(store: Store, entries: readonly QuarantineEntry[]): Promise<number> {
  let n = 0;
  await store.transaction(async (tx) => {
    for (const q of entries) if (await tx.deleteRecord(QUARANTINE_COLLECTION, quarantineId(q.sourceId, q.rowHash))) n++;
  });
  return n;
}
