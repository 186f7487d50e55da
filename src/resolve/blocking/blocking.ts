import { doubleMetaphone } from 'double-metaphone';
import { invalid } from '../../model/index.js';
import { normaliseValue, valuesOf, type FieldSpec, type PreparedRecords, type ResolveRecord } from '../fs/fields.js';
import { cachedProfile } from '../names/index.js';

/** One part of a blocking key: how a field's normalised values become key fragments. */
export type KeyPart =
  | { readonly fn: 'exact'; readonly field: string }
  | { readonly fn: 'year'; readonly field: string }
  | { readonly fn: 'metaphone'; readonly field: string }
  | { readonly fn: 'initial'; readonly field: string }
  | { readonly fn: 'prefix'; readonly field: string; readonly length: number }
  /** Sorted Double Metaphone codes of every token of every listed name field (robust to swapped fields). */
  | { readonly fn: 'sorted-metaphones'; readonly fields: readonly string[] }
  /** Sorted initials of every token of every listed name field. */
  | { readonly fn: 'sorted-initials'; readonly fields: readonly string[] }
  /** For every ordered pair of distinct name tokens: one's Double Metaphone + the other's initial. */
  | { readonly fn: 'token-pairs'; readonly fields: readonly string[] };

/**
 * A blocking rule: records sharing any key of the rule become candidate pairs. A key is the
 * concatenation of its parts (cartesian product when a part yields several fragments). Rules are data,
 * so a store can compute the same keys into a key table and join on it (SQL set-wise generation).
 */
export interface BlockingRule {
  readonly name: string;
  readonly parts: readonly KeyPart[];
  /** Per-rule cap on block size (broad rules get a smaller one); default: the run's `maxBlockSize`. */
  readonly maxBlockSize?: number;
}

/** A record's key under one rule; what a store would index as (rule, key, record). */
export interface BlockingKey {
  readonly rule: string;
  readonly key: string;
}

const metaphoneCache = new Map<string, string[]>();

function metaphones(v: string): string[] {
  const hit = metaphoneCache.get(v);
  if (hit) return hit;
  if (metaphoneCache.size > 100_000) metaphoneCache.clear();
  const out = new Set<string>();
  for (const t of cachedProfile(v).tokens) {
    if (t.weight < 1) continue;
    // Metaphone of the canonical spelling, so Mohamed and Muhammad share a key.
    const [p] = doubleMetaphone(t.canonical);
    if (p) out.add(p);
  }
  const codes = [...out];
  metaphoneCache.set(v, codes);
  return codes;
}

function fragments(part: KeyPart, values: (field: string) => readonly string[]): string[] {
  switch (part.fn) {
    case 'exact':
      return [...values(part.field)];
    case 'year':
      return values(part.field).map((v) => v.slice(0, 4)).filter((v) => /^\d{4}$/.test(v));
    case 'metaphone':
      return values(part.field).flatMap(metaphones);
    case 'initial':
      return values(part.field).map((v) => v[0] ?? '').filter((v) => v !== '');
    case 'prefix':
      return values(part.field).map((v) => v.slice(0, part.length)).filter((v) => v.length === part.length);
    case 'sorted-metaphones': {
      // A set: "name" and "firstName"+"lastName" often repeat the same tokens.
      const codes = [...new Set(part.fields.flatMap((f) => values(f).flatMap(metaphones)))];
      return codes.length >= 2 ? [codes.sort().join('.')] : [];
    }
    case 'token-pairs': {
      const tokens = [...new Set(part.fields.flatMap((f) => values(f).flatMap((v) => cachedProfile(v).tokens.filter((t) => t.weight === 1).map((t) => t.canonical))))].slice(0, 5);
      const out: string[] = [];
      for (const x of tokens) {
        const [code] = doubleMetaphone(x);
        if (!code) continue;
        for (const y of tokens) if (y !== x) out.push(`${code}/${y[0] ?? ''}`);
      }
      return out;
    }
    case 'sorted-initials': {
      const tokens = new Set(part.fields.flatMap((f) => values(f).flatMap((v) => cachedProfile(v).tokens.filter((t) => t.weight === 1).map((t) => t.canonical))));
      const ini = [...tokens].map((t) => t[0] ?? '');
      return ini.length >= 2 ? [ini.sort().join('')] : [];
    }
  }
}

function keysOf(rule: BlockingRule, fragsOf: (part: KeyPart) => readonly string[]): string[] {
  let acc: string[] = [''];
  for (const part of rule.parts) {
    const frags = fragsOf(part);
    if (frags.length === 0) return [];
    const next: string[] = [];
    for (const a of acc) for (const f of frags) next.push(a === '' ? f : `${a}|${f}`);
    acc = next.slice(0, 64);
  }
  return acc;
}

/** Checks that every field a rule uses is a compared field. */
export function checkRules(rules: readonly BlockingRule[], specs: readonly FieldSpec[]): void {
  const names = new Set(specs.map((s) => s.name));
  for (const r of rules) {
    for (const p of r.parts) {
      const fields = 'fields' in p ? p.fields : [p.field];
      for (const f of fields) if (!names.has(f)) throw invalid(`blocking rule "${r.name}" uses "${f}", which is not a compared field`, undefined, f);
    }
  }
}

/** The blocking keys of one record under the rules (normalising raw values like the comparators do). */
export function blockingKeys(record: ResolveRecord, specs: readonly FieldSpec[], rules: readonly BlockingRule[]): BlockingKey[] {
  const kinds = new Map(specs.map((s) => [s.name, s.kind]));
  const values = (field: string): string[] => {
    const kind = kinds.get(field);
    if (!kind) return [];
    return (record.fields[field] ?? []).map((v) => normaliseValue(kind, v)).filter((v) => v !== '');
  };
  return rules.flatMap((r) => keysOf(r, (part) => [...new Set(fragments(part, values))]).map((key) => ({ rule: r.name, key })));
}

/**
 * Default rules built from whatever fields a mapping provides (no data set specific choices):
 * every identifier and phone exactly; each name's Double Metaphone with the birth year; all names'
 * sorted Double Metaphone codes (catches given/surname swaps); every name token's Double Metaphone
 * with another token's initial (records without a date); sorted initials with the full birth
 * date; postcode with each name's initial; birth date with postcode.
 */
export function defaultRules(specs: readonly FieldSpec[]): BlockingRule[] {
  const rules: BlockingRule[] = [];
  const names = specs.filter((s) => s.kind === 'name').map((s) => s.name);
  const date = specs.find((s) => s.kind === 'date')?.name;
  const postcode = specs.find((s) => s.kind === 'postcode')?.name;
  for (const s of specs) if (s.kind === 'identifier' || s.kind === 'phone') rules.push({ name: `${s.name}`, parts: [{ fn: 'exact', field: s.name }] });
  for (const n of names) {
    if (date) rules.push({ name: `metaphone(${n})+year(${date})`, parts: [{ fn: 'metaphone', field: n }, { fn: 'year', field: date }] });
    else rules.push({ name: `metaphone(${n})`, parts: [{ fn: 'metaphone', field: n }] });
  }
  if (names.length > 0) rules.push({ name: `sorted-metaphones(${names.join(',')})`, parts: [{ fn: 'sorted-metaphones', fields: names }] });
  // Without dates: one name token's sound + another's initial (Meyer/Meijer Sanne, Aslan/Arslan Zeinep).
  // A broad rule, so its blocks are capped at 100 records (≤ 4 950 pairs each); larger ones are reported.
  if (names.length > 0) rules.push({ name: `token-pairs(${names.join(',')})`, parts: [{ fn: 'token-pairs', fields: names }], maxBlockSize: 100 });
  if (date && names.length > 0) rules.push({ name: `sorted-initials+${date}`, parts: [{ fn: 'sorted-initials', fields: names }, { fn: 'exact', field: date }] });
  if (postcode) for (const n of names) rules.push({ name: `${postcode}+initial(${n})`, parts: [{ fn: 'exact', field: postcode }, { fn: 'initial', field: n }] });
  // Same birth date and postcode: catches records whose names were changed or mistyped beyond recognition.
  if (postcode && date) rules.push({ name: `${date}+${postcode}`, parts: [{ fn: 'exact', field: date }, { fn: 'exact', field: postcode }] });
  if (rules.length === 0) {
    for (const s of specs) rules.push({ name: s.name, parts: [{ fn: 'exact', field: s.name }] });
  }
  return rules;
}

/**
 * Set of pair keys (i·n + j, exact in a double up to n ≈ 9·10^7) by open addressing on a Float64Array:
 * unlike a JS Set it has no 16.7 M entry limit and costs 8 bytes per slot.
 */
class PairKeySet {
  private table = new Float64Array(1 << 16).fill(-1);
  private count = 0;

  /** Adds a key; false when it was already present. */
  add(key: number): boolean {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    let h = PairKeySet.hash(key) & mask;
    for (;;) {
      const v = this.table[h];
      if (v === -1) {
        this.table[h] = key;
        this.count++;
        return true;
      }
      if (v === key) return false;
      h = (h + 1) & mask;
    }
  }

  private static hash(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2).fill(-1);
    this.count = 0;
    for (const v of old) if (v !== -1) this.add(v);
  }
}

/** Pairs produced by one rule. */
export interface RuleReport {
  readonly rule: string;
  /** Pairs this rule generated (before de-duplication across rules). */
  readonly pairs: number;
  /** Pairs no earlier rule had generated. */
  readonly newPairs: number;
  /** Blocks larger than `maxBlockSize`, skipped to bound work (listed so no key is dropped silently). */
  readonly skippedBlocks: number;
  readonly largestBlock: number;
}

/** Candidate pairs as record indices (i0, j0, i1, j1, …, with i < j) and the per-rule report. */
export interface CandidatePairs {
  readonly pairs: Int32Array;
  readonly report: readonly RuleReport[];
}

export interface BlockingOptions {
  /** Blocks with more records than this are skipped (default 1000: at most ~500k pairs per block). */
  readonly maxBlockSize?: number;
  /** Hard cap on candidate pairs, to bound memory (default 50 million). */
  readonly maxPairs?: number;
}

/**
 * In-memory candidate-pair generation: one hash index per rule, pairs within each block, de-duplicated
 * across rules. When records carry sources (linking), only pairs across different sources are formed.
 */
export function candidatePairs(prepared: PreparedRecords, rules: readonly BlockingRule[], opts: BlockingOptions = {}): CandidatePairs {
  checkRules(rules, prepared.fields.map((f) => f.spec));
  const maxBlock = opts.maxBlockSize ?? 1000;
  const maxPairs = opts.maxPairs ?? 50_000_000;
  const n = prepared.ids.length;
  const index = new Map(prepared.fields.map((f) => [f.spec.name, f]));
  const linking = new Set(prepared.sources).size > 1;
  const seen = new PairKeySet();
  let out = new Int32Array(1024);
  let count = 0;
  const report: RuleReport[] = [];
  // Fragments of single-field parts depend only on the (interned) value: compute once per distinct value.
  const partCache = new Map<KeyPart, Map<number, string[]>>();
  const fragsFor = (part: KeyPart, i: number): readonly string[] => {
    const f = 'field' in part ? index.get(part.field) : undefined;
    if (f && f.multi[i] === undefined) {
      const id = f.ids[i] ?? -1;
      if (id < 0) return [];
      let cache = partCache.get(part);
      if (!cache) {
        cache = new Map();
        partCache.set(part, cache);
      }
      let frags = cache.get(id);
      if (!frags) {
        frags = [...new Set(fragments(part, () => [f.dict[id] ?? '']))];
        cache.set(id, frags);
      }
      return frags;
    }
    return [...new Set(fragments(part, (field) => { const g = index.get(field); return g ? valuesOf(g, i) : []; }))];
  };
  for (const rule of rules) {
    const blocks = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const keys = keysOf(rule, (part) => fragsFor(part, i));
      for (const k of keys) {
        const b = blocks.get(k);
        if (b) {
          if (b[b.length - 1] !== i) b.push(i);
        } else blocks.set(k, [i]);
      }
    }
    let pairs = 0;
    let fresh = 0;
    let skipped = 0;
    let largest = 0;
    for (const members of blocks.values()) {
      if (members.length < 2) continue;
      largest = Math.max(largest, members.length);
      if (members.length > (rule.maxBlockSize ?? maxBlock)) {
        skipped++;
        continue;
      }
      for (let x = 0; x < members.length; x++) {
        const a = members[x] ?? 0;
        for (let y = x + 1; y < members.length; y++) {
          const b = members[y] ?? 0;
          if (linking && prepared.sources[a] === prepared.sources[b]) continue;
          pairs++;
          const i = a < b ? a : b;
          const j = a < b ? b : a;
          const key = i * n + j;
          if (!seen.add(key)) continue;
          if (count >= maxPairs) throw invalid(`blocking produced more than ${maxPairs} candidate pairs: add selective rules or lower maxBlockSize`, undefined, rule.name);
          fresh++;
          if (out.length < (count + 1) * 2) {
            const grown = new Int32Array(out.length * 2);
            grown.set(out);
            out = grown;
          }
          out[count * 2] = i;
          out[count * 2 + 1] = j;
          count++;
        }
      }
    }
    report.push({ rule: rule.name, pairs, newPairs: fresh, skippedBlocks: skipped, largestBlock: largest });
  }
  return { pairs: out.slice(0, count * 2), report };
}

/** Recall of blocking against ground truth: the share of true matching pairs among the candidates. */
export function blockingRecall(prepared: PreparedRecords, pairs: Int32Array, truth: readonly string[]): { truePairs: number; found: number; recall: number } {
  const linking = new Set(prepared.sources).size > 1;
  const byEntity = new Map<string, number[]>();
  truth.forEach((t, i) => {
    const l = byEntity.get(t);
    if (l) l.push(i);
    else byEntity.set(t, [i]);
  });
  let truePairs = 0;
  for (const members of byEntity.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        if (!linking || prepared.sources[members[x] ?? 0] !== prepared.sources[members[y] ?? 0]) truePairs++;
      }
    }
  }
  let found = 0;
  for (let p = 0; p < pairs.length; p += 2) if (truth[pairs[p] ?? 0] === truth[pairs[p + 1] ?? 0]) found++;
  return { truePairs, found, recall: truePairs === 0 ? 1 : found / truePairs };
}
