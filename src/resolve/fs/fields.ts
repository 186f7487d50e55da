import { invalid, isProtected, parsePartialDate, type SchemaName, type ScoringView } from '../../model/index.js';
import { jaroWinkler, latinise, nameProfile, profileSimilarity, withinOneEdit, type NameProfile } from '../names/index.js';

/** How a field is compared; decides its comparison levels. */
export type FieldKind = 'name' | 'date' | 'identifier' | 'phone' | 'postcode' | 'text' | 'exact';

export const FIELD_KINDS: readonly FieldKind[] = ['name', 'date', 'identifier', 'phone', 'postcode', 'text', 'exact'];

/**
 * Comparison levels per kind, best first. Level 0 is always "null" (a value missing on either side,
 * weight 0, as in Fellegi & Sunter 1969 where missing agreement carries no evidence).
 */
export const LEVELS: Readonly<Record<FieldKind, readonly string[]>> = {
  name: ['null', 'exact', 'close', 'fuzzy', 'far'],
  date: ['null', 'exact', 'typo-or-swap', 'same-year', 'far'],
  identifier: ['null', 'exact', 'one-edit', 'far'],
  phone: ['null', 'exact', 'one-edit', 'far'],
  postcode: ['null', 'exact', 'one-edit', 'far'],
  text: ['null', 'exact', 'close', 'fuzzy', 'far'],
  exact: ['null', 'exact', 'far'],
};

/** One compared field: a record property (or address part like `address.postcode`) and its kind. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** Term-frequency adjustment of the exact level (default: on for name, text and postcode). */
  readonly tf?: boolean;
}

/** A record to resolve: its id and a protected-characteristic-free property view. */
export interface ResolveRecord {
  readonly id: string;
  readonly fields: ScoringView;
  /** For linking two sources: pairs are formed only across different sources. */
  readonly source?: number;
}

/** Normalised comparison values of one field of one record. */
export type FieldValues = readonly string[];

/**
 * Per-field precomputed features for all records (plain data, so it crosses worker_threads). Values
 * are interned: each distinct normalised value gets an integer id, so exact agreement is an integer
 * comparison and the level of a value pair is computed once and cached.
 */
export interface PreparedField {
  readonly spec: FieldSpec;
  /** First value id per record, -1 when missing. */
  readonly ids: Int32Array;
  /** All value ids of records holding more than one value (sparse). */
  readonly multi: Readonly<Record<number, readonly number[]>>;
  /** id → normalised value. */
  readonly dict: readonly string[];
  /** For names: id → profile. */
  readonly profiles?: readonly NameProfile[];
  /** For dates: id → yyyymmdd integer (0 for unknown day/month). */
  readonly dates?: Int32Array;
}

/** Records prepared for comparison. */
export interface PreparedRecords {
  readonly ids: readonly string[];
  readonly sources: readonly number[];
  readonly fields: readonly PreparedField[];
}

/** Rejects field lists that are empty, duplicated or include a protected characteristic (LED Art. 10/11(3)). */
export function checkFieldSpecs(schema: SchemaName, specs: readonly FieldSpec[]): void {
  if (specs.length === 0) throw invalid('no comparable field: map at least one of name, date, identifier, phone, address fields', undefined, 'fields');
  const seen = new Set<string>();
  for (const s of specs) {
    const prop = s.name.split('.')[0] ?? s.name;
    if (isProtected(schema, prop)) {
      throw invalid(`"${s.name}" is a protected characteristic of ${schema} and may never be a matching feature (LED 2016/680 Art. 11(3))`, undefined, s.name);
    }
    if (!FIELD_KINDS.includes(s.kind)) throw invalid(`unknown field kind "${String(s.kind)}"`, undefined, s.name);
    if (seen.has(s.name)) throw invalid(`field "${s.name}" listed twice`, undefined, s.name);
    seen.add(s.name);
  }
}

/** Normalises one raw value for a field kind; empty string when nothing comparable is left. */
export function normaliseValue(kind: FieldKind, raw: string): string {
  switch (kind) {
    case 'name':
    case 'text':
      return latinise(raw);
    case 'identifier':
    case 'postcode':
      return raw.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
    case 'phone': {
      const digits = raw.replace(/\D/g, '');
      // Compare the national significant number: the last 9 digits survive +33/0033/0 prefixes.
      return digits.length > 9 ? digits.slice(-9) : digits;
    }
    case 'date':
      return normaliseDate(raw) ?? '';
    case 'exact':
      return raw.normalize('NFKC').trim().toLowerCase();
  }
}

/**
 * Dates to YYYY-MM-DD (or YYYY-MM / YYYY). Accepts ISO, YYYYMMDD, DD/MM/YYYY and DD.MM.YYYY (day first,
 * the European convention). Impossible dates (month 13, 31 February, year < 1000) return undefined,
 * i.e. count as missing rather than crash.
 */
export function normaliseDate(raw: string): string | undefined {
  const t = raw.trim();
  let y: string | undefined;
  let m: string | undefined;
  let d: string | undefined;
  let r: RegExpExecArray | null;
  if ((r = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?/.exec(t))) [y, m, d] = [r[1], r[2], r[3]];
  else if ((r = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) [y, m, d] = [r[1], r[2], r[3]];
  else if ((r = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(t))) [d, m, y] = [r[1], r[2], r[3]];
  else if ((r = /^(\d{4})$/.exec(t))) y = r[1];
  if (y === undefined) return undefined;
  const iso = [y, m?.padStart(2, '0'), d?.padStart(2, '0')].filter((x) => x !== undefined).join('-');
  return parsePartialDate(iso) ? iso : undefined;
}

function dateInt(iso: string): number {
  const p = parsePartialDate(iso);
  if (!p) return 0;
  return p.year * 10000 + (p.month ?? 0) * 100 + (p.day ?? 0);
}

/** Builds the comparison features of all records for the given fields (one pass, O(records × values)). */
export function prepareRecords(records: readonly ResolveRecord[], specs: readonly FieldSpec[]): PreparedRecords {
  const fields: PreparedField[] = specs.map((spec) => {
    const dictIndex = new Map<string, number>();
    const dict: string[] = [];
    const ids = new Int32Array(records.length).fill(-1);
    const multi: Record<number, number[]> = {};
    // Only ids are kept per record (4 bytes each): per-record value arrays would cost ~100 bytes each
    // and be cloned into every worker. `valuesOf` rebuilds them when an explanation needs them.
    records.forEach((r, i) => {
      const out: string[] = [];
      for (const raw of r.fields[spec.name] ?? []) {
        const v = normaliseValue(spec.kind, raw);
        if (v !== '' && !out.includes(v)) out.push(v);
      }
      const vids = out.map((v) => {
        let id = dictIndex.get(v);
        if (id === undefined) {
          id = dict.length;
          dict.push(v);
          dictIndex.set(v, id);
        }
        return id;
      });
      ids[i] = vids[0] ?? -1;
      if (vids.length > 1) multi[i] = vids;
    });
    const base = { spec, ids, multi, dict };
    if (spec.kind === 'name') return { ...base, profiles: dict.map((v) => nameProfile(v)) };
    if (spec.kind === 'date') return { ...base, dates: Int32Array.from(dict, dateInt) };
    return base;
  });
  return { ids: records.map((r) => r.id), sources: records.map((r) => r.source ?? 0), fields };
}

/** True when two yyyymmdd integers differ in exactly one decimal digit. */
function oneDigitApart(a: number, b: number): boolean {
  let diff = 0;
  for (let k = 0; k < 8; k++) {
    if (a % 10 !== b % 10 && ++diff > 1) return false;
    a = (a - (a % 10)) / 10;
    b = (b - (b % 10)) / 10;
  }
  return diff === 1;
}

function compareDates(a: number, b: number): number {
  if (a === b) return 1;
  const ya = (a / 10000) | 0;
  const yb = (b / 10000) | 0;
  const ma = ((a / 100) | 0) % 100;
  const mb = ((b / 100) | 0) % 100;
  const da = a % 100;
  const db = b % 100;
  // Day/month swapped (US vs European order), or one digit mistyped.
  if (ya === yb && ma === db && da === mb) return 2;
  if (oneDigitApart(a, b)) return 2;
  if (ya === yb) return 3;
  return 4;
}

/** Level of two distinct value ids of a field (1 = best … last = far). */
function levelOfIds(f: PreparedField, x: number, y: number): number {
  const a = f.dict[x] ?? '';
  const b = f.dict[y] ?? '';
  switch (f.spec.kind) {
    case 'name': {
      const pa = f.profiles?.[x];
      const pb = f.profiles?.[y];
      const s = pa && pb ? profileSimilarity(pa, pb) : jaroWinkler(a, b);
      return s >= 0.92 ? 2 : s >= 0.8 ? 3 : 4;
    }
    case 'text': {
      const s = jaroWinkler(a, b);
      return s >= 0.92 ? 2 : s >= 0.8 ? 3 : 4;
    }
    case 'date':
      return compareDates(f.dates?.[x] ?? 0, f.dates?.[y] ?? 0);
    case 'identifier':
    case 'phone':
    case 'postcode':
      return withinOneEdit(a, b) ? 2 : 3;
    case 'exact':
      return 2;
  }
}

// Level cache per field (per thread): names and addresses repeat (Zipf), so most value pairs recur.
// Bounded: cleared when it reaches 2 million entries.
const levelCaches = new WeakMap<PreparedField, Map<number, number>>();
const CACHE_LIMIT = 2_000_000;

function cachedLevel(f: PreparedField, x: number, y: number): number {
  if (x === y) return 1;
  const kind = f.spec.kind;
  // Only names and free text are costly enough to cache; dates and identifiers are cheaper to recompute.
  if (kind !== 'name' && kind !== 'text') return levelOfIds(f, x, y);
  let cache = levelCaches.get(f);
  if (!cache) {
    cache = new Map();
    levelCaches.set(f, cache);
  }
  const key = x < y ? x * 67_108_864 + y : y * 67_108_864 + x;
  let l = cache.get(key);
  if (l === undefined) {
    l = levelOfIds(f, x, y);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, l);
  }
  return l;
}

/**
 * Comparison level of field `f` for records i and j: 0 when either side is missing, else the best
 * level over all value pairs (multi-valued properties match on any value).
 */
export function fieldLevel(f: PreparedField, i: number, j: number): number {
  const a = f.ids[i] ?? -1;
  const b = f.ids[j] ?? -1;
  if (a < 0 || b < 0) return 0;
  const ma = f.multi[i];
  const mb = f.multi[j];
  if (ma === undefined && mb === undefined) return cachedLevel(f, a, b);
  let best = 99;
  for (const x of ma ?? [a]) {
    for (const y of mb ?? [b]) {
      const l = cachedLevel(f, x, y);
      if (l < best) best = l;
      if (best === 1) return 1;
    }
  }
  return best;
}

/** Value ids of record i in field f (empty when missing). */
export function valueIdsOf(f: PreparedField, i: number): readonly number[] {
  const m = f.multi[i];
  if (m) return m;
  const id = f.ids[i] ?? -1;
  return id < 0 ? [] : [id];
}

/** Normalised values of record i in field f. */
export function valuesOf(f: PreparedField, i: number): FieldValues {
  return valueIdsOf(f, i).map((id) => f.dict[id] ?? '');
}

/** The value on which two records agree exactly (for term-frequency adjustment), if any. */
export function agreedValue(f: PreparedField, i: number, j: number): string | undefined {
  const vb = valueIdsOf(f, j);
  for (const id of valueIdsOf(f, i)) if (vb.includes(id)) return f.dict[id];
  return undefined;
}
