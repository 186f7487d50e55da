import type { Governance, QueryContext } from '../../governance/index.js';
import { jaroWinkler } from '../../resolve/index.js';
import { gradingAtLeast, type Entity, type Grading } from '../../model/index.js';
import anyAscii from 'any-ascii';

export interface SearchFilters {
  readonly q: string;
  readonly schemas?: readonly string[];
  /** Only entities with at least one readable statement from one of these agencies. */
  readonly agencies?: readonly string[];
  /** Only entities seen (first/last seen) overlapping this period, ISO dates. */
  readonly seenFrom?: string;
  readonly seenTo?: string;
  /** Only entities with at least one statement graded at least this well. */
  readonly minGrading?: Grading;
  readonly limit: number;
}

export interface SearchResultRow {
  readonly entityId: string;
  readonly schema: string;
  readonly caption: string;
  readonly matched: readonly { prop: string; value: string }[];
  readonly agencies: readonly string[];
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly match: 'text' | 'fuzzy';
  readonly score: number;
}

/** Similarity below which a fuzzy candidate is dropped (Jaro–Winkler, Winkler 1990, per query token). */
const FUZZY_THRESHOLD = 0.86;

function tokens(text: string): string[] {
  return anyAscii(text.normalize('NFKC')).toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * How well a value matches a query allowing typos: each query token is paired with its best value
 * token by Jaro–Winkler and the mean is taken, so "Benalli Karim" still finds "Karim Benali".
 */
export function fuzzyScore(query: string, value: string): number {
  const q = tokens(query);
  const v = tokens(value);
  if (q.length === 0 || v.length === 0) return 0;
  let sum = 0;
  for (const t of q) sum += Math.max(...v.map((w) => (w.startsWith(t) ? 1 : jaroWinkler(t, w))));
  return sum / q.length;
}

/**
 * Entity search for the analyst: full text first (exact and prefix, via governance, which checks
 * purpose, case and legal basis and filters what the user may read); when that finds too little, a
 * typo-tolerant pass fetches candidates by two-letter prefixes and keeps those whose values are close
 * by Jaro–Winkler. Filters by agency, dates and grading apply to the readable statements only.
 */
export async function searchEntities(gov: Governance, ctx: QueryContext, f: SearchFilters): Promise<SearchResultRow[]> {
  const filtering = Boolean(f.agencies?.length || f.seenFrom || f.seenTo || f.minGrading);
  const fetch = filtering ? Math.min(f.limit * 4, 200) : f.limit;
  const options = { limit: fetch, ...(f.schemas?.length ? { schemas: f.schemas } : {}) };
  const found = new Map<string, { schema: string; caption: string; matched: { prop: string; value: string }[]; match: 'text' | 'fuzzy'; score: number }>();
  const text = await gov.search(ctx, f.q, options);
  text.forEach((h, i) => found.set(h.entityId, { schema: h.schema, caption: h.caption, matched: [...h.matched], match: 'text', score: 1 - i / (text.length + 1) }));

  const queryTokens = tokens(f.q).filter((t) => t.length >= 3);
  if (found.size < f.limit && queryTokens.length > 0) {
    const candidates = [];
    for (const prefixQuery of candidateQueries(queryTokens)) candidates.push(...(await gov.search(ctx, prefixQuery, { ...options, limit: Math.min(fetch * 3, 100) })));
    for (const h of candidates) {
      if (found.has(h.entityId)) continue;
      const score = Math.max(...h.matched.map((m) => fuzzyScore(f.q, m.value)), fuzzyScore(f.q, h.caption));
      if (score >= FUZZY_THRESHOLD) found.set(h.entityId, { schema: h.schema, caption: h.caption, matched: [...h.matched], match: 'fuzzy', score });
    }
  }
  if (found.size === 0) return [];
  // Read only as many entities as the page can show (more when filters will drop some).
  const ranked = [...found.entries()].sort((a, b) => (a[1].match === b[1].match ? b[1].score - a[1].score : a[1].match === 'text' ? -1 : 1)).slice(0, fetch);
  const entities = await gov.readEntities(ctx, ranked.map(([id]) => id), 'search');
  const rows: SearchResultRow[] = [];
  for (const [id, hit] of ranked) {
    const e = entities.get(id);
    if (!e || !passes(e, f)) continue;
    rows.push({
      entityId: id,
      schema: e.schema,
      caption: e.caption,
      matched: uniqueMatches(hit.matched),
      agencies: e.agencies,
      ...(e.firstSeen ? { firstSeen: e.firstSeen } : {}),
      ...(e.lastSeen ? { lastSeen: e.lastSeen } : {}),
      match: hit.match,
      score: Math.round(hit.score * 1000) / 1000,
    });
    if (rows.length >= f.limit) break;
  }
  return rows;
}

/**
 * Full-text queries that find candidates for a misspelt query: every token cut to two letters (a typo
 * after the second letter), and — for several tokens — each token cut to its first letter in turn
 * (a typo anywhere after the first letter of one word: "Karim Bnali" is found through "karim b").
 */
export function candidateQueries(queryTokens: readonly string[]): string[] {
  const out = new Set([queryTokens.map((t) => t.slice(0, 2)).join(' ')]);
  if (queryTokens.length > 1 && queryTokens.length <= 4) {
    for (let i = 0; i < queryTokens.length; i++) out.add(queryTokens.map((t, j) => (j === i ? t.slice(0, 1) : t)).join(' '));
  }
  return [...out];
}

function uniqueMatches(matched: readonly { prop: string; value: string }[]): { prop: string; value: string }[] {
  const seen = new Set<string>();
  return matched.filter((m) => {
    const key = `${m.prop}\u001f${m.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function passes(e: Entity, f: SearchFilters): boolean {
  if (f.agencies?.length && !e.agencies.some((a) => f.agencies!.includes(a))) return false;
  if (f.seenFrom && (e.lastSeen ?? e.firstSeen ?? '') < f.seenFrom) return false;
  if (f.seenTo && (e.firstSeen ?? e.lastSeen ?? '9999') > f.seenTo) return false;
  if (f.minGrading) {
    const min = f.minGrading;
    const graded = Object.values(e.properties).some((vals) => vals.some((v) => v.provenance.some((p) => gradingAtLeast(p.grading, min))));
    if (!graded) return false;
  }
  return true;
}
