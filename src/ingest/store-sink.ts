import { createHash } from 'node:crypto';
import type { Principal, QueryContext } from '../governance/index.js';
import { TesseraError } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { IngestBatch, IngestCheckpoint, IngestSink, QuarantineEntry } from './ports.js';

export const QUARANTINE = 'quarantine';
const CHECKPOINTS = 'ingest-checkpoints';

/** A quarantined row as stored: the entry plus its status (open until replayed successfully). */
export interface StoredQuarantine extends QuarantineEntry {
  readonly status: 'open' | 'resolved';
}

function key(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40);
}

/**
 * The store's side of ingest. Each batch — statements, row hashes, quarantined rows, checkpoint and
 * an audit entry naming the user, purpose and case — is written in ONE transaction, so an
 * interrupted ingest leaves nothing half-written and resumes where it stopped.
 */
export class StoreIngestSink implements IngestSink {
  constructor(
    private readonly store: Store,
    private readonly ctx: QueryContext,
    private readonly principal: Principal,
  ) {}

  async knownRowHashes(sourceId: string, hashes: readonly string[]): Promise<ReadonlySet<string>> {
    return this.store.whichSeen(`ingest:${sourceId}`, hashes);
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
      const result = await tx.writeStatements(batch.statements);
      await tx.markSeen(`ingest:${batch.sourceId}`, batch.rowHashes);
      for (const q of batch.quarantine) {
        const body: StoredQuarantine = { ...q, status: 'open' };
        await tx.putRecord(QUARANTINE, key(q.sourceId, q.rowHash), body, { source: q.sourceId, file: q.file, status: 'open' });
      }
      await tx.putRecord(CHECKPOINTS, key(batch.checkpoint.sourceId, batch.checkpoint.file), batch.checkpoint, { source: batch.checkpoint.sourceId });
      await tx.appendAudit({
        at: new Date().toISOString(),
        userId: this.ctx.userId,
        agency: this.principal.agency,
        purpose: this.ctx.purpose,
        caseId: this.ctx.caseId,
        action: 'ingest.batch',
        outcome: 'allowed',
        entityIds: [...new Set(batch.statements.map((s) => s.entityId))].slice(0, 5_000),
        details: { source: batch.sourceId, file: batch.checkpoint.file, line: batch.checkpoint.line, ...result, quarantined: batch.quarantine.length },
      });
    });
  }

  async loadCheckpoint(sourceId: string, file: string): Promise<IngestCheckpoint | undefined> {
    return (await this.store.getRecord<IngestCheckpoint>(CHECKPOINTS, key(sourceId, file)))?.body;
  }

  async clearCheckpoint(sourceId: string, file: string): Promise<void> {
    await this.store.deleteRecord(CHECKPOINTS, key(sourceId, file));
  }
}

/** Quarantined rows, newest first, optionally of one source or file. */
export async function listQuarantine(store: Store, filter: { source?: string; file?: string; status?: 'open' | 'resolved' } = {}, limit = 1000): Promise<StoredQuarantine[]> {
  const where: Record<string, string> = { status: filter.status ?? 'open' };
  if (filter.source) where.source = filter.source;
  if (filter.file) where.file = filter.file;
  return (await store.findRecords<StoredQuarantine>(QUARANTINE, { where, limit })).map((r) => r.body);
}

/** Marks quarantined rows resolved once their replay has been written. */
export async function resolveQuarantine(store: Store, entries: readonly QuarantineEntry[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const q of entries) {
      await tx.putRecord(QUARANTINE, key(q.sourceId, q.rowHash), { ...q, status: 'resolved' }, { source: q.sourceId, file: q.file, status: 'resolved' });
    }
  });
}
