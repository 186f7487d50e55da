import { invalid, isProtected, parsePartialDate, type SchemaName, type ScoringView } from '../../model/index.js';
import { jaroWinkler, latinise, levenshtein, nameProfile, profileSimilarity, type NameProfile } from '../names/index.js';

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

/** Per-field precomputed features for all records (plain data, so it crosses worker_threads). */
export interface PreparedField {
  readonly spec: FieldSpec;
  /** values[recordIndex] = normalised values. */
  readonly values: readonly FieldValues[];
  /** For names: profiles parallel to values. */
  readonly profiles?: readonly (readonly NameProfile[])[];
  /** For dates: yyyymmdd integers (0 when the day or month is unknown) parallel to values. */
  readonly dates?: readonly (readonly number[])[];
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
    const values = records.map((r) => {
      const out: string[] = [];
      for (const raw of r.fields[spec.name] ?? []) {
        const v = normaliseValue(spec.kind, raw);
        if (v !== '' && !out.includes(v)) out.push(v);
      }
      return out;
    });
    if (spec.kind === 'name') return { spec, values, profiles: values.map((vs) => vs.map((v) => nameProfile(v))) };
    if (spec.kind === 'date') return { spec, values, dates: values.map((vs) => vs.map(dateInt)) };
    return { spec, values };
  });
  return { ids: records.map((r) => r.id), sources: records.map((r) => r.source ?? 0), fields };
}

function compareDates(a: number, b: number): number {
  if (a === b) return 1;
  const ya = Math.floor(a / 10000);
  const yb = Math.floor(b / 10000);
  const ma = Math.floor(a / 100) % 100;
  const mb = Math.floor(b / 100) % 100;
  const da = a % 100;
  const db = b % 100;
  // Day/month swapped (US vs European order), or one digit mistyped.
  if (ya === yb && ma === db && da === mb) return 2;
  if (levenshtein(String(a), String(b)) <= 1) return 2;
  if (ya === yb) return 3;
  return 4;
}

/** Level of one value pair for a kind (1 = best … last = far). */
function levelOfValues(kind: FieldKind, a: string, b: string, pa: NameProfile | undefined, pb: NameProfile | undefined, da: number, db: number): number {
  if (a === b) return 1;
  switch (kind) {
    case 'name': {
      const s = pa && pb ? profileSimilarity(pa, pb) : jaroWinkler(a, b);
      return s >= 0.92 ? 2 : s >= 0.8 ? 3 : 4;
    }
    case 'text': {
      const s = jaroWinkler(a, b);
      return s >= 0.92 ? 2 : s >= 0.8 ? 3 : 4;
    }
    case 'date':
      return compareDates(da, db);
    case 'identifier':
    case 'phone':
    case 'postcode':
      return Math.abs(a.length - b.length) <= 1 && levenshtein(a, b) <= 1 ? 2 : 3;
    case 'exact':
      return 2;
  }
}

/**
 * Comparison level of field `f` for records i and j: 0 when either side is missing, else the best
 * level over all value pairs (multi-valued properties match on any value).
 */
export function fieldLevel(f: PreparedField, i: number, j: number): number {
  const va = f.values[i];
  const vb = f.values[j];
  if (!va || !vb || va.length === 0 || vb.length === 0) return 0;
  const kind = f.spec.kind;
  let best = 99;
  for (let x = 0; x < va.length; x++) {
    for (let y = 0; y < vb.length; y++) {
      const l = levelOfValues(kind, va[x] ?? '', vb[y] ?? '', f.profiles?.[i]?.[x], f.profiles?.[j]?.[y], f.dates?.[i]?.[x] ?? 0, f.dates?.[j]?.[y] ?? 0);
      if (l < best) best = l;
      if (best === 1) return 1;
    }
  }
  return best;
}

/** The value on which two records agree exactly (for term-frequency adjustment), if any. */
export function agreedValue(f: PreparedField, i: number, j: number): string | undefined {
  const va = f.values[i];
  const vb = f.values[j];
  if (!va || !vb) return undefined;
  for (const v of va) if (vb.includes(v)) return v;
  return undefined;
}
