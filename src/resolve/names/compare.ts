import talismanLevenshtein from 'talisman/metrics/levenshtein.js';
import { nameProfile, type NameProfile, type NameToken } from './normalise.js';

// Scratch buffers reused across calls: the comparators allocate nothing per pair and never clear a
// buffer (a generation stamp marks the matched positions of b), which is what makes them faster than
// talisman's (measured in bench/resolve.ts). Names longer than the buffers grow them.
let markB = new Uint32Array(64);
let matchedA = new Uint16Array(64);
let stamp = 0;

/**
 * Jaro similarity (Jaro 1989) over UTF-16 code units.
 */
export function jaro(a: string, b: string): number {
  // Greedy matching depends on which side drives it: scan the shorter string (as talisman does), so
  // the measure is symmetric.
  if (a.length > b.length) [a, b] = [b, a];
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return la === lb ? 1 : 0;
  if (a === b) return 1;
  if (lb > markB.length) markB = new Uint32Array(lb * 2);
  if (la > matchedA.length) matchedA = new Uint16Array(la * 2);
  if (++stamp === 0xffffffff) {
    markB.fill(0);
    stamp = 1;
  }
  const st = stamp;
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let m = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = i > range ? i - range : 0;
    const hi = i + range + 1 < lb ? i + range + 1 : lb;
    for (let j = lo; j < hi; j++) {
      if (markB[j] !== st && b.charCodeAt(j) === c) {
        markB[j] = st;
        matchedA[m++] = c;
        break;
      }
    }
  }
  if (m === 0) return 0;
  // Transpositions: matched characters of b, in b's order, against those of a, in a's order.
  let t = 0;
  let k = 0;
  for (let j = 0; j < lb && k < m; j++) {
    if (markB[j] !== st) continue;
    if (b.charCodeAt(j) !== matchedA[k]) t++;
    k++;
  }
  // Half the transpositions, rounded down (integer halving as in Winkler's strcmp95 and talisman).
  return (m / la + m / lb + (m - (t >> 1)) / m) / 3;
}

/**
 * Jaro–Winkler similarity (Winkler 1990): Jaro boosted by the common prefix (up to 4, p = 0.1),
 * applied only above the usual 0.7 boost threshold.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j < 0.7) return j;
  const max = Math.min(4, a.length, b.length);
  let l = 0;
  while (l < max && a.charCodeAt(l) === b.charCodeAt(l)) l++;
  return j + l * 0.1 * (1 - j);
}

/** Levenshtein edit distance (talisman's implementation: common prefix/suffix trimmed, one row). */
export function levenshtein(a: string, b: string): number {
  return talismanLevenshtein(a, b);
}

/** True when a and b are at most one insertion, deletion or substitution apart (linear time). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length > b.length) [a, b] = [b, a];
  const la = a.length;
  const lb = b.length;
  if (lb - la > 1) return false;
  let i = 0;
  while (i < la && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // One substitution: the rest after the first difference must be equal.
    for (let k = i + 1; k < la; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return false;
    return true;
  }
  // One insertion into a.
  for (let k = i; k < la; k++) if (a.charCodeAt(k) !== b.charCodeAt(k + 1)) return false;
  return true;
}

/** 1 − distance / longer length, in [0, 1]. */
export function levenshteinSimilarity(a: string, b: string): number {
  const m = Math.max(a.length, b.length);
  return m === 0 ? 1 : 1 - levenshtein(a, b) / m;
}

/** Dice overlap of the two names' transliterated, canonicalised token sets (order-free). */
export function tokenSetSimilarity(a: string, b: string): number {
  const ta = new Set(nameProfile(a).tokens.map((t) => t.canonical));
  const tb = new Set(nameProfile(b).tokens.map((t) => t.canonical));
  if (ta.size === 0 || tb.size === 0) return 0;
  let inter = 0;
  for (const t of ta) if (tb.has(t)) inter++;
  return (2 * inter) / (ta.size + tb.size);
}

/** True when the two names share a Double Metaphone code (Philips 2000) on every aligned token. */
export function phoneticEqual(a: string, b: string): boolean {
  const pa = nameProfile(a).tokens.filter((t) => t.weight === 1);
  const pb = nameProfile(b).tokens.filter((t) => t.weight === 1);
  if (pa.length === 0 || pb.length === 0 || pa.length !== pb.length) return false;
  const used = new Set<number>();
  for (const t of pa) {
    const i = pb.findIndex((u, k) => !used.has(k) && metaphoneMatch(t, u));
    if (i < 0) return false;
    used.add(i);
  }
  return true;
}

function metaphoneMatch(a: NameToken, b: NameToken): boolean {
  const [a1, a2] = a.metaphone;
  const [b1, b2] = b.metaphone;
  return a1 !== '' && (a1 === b1 || a1 === b2 || (a2 !== '' && (a2 === b1 || a2 === b2)));
}

/**
 * Similarity of two name tokens in [0, 1]: equal canonical forms score 1; an initial against a name
 * with that initial 0.85; otherwise the best of Jaro–Winkler on the spellings, on the consonant
 * skeletons (weighted down, or fully trusted when one side came from an abjad), and Double Metaphone
 * agreement. Two different curated names (Hashim vs Hisham) are capped so that a skeleton collision
 * cannot make them equal.
 */
export function tokenSimilarity(a: NameToken, b: NameToken, abjad: boolean): number {
  if (a.canonical === b.canonical) return 1;
  if (a.text.length === 1 || b.text.length === 1) {
    return a.text[0] === b.text[0] || a.canonical[0] === b.canonical[0] ? 0.85 : 0;
  }
  let s = jaroWinkler(a.text, b.text);
  if (a.known && b.known) s = Math.max(s, jaroWinkler(a.canonical, b.canonical));
  const sa = a.skeleton;
  const sb = b.skeleton;
  if (sa.length >= 2 && sb.length >= 2) {
    const sk = sa === sb ? 1 : jaroWinkler(sa, sb);
    s = Math.max(s, sk * (abjad ? 0.97 : 0.9));
  }
  if (s < 0.88 && metaphoneMatch(a, b)) s = 0.88;
  if (a.known && b.known) s = Math.min(s, 0.6);
  // Short tokens (Chinese syllables, Korean given names, Ali/Eli) differ by one letter and are still
  // different names: Jaro–Winkler is too lenient on them.
  // (Not for abjads, whose short forms come from unwritten vowels.)
  if (!abjad && Math.min(a.text.length, b.text.length) <= 3) s *= 0.8;
  return s;
}

/**
 * Best one-to-one alignment of two token lists (greedy on the similarity matrix, which is optimal
 * for the 1–5 tokens of a name in practice), order-free so "Saeed Karim" meets "Karim Saeed".
 * Returns coverage-weighted scores normalised by the shorter and the longer name.
 */
function align(a: readonly NameToken[], b: readonly NameToken[], abjad: boolean): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return 0;
  const sims: number[] = new Array<number>(n * m);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    for (let j = 0; j < m; j++) {
      const bj = b[j];
      sims[i * m + j] = ai && bj ? tokenSimilarity(ai, bj, abjad) : 0;
    }
  }
  const usedA = new Uint8Array(n);
  const usedB = new Uint8Array(m);
  let matchedA = 0;
  let matchedB = 0;
  for (let step = Math.min(n, m); step > 0; step--) {
    let best = -1;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      if (usedA[i]) continue;
      for (let j = 0; j < m; j++) {
        if (usedB[j]) continue;
        const s = sims[i * m + j] ?? 0;
        if (s > best) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    usedA[bi] = 1;
    usedB[bj] = 1;
    // A poorly matching token is evidence against the pair, not half a match: ramp its credit down
    // between 0.8 and 0.6 to half (so "Fatima Benali" vs "Aisha Benali" stays low).
    const credit = best >= 0.8 ? best : best <= 0.6 ? best * 0.5 : best * (0.5 + 2.5 * (best - 0.6));
    matchedA += credit * (a[bi]?.weight ?? 1);
    matchedB += credit * (b[bj]?.weight ?? 1);
  }
  let wa = 0;
  let wb = 0;
  for (const t of a) wa += t.weight;
  for (const t of b) wb += t.weight;
  const ra = matchedA / wa;
  const rb = matchedB / wb;
  const short = wa <= wb ? ra : rb;
  const long = wa <= wb ? rb : ra;
  // A missing middle name costs less than a wrong one: weight the shorter name's coverage more.
  return 0.8 * short + 0.2 * long;
}

/** Concatenated-spelling comparison, robust to split/joined tokens ("Bensaid" vs "Ben Saeed"); tries rotations of b. */
function concatenated(a: readonly NameToken[], b: readonly NameToken[], abjad: boolean): number {
  if (a.length === 0 || b.length === 0) return 0;
  const ta = a.map((t) => t.canonical).join('');
  const ka = a.map((t) => t.skeleton).join('');
  let best = 0;
  for (let r = 0; r < Math.min(b.length, 4); r++) {
    const rot = [...b.slice(r), ...b.slice(0, r)];
    const tb = rot.map((t) => t.canonical).join('');
    const kb = rot.map((t) => t.skeleton).join('');
    const s = Math.max(jaroWinkler(ta, tb), (ka === kb ? 1 : jaroWinkler(ka, kb)) * (abjad ? 0.95 : 0.88));
    if (s > best) best = s;
  }
  return best;
}

/** Raw (uncalibrated) similarity of two profiles. */
export function profileSimilarity(a: NameProfile, b: NameProfile): number {
  if (a.tokens.length === 0 || b.tokens.length === 0) return 0;
  const abjad = a.family === 'abjad' || b.family === 'abjad';
  if (a.tokens.length === 1 && b.tokens.length === 1) {
    const ta = a.tokens[0];
    const tb = b.tokens[0];
    if (ta && tb) return tokenSimilarity(ta, tb, abjad);
  }
  let s = align(a.tokens, b.tokens, abjad);
  if (s >= 0.999) return 1;
  // Joined spellings ("Bensaid" / "Ben Saeed") only matter when token counts differ; with equal counts
  // the alignment has already seen every token, and fused particles would only add a shared prefix.
  if (a.tokens.length !== b.tokens.length) {
    if (a.fused !== a.tokens || b.fused !== b.tokens) s = Math.max(s, align(a.fused, b.fused, abjad));
    s = Math.max(s, 0.97 * concatenated(a.tokens, b.tokens, abjad));
  }
  return s;
}

/**
 * Calibrates a raw similarity so that unrelated names land low: Jaro–Winkler of random name strings
 * sits around 0.4–0.6, so the range below 0.5 maps to 0 and the rest is stretched linearly.
 */
function calibrate(raw: number): number {
  const x = (raw - 0.5) / 0.5;
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

const profileCache = new Map<string, NameProfile>();

/** Cached profile (bounded cache: cleared when it exceeds 200 000 names). */
export function cachedProfile(raw: string): NameProfile {
  let p = profileCache.get(raw);
  if (p === undefined) {
    if (profileCache.size > 200_000) profileCache.clear();
    p = nameProfile(raw);
    profileCache.set(raw, p);
  }
  return p;
}

/**
 * Transliteration-aware name similarity in [0, 1], for names in any script and token order:
 * "Abdelkarim Bensaid", "Abd al-Karim Ben Saeed" and "عبد الكريم بن سعيد" score high against each
 * other; unrelated names score near 0. Empty names (or names with no letters) score 0.
 */
export function nameSimilarity(a: string, b: string): number {
  return calibrate(profileSimilarity(cachedProfile(a), cachedProfile(b)));
}
