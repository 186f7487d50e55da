/**
 * ingest: how data gets in — mappings, streaming readers, normalisers, FollowTheMoney, free-text
 * extraction, quarantine and idempotency.
 *
 * ## Ports (implemented elsewhere; in-memory versions in memory.ts)
 *
 * `IngestSink` — the store's side of ingest:
 *   - `knownRowHashes(sourceId, hashes)` → the subset already written (re-ingest writes nothing twice);
 *   - `writeBatch({sourceId, statements, rowHashes, quarantine, checkpoint})` — ONE transaction:
 *     insert-or-ignore statements by id (ids are content hashes), record the row hashes under the
 *     source, upsert quarantine entries by (sourceId, rowHash), save the checkpoint;
 *   - `loadCheckpoint(sourceId, file)` / `clearCheckpoint(sourceId, file)` — resume after interruption.
 *   A quarantine entry carries {sourceId, mapping, file, line, field, reason, raw, rowHash, at}.
 *
 * `ScreeningPort` — watchlist screening as data arrives: `screen(entities, {sourceId, file})` after
 *   each written batch with each touched entity once; a failure is counted in the report and never
 *   blocks ingest.
 *
 * Invariant: every row read is written, quarantined or a duplicate (`read = written + quarantined + duplicates`).
 */
export type { IngestSink, IngestBatch, IngestCheckpoint, QuarantineEntry, ScreeningPort, IngestedEntity } from './ports.js';
export { MemorySink, MemoryScreening, type MemorySinkOptions } from './memory.js';
export { ingestFile, envelopeOf, openRecords, rowHash, sourceIdOf, type IngestOptions, type IngestProgress, type IngestReport } from './pipeline.js';
export { statementFactory, type Envelope, type MakeStatement } from './statements.js';
export * from './normalise/index.js';
export * from './readers/index.js';
export * from './mapping/index.js';
export * from './extract/index.js';
export { GovernedIngestSink, resolveQuarantine } from './governed-sink.js';
export { entityToFtm, writeFtmJsonl, importFtmFile, ftmRowMapper, type FtmLine } from './ftm.js';
export { ingestStream, statInput, type StreamJob } from './pipeline.js';
export { storeIngestSink, listQuarantine, quarantineId, QUARANTINE_COLLECTION } from './store-sink.js';
