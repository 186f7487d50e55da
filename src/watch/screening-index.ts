import { cachedProfile, nameProfile, profileSimilarity, type NameProfile, type NameToken } from '../resolve/index.js';
import { bestBirthDateAgreement, bestBirthDateScore, parseBirthDate, type BirthDate } from './dates.js';
import { normaliseSelector, type ScreeningFeatures } from './features.js';
import type { Alert, MatchedField, Selector } from './model.js';

/** An alert as the index holds it: precomputed name profiles, parsed dates, normalised selectors. */
interface IndexedAlert {
  readonly id: string;
  readonly version: number;
  /** Screened from this time (ms); records dated earlier do not meet the alert. */
  readonly activeFrom: number;
  /** Screened as a full alert until this time (ms), if its status allows. */
  readonly activeUntil: number;
  /** Screened as a quiet (post-delisting) watch until this time (ms). */
  readonly quietUntil: number;
  readonly names: readonly NameProfile[];
  readonly birthDates: readonly BirthDate[];
  readonly selectors: ReadonlyMap<string, Selector>;
  readonly entityIds: ReadonlySet<string>;
}

/** One alert a record matched, scored and explained. */
export interface ScreeningMatch {
  readonly alertId: string;
  readonly alertVersion: number;
  readonly mode: 'alert' | 'quiet';
  readonly score: number;
  readonly exact: boolean;
  readonly matched: readonly MatchedField[];
  readonly explanation: readonly string[];
}

/** When a subject is screened fully and when only quietly, as decided by the watch service. */
export interface AlertWindow {
  /** Default: always (real-time screening only ever looks at the present). */
  readonly activeFrom?: number;
  readonly activeUntil: number;
  readonly quietUntil: number;
}

export interface ScreenOptions {
  /** Screening time (ms since epoch): decides which alerts are active or on quiet watch. */
  readonly now: number;
  /** Minimum score of a fuzzy (name and date) match. */
  readonly threshold: number;
}

/**
 * Name similarity with the resolver's transliteration-aware comparator on precomputed profiles,
 * calibrated exactly as `nameSimilarity` in src/resolve (raw 0.5 → 0, 1 → 1) so scores agree with it.
 */
export function profileScore(a: NameProfile, b: NameProfile): number {
  const x = (profileSimilarity(a, b) - 0.5) / 0.5;
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

/**
 * Blocking keys of one token: its consonant skeleton and its double-metaphone code (Philips 2000).
 * The two disagree on different spelling alternations (c as s or k, ou/u, gu/g…), so a
 * transliteration variant that changes one key usually keeps the other.
 */
function tokenKeys(t: NameToken): string[] {
  const out: string[] = [];
  if (t.skeleton.length > 0) out.push(t.skeleton);
  const m = t.metaphone[0];
  if (m) out.push(`~${m}`);
  return out;
}

/** A name's blocking keys: every token key, and pairs of keys of two different tokens. */
function nameKeys(p: NameProfile): { keys: string[]; pairs: string[] } {
  const keys = new Set<string>();
  const pairs = new Set<string>();
  // Particles fused to their name ("ben saeed" → "bensaeed") so that joined spellings block together.
  const lists = p.fused !== p.tokens ? [p.tokens, p.fused] : [p.tokens];
  for (const list of lists) {
    const per = list.filter((t) => t.weight === 1).map(tokenKeys);
    for (const ks of per) for (const k of ks) keys.add(k);
    for (let i = 0; i < per.length; i++) {
      for (let j = i + 1; j < per.length; j++) {
        for (const a of per[i]!) for (const b of per[j]!) if (a !== b) pairs.add(a < b ? `${a}|${b}` : `${b}|${a}`);
      }
    }
  }
  return { keys: [...keys], pairs: [...pairs] };
}

function tokenCount(p: NameProfile): number {
  return p.tokens.filter((t) => t.weight === 1).length;
}

const NO_DATE_FACTOR = 0.85;
const DATE_MISMATCH_FACTOR = 0.35;

/**
 * Date-of-birth factor from the date agreement score. A full date that agrees is strong evidence on
 * its own (two people of a population spread over ~50 years share one with probability ~1/18,000:
 * a large Fellegi–Sunter agreement weight), so it lifts a middling name score (×1.15, ×1.1 when day
 * and month are swapped); a year-only agreement or no date costs a little (×0.85), a conflicting
 * date a lot (×0.35) — a namesake born another day is the typical false positive of name screening.
 */
function dateFactor(agreement: number): number {
  if (agreement >= 1) return 1.15;
  if (agreement >= 0.95) return 1.1;
  if (agreement > 0) return 0.85;
  return DATE_MISMATCH_FACTOR;
}

/**
 * Scores a record against one alert: exact selectors (always a hit), best name pair with the
 * resolver's comparator, dates of birth with day/month-swap tolerance. Fuzzy score = min(1, name ×
 * date factor) (see `dateFactor`). Only names scoring at least 0.5 count.
 */
function scoreAgainst(rec: PreparedRecord, a: IndexedAlert, threshold: number): { score: number; exact: boolean; matched: MatchedField[]; explanation: string[] } | undefined {
  let exact = false;
  for (const s of rec.selectors) if (a.selectors.has(`${s.kind}:${s.value}`)) exact = true;
  // The fuzzy score is name × date factor ≤ date factor: when the dates alone rule a hit out, the
  // (costlier) name comparison is skipped. Same results, far fewer comparisons on namesakes.
  if (!exact && rec.birthDates.length && a.birthDates.length && dateFactor(bestBirthDateScore(rec.birthDates, a.birthDates)) < threshold) return undefined;
  const dob = bestBirthDateAgreement(rec.birthDates, a.birthDates);
  const matched: MatchedField[] = [];
  const explanation: string[] = [];
  for (const s of rec.selectors) {
    const hit = a.selectors.get(`${s.kind}:${s.value}`);
    if (hit) {
      matched.push({ field: s.kind, recordValue: s.value, alertValue: hit.value, score: 1, how: 'exact selector' });
      explanation.push(`${s.kind === 'entity' ? 'resolved entity' : s.kind} ${s.value} is a selector of the alert`);
    }
  }
  let bestName = 0;
  let bestPair: [string, string] | undefined;
  for (const rp of rec.names) {
    for (const ap of a.names) {
      const s = profileScore(rp, ap);
      if (s > bestName) {
        bestName = s;
        bestPair = [rp.raw, ap.raw];
      }
    }
  }
  if (bestPair && bestName >= 0.5) {
    matched.push({ field: 'name', recordValue: bestPair[0], alertValue: bestPair[1], score: round(bestName), how: 'transliteration-aware name comparator' });
    explanation.push(`name "${bestPair[0]}" resembles alert name "${bestPair[1]}" (${round(bestName)})`);
  }
  let factor = NO_DATE_FACTOR;
  if (dob) {
    if (dob.score > 0) {
      factor = dateFactor(dob.score);
      matched.push({ field: 'birthDate', recordValue: dob.a.raw, alertValue: dob.b.raw, score: dob.score, how: dob.how });
      explanation.push(`date of birth ${dob.a.raw} vs ${dob.b.raw}: ${dob.how}`);
    } else {
      factor = DATE_MISMATCH_FACTOR;
      explanation.push(`date of birth ${dob.a.raw} conflicts with ${dob.b.raw} (${dob.how})`);
    }
  } else if (bestName >= 0.5) {
    explanation.push('no date of birth on one side or both to confirm the name');
  }
  const fuzzy = bestName >= 0.5 ? Math.min(1, bestName * factor) : 0;
  return { score: exact ? 1 : round(fuzzy), exact, matched, explanation };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A record prepared once for screening against many alerts. */
interface PreparedRecord {
  readonly names: readonly NameProfile[];
  readonly birthDates: readonly BirthDate[];
  readonly selectors: readonly Selector[];
  readonly self: ReadonlySet<string>;
}

function prepare(f: ScreeningFeatures, selfIds: readonly string[]): PreparedRecord {
  return {
    names: f.names.map((n) => cachedProfile(n)).filter((p) => p.tokens.length > 0),
    birthDates: f.birthDates,
    selectors: f.selectors,
    self: new Set(selfIds),
  };
}

/**
 * The in-memory screening index: exact selector maps (kind:value → alerts) and name blocking keys
 * (token consonant skeletons and metaphone codes, in pairs and with the birth year → alerts). A record is compared in full
 * only with alerts that share a selector, two name keys (one for single-token names), or one name
 * key and the birth year — the usual standard-blocking design (Christen 2012, ch. 4), with keys
 * chosen so that transliteration variants share them. Rebuilt from the store, updated per alert.
 */
export class ScreeningIndex {
  private entries: (IndexedAlert | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly bySelector = new Map<string, number[]>();
  /** Two name keys of one name (sorted pair) → alerts. */
  private readonly byNamePair = new Map<string, number[]>();
  /** One name key and the birth year → alerts. */
  private readonly byNameYear = new Map<string, number[]>();
  /** One name key → alerts (looked up only for single-token record names). */
  private readonly byNameKey = new Map<string, number[]>();
  /** One name key → alerts that have a single-token name (a mononym meets any name holding it). */
  private readonly bySingleName = new Map<string, number[]>();
  private stale = 0;

  /** Alerts held. */
  get size(): number {
    return this.slotOf.size;
  }

  /** Adds or replaces an alert with the window the service computed for it. */
  upsert(alert: Pick<Alert, 'id' | 'version' | 'subject'>, window: AlertWindow): void {
    this.remove(alert.id);
    const names = alert.subject.names.map((n) => nameProfile(n)).filter((p) => p.tokens.length > 0);
    const birthDates = alert.subject.birthDates.map(parseBirthDate).filter((d): d is BirthDate => d !== undefined);
    const selectors = new Map<string, Selector>();
    for (const s of alert.subject.selectors) {
      const v = normaliseSelector(s.kind, s.value);
      if (v) selectors.set(`${s.kind}:${v}`, { kind: s.kind, value: v });
    }
    for (const id of alert.subject.entityIds) selectors.set(`entity:${id}`, { kind: 'entity', value: id });
    const entry: IndexedAlert = {
      id: alert.id,
      version: alert.version,
      activeFrom: window.activeFrom ?? Number.NEGATIVE_INFINITY,
      activeUntil: window.activeUntil,
      quietUntil: window.quietUntil,
      names,
      birthDates,
      selectors,
      entityIds: new Set(alert.subject.entityIds),
    };
    this.add(entry);
  }

  /** Removes an alert (its slot is left empty and compacted on the next rebuild). */
  remove(alertId: string): boolean {
    const slot = this.slotOf.get(alertId);
    if (slot === undefined) return false;
    this.entries[slot] = undefined;
    this.slotOf.delete(alertId);
    this.stale++;
    if (this.stale > 1000 && this.stale > this.entries.length / 2) this.compact();
    return true;
  }

  /** Has this alert. */
  has(alertId: string): boolean {
    return this.slotOf.has(alertId);
  }

  private compact(): void {
    const live = this.entries.filter((e): e is IndexedAlert => e !== undefined);
    this.entries = [];
    this.slotOf.clear();
    this.bySelector.clear();
    this.byNamePair.clear();
    this.byNameYear.clear();
    this.byNameKey.clear();
    this.bySingleName.clear();
    this.stale = 0;
    // Re-adding rebuilds the maps from the precomputed entries (profiles are not recomputed).
    for (const e of live) this.add(e);
  }

  private add(entry: IndexedAlert): void {
    const slot = this.entries.length;
    this.entries.push(entry);
    this.slotOf.set(entry.id, slot);
    for (const key of entry.selectors.keys()) push(this.bySelector, key, slot);
    const years = [...new Set(entry.birthDates.map((d) => d.year))];
    const keys = new Set<string>();
    const pairs = new Set<string>();
    const singles = new Set<string>();
    for (const p of entry.names) {
      const nk = nameKeys(p);
      for (const k of nk.keys) keys.add(k);
      for (const pair of nk.pairs) pairs.add(pair);
      if (tokenCount(p) <= 1) for (const k of nk.keys) singles.add(k);
    }
    for (const k of keys) {
      push(this.byNameKey, k, slot);
      for (const y of years) push(this.byNameYear, `${k}|${y}`, slot);
    }
    for (const pair of pairs) push(this.byNamePair, pair, slot);
    for (const k of singles) push(this.bySingleName, k, slot);
  }

  // Scratch marks reused across calls (no per-record allocation: screening runs hot).
  private marks = new Uint8Array(0);

  /**
   * Candidate slots for a record: alerts sharing a selector, a pair of name keys within one name,
   * one name key and the birth year; single-token names on either side need one shared key.
   */
  private candidates(rec: PreparedRecord): number[] {
    if (this.marks.length < this.entries.length) this.marks = new Uint8Array(this.entries.length * 2 + 1024);
    const marks = this.marks;
    const out: number[] = [];
    const take = (block: readonly number[] | undefined) => {
      if (!block) return;
      for (const slot of block) {
        if (marks[slot] === 0) {
          marks[slot] = 1;
          out.push(slot);
        }
      }
    };
    for (const s of rec.selectors) take(this.bySelector.get(`${s.kind}:${s.value}`));
    const years = [...new Set(rec.birthDates.map((d) => d.year))];
    for (const p of rec.names) {
      const { keys, pairs } = nameKeys(p);
      if (tokenCount(p) <= 1) for (const k of keys) take(this.byNameKey.get(k));
      else for (const pair of pairs) take(this.byNamePair.get(pair));
      for (const k of keys) {
        take(this.bySingleName.get(k));
        for (const y of years) take(this.byNameYear.get(`${k}|${y}`));
      }
    }
    for (const slot of out) marks[slot] = 0;
    return out;
  }

  /** Screens a record's features against the alerts in force at `now`; matches sorted by score. */
  screen(features: ScreeningFeatures, options: ScreenOptions, selfIds: readonly string[] = []): ScreeningMatch[] {
    const rec = prepare(features, selfIds);
    const out: ScreeningMatch[] = [];
    for (const slot of this.candidates(rec)) {
      const e = this.entries[slot];
      if (e) this.consider(rec, e, options, out);
    }
    return out.sort((a, b) => b.score - a.score || a.alertId.localeCompare(b.alertId));
  }

  /** The naive all-pairs scan (every alert scored in full): the baseline the bench compares with. */
  screenNaive(features: ScreeningFeatures, options: ScreenOptions, selfIds: readonly string[] = []): ScreeningMatch[] {
    const rec = prepare(features, selfIds);
    const out: ScreeningMatch[] = [];
    for (const e of this.entries) if (e) this.consider(rec, e, options, out);
    return out.sort((a, b) => b.score - a.score || a.alertId.localeCompare(b.alertId));
  }

  private consider(rec: PreparedRecord, e: IndexedAlert, options: ScreenOptions, out: ScreeningMatch[]): void {
    if (options.now < e.activeFrom) return;
    const mode = options.now <= e.activeUntil ? 'alert' : options.now <= e.quietUntil ? 'quiet' : undefined;
    if (!mode) return;
    // The alert's own subject entity being updated is not an encounter with it.
    for (const id of rec.self) if (e.entityIds.has(id)) return;
    const r = scoreAgainst(rec, e, options.threshold);
    if (r && (r.exact || r.score >= options.threshold)) out.push({ alertId: e.id, alertVersion: e.version, mode, score: r.score, exact: r.exact, matched: r.matched, explanation: r.explanation });
  }
}

function push(map: Map<string, number[]>, key: string, slot: number): void {
  const list = map.get(key);
  if (list) list.push(slot);
  else map.set(key, [slot]);
}
