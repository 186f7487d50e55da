import type { SchemaName, Statement } from '../model/index.js';
import type { RowMapper } from './mapping/index.js';
import type { IngestedEntity, QuarantineEntry } from './ports.js';
import type { SourceRecord } from './readers/index.js';
import { statementAssembler, type AssembleStatement, type Envelope } from './statements.js';

/** A record read from the file and its row hash. */
export interface HashedRecord {
  readonly record: SourceRecord;
  readonly hash: string;
}

/** A quarantine entry before the committing side stamps it with the time. */
export type PendingQuarantine = Omit<QuarantineEntry, 'at'>;

/** What one batch of records became, ready to be written atomically. */
export interface MappedBatch {
  /** Records in the batch. */
  readonly size: number;
  /** Records consumed from the start of the file through this batch (checkpoint). */
  readonly recordsDone: number;
  readonly lastLine: number;
  readonly written: number;
  readonly quarantined: number;
  readonly duplicates: number;
  readonly warnings: number;
  readonly sampleWarnings: readonly string[];
  /** Statements to write (each once in the whole run; see `RowMapper.startBatch`). */
  readonly statements: readonly Statement[];
  /** Hashes of the rows written. */
  readonly rowHashes: readonly string[];
  readonly quarantine: readonly PendingQuarantine[];
  /** Every entity the batch touched, once, with all its statements (only when screening). */
  readonly entities: readonly IngestedEntity[] | undefined;
}

export interface MapBatchContext {
  readonly sourceId: string;
  readonly mappingName: string;
  /** The file as given (quarantine entries name it). */
  readonly file: string;
  /** Collect the touched entities for screening. */
  readonly screening: boolean;
  readonly recordsDone: number;
}

const SAMPLE_WARNINGS = 10;

/**
 * Maps one batch: read errors and mapping failures become quarantine entries, rows already written
 * (`known`, or a row earlier in this batch) are duplicates, the rest become statements. Shared by the
 * in-process loop and the worker thread, so both count and quarantine identically.
 */
export function mapBatch(batch: readonly HashedRecord[], known: ReadonlySet<string>, mapRow: RowMapper, ctx: MapBatchContext): MappedBatch {
  const { sourceId, mappingName, file } = ctx;
  const seen = new Set<string>();
  mapRow.startBatch();
  const statements: Statement[] = [];
  const entities = ctx.screening ? new Map<string, { id: string; schema: SchemaName; statements: Statement[] }>() : undefined;
  const rowHashes: string[] = [];
  const quarantine: PendingQuarantine[] = [];
  let written = 0;
  let quarantined = 0;
  let duplicates = 0;
  let warnings = 0;
  const sampleWarnings: string[] = [];
  for (const { record, hash } of batch) {
    if (record.error) {
      quarantine.push({ sourceId, mapping: mappingName, file, line: record.line, field: record.error.field ?? '(row)', reason: record.error.reason, raw: record.raw, rowHash: hash });
      quarantined++;
      continue;
    }
    if (known.has(hash) || seen.has(hash)) {
      duplicates++;
      continue;
    }
    seen.add(hash);
    const result = mapRow(record, hash);
    if (!result.ok) {
      quarantine.push({ sourceId, mapping: mappingName, file, line: record.line, field: result.field, reason: result.reason, raw: record.raw, rowHash: hash });
      quarantined++;
      continue;
    }
    written++;
    rowHashes.push(hash);
    for (const s of result.fresh) statements.push(s);
    if (entities) {
      for (const e of result.entities) {
        const prev = entities.get(e.id);
        if (prev) prev.statements.push(...e.statements);
        else entities.set(e.id, { id: e.id, schema: e.schema, statements: [...e.statements] });
      }
    }
    if (result.warnings.length) {
      warnings += result.warnings.length;
      for (const w of result.warnings) if (sampleWarnings.length < SAMPLE_WARNINGS) sampleWarnings.push(`line ${record.line}: ${w}`);
    }
  }
  return {
    size: batch.length,
    recordsDone: ctx.recordsDone,
    lastLine: batch.length ? batch[batch.length - 1]!.record.line : 0,
    written,
    quarantined,
    duplicates,
    warnings,
    sampleWarnings,
    statements,
    rowHashes,
    quarantine,
    entities: entities ? [...entities.values()] : undefined,
  };
}

/**
 * A mapped batch as it crosses from the worker thread to the main thread: statements flattened to
 * seven slots each (envelope index, entity id, schema, property, value, original, id), their shared
 * provenance sent once per distinct envelope. Structured cloning of nested statement objects costs
 * several times more than these flat string arrays.
 */
export interface WireBatch extends Omit<MappedBatch, 'statements' | 'entities'> {
  /** Envelopes first used in this batch, in index order. */
  readonly newEnvelopes: readonly Envelope[];
  readonly flat: readonly (string | number | null)[];
  /** The first `writeCount` statements of `flat` are written; the rest are only screened. */
  readonly writeCount: number;
  /** Screened entities: id, schema, indexes of their statements in `flat`. */
  readonly entities: readonly (readonly [string, string, readonly number[]])[] | undefined;
}

const SLOTS = 7;

/** Flattens mapped batches for the trip to the main thread (one encoder per run: envelopes are sent once). */
export function batchEncoder(): (batch: MappedBatch) => WireBatch {
  const envelopes: { source: object; statement: Statement }[] = [];
  const indexOf = (s: Statement): { index: number; fresh?: Envelope } => {
    for (let i = 0; i < envelopes.length; i++) {
      const e = envelopes[i]!.statement;
      if (e.source === s.source && e.classification === s.classification && e.subjectCategory === s.subjectCategory && e.nature === s.nature && e.grading === s.grading && e.handling === s.handling && e.caseIds === s.caseIds && e.firstSeen === s.firstSeen && e.lastSeen === s.lastSeen && e.reviewBy === s.reviewBy) return { index: i };
    }
    const { entityId: _e, schema: _s, prop: _p, value: _v, original: _o, id: _i, ...envelope } = s;
    envelopes.push({ source: s.source, statement: s });
    return { index: envelopes.length - 1, fresh: envelope as Envelope };
  };
  return (batch) => {
    const newEnvelopes: Envelope[] = [];
    const flat: (string | number | null)[] = [];
    const position = new Map<Statement, number>();
    let count = 0;
    const add = (s: Statement): number => {
      const known = position.get(s);
      if (known !== undefined) return known;
      const { index, fresh } = indexOf(s);
      if (fresh) newEnvelopes.push(fresh);
      flat.push(index, s.entityId, s.schema, s.prop, s.value, s.original ?? null, s.id);
      position.set(s, count);
      return count++;
    };
    for (const s of batch.statements) add(s);
    const writeCount = count;
    const entities = batch.entities?.map((e) => [e.id, e.schema, e.statements.map(add)] as const);
    const { statements: _st, entities: _en, ...rest } = batch;
    return { ...rest, newEnvelopes, flat, writeCount, entities };
  };
}

/** Rebuilds mapped batches on the main thread (one decoder per run, paired with the worker's encoder). */
export function batchDecoder(): (wire: WireBatch) => MappedBatch {
  const assemblers: AssembleStatement[] = [];
  return (wire) => {
    for (const e of wire.newEnvelopes) assemblers.push(statementAssembler(e).assemble);
    const all: Statement[] = [];
    const f = wire.flat;
    for (let i = 0; i < f.length; i += SLOTS) {
      const assemble = assemblers[f[i] as number]!;
      all.push(assemble(f[i + 1] as string, f[i + 2] as SchemaName, f[i + 3] as string, f[i + 4] as string, (f[i + 5] as string | null) ?? undefined, f[i + 6] as string));
    }
    const { newEnvelopes: _n, flat: _f, writeCount, entities, ...rest } = wire;
    return {
      ...rest,
      statements: writeCount === all.length ? all : all.slice(0, writeCount),
      entities: entities?.map(([id, schema, idx]) => ({ id, schema: schema as SchemaName, statements: idx.map((k) => all[k]!) })),
    };
  };
}
