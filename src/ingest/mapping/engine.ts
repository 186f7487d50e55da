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
function normaliseFor(plan: PropertyPlan, raw: string, mapping: CompiledMapping, readDate: ((raw: string) => Normalised) | undefined): Normalised {
  switch (plan.spec.type) {
    case 'name':
      return normalisePersonName(raw);
    case 'date':
    case 'datetime':
      return readDate!(raw);
    case 'country':
      return plan.countryLanguages ? normaliseCountry(raw, plan.countryLanguages) : normaliseCountry(raw);
    case 'phone':
      return normalisePhone(raw, plan.phoneRegion, mapping.phoneValidation);
    case 'imei':
      return normaliseImei(raw);
    case 'iban':
      return normaliseIban(raw);
    case 'email':
      return normaliseEmail(raw);
    case 'identifier': {
      const id = normaliseIdentifier(raw);
      return id.length > 0 ? { ok: true, value: id } : { ok: false, reason: 'identifier is empty' };
    }
    case 'enum':
      return { ok: true, value: raw.trim().toLowerCase() };
    default:
      return { ok: true, value: raw.trim() };
  }
}

const CACHE_LIMIT = 20_000;

/** A statement of a keyed entity built once, and whether it has been returned as fresh. */
interface CachedStatement {
  readonly st: Statement;
  returned: boolean;
}

/** A keyed entity computed once: its id and its cached statements. */
interface EntityMemo {
  readonly id: string;
  readonly cached: readonly CachedStatement[];
}

function fieldOf(plan: PropertyPlan): string {
  return plan.source.kind === 'column' ? plan.source.column : plan.path;
}

/**
 * Builds the row mapper of a compiled mapping: every row becomes all of its statements, or — if any
 * value the mapping requires is missing or invalid — a quarantine reason naming the field. Nothing
 * of a quarantined row is written (a row is the unit of atomicity).
 */
export function createRowMapper(mapping: CompiledMapping, envelope: Envelope, columns: readonly string[] | undefined, file: string): RowMapper {
  const agency = envelope.source.agency;
  const get: Getter = columns ? csvGetter(columns) : objectGetter;
  const factories = new Map<EntityPlan, MakeStatement>();
  for (const plan of mapping.entities) {
    factories.set(
      plan,
      statementFactory({
        ...envelope,
        ...(plan.subjectCategory ? { subjectCategory: plan.subjectCategory as SubjectCategory } : {}),
        ...(plan.classification ? { classification: plan.classification } : {}),
      }),
    );
  }

  // Date fields: their declared formats compiled once.
  const dateReaders = new Map<PropertyPlan, (raw: string) => Normalised>();
  const dateOptions = { ...(mapping.timezone ? { timezone: mapping.timezone } : {}), ...(mapping.pivotYear === undefined ? {} : { pivotYear: mapping.pivotYear }) };
  for (const plan of mapping.entities) {
    for (const p of plan.properties) if (p.spec.type === 'date' || p.spec.type === 'datetime') dateReaders.set(p, dateNormaliser(p.dateFormats, p.spec.type, dateOptions));
  }
  const cache = new Map<string, CachedStatement>();
  const memos = new Map<EntityPlan, Map<string, EntityMemo>>(mapping.entities.map((p) => [p, new Map()]));
  // Cached statements marked returned by the row being mapped: unmarked again if the row fails.
  const marked: CachedStatement[] = [];
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

  /** Applies a property's `pattern`; undefined when the value does not match. */
  const applyPattern = (plan: PropertyPlan, raw: string): string | undefined => {
    const p = plan.pattern!;
    const m = p.re.exec(raw.trim());
    if (!m) return undefined;
    if (p.replace !== undefined) return m[0].replace(p.re, p.replace);
    return m[1] ?? m[0];
  };

  const mapRow = (record: SourceRecord, rowHash: string): RowResult => {
    const where = `${file} line ${record.line}`;
    for (const col of mapping.required) {
      if (get(record, col).length === 0) return { ok: false, field: col, reason: `required column "${col}" is empty or missing` };
    }
    const ids = new Map<string, string>();
    const statements: Statement[] = [];
    const fresh: Statement[] = [];
    const entities: MappedEntity[] = [];
    const warnings: string[] = [];
    for (const plan of mapping.entities) {
      if (plan.edgeRefs.some((r) => !ids.has(r))) continue;
      const make = factories.get(plan)!;
      // Keyed entities recur (the same phone in thousands of calls): the same raw inputs give the
      // same entity, so its id and statements are computed once and reused.
      let memoKey: string | undefined;
      let memo: Map<string, EntityMemo> | undefined;
      if (plan.key !== '$row') {
        memo = memos.get(plan)!;
        const parts: string[] = [];
        for (const p of plan.properties) parts.push(p.source.kind === 'entity' ? (ids.get(p.source.entity) ?? '') : rawValues(p, record).join('\u0001'));
        for (const k of plan.key) if ('column' in k) parts.push(get(record, k.column)[0] ?? '');
        memoKey = parts.length === 1 ? parts[0]! : parts.join('\u0000');
        const hit = memo.get(memoKey);
        if (hit) {
          ids.set(plan.name, hit.id);
          const own: Statement[] = [];
          for (const c of hit.cached) {
            own.push(c.st);
            markFresh(c, fresh);
          }
          statements.push(...own);
          entities.push({ id: hit.id, schema: plan.schema, statements: own });
          continue;
        }
      }
      const warningsBefore = warnings.length;
      const cachedHere: CachedStatement[] = [];
      const values = new Map<string, { value: string; original: string }[]>();
      const notes: string[] = [];
      for (const p of plan.properties) {
        if (p.source.kind === 'entity') {
          const ref = ids.get(p.source.entity);
          if (ref) values.set(p.prop, [{ value: ref, original: ref }]);
          else if (p.required) return { ok: false, field: p.path, reason: `entity "${p.source.entity}" is absent from this row` };
          continue;
        }
        const raws = rawValues(p, record);
        if (raws.length === 0) {
          if (p.required) return { ok: false, field: fieldOf(p), reason: `required value for ${plan.schema}.${p.prop} is empty` };
          continue;
        }
        const list: { value: string; original: string }[] = [];
        for (const raw of raws) {
          const picked = p.pattern ? applyPattern(p, raw) : raw;
          const n: Normalised = picked === undefined ? { ok: false, reason: `"${raw}" does not match the pattern ${p.pattern!.re.source}` } : normaliseFor(p, picked, mapping, dateReaders.get(p));
          if (n.ok) list.push({ value: n.value, original: raw });
          else if (p.onInvalid === 'quarantine') return { ok: false, field: fieldOf(p), reason: `${plan.schema}.${p.prop}: ${n.reason}` };
          else if (p.onInvalid === 'note') notes.push(`${p.prop} as received: "${raw}" (${n.reason})`);
          else warnings.push(`${fieldOf(p)}: ${n.reason} (value skipped)`);
        }
        if (list.length) values.set(p.prop, list);
      }
      if (notes.length) values.set('notes', [...(values.get('notes') ?? []), ...notes.map((n) => ({ value: n, original: n }))]);
      // The entity id.
      let id: string;
      if (plan.key === '$row') id = keyedEntityId(agency, `${plan.idPrefix}.${rowHash.slice(0, 40)}`);
      else {
        const parts: string[] = [];
        for (const k of plan.key) {
          const v = 'prop' in k ? values.get(k.prop)?.[0]?.value : get(record, k.column)[0]?.trim();
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
      try {
        for (const [prop, list] of values) {
          for (const { value, original } of list) {
            const orig = original === value ? undefined : original;
            if (plan.key === '$row') {
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
        }
      } catch (e) {
        if (isTesseraError(e)) {
          const p = plan.properties.find((x) => x.prop === e.field);
          return { ok: false, field: p ? fieldOf(p) : (e.field ?? plan.name), reason: e.message.replace(`record ${where}, `, '') };
        }
        throw e;
      }
      if (own.length === 0) continue;
      if (memo && memoKey !== undefined && notes.length === 0 && warnings.length === warningsBefore && cachedHere.length === own.length) {
        if (memo.size >= CACHE_LIMIT) memo.clear();
        memo.set(memoKey, { id, cached: cachedHere });
      }
      ids.set(plan.name, id);
      statements.push(...own);
      entities.push({ id, schema: plan.schema, statements: own });
    }
    if (statements.length === 0) return { ok: false, field: '(row)', reason: 'the row yields no statements (every mapped value is empty)' };
    return { ok: true, statements, fresh, entities, warnings };
  };
  const mapper = (record: SourceRecord, rowHash: string): RowResult => {
    marked.length = 0;
    const result = mapRow(record, rowHash);
    // Nothing of a quarantined row is written: its statements must be returned again by a later row.
    if (!result.ok) for (const c of marked) c.returned = false;
    return result;
  };
  mapper.startBatch = () => undefined;
  return mapper;
}
