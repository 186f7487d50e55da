import { deserialize, serialize } from 'node:v8';
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

/** Counts, quarantine and row hashes of a mapped batch: everything but its statements and entities. */
type BatchTally = Omit<MappedBatch, 'statements' | 'entities'>;

/**
 * The row loop shared by the in-process loop and the worker thread, so both count and quarantine
 * identically: read errors and mapping failures become quarantine entries, rows already written
 * (`known`, or a row earlier in this batch) are duplicates, the rest hand their fresh statements to
 * `emit` as they are mapped.
 */
function mapRows(batch: readonly HashedRecord[], known: ReadonlySet<string>, mapRow: RowMapper, ctx: MapBatchContext, emit: (s: Statement) => void, entities: Map<string, { id: string; schema: SchemaName; statements: Statement[] }> | undefined): BatchTally {
  const { sourceId, mappingName, file } = ctx;
  const seen = new Set<string>();
  mapRow.startBatch();
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
    for (const s of result.fresh) emit(s);
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
    rowHashes,
    quarantine,
  };
}

/** Maps one batch into statements ready to be written atomically (the in-process loop). */
export function mapBatch(batch: readonly HashedRecord[], known: ReadonlySet<string>, mapRow: RowMapper, ctx: MapBatchContext): MappedBatch {
  const statements: Statement[] = [];
  const entities = ctx.screening ? new Map<string, { id: string; schema: SchemaName; statements: Statement[] }>() : undefined;
  const tally = mapRows(batch, known, mapRow, ctx, (s) => statements.push(s), entities);
  return { ...tally, statements, entities: entities ? [...entities.values()] : undefined };
}

/**
 * A mapped batch as it crosses from the worker thread to the main thread: statements flattened to
 * seven slots each — envelope index, entity id (null: the previous statement's), schema and
 * property as indexes into the run's name table, value, original (null: none), id — and
 * serialised (v8.serialize) a few thousand statements at a time. Shared provenance and names are
 * sent once per run. Structured cloning of nested statement objects costs several times more than
 * flat arrays, and every string sent is one more to copy on both sides; serialising as the batch
 * is mapped lets those strings die young instead of being copied by every scavenge until the
 * batch is posted (~40% of a CDR batch's young generation survived them).
 */
export interface WireBatch extends BatchTally {
  /** Envelopes first used in this batch, in index order. */
  readonly newEnvelopes: readonly Envelope[];
  /** Schema and property names first used in this batch, in index order. */
  readonly newNames: readonly string[];
  /** Serialised runs of `flat` slots (`SLOTS` per statement), in order. */
  readonly chunks: readonly Uint8Array[];
  /** The first `writeCount` statements of `flat` are written; the rest are only screened. */
  readonly writeCount: number;
  /** Screened entities: id, schema, indexes of their statements in `flat`. */
  readonly entities: readonly (readonly [string, string, readonly number[]])[] | undefined;
}

const SLOTS = 7;
/** Statements per serialised chunk: ~300 CDR rows, well within one scavenge's allocation. */
const CHUNK_STATEMENTS = 2048;

/**
 * Maps batches straight into their wire form (one encoder per run: envelopes and names are sent
 * once). Each statement is flattened as its row is mapped, so statements of `$row` entities die
 * young: held for a whole batch they outlive scavenges, and V8 then allocates every statement in
 * the old generation (allocation-site pretenuring), which cost ~7 µs a CDR row in GC.
 */
export function batchEncoder(): (batch: readonly HashedRecord[], known: ReadonlySet<string>, mapRow: RowMapper, ctx: MapBatchContext) => WireBatch {
  const envelopes: Statement[] = [];
  const names = new Map<string, number>();
  const indexOf = (s: Statement, newEnvelopes: Envelope[]): number => {
    for (let i = 0; i < envelopes.length; i++) {
      const e = envelopes[i]!;
      if (e.source === s.source && e.classification === s.classification && e.subjectCategory === s.subjectCategory && e.nature === s.nature && e.grading === s.grading && e.handling === s.handling && e.caseIds === s.caseIds && e.firstSeen === s.firstSeen && e.lastSeen === s.lastSeen && e.reviewBy === s.reviewBy) return i;
    }
    const { entityId: _e, schema: _s, prop: _p, value: _v, original: _o, id: _i, ...envelope } = s;
    envelopes.push(s);
    newEnvelopes.push(envelope as Envelope);
    return envelopes.length - 1;
  };
  return (batch, known, mapRow, ctx) => {
    const newEnvelopes: Envelope[] = [];
    const newNames: string[] = [];
    const nameOf = (name: string): number => {
      let k = names.get(name);
      if (k === undefined) {
        names.set(name, (k = names.size));
        newNames.push(name);
      }
      return k;
    };
    const chunks: Uint8Array[] = [];
    let flat: (string | number | null)[] = [];
    // Statement positions, only when screening needs them (entities name their statements by position).
    const position = ctx.screening ? new Map<Statement, number>() : undefined;
    let count = 0;
    let lastEntity = '';
    let lastEnvelope: Statement | undefined;
    let lastIndex = 0;
    const add = (s: Statement): number => {
      if (position) {
        const known = position.get(s);
        if (known !== undefined) return known;
        position.set(s, count);
      }
      // Statements of one mapping share their envelope objects: the last match is checked first.
      const index = lastEnvelope && lastEnvelope.source === s.source && lastEnvelope.classification === s.classification && lastEnvelope.subjectCategory === s.subjectCategory && lastEnvelope.nature === s.nature && lastEnvelope.grading === s.grading && lastEnvelope.handling === s.handling && lastEnvelope.caseIds === s.caseIds && lastEnvelope.firstSeen === s.firstSeen && lastEnvelope.lastSeen === s.lastSeen && lastEnvelope.reviewBy === s.reviewBy ? lastIndex : indexOf(s, newEnvelopes);
      lastEnvelope = s;
      lastIndex = index;
      flat.push(index, s.entityId === lastEntity ? null : (lastEntity = s.entityId), nameOf(s.schema), nameOf(s.prop), s.value, s.original ?? null, s.id);
      if (flat.length >= CHUNK_STATEMENTS * SLOTS) {
        chunks.push(serialize(flat));
        flat = [];
      }
      return count++;
    };
    const entities = ctx.screening ? new Map<string, { id: string; schema: SchemaName; statements: Statement[] }>() : undefined;
    const tally = mapRows(batch, known, mapRow, ctx, add, entities);
    const writeCount = count;
    const screened = entities ? [...entities.values()].map((e) => [e.id, e.schema, e.statements.map(add)] as const) : undefined;
    if (flat.length > 0) chunks.push(serialize(flat));
    return { ...tally, newEnvelopes, newNames, chunks, writeCount, entities: screened };
  };
}

/** Rebuilds mapped batches on the main thread (one decoder per run, paired with the worker's encoder). */
export function batchDecoder(): (wire: WireBatch) => MappedBatch {
  const assemblers: AssembleStatement[] = [];
  const names: string[] = [];
  return (wire) => {
    for (const e of wire.newEnvelopes) assemblers.push(statementAssembler(e).assemble);
    for (const n of wire.newNames) names.push(n);
    const all: Statement[] = [];
    let entityId = '';
    for (const chunk of wire.chunks) {
      const f = deserialize(chunk) as (string | number | null)[];
      for (let i = 0; i < f.length; i += SLOTS) {
        const assemble = assemblers[f[i] as number]!;
        const e = f[i + 1] as string | null;
        if (e !== null) entityId = e;
        all.push(assemble(entityId, names[f[i + 2] as number] as SchemaName, names[f[i + 3] as number]!, f[i + 4] as string, (f[i + 5] as string | null) ?? undefined, f[i + 6] as string));
      }
    }
    const { newEnvelopes: _n, newNames: _nn, chunks: _c, writeCount, entities, ...rest } = wire;
    return {
      ...rest,
      statements: writeCount === all.length ? all : all.slice(0, writeCount),
      entities: entities?.map(([id, schema, idx]) => ({ id, schema: schema as SchemaName, statements: idx.map((k) => all[k]!) })),
    };
  };
}
