/**
 * The ingest worker thread: reads the file, hashes, maps and normalises rows, and sends mapped
 * batches to the main thread, which checks row hashes against the sink and writes (see parallel.ts).
 */
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { TesseraError } from '../model/index.js';
import { batchEncoder, type HashedRecord } from './batch.js';
import { checkColumns, compileMapping, createRowMapper } from './mapping/index.js';
import { openRecords, rowHash } from './pipeline.js';
import type { FromWorker, ToWorker, WorkerJob } from './parallel.js';

const port = parentPort!;
const job = workerData as WorkerJob;
const post = (m: FromWorker) => port.postMessage(m);

/** Most mapped batches sent ahead of the main thread's writes (memory stays bounded by a few batches). */
const AHEAD = 2;

const known = new Map<number, { known: ReadonlySet<string>; writtenThrough: number }>();
let acked = -1;
let wake: (() => void) | undefined;
port.on('message', (m: ToWorker) => {
  if (m.type === 'known') known.set(m.seq, { known: new Set(m.known), writtenThrough: m.writtenThrough });
  else acked = m.seq;
  const w = wake;
  wake = undefined;
  w?.();
});
const until = async (ready: () => boolean) => {
  while (!ready()) await new Promise<void>((r) => (wake = r));
};

async function run(): Promise<void> {
  const mapping = compileMapping(job.mappingDocument, job.mappingFile);
  const stream = await openRecords(job.path, mapping);
  if (stream.columns) checkColumns(mapping, stream.columns, job.file);
  else if (mapping.format === 'csv' && mapping.document.csv?.header !== false) throw new TesseraError('VALIDATION', `${job.file}: no header line (the file holds no readable CSV record)`, { record: job.file });
  const mapRow = createRowMapper(mapping, job.envelope, stream.columns, basename(job.file));
  post({ type: 'ready' });

  const records = stream.records[Symbol.asyncIterator]();
  let consumed = 0;
  let seq = 0;
  let exhausted = false;
  /** Reads the next batch and asks the main thread which of its rows the sink already holds. */
  const readBatch = async (): Promise<{ seq: number; records: HashedRecord[]; recordsDone: number; bytesRead: number } | undefined> => {
    const batch: HashedRecord[] = [];
    while (!exhausted && batch.length < job.batchSize) {
      const r = await records.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      consumed++;
      if (consumed <= job.resumeFrom) continue;
      batch.push({ record: r.value, hash: rowHash(job.sourceId, r.value.raw) });
    }
    if (batch.length === 0) return undefined;
    const b = { seq: seq++, records: batch, recordsDone: consumed, bytesRead: stream.bytesRead() };
    post({ type: 'hashes', seq: b.seq, hashes: batch.filter((x) => !x.record.error).map((x) => x.hash) });
    return b;
  };

  const encode = batchEncoder();
  // Rows written by recent batches, which the sink may not have held yet when a later batch's
  // hashes were looked up (the lookup runs ahead of the writes).
  const recent = new Map<number, ReadonlySet<string>>();
  const ctx = { sourceId: job.sourceId, mappingName: mapping.name, file: job.file, screening: job.screening };
  let current = await readBatch();
  while (current) {
    // Read ahead: the next batch's lookup travels while this one is mapped and written.
    const next = await readBatch();
    const cur = current;
    await until(() => known.has(cur.seq));
    const answer = known.get(cur.seq)!;
    known.delete(cur.seq);
    let rowsKnown = answer.known;
    const pending = [...recent].filter(([s]) => s > answer.writtenThrough).map(([, set]) => set);
    if (pending.length > 0) {
      const all = new Set(rowsKnown);
      for (const b of cur.records) if (pending.some((set) => set.has(b.hash))) all.add(b.hash);
      rowsKnown = all;
    }
    for (const s of recent.keys()) if (s <= answer.writtenThrough) recent.delete(s);
    const wire = encode(cur.records, rowsKnown, mapRow, { ...ctx, recordsDone: cur.recordsDone });
    recent.set(cur.seq, new Set(wire.rowHashes));
    await until(() => cur.seq - acked <= AHEAD);
    post({ type: 'batch', seq: cur.seq, batch: wire, bytesRead: cur.bytesRead });
    current = next;
  }
  post({ type: 'end', bytesRead: stream.bytesRead() });
}

run().catch((e: unknown) => {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', message: err.message, ...(e instanceof TesseraError ? { code: e.code, ...(e.record === undefined ? {} : { record: e.record }), ...(e.field === undefined ? {} : { field: e.field }) } : {}) });
});
