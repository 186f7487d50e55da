import { createRoute, z } from '@hono/zod-openapi';
import {
  analyseNetwork,
  allShortPaths,
  burnerSuccession,
  checkHops,
  leiden,
  louvain,
  MAX_HOPS,
  neighbourhood,
  nodeIdsOf,
  shortestPath,
  storeGraph,
  timeline,
  timelineStatements,
  timeRespectingPaths,
  buildNetwork,
  type EdgeFilter,
  type GraphEdge,
  type Network,
  type Subgraph as SubgraphResult,
} from '../../graph/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses } from '../schemas.js';

/**
 * /api/graph: network analysis for the web UI. Every route projects the store through governance
 * for the session's user, purpose and case (`storeGraph`): the legal basis must allow the method
 * (link-analysis for neighbourhoods, paths and timelines; network-analysis for structure and
 * patterns) and the hop count; only statements the user may read become nodes and links.
 */

// ---- shapes -----------------------------------------------------------------------------------

const Time = z.union([z.string(), z.number()]);
const Node = z.object({ id: z.string(), kind: z.string(), label: z.string().optional(), hops: z.number().int().optional() }).openapi('GraphNode');
const Edge = z
  .object({
    source: z.string(),
    target: z.string(),
    kind: z.string(),
    weight: z.number(),
    count: z.number().optional(),
    first: Time.optional(),
    last: Time.optional(),
    directed: z.boolean().optional(),
    evidence: z.array(z.string()).openapi({ description: 'statement ids the link rests on' }),
  })
  .openapi('GraphEdge');
const Subgraph = z.object({ nodes: z.array(Node), edges: z.array(Edge), truncated: z.boolean(), note: z.string().optional() }).openapi('GraphSubgraph');
const PathOut = z
  .object({
    found: z.boolean(),
    paths: z.array(z.array(z.string())).openapi({ description: 'node ids from start to end; one path unless all=true' }),
    edges: z.array(Edge),
    hops: z.number().int(),
    note: z.string().optional(),
  })
  .openapi('GraphPath');
const Communities = z
  .object({ algorithm: z.string(), modularity: z.number(), count: z.number().int(), communities: z.array(z.array(z.string())) })
  .openapi('GraphCommunities');
const Centrality = z
  .object({
    nodes: z.array(
      z.object({ id: z.string(), kind: z.string(), degree: z.number(), betweenness: z.number(), closeness: z.number(), eigenvector: z.number(), community: z.number().int() }),
    ),
    note: z.string().optional(),
  })
  .openapi('GraphCentrality');
const Succession = z
  .array(z.object({ oldPhone: z.string(), newPhone: z.string(), score: z.number(), gapDays: z.number(), reasons: z.array(z.string()), evidence: z.array(z.string()) }))
  .openapi('GraphSuccession');
const Timeline = z
  .array(
    z.object({
      time: z.string(),
      schema: z.string(),
      entityId: z.string(),
      facts: z.record(z.string(), z.array(z.string())),
      sources: z.array(z.object({ agency: z.string(), documentId: z.string().optional() })),
    }),
  )
  .openapi('GraphTimeline');

const list = z
  .string()
  .max(500)
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const Filter = z.object({
  kinds: list.optional().openapi({ description: 'link kinds to follow, comma-separated' }),
  nodeKinds: list.optional().openapi({ description: 'walk only through nodes of these kinds' }),
  from: z.string().max(40).optional().openapi({ description: 'links active on or after (ISO 8601)' }),
  to: z.string().max(40).optional(),
});

function filterOf(q: z.infer<typeof Filter>): EdgeFilter {
  return {
    ...(q.kinds ? { kinds: q.kinds } : {}),
    ...(q.nodeKinds ? { nodeKinds: q.nodeKinds } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
  };
}

/** Plain (mutable) copies for the response schemas. */
const edgeOut = (e: GraphEdge): z.infer<typeof Edge> => ({ ...e, evidence: [...e.evidence] });
const subgraphOut = (g: SubgraphResult): z.infer<typeof Subgraph> => ({
  nodes: g.nodes.map((n) => ({ ...n })),
  edges: g.edges.map(edgeOut),
  truncated: g.truncated,
  ...(g.note === undefined ? {} : { note: g.note }),
});

const ok = <T extends z.ZodType>(schema: T, description: string) => ({ 200: { description, content: { 'application/json': { schema } } } });

/** Only nodes of the given kinds and the links among them (persons only → cells). */
function restrictKinds(net: Network, kinds: readonly string[] | undefined): Network {
  if (!kinds?.length) return net;
  const keep = new Set(kinds);
  const nodes = net.nodes.filter((n) => keep.has(n.kind));
  const ids = new Set(nodes.map((n) => n.id));
  return buildNetwork(
    nodes,
    net.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  );
}

/** The graph routes (mounted at /api/graph). */
export function graphRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/neighbours/{id}',
      tags: ['graph'],
      summary: 'k-hop neighbourhood of an entity (hops limited by the case’s legal basis)',
      request: { params: z.object({ id: z.string().min(1).max(200) }), query: Filter.extend({ hops: int(0, MAX_HOPS).default(1), maxNodes: int(1, 20_000).default(2000) }) },
      responses: { ...ok(Subgraph, 'Nodes with their hop distance and the links among them'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { projection, net } = await storeGraph(gov, workContext(c), 'link-analysis', { hops: q.hops });
      return c.json(subgraphOut(neighbourhood(net, nodeIdsOf(projection, [c.req.valid('param').id]), { hops: q.hops, maxNodes: q.maxNodes, filter: filterOf(q) })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/path',
      tags: ['graph'],
      summary: 'Shortest path, all short paths (all=true) or a time-respecting contact chain (timed=true)',
      request: {
        query: Filter.extend({
          source: z.string().min(1).max(200),
          target: z.string().min(1).max(200),
          all: z.enum(['true', 'false']).default('false'),
          timed: z.enum(['true', 'false']).default('false'),
          maxLength: int(1, 8).default(4),
        }),
      },
      responses: { ...ok(PathOut, 'The path(s), one link per hop with its evidence'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ctx = workContext(c);
      const all = q.all === 'true';
      const { projection, net } = await storeGraph(gov, ctx, 'link-analysis', all ? { hops: q.maxLength } : {});
      const [from, to] = nodeIdsOf(projection, [q.source, q.target]) as [string, string];
      const filter = filterOf(q);
      if (q.timed === 'true') {
        const r = timeRespectingPaths(net, from, to, { filter });
        if (r.found) await checkHops(gov, ctx, r.hops.length);
        const nodes = r.found ? [from, ...r.hops.map((h) => h.to)] : [];
        return c.json({ found: r.found, paths: r.found ? [nodes] : [], edges: r.hops.map((h) => edgeOut(h.edge)), hops: r.hops.length, ...(r.note === undefined ? {} : { note: r.note }) }, 200);
      }
      if (all) {
        const r = allShortPaths(net, from, to, { filter, maxLength: q.maxLength });
        const shortest = r.paths.reduce((m, p) => Math.min(m, p.length - 1), Number.POSITIVE_INFINITY);
        return c.json({ found: r.paths.length > 0, paths: r.paths.map((p) => [...p]), edges: [], hops: Number.isFinite(shortest) ? shortest : 0, ...(r.note === undefined ? {} : { note: r.note }) }, 200);
      }
      const r = shortestPath(net, from, to, { filter });
      if (r.found) await checkHops(gov, ctx, r.hops);
      return c.json({ found: r.found, paths: r.found ? [[...r.nodes]] : [], edges: r.edges.map(edgeOut), hops: r.hops, ...(r.note === undefined ? {} : { note: r.note }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/communities',
      tags: ['graph'],
      summary: 'Communities (Leiden or Louvain) with modularity',
      request: {
        query: z.object({
          algorithm: z.enum(['leiden', 'louvain']).default('leiden'),
          nodeKinds: list.optional().openapi({ description: 'e.g. Person: cells among persons only' }),
          minSize: int(1, 1_000_000).default(2),
          seed: int(0, 2 ** 31 - 1).default(1),
        }),
      },
      responses: { ...ok(Communities, 'Communities (member node ids), largest first'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { net: full } = await storeGraph(gov, workContext(c), 'network-analysis');
      const net = restrictKinds(full, q.nodeKinds);
      const r = q.algorithm === 'leiden' ? leiden(net.simple, { seed: q.seed }) : louvain(net.simple, { seed: q.seed });
      const members: string[][] = Array.from({ length: r.count }, () => []);
      net.nodes.forEach((n, v) => members[r.membership[v]!]!.push(n.id));
      const communities = members.filter((m) => m.length >= q.minSize).sort((a, b) => b.length - a.length);
      return c.json({ algorithm: r.algorithm, modularity: r.modularity, count: r.count, communities }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/centrality',
      tags: ['graph'],
      summary: 'Degree, betweenness, closeness and eigenvector centralities (networkx normalisation), top nodes by betweenness',
      request: { query: z.object({ top: int(1, 1000).default(20), nodeKinds: list.optional() }) },
      responses: { ...ok(Centrality, 'Top nodes with their scores'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { net } = await storeGraph(gov, workContext(c), 'network-analysis');
      const r = await analyseNetwork(restrictKinds(net, q.nodeKinds));
      const nodes = [...r.nodes]
        .sort((a, b) => b.betweenness - a.betweenness)
        .slice(0, q.top)
        .map((n) => ({ id: n.id, kind: n.kind, degree: n.degree, betweenness: n.betweenness, closeness: n.closeness, eigenvector: n.eigenvector, community: n.community }));
      return c.json({ nodes, ...(r.betweenness.note === undefined ? {} : { note: r.betweenness.note }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/succession',
      tags: ['graph'],
      summary: 'Burner succession candidates (same handset, overlapping contacts or cell sites), ranked, with evidence',
      request: { query: z.object({ top: int(1, 1000).default(50) }) },
      responses: { ...ok(Succession, 'Candidates, best first'), ...errorResponses },
    }),
    async (c) => {
      const { projection } = await storeGraph(gov, workContext(c), 'network-analysis');
      const r = burnerSuccession({ calls: projection.calls, handsets: projection.handsets, cells: projection.cells }).slice(0, c.req.valid('query').top);
      return c.json(
        r.map((s) => ({ oldPhone: s.oldPhone, newPhone: s.newPhone, score: s.score, gapDays: s.gapDays, reasons: [...s.reasons], evidence: [...s.evidence] })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/timeline/{id}',
      tags: ['graph'],
      summary: 'Dated statements and events of an entity (and the links naming it), in order, with sources',
      request: { params: z.object({ id: z.string().min(1).max(200) }) },
      responses: { ...ok(Timeline, 'Events in time order'), ...errorResponses },
    }),
    async (c) => {
      const ctx = workContext(c);
      const { projection } = await storeGraph(gov, ctx, 'link-analysis');
      const events = timeline(await timelineStatements(gov, ctx, [c.req.valid('param').id], projection));
      return c.json(
        events.map((e) => ({
          time: e.time,
          schema: e.schema,
          entityId: e.entityId,
          facts: Object.fromEntries(Object.entries(e.facts).map(([k, v]) => [k, [...v]])),
          sources: e.sources.map((s) => ({ agency: s.agency, ...(s.documentId === undefined ? {} : { documentId: s.documentId }) })),
        })),
        200,
      );
    },
  );

  return app;
}

/** The graph capability as an API plug-in: routes under /api/graph. */
export function graphPlugin(): ApiPlugin {
  return { path: 'graph', routes: (deps) => graphRoutes(deps) };
}
