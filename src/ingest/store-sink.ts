import type { BulkLoad, Store } from '../store/index.js';
import type { IngestBatch, IngestCheckpoint, IngestSink, QuarantineEntry } from './ports.js';

/** Store record collection holding quarantined rows. */
export const QUARANTINE_COLLECTION = 'ingest-quarantine';

const seenNamespace = (sourceId: string) => `ingest:${sourceId}`;
const checkpointKey = (sourceId: string, file: string) => `ingest.checkpoint:${sourceId}:${file}`;

/** The quarantine record id of a row: one per source and row content. */
export function quarantineId(sourceId: string, rowHash: string): string {
  return `${sourceId}:${rowHash.slice(0, 40)}`;
}

/**
 * IngestSink on the Store port: one store transaction per batch writes the statements
 * (insert-or-ignore), marks the row hashes seen, upserts the quarantine records and saves the
 * checkpoint — all or nothing. A run into a store without statements is a bulk load
 * (`Store.beginBulkLoad`): the statement indexes are built once when the run ends.
 */
export function storeIngestSink(store: Store): IngestSink {
  let bulk: BulkLoad | undefined;
  return {
    async beginRun() {
      bulk ??= await store.beginBulkLoad();
    },
    async endRun() {
      const b = bulk;
      bulk = undefined;
      await b?.finish();
    },
    async knownRowHashes(sourceId, hashes) {
      return store.whichSeen(seenNamespace(sourceId), hashes);
    },
    async writeBatch(batch: IngestBatch) {
      await store.transaction(async (tx) => {
        if (batch.statements.length > 0) await tx.writeStatements(batch.statements);
        if (batch.rowHashes.length > 0) await tx.markSeen(seenNamespace(batch.sourceId), batch.rowHashes);
        for (const q of batch.quarantine) {
          await tx.putRecord<QuarantineEntry>(QUARANTINE_COLLECTION, quarantineId(q.sourceId, q.rowHash), q, { source: q.sourceId, file: q.file, mapping: q.mapping });
        }
        await tx.setMeta(checkpointKey(batch.sourceId, batch.checkpoint.file), JSON.stringify(batch.checkpoint));
      });
    },
    async loadCheckpoint(sourceId, file) {
      const raw = await store.getMeta(checkpointKey(sourceId, file));
      return raw ? (JSON.parse(raw) as IngestCheckpoint) : undefined;
    },
    async clearCheckpoint(sourceId, file) {
      // The store has no meta delete: an empty value means "no checkpoint".
      await store.setMeta(checkpointKey(sourceId, file), '');
    },
  };
}

/** Quarantined rows, optionally of one source or file, oldest first. */
export async function listQuarantine(store: Store, filter: { sourceId?: string; file?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
  const where: Record<string, string> = {};
  if (filter.sourceId) where.source = filter.sourceId;
  if (filter.file) where.file = filter.file;
  const records = await store.findRecords<QuarantineEntry>(QUARANTINE_COLLECTION, { where, ...(filter.limit ? { limit: filter.limit } : {}) });
  return records.map((r) => r.body);
}
