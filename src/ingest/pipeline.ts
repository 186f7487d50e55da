import { hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { TesseraError, parseGrading, parseHandling, type Grading } from '../model/index.js';
import { checkColumns, createRowMapper, type CompiledMapping, type RowMapper } from './mapping/index.js';
import { mapBatch, type HashedRecord, type MappedBatch } from './batch.js';
import type { IngestCheckpoint, IngestSink, ScreeningPort } from './ports.js';
import { readCsv, readJsonArray, readJsonLines, readXml, type RecordStream } from './readers/index.js';
import type { Envelope } from './statements.js';

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

/** The source id rows are hashed under: the agency and the mapping (a source's format). */
export function sourceIdOf(agency: string, mapping: CompiledMapping): string {
  return `${agency}/${mapping.name}`;
}

/** sha256 of source id and raw row: the row's identity for idempotent re-ingest. */
export function rowHash(sourceId: string, raw: string): string {
  return hash('sha256', `${sourceId}\n${raw}`, 'hex');
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
 * written entity handed to screening. Errors about the file or mapping as a whole (missing file,
 * 0-byte file, unknown columns, bad provenance) are thrown before anything is written.
 */
export async function ingestFile(file: string, mapping: CompiledMapping, sink: IngestSink, options: IngestOptions = {}, onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
  const now = options.now ?? (() => new Date());
  const { path, ...info } = await statInput(file);
  const collectedAt = options.collectedAt ?? now().toISOString();
  const envelope = envelopeOf(mapping, options, options.documentId ?? basename(file), collectedAt);
  const sourceId = sourceIdOf(envelope.source.agency, mapping);
  const stream = await openRecords(path, mapping);
  if (stream.columns) checkColumns(mapping, stream.columns, file);
  else if (mapping.format === 'csv' && mapping.document.csv?.header !== false) throw new TesseraError('VALIDATION', `${file}: no header line (the file holds no readable CSV record)`, { record: file });
  const mapRow = createRowMapper(mapping, envelope, stream.columns, basename(file));
  return ingestStream({ file, path, size: info.size, mtimeMs: info.mtimeMs, stream, mapRow, sourceId, mappingName: mapping.name }, sink, options, onProgress);
}

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

  let consumed = 0;
  let interrupted = false;
  let batch: HashedRecord[] = [];
  for await (const record of stream.records) {
    consumed++;
    if (consumed <= resumeFrom) continue;
    batch.push({ record, hash: rowHash(sourceId, record.raw) });
    if (batch.length >= batchSize) {
      await flush(batch, consumed);
      batch = [];
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
  }
  if (!interrupted) {
    await flush(batch, consumed);
    committer.bytesRead = stream.bytesRead();
    await sink.clearCheckpoint(sourceId, path);
  }
  return committer.report(job.mappingName, resumeFrom, interrupted);
}
