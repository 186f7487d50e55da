import type { Governance } from '../governance/index.js';
import type { Projection, ProjectionCache } from '../graph/index.js';
import type { ProjectionSource } from '../triage/index.js';

/**
 * True when the projection merged exactly the person records `clusterOf` joins: every record it
 * collapsed into a person node is joined there to that node, and it collapsed as many as `clusterOf`
 * joins among the records it holds (the same clusters, as the caller may read them).
 */
export function sameClusters(projection: Projection, clusterOf: ReadonlyMap<string, string>): boolean {
  const persons = new Set<string>();
  for (const n of projection.nodes) if (n.kind === 'Person') persons.add(n.id);
  let merged = 0;
  for (const [entity, node] of projection.nodeOf) {
    if (entity === node || !persons.has(node)) continue;
    if (clusterOf.get(entity) !== node) return false;
    merged++;
  }
  let joined = 0;
  for (const [entity, cluster] of clusterOf) if (entity !== cluster && projection.nodeOf.has(entity)) joined++;
  return merged === joined;
}

/**
 * Triage's projections from the app's projection cache — the one /api/graph uses — so a ranking
 * after a ranking, or after the link chart, over an unchanged store reuses the projection (keyed by
 * the reader's access, the store's statements version and the resolution state; bounded; every read
 * still authorised and audited: see `ProjectionCache`). A ranking of resolved persons asks for the
 * graph's own resolved projection and takes it when its clusters are the ranking's; otherwise, and
 * for records or a given resolution, the cache holds an entry for exactly those clusters.
 */
export function cachedProjections(gov: Governance, cache: ProjectionCache): ProjectionSource {
  return {
    async projection(ctx, request) {
      if (request.resolved) {
        const shared = await cache.graph(gov, ctx, 'link-analysis');
        if (sameClusters(shared.projection, request.clusterOf ?? new Map())) return shared.projection;
      }
      const own = await cache.graph(gov, ctx, 'link-analysis', {}, request.clusterOf ? { clusterOf: request.clusterOf } : { clusters: 'none' });
      return own.projection;
    },
  };
}
