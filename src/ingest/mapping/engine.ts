import { isTesseraError, keyedEntityId, type SchemaName, type Statement, type SubjectCategory } from '../../model/index.js';
import { dateNormaliser, normaliseCountry, normaliseEmail, normaliseIban, normaliseImei, normalisePersonName, normalisePhone, type Normalised } from '../normalise/index.js';
import { normaliseIdentifier } from '../../model/index.js';
import type { SourceRecord } from '../readers/index.js';
import { statementFactory, type Envelope, type MakeStatement } from '../statements.js';
import type { CompiledMapping, EntityPlan, PropertyPlan } from './compile.js';

/** An entity a row produced (for screening and counts). */
export interface MappedEntity {
  readonly id: string;
  readonly schema: SchemaName;
  readonly statements: readonly Statement[];
}

/** What one row became: statements, or the reason it goes to quarantine. */
export type RowResult =
  | {
      readonly ok: true;
      /** Every statement of the row. */
      readonly statements: readonly Statement[];
      /**
       * The row's statements this mapper has not returned before (a phone recurs in every call: its
       * statements are returned with the first row that names it, then only referenced). Returned
       * means handed on with a row that succeeded; a quarantined row returns nothing.
       */
      readonly fresh: readonly Statement[];
      readonly entities: readonly MappedEntity[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly field: string; readonly reason: string };

export interface RowMapper {
  (record: SourceRecord, rowHash: string): RowResult;
  /**
   * Starts a new batch. `fresh` is deduplicated over the mapper's whole run, not per batch: a batch is
   * written before the next one or the ingest stops, so a statement returned once is in the sink (or
   * the run failed). Caches are bounded: an evicted statement may be returned again (sinks ignore
   * statements they hold).
   */
  startBatch(): void;
}

type Getter = (record: SourceRecord, column: string) => string[];

function leafStrings(v: unknown, out: string[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) leafStrings(x, out);
  else if (typeof v === 'string') {
    if (v.trim().length > 0) out.push(v);
  } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out.push(String(v));
  else if (typeof v === 'object' && '#text' in (v as Record<string, unknown>)) leafStrings((v as Record<string, unknown>)['#text'], out);
}

/** Values at a dotted path of a JSON/XML record; arrays along the way fan out. */
function objectGetter(record: SourceRecord, path: string): string[] {
  let level: unknown[] = [record.object];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const node of level) {
      if (Array.isArray(node)) {
        for (const item of node) if (item && typeof item === 'object' && part in item) next.push((item as Record<string, unknown>)[part]);
      } else if (node && typeof node === 'object' && part in node) next.push((node as Record<string, unknown>)[part]);
    }
    level = next;
    if (level.length === 0) return [];
  }
  const out: string[] = [];
  for (const v of level) leafStrings(v, out);
  return out;
}

function csvGetter(columns: readonly string[]): Getter {
  const index = new Map(columns.map((c, i) => [c, i]));
  return (record, column) => {
    const i = index.get(column);
    const v = i === undefined ? undefined : record.values?.[i];
    return v === undefined || v.trim().length === 0 ? [] : [v];
  };
}

/** Normalises one raw value for a property's type (the model's checkValue then verifies the canonical form). */
function normaliserFor(plan: PropertyPlan, mapping: CompiledMapping, readDate: ((raw: string) => Normalised) | undefined): (raw: string) => Normalised {
  switch (plan.spec.type) {
    case 'name':
      return normalisePersonName;
    case 'date':
    case 'datetime':
      return readDate!;
    case 'country': {
      const languages = plan.countryLanguages;
      return languages ? (raw) => normaliseCountry(raw, languages) : (raw) => normaliseCountry(raw);
    }
    case 'phone': {
      const region = plan.phoneRegion;
      const validation = mapping.phoneValidation;
      return (raw) => normalisePhone(raw, region, validation);
    }
    case 'imei':
      return normaliseImei;
    case 'iban':
      return normaliseIban;
    case 'email':
      return normaliseEmail;
    case 'identifier':
      return (raw) => {
        const id = normaliseIdentifier(raw);
        return id.length > 0 ? { ok: true, value: id } : { ok: false, reason: 'identifier is empty' };
      };
    case 'enum':
      return (raw) => ({ ok: true, value: raw.trim().toLowerCase() });
    default:
      return (raw) => ({ ok: true, value: raw.trim() });
  }
}

const CACHE_LIMIT = 20_000;

/** A statement of a keyed entity built once, and whether it has been returned as fresh. */
interface CachedStatement {
  readonly st: Statement;
  returned: boolean;
}

/** A keyed entity computed once: its id, its cached statements and the entity as rows report it. */
interface EntityMemo {
  readonly id: string;
  readonly cached: readonly CachedStatement[];
  readonly entity: MappedEntity;
  /** `entity.statements.length`, kept here so that a hit reads nothing but this object. */
  readonly count: number;
  /**
   * Every cached statement has been returned by a row that succeeded. A statement stays returned
   * once such a row returned it (only the failing row that marked it unmarks it), so a settled
   * memo's statements need no checking again.
   */
  settled: boolean;
}

function fieldOf(plan: PropertyPlan): string {
  return plan.source.kind === 'column' ? plan.source.column : plan.path;
}

/** One property of an entity, compiled for the row loop. */
interface PropertyStep {
  readonly plan: PropertyPlan;
  readonly prop: string;
  /** Index of the referenced entity (entity references), else -1. */
  readonly ref: number;
  /** CSV cell index when the value is that one cell as it stands (no split, no recode), else -1: read without arrays. */
  readonly cell: number;
  readonly normalise: (raw: string) => Normalised;
}

/** One entity of the mapping, compiled for the row loop. */
interface EntityStep {
  readonly plan: EntityPlan;
  readonly make: MakeStatement;
  readonly properties: readonly PropertyStep[];
  /** Indexes of the entities this one's edge ends refer to. */
  readonly edgeRefs: readonly number[];
  /** Key columns (`key: [{column}]`): CSV cell index (or -1) and name. */
  readonly keyColumns: readonly { readonly cell: number; readonly column: string }[];
  /** Keyed entities: raw inputs → the entity computed once (undefined for `$row`). */
  readonly memo: Map<string, EntityMemo> | undefined;
}

const NO_WARNINGS: readonly string[] = Object.freeze([]);

/** A flat copy of a string (not a slice of a longer one, nor a rope of pieces). */
function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/**
 * A row that became statements. `statements` is gathered from the entities when asked for: the
 * ingest loop reads only `fresh`, and a recurring entity's statements need not be touched per row.
 */
class MappedRow {
  readonly ok = true as const;
  constructor(
    readonly fresh: readonly Statement[],
    readonly entities: readonly MappedEntity[],
    readonly warnings: readonly string[],
  ) {}

  get statements(): readonly Statement[] {
    const all: Statement[] = [];
    for (const e of this.entities) for (const st of e.statements) all.push(st);
    return all;
  }
}

/**
 * Builds the row mapper of a compiled mapping: every row becomes all of its statements, or — if any
 * value the mapping requires is missing or invalid — a quarantine reason naming the field. Nothing
 * of a quarantined row is written (a row is the unit of atomicity).
 */
export function createRowMapper(mapping: CompiledMapping, envelope: Envelope, columns: readonly string[] | undefined, file: string): RowMapper {
  const agency = envelope.source.agency;
  const get: Getter = columns ? csvGetter(columns) : objectGetter;
  const cellIndex = new Map((columns ?? []).map((c, i) => [c, i]));
  // A column read through the CSV getter as one cell: its index (the getter's index map keeps the last of duplicate names).
  const cellOf = (column: string): number => (columns ? (cellIndex.get(column) ?? -1) : -1);

  // Date fields: their declared formats compiled once.
  const dateOptions = { ...(mapping.timezone ? { timezone: mapping.timezone } : {}), ...(mapping.pivotYear === undefined ? {} : { pivotYear: mapping.pivotYear }) };
  const planIndex = new Map(mapping.entities.map((p, i) => [p.name, i]));
  const steps: EntityStep[] = mapping.entities.map((plan) => ({
    plan,
    make: statementFactory({
      ...envelope,
      ...(plan.subjectCategory ? { subjectCategory: plan.subjectCategory as SubjectCategory } : {}),
      ...(plan.classification ? { classification: plan.classification } : {}),
    }),
    properties: plan.properties.map((p) => {
      const readDate = p.spec.type === 'date' || p.spec.type === 'datetime' ? dateNormaliser(p.dateFormats, p.spec.type, dateOptions) : undefined;
      return {
        plan: p,
        prop: p.prop,
        ref: p.source.kind === 'entity' ? planIndex.get(p.source.entity)! : -1,
        cell: p.source.kind === 'column' && !p.split && !p.recode ? cellOf(p.source.column) : -1,
        normalise: normaliserFor(p, mapping, readDate),
      };
    }),
    edgeRefs: plan.edgeRefs.map((r) => planIndex.get(r)!),
    keyColumns: plan.key === '$row' ? [] : plan.key.flatMap((k) => ('column' in k ? [{ cell: cellOf(k.column), column: k.column }] : [])),
    memo: plan.key === '$row' ? undefined : new Map<string, EntityMemo>(),
  }));
  const requiredColumns = mapping.required.map((column) => ({ column, cell: cellOf(column) }));

  const cache = new Map<string, CachedStatement>();
  // Cached statements marked returned by the row being mapped: unmarked again if the row fails.
  const marked: CachedStatement[] = [];
  // Memos the row being mapped returned: settled if the row succeeds.
  const unsettled: EntityMemo[] = [];
  const markFresh = (c: CachedStatement, fresh: Statement[]) => {
    if (c.returned) return;
    c.returned = true;
    marked.push(c);
    fresh.push(c.st);
  };
  const rawValues = (plan: PropertyPlan, record: SourceRecord): string[] => {
    const s = plan.source;
    let vals: string[];
    switch (s.kind) {
      case 'column':
        vals = get(record, s.column);
        break;
      case 'columns': {
        const parts = s.columns.flatMap((c) => get(record, c).map((v) => v.trim()));
        vals = parts.length ? [parts.join(s.join)] : [];
        break;
      }
      case 'template': {
        let any = false;
        const text = s.template.replace(/\{([^{}]+)\}/g, (_m, c: string) => {
          const v = get(record, c)[0];
          if (v !== undefined) any = true;
          return v?.trim() ?? '';
        });
        vals = any ? [text.replace(/\s+/g, ' ').trim()] : [];
        break;
      }
      case 'value':
        vals = [s.value];
        break;
      case 'entity':
        return [];
    }
    if (plan.split) vals = vals.flatMap((v) => v.split(plan.split!)).filter((v) => v.trim().length > 0);
    if (plan.recode) vals = vals.map((v) => plan.recode![v] ?? plan.recode![v.trim()] ?? v);
    return vals;
  };
  /** A CSV cell as the getter reads it: undefined when missing or blank. */
  const cellValue = (record: SourceRecord, cell: number): string | undefined => {
    const v = record.values?.[cell];
    return v === undefined || v.trim().length === 0 ? undefined : v;
  };

  /** Applies a property's `pattern`; undefined when the value does not match. */
  const applyPattern = (plan: PropertyPlan, raw: string): string | undefined => {
    const p = plan.pattern!;
    const m = p.re.exec(raw.trim());
    if (!m) return undefined;
    if (p.replace !== undefined) return m[0].replace(p.re, p.replace);
    return m[1] ?? m[0];
  };

  // Entity ids of the row being mapped, by entity index.
  const ids: (string | undefined)[] = steps.map(() => undefined);

  /** The memo key of a keyed entity: its raw inputs (every property's values, referenced ids, key columns). */
  const memoKeyOf = (step: EntityStep, record: SourceRecord): string => {
    let key = '';
    let n = 0;
    for (const p of step.properties) {
      const part = p.ref >= 0 ? (ids[p.ref] ?? '') : p.cell >= 0 ? (cellValue(record, p.cell) ?? '') : rawValues(p.plan, record).join('\u0001');
      key = n++ === 0 ? part : `${key}\u0000${part}`;
    }
    for (const k of step.keyColumns) {
      const part = (k.cell >= 0 ? cellValue(record, k.cell) : get(record, k.column)[0]) ?? '';
      key = n++ === 0 ? part : `${key}\u0000${part}`;
    }
    return key;
  };

  // The values of the entity being built, in property order (scratch space reused by every entity).
  const entryProp: string[] = [];
  const entryValue: string[] = [];
  const entryOriginal: string[] = [];
  let entries = 0;
  const addEntry = (prop: string, value: string, original: string) => {
    entryProp[entries] = prop;
    entryValue[entries] = value;
    entryOriginal[entries] = original;
    entries++;
  };
  const firstValue = (prop: string): string | undefined => {
    for (let e = 0; e < entries; e++) if (entryProp[e] === prop) return entryValue[e];
    return undefined;
  };
  /** Notes go with the values of a mapped `notes` property, or after every other value. */
  const addNotes = (notes: readonly string[]) => {
    let at = -1;
    for (let e = 0; e < entries; e++) if (entryProp[e] === 'notes') at = e + 1;
    if (at < 0) at = entries;
    const tail = entries - at;
    for (let e = entries - 1; e >= at; e--) {
      entryProp[e + notes.length] = entryProp[e]!;
      entryValue[e + notes.length] = entryValue[e]!;
      entryOriginal[e + notes.length] = entryOriginal[e]!;
    }
    for (let i = 0; i < notes.length; i++) {
      entryProp[at + i] = 'notes';
      entryValue[at + i] = notes[i]!;
      entryOriginal[at + i] = notes[i]!;
    }
    entries = at + notes.length + tail;
  };

  const mapRow = (record: SourceRecord, rowHash: string): RowResult => {
    const where = `${file} line ${record.line}`;
    for (const { column, cell } of requiredColumns) {
      if (cell >= 0 ? cellValue(record, cell) === undefined : get(record, column).length === 0) return { ok: false, field: column, reason: `required column "${column}" is empty or missing` };
    }
    ids.fill(undefined);
    let statementCount = 0;
    const fresh: Statement[] = [];
    const entities: MappedEntity[] = [];
    let warnings: string[] | undefined;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      const plan = step.plan;
      let absent = false;
      for (const r of step.edgeRefs) if (ids[r] === undefined) absent = true;
      if (absent) continue;
      // Keyed entities recur (the same phone in thousands of calls): the same raw inputs give the
      // same entity, so its id and statements are computed once and reused.
      const memo = step.memo;
      let memoKey: string | undefined;
      if (memo) {
        memoKey = memoKeyOf(step, record);
        const hit = memo.get(memoKey);
        if (hit) {
          ids[index] = hit.id;
          if (!hit.settled) {
            for (const c of hit.cached) markFresh(c, fresh);
            unsettled.push(hit);
          }
          statementCount += hit.count;
          entities.push(hit.entity);
          continue;
        }
      }
      const warningsBefore = warnings?.length ?? 0;
      entries = 0;
      let notes: string[] | undefined;
      for (const p of step.properties) {
        const pp = p.plan;
        if (p.ref >= 0) {
          const ref = ids[p.ref];
          if (ref) addEntry(p.prop, ref, ref);
          else if (pp.required) return { ok: false, field: pp.path, reason: `entity "${(pp.source as { entity: string }).entity}" is absent from this row` };
          continue;
        }
        let single: string | undefined;
        let raws: string[] | undefined;
        if (p.cell >= 0) single = cellValue(record, p.cell);
        else {
          raws = rawValues(pp, record);
          if (raws.length === 1) single = raws[0];
        }
        if (single === undefined && (raws === undefined || raws.length === 0)) {
          if (pp.required) return { ok: false, field: fieldOf(pp), reason: `required value for ${plan.schema}.${p.prop} is empty` };
          continue;
        }
        const count = single === undefined ? raws!.length : 1;
        for (let i = 0; i < count; i++) {
          const raw = single ?? raws![i]!;
          const picked = pp.pattern ? applyPattern(pp, raw) : raw;
          const n: Normalised = picked === undefined ? { ok: false, reason: `"${raw}" does not match the pattern ${pp.pattern!.re.source}` } : p.normalise(picked);
          if (n.ok) addEntry(p.prop, n.value, raw);
          else if (pp.onInvalid === 'quarantine') return { ok: false, field: fieldOf(pp), reason: `${plan.schema}.${p.prop}: ${n.reason}` };
          else if (pp.onInvalid === 'note') (notes ??= []).push(`${p.prop} as received: "${raw}" (${n.reason})`);
          else (warnings ??= []).push(`${fieldOf(pp)}: ${n.reason} (value skipped)`);
        }
      }
      if (notes) addNotes(notes);
      // The entity id.
      let id: string;
      if (plan.key === '$row') id = keyedEntityId(agency, `${plan.idPrefix}.${rowHash.slice(0, 40)}`);
      else {
        const parts: string[] = [];
        for (const k of plan.key) {
          const v = 'prop' in k ? firstValue(k.prop) : get(record, k.column)[0]?.trim();
          if (v === undefined || v.length === 0) {
            if (plan.optional) break;
            return { ok: false, field: 'prop' in k ? fieldOf(plan.properties.find((p) => p.prop === k.prop)!) : k.column, reason: `no value for the key of ${plan.schema} "${plan.name}"` };
          }
          parts.push(v);
        }
        if (parts.length < plan.key.length) continue;
        id = parts.length === 1 ? keyedEntityId(agency, `${plan.idPrefix}.${parts[0]}`) : keyedEntityId(agency, plan.idPrefix, ...parts);
      }
      const own: Statement[] = [];
      const cachedHere: CachedStatement[] | undefined = memo ? [] : undefined;
      const make = step.make;
      try {
        for (let e = 0; e < entries; e++) {
          const prop = entryProp[e]!;
          const value = entryValue[e]!;
          const original = entryOriginal[e]!;
          const orig = original === value ? undefined : original;
          if (!cachedHere) {
            const st = make(id, plan.schema, prop, value, orig, where);
            own.push(st);
            fresh.push(st);
            continue;
          }
          // Keyed entities recur across rows (a phone in every call): build each statement once.
          const ck = `${id}\u0000${prop}\u0000${value}\u0000${orig ?? ''}`;
          let hit = cache.get(ck);
          if (!hit) {
            hit = { st: make(id, plan.schema, prop, value, orig, where), returned: false };
            if (cache.size >= CACHE_LIMIT) cache.clear();
            cache.set(ck, hit);
          }
          markFresh(hit, fresh);
          own.push(hit.st);
          cachedHere.push(hit);
        }
      } catch (e) {
        if (isTesseraError(e)) {
          const p = plan.properties.find((x) => x.prop === e.field);
          return { ok: false, field: p ? fieldOf(p) : (e.field ?? plan.name), reason: e.message.replace(`record ${where}, `, '') };
        }
        throw e;
      }
      if (own.length === 0) continue;
      let entity: MappedEntity = { id, schema: plan.schema, statements: own };
      if (memo && memoKey !== undefined && !notes && (warnings?.length ?? 0) === warningsBefore && cachedHere!.length === own.length) {
        if (memo.size >= CACHE_LIMIT) memo.clear();
        const m: EntityMemo = { id, cached: cachedHere!, entity, count: own.length, settled: false };
        // A flat copy of the key: a CSV cell is a slice of its line, a joined key a rope; either costs an extra cache miss on every lookup.
        memo.set(detached(memoKey), m);
        unsettled.push(m);
        entity = m.entity;
      }
      ids[index] = id;
      statementCount += own.length;
      entities.push(entity);
    }
    if (statementCount === 0) return { ok: false, field: '(row)', reason: 'the row yields no statements (every mapped value is empty)' };
    return new MappedRow(fresh, entities, warnings ?? NO_WARNINGS);
  };
  const mapper = (record: SourceRecord, rowHash: string): RowResult => {
    marked.length = 0;
    unsettled.length = 0;
    const result = mapRow(record, rowHash);
    // Nothing of a quarantined row is written: its statements must be returned again by a later row.
    if (!result.ok) for (const c of marked) c.returned = false;
    else for (const m of unsettled) m.settled = true;
    return result;
  };
  mapper.startBatch = () => undefined;
  return mapper;
}
