import type { AnalysisMethod, Governance, Principal, QueryContext } from '../governance/index.js';
import { JUDGEMENTS, RUNS } from '../resolve/index.js';
import { projectStoreGraph, type StoreGraph, type StoreGraphOptions } from './projection.js';

/** What the cache reports (for tests and the server's metrics). */
export interface ProjectionCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
}

interface Entry {
  readonly version: string;
  readonly graph: Promise<StoreGraph>;
}

/**
 * Projections kept between API requests. Projecting the store costs a full scan (seconds on a large
 * store) while the web link chart asks many small questions of the same graph.
 *
 * - **Key**: what decides the projection's content — the read rule's inputs (agency, country,
 *   clearance, open cases: `withheldReason` in governance), the case (whether its legal basis covers
 *   entity resolution) and the projection options. Two users whose access differs never share an
 *   entry; the projection a user gets is exactly the one they would get without the cache.
 * - **Validity**: an entry is used only while the store's statements version and the resolution
 *   state (judgement and run counts: both collections only grow) are those it was built at. Users,
 *   cases and legal bases are re-read on every request (`authorise`), so a changed clearance or
 *   membership changes the key, and a withdrawn method is refused.
 * - **Every request is still authorised and audited**: the method (and hop count) as without the
 *   cache, the projection's `link-analysis` read, and a `scan.link-analysis` entry marked `cached`.
 * - **Bounded**: at most `maxEntries` projections (least recently used dropped first).
 */
export class ProjectionCache {
  private readonly entries = new Map<string, Entry>();
  private hitCount = 0;
  private missCount = 0;

  constructor(private readonly maxEntries = 4) {}

  stats(): ProjectionCacheStats {
    return { hits: this.hitCount, misses: this.missCount, entries: this.entries.size };
  }

  /** As `storeGraph`, answered from the cache when the store has not changed since. */
  async graph(
    gov: Governance,
    ctx: QueryContext,
    method: Extract<AnalysisMethod, 'link-analysis' | 'network-analysis'>,
    detail: { hops?: number } = {},
    options: StoreGraphOptions = {},
  ): Promise<StoreGraph> {
    const principal = await gov.authorise(ctx, method, detail);
    // Read the version before projecting: a write landing meanwhile leaves an entry that is
    // already stale, never a stale entry filed under the new version.
    const version = await storeVersion(gov);
    const key = cacheKey(principal, ctx, options);
    const cached = this.entries.get(key);
    if (cached && cached.version === version) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      this.hitCount++;
      const graph = await cached.graph;
      // The projection reads under link-analysis: the same check and a log entry as the scan's.
      if (method !== 'link-analysis') await gov.authorise(ctx, 'link-analysis');
      await gov.audit(ctx, principal, 'scan.link-analysis', 'allowed', [], { statements: graph.projection.stats.statements, cached: true });
      return graph;
    }
    this.missCount++;
    const graph = projectStoreGraph(gov, ctx, options);
    this.entries.delete(key);
    this.entries.set(key, { version, graph });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    try {
      return await graph;
    } catch (e) {
      if (this.entries.get(key)?.graph === graph) this.entries.delete(key);
      throw e;
    }
  }
}

/** The statements version and the resolution state (both collections are append-only in effect: a judgement or a run adds a record). */
async function storeVersion(gov: Governance): Promise<string> {
  const [statements, judgements, runs] = await Promise.all([gov.store.statementsVersion(), gov.store.countRecords(JUDGEMENTS), gov.store.countRecords(RUNS)]);
  return `${statements}:${judgements}:${runs}`;
}

function cacheKey(p: Principal, ctx: QueryContext, options: StoreGraphOptions): string {
  return JSON.stringify({
    agency: p.agency,
    country: p.country,
    clearance: p.clearance,
    cases: [...p.cases].sort(),
    case: ctx.caseId ?? null,
    clusters: options.clusters ?? 'resolved',
    threshold: options.clusterThreshold ?? null,
    clusterOf: options.clusterOf === undefined ? null : [...options.clusterOf].sort(),
    withoutCalls: options.withoutCalls === true,
  });
}
