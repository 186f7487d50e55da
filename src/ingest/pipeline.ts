import * as crypto from 'node:crypto';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { TesseraError, parseGrading, parseHandling } from '../model/index.js';
import { checkColumns, createRowMapper, type CompiledMapping, type RowMapper } from './mapping/index.js';
import { mapBatch, type HashedRecord } from './batch.js';
import { BatchCommitter, resumePoint, withSinkRun, type IngestOptions, type IngestProgress, type IngestReport } from './commit.js';
import { ingestInWorker } from './parallel.js';
import type { IngestSink } from './ports.js';
import { readCsv, readJsonArray, readJsonLines, readXml, type RecordStream } from './readers/index.js';
import type { Envelope } from './statements.js';

export type { IngestOptions, IngestProgress, IngestReport } from './commit.js';

/** Hex digest in one call: crypto.hash (Node ≥ 20.12, ~2× faster than a Hash object per value), createHash on earlier Node 20 releases. */
const hexDigest: (algorithm: string, data: string) => string =
  typeof crypto.hash === 'function' ? (algorithm, data) => crypto.hash(algorithm, data, 'hex') : (algorithm, data) => crypto.createHash(algorithm).update(data).digest('hex');

/** The source id rows are hashed under: the agency and the mapping (a source's format). */
export function sourceIdOf(agency: string, mapping: CompiledMapping): string {
  return `${agency}/${mapping.name}`;
}

/** sha256 of source id and raw row: the row's identity for idempotent re-ingest. */
export function rowHash(sourceId: string, raw: string): string {
  return hexDigest('sha256', `${sourceId}\n${raw}`);
}

/** The provenance envelope of an ingest: options over the mapping's `source` block. */
export function envelopeOf(mapping: CompiledMapping, options: IngestOptions, documentId: string, collectedAt: string): Envelope {
  const src = mapping.document.source;
  const agency = options.agency ?? src.agency;
  if (!agency) throw new TesseraError('VALIDATION', `no agency: give --agency or source.agency in mapping ${mapping.file}`, { field: 'agency' });
  const gradingIn = options.grading ?? src.grading;
  if (gradingIn === undefined) throw new TesseraError('VALIDATION', `no grading: give --grading (e.g. B2) or source.grading in mapping ${mapping.file}`, { field: 'grading' });
  const grading = typeof gradingIn === 'string' ? parseGrading(gradingIn) : gradingIn;
  if (!grading) throw new TesseraError('VALIDATION', `"${String(gradingIn)}" is not a grading (B2, eu:B2, adm:C3)`, { field: 'grading' });
  let handling;
  try {
    handling = parseHandling(options.handling ?? src.handling ?? '', options.releasableTo ?? src.releasableTo ?? []);
  } catch (e) {
    throw new TesseraError('VALIDATION', `invalid handling "${options.handling ?? src.handling}": ${(e as Error).message.slice(0, 200)}`, { field: 'handling', cause: e });
  }
  const classification = options.classification ?? src.classification;
  const subjectCategory = options.subjectCategory ?? src.subjectCategory;
  const nature = src.nature;
  return {
    source: { agency, documentId, collectedAt },
    grading,
    handling,
    ...(classification ? { classification } : {}),
    ...(subjectCategory ? { subjectCategory: subjectCategory as Envelope['subjectCategory'] & string } : {}),
    ...(nature ? { nature: nature as Envelope['nature'] & string } : {}),
    caseIds: [...(options.cases ?? src.cases ?? [])],
  } as Envelope;
}

/** Opens the reader the mapping's format calls for. */
export async function openRecords(file: string, mapping: CompiledMapping, maxLineBytes?: number): Promise<RecordStream> {
  const doc = mapping.document;
  const base = { ...(doc.encoding ? { encoding: doc.encoding } : {}), ...(maxLineBytes ? { maxLineBytes } : {}) };
  switch (mapping.format) {
    case 'csv':
      return readCsv(file, { ...base, ...(doc.csv ?? {}) } as Parameters<typeof readCsv>[1]);
    case 'jsonl':
      return readJsonLines(file, base);
    case 'json':
      return readJsonArray(file, base);
    case 'xml':
      return readXml(file, { ...base, record: doc.xml!.record });
  }
}

/**
 * Ingests one file through a mapping into a sink: streamed, batched, every row written or
 * quarantined, re-ingest idempotent (row content hashes), resumable (checkpoint per batch), every
 * written entity handed to screening; large files are read and mapped in a worker thread while
 * this one writes (`options.parallel`). Errors about the file or mapping as a whole (missing file,
 * 0-byte file, unknown columns, bad provenance) are thrown before anything is written.
 */
export async function ingestFile(file: string, mapping: CompiledMapping, sink: IngestSink, options: IngestOptions = {}, onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
  const now = options.now ?? (() => new Date());
  const { path, ...info } = await statInput(file);
  const collectedAt = options.collectedAt ?? now().toISOString();
  const envelope = envelopeOf(mapping, options, options.documentId ?? basename(file), collectedAt);
  const sourceId = sourceIdOf(envelope.source.agency, mapping);
  if (options.parallel ?? (info.size > PARALLEL_MIN_BYTES && availableParallelism() > 1)) {
    return ingestInWorker({ file, path, size: info.size, mtimeMs: info.mtimeMs, sourceId, mapping, envelope }, sink, options, onProgress);
  }
  const stream = await openRecords(path, mapping);
  if (stream.columns) checkColumns(mapping, stream.columns, file);
  else if (mapping.format === 'csv' && mapping.document.csv?.header !== false) throw new TesseraError('VALIDATION', `${file}: no header line (the file holds no readable CSV record)`, { record: file });
  const mapRow = createRowMapper(mapping, envelope, stream.columns, basename(file));
  return ingestStream({ file, path, size: info.size, mtimeMs: info.mtimeMs, stream, mapRow, sourceId, mappingName: mapping.name }, sink, options, onProgress);
}

/** Below this size a worker thread's start-up (~0.3 s) costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

/** What `ingestStream` runs: an opened file and how its rows become statements. */
export interface StreamJob {
  readonly file: string;
  /** Absolute path (checkpoint key). */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly stream: RecordStream;
  readonly mapRow: RowMapper;
  readonly sourceId: string;
  readonly mappingName: string;
}

/** Checks the file ingest is about to read: it exists, is a regular file and is not empty. */
export async function statInput(file: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  const path = resolve(file);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new TesseraError('NOT_FOUND', `${file}: no such file`, { record: file });
  }
  if (!info.isFile()) throw new TesseraError('VALIDATION', `${file}: not a regular file`, { record: file });
  if (info.size === 0) throw new TesseraError('VALIDATION', `${file}: file is empty (0 bytes), nothing to ingest`, { record: file });
  return { path, size: info.size, mtimeMs: info.mtimeMs };
}

/** The batched, resumable, idempotent loop shared by mapped files and FollowTheMoney imports (in this thread). */
export async function ingestStream(job: StreamJob, sink: IngestSink, options: IngestOptions = {}, onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
  const { file, path, stream, mapRow, sourceId } = job;
  const batchSize = Math.max(1, options.batchSize ?? 2000);
  const resumeFrom = await resumePoint(job, sink, options);
  const committer = new BatchCommitter(job, sink, options, onProgress);
  const ctx = { sourceId, mappingName: job.mappingName, file, screening: options.screening !== undefined };

  const flush = async (batch: HashedRecord[], recordsDone: number) => {
    if (batch.length === 0) return;
    const known = await sink.knownRowHashes(
      sourceId,
      batch.filter((b) => !b.record.error).map((b) => b.hash),
    );
    await committer.commit(mapBatch(batch, known, mapRow, { ...ctx, recordsDone }), stream.bytesRead());
  };

  const interrupted = await withSinkRun(sink, async () => {
    let consumed = 0;
    let batch: HashedRecord[] = [];
    for await (const record of stream.records) {
      consumed++;
      if (consumed <= resumeFrom) continue;
      batch.push({ record, hash: rowHash(sourceId, record.raw) });
      if (batch.length >= batchSize) {
        await flush(batch, consumed);
        batch = [];
        if (options.signal?.aborted) return true;
      }
    }
    await flush(batch, consumed);
    committer.bytesRead = stream.bytesRead();
    await sink.clearCheckpoint(sourceId, path);
    return false;
  });
  return committer.report(job.mappingName, resumeFrom, interrupted);
}
