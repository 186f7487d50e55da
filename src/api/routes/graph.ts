import { createRoute, z } from '@hono/zod-openapi';
import {
  analyseNetwork,
  betweenness,
  degreeCentrality,
  allShortPaths,
  burnerSuccession,
  checkHops,
  connectingNetwork,
  leiden,
  louvain,
  MAX_HOPS,
  neighbourhood,
  nodeIdsOf,
  shortestPath,
  timeline,
  timelineStatements,
  timeRespectingPaths,
  buildNetwork,
  type EdgeFilter,
  type GraphEdge,
  type ProjectionCache,
  type Network,
  type Projection,
  type StoreGraphOptions,
  type Subgraph as SubgraphResult,
  type TimelineEvent,
} from '../../graph/index.js';
import type { Governance, QueryContext } from '../../governance/index.js';
import { gradingAtLeast, parseGrading, StatementId, TesseraError, type Grading, type Statement } from '../../model/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, Provenance } from '../schemas.js';

/**
 * /api/graph: network analysis for the web UI. Every route projects the store through governance
 * for the session's user, purpose and case (`storeGraph`): the legal basis must allow the method
 * (link-analysis for neighbourhoods, paths and timelines; network-analysis for structure and
 * patterns) and the hop count; only statements the user may read become nodes and links. Records
 * that entity resolution put in one cluster are one node (`clusters=none` shows them apart). The
 * projection is cached between requests per access key until the store changes (`ProjectionCache`);
 * every request is still authorised and audited.
 */

// ---- shapes -----------------------------------------------------------------------------------

const Time = z.union([z.string(), z.number()]);
const Node = z
  .object({
    id: z.string(),
    kind: z.string(),
    label: z.string().optional(),
    hops: z.number().int().optional(),
    members: z.array(z.string()).optional().openapi({ description: 'records (entity ids) entity resolution merged into this node' }),
  })
  .openapi('GraphNode');
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
    evidence: z.array(z.string()).openapi({ description: 'statement ids the link rests on (shared phones and handsets name the selector node first)' }),
    gradings: z.array(z.string()).optional().openapi({ description: 'distinct EU 4x4 gradings of those statements, e.g. B2' }),
  })
  .openapi('GraphEdge');
const Subgraph = z.object({ nodes: z.array(Node), edges: z.array(Edge), truncated: z.boolean(), note: z.string().optional() }).openapi('GraphSubgraph');
const Connecting = Subgraph.extend({
  cost: z.number().openapi({ description: 'links in the tree (or Σ 1/weight with weighted=true)' }),
  hops: z.number().int().openapi({ description: 'longest path between two requested nodes inside the network (checked against the case’s hop limit)' }),
  disconnected: z.array(z.array(z.string())).openapi({ description: 'groups of the requested nodes that no allowed link joins (empty when all are connected)' }),
}).openapi('GraphConnecting');
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
const TimelineEventOut = z
  .object({
    time: z.string(),
    end: z.string().optional(),
    schema: z.string(),
    entityId: z.string(),
    dated: z.string().openapi({ description: 'the property that dates the event: date, startDate, departure, firstSeen…' }),
    facts: z.record(z.string(), z.array(z.string())),
    labels: z.record(z.string(), z.string()).optional().openapi({ description: 'captions of the entities the facts name, where you may see them' }),
    sources: z.array(z.object({ agency: z.string(), documentId: z.string().optional() })),
    provenance: z.array(Provenance).openapi({ description: 'distinct provenance of the statements behind the event (agency, document, grading, handling…)' }),
  })
  .openapi('GraphTimelineEvent');
const Timeline = z.array(TimelineEventOut).openapi('GraphTimeline');
const TimelinePage = z
  .object({ events: z.array(TimelineEventOut), total: z.number().int(), truncated: z.boolean() })
  .openapi('GraphTimelinePage');
const Measures = z
  .object({
    algorithm: z.enum(['leiden', 'louvain']),
    modularity: z.number(),
    communities: z.number().int().openapi({ description: 'communities in the whole readable network' }),
    nodes: z.array(
      z.object({
        id: z.string(),
        community: z.number().int().openapi({ description: 'rank of the node’s community by size (0 = largest)' }),
        communitySize: z.number().int(),
        degree: z.number(),
        betweenness: z.number(),
      }),
    ),
    betweenness: z.object({ exact: z.boolean(), note: z.string().optional(), epsilon: z.number().optional() }),
  })
  .openapi('GraphMeasures');
const Evidence = z
  .object({
    statements: z.array(z.object({ entityId: z.string(), schema: z.string(), prop: z.string(), value: z.string(), provenance: Provenance })),
    selectors: z.array(z.string()).openapi({ description: 'selector nodes a derived link rests on (the shared phone or handset)' }),
    notShown: z.number().int().openapi({ description: 'statement ids not returned: unknown, deleted, or not readable by you (indistinguishable)' }),
  })
  .openapi('GraphEvidence');

const list = z
  .string()
  .max(500)
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Entity resolution in the graph: merged persons (default) or every record apart. */
const Resolution = z.object({
  clusters: z.enum(['resolved', 'none']).default('resolved').openapi({ description: 'resolved: records entity resolution put in one cluster are one node; none: every record apart' }),
  clusterThreshold: z.coerce.number().min(0).max(1).optional().openapi({ description: 'machine links at or above this probability join a cluster (default 0.5; confirmed links always do)' }),
});
const resolutionOf = (q: { clusters?: 'resolved' | 'none'; clusterThreshold?: number | undefined }): StoreGraphOptions => ({
  clusters: q.clusters ?? 'resolved',
  ...(q.clusterThreshold === undefined ? {} : { clusterThreshold: q.clusterThreshold }),
});
const Filter = Resolution.extend({
  kinds: list.optional().openapi({ description: 'link kinds to follow, comma-separated' }),
  nodeKinds: list.optional().openapi({ description: 'walk only through nodes of these kinds' }),
  from: z.string().max(40).optional().openapi({ description: 'links active on or after (ISO 8601)' }),
  to: z.string().max(40).optional(),
  grading: z.string().max(8).optional().openapi({ description: 'follow only links resting on a statement graded at least this (B2, adm:C3)' }),
});

/** The minimum grading of a request, or VALIDATION naming the field. */
function minGradingOf(code: string | undefined): Grading | undefined {
  if (code === undefined || code === '') return undefined;
  const g = parseGrading(code);
  if (!g) throw new TesseraError('VALIDATION', `"${code}" is not a grading (like B2 or adm:C3)`, { field: 'grading' });
  return g;
}

/**
 * Only links with at least one statement graded at least `min` (links without known gradings go).
 * A new network rather than a query filter: every query (neighbours, paths) then walks the same links.
 */
function restrictGrading(net: Network, min: Grading | undefined): Network {
  if (min === undefined) return net;
  const passes = (codes: readonly string[] | undefined) => (codes ?? []).some((code) => {
    const g = parseGrading(code);
    return g !== undefined && gradingAtLeast(g, min);
  });
  return buildNetwork(net.nodes, net.edges.filter((e) => passes(e.gradings)));
}

function filterOf(q: z.infer<typeof Filter>): EdgeFilter {
  return {
    ...(q.kinds ? { kinds: q.kinds } : {}),
    ...(q.nodeKinds ? { nodeKinds: q.nodeKinds } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
  };
}

/** Plain (mutable) copies for the response schemas. */
const edgeOut = (e: GraphEdge): z.infer<typeof Edge> => {
  const { gradings, ...rest } = e;
  return { ...rest, evidence: [...e.evidence], ...(gradings === undefined ? {} : { gradings: [...gradings] }) };
};
const subgraphOut = (g: SubgraphResult): z.infer<typeof Subgraph> => ({
  nodes: g.nodes.map(({ members, ...n }) => ({ ...n, ...(members === undefined ? {} : { members: [...members] }) })),
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

/** One statement's provenance in the API's shape (the entity profile's). */
function provenanceOut(s: Statement): z.infer<typeof Provenance> {
  return {
    statementId: s.id,
    agency: s.source.agency,
    ...(s.source.documentId === undefined ? {} : { documentId: s.source.documentId }),
    collectedAt: s.source.collectedAt,
    grading: { ...s.grading },
    handling: { codes: [...s.handling.codes], releasableTo: [...s.handling.releasableTo], ...(s.handling.conditions === undefined ? {} : { conditions: s.handling.conditions }) },
    classification: s.classification,
    subjectCategory: s.subjectCategory,
    nature: s.nature,
    ...(s.original === undefined ? {} : { original: s.original }),
    ...(s.firstSeen === undefined ? {} : { firstSeen: s.firstSeen }),
    ...(s.lastSeen === undefined ? {} : { lastSeen: s.lastSeen }),
    caseIds: [...s.caseIds],
  };
}

/**
 * Timeline events for the API, each with the distinct provenance of its statements: an event built
 * from five statements of one report shows that report once, with its grading and handling.
 */
function timelineOut(events: readonly TimelineEvent[], statements: readonly Statement[], projection: Projection): z.infer<typeof TimelineEventOut>[] {
  const byId = new Map(statements.map((s) => [s.id as string, s]));
  const nodeLabel = new Map(projection.nodes.map((n) => [n.id, n.label ?? n.id]));
  const labelOf = (id: string) => nodeLabel.get(projection.nodeOf.get(id) ?? id);
  return events.map((e) => {
    const provenance = new Map<string, z.infer<typeof Provenance>>();
    for (const id of e.statementIds) {
      const s = byId.get(id);
      if (s === undefined) continue;
      const key = [s.source.agency, s.source.documentId ?? '', s.grading.system, s.grading.source, s.grading.info, s.handling.codes.join('+'), s.handling.releasableTo.join(','), s.handling.conditions ?? '', s.classification, s.nature].join('\u0000');
      if (!provenance.has(key)) provenance.set(key, provenanceOut(s));
    }
    const labels: Record<string, string> = {};
    for (const values of Object.values(e.facts)) {
      for (const v of values) {
        const label = labelOf(v);
        if (label !== undefined && label !== v) labels[v] = label;
      }
    }
    return {
      time: e.time,
      ...(e.end === undefined ? {} : { end: e.end }),
      schema: e.schema,
      entityId: e.entityId,
      dated: e.dated,
      facts: Object.fromEntries(Object.entries(e.facts).map(([k, v]) => [k, [...v]])),
      ...(Object.keys(labels).length ? { labels } : {}),
      sources: e.sources.map((src) => ({ agency: src.agency, ...(src.documentId === undefined ? {} : { documentId: src.documentId }) })),
      provenance: [...provenance.values()],
    };
  });
}

/** Entities with a readable statement filed under the context's case (the case's own holdings). */
async function caseEntities(gov: Governance, ctx: QueryContext): Promise<string[]> {
  const ids = new Set<string>();
  const caseId = ctx.caseId;
  if (caseId === null) return [];
  for await (const batch of gov.scanReadable(ctx, 'link-analysis')) for (const s of batch) if ((s.caseIds as readonly string[]).includes(caseId)) ids.add(s.entityId);
  return [...ids];
}

/** Sort key that puts partial dates before the dates they contain ("2024" < "2024-03" < "2024-03-02"). */
const timeKey = (t: string) => (t.length === 4 ? `${t}-00` : t);

/** The graph routes (mounted at /api/graph); projections are shared between requests (and with triage) through `cache`, by default the app's. */
export function graphRoutes({ gov, projections }: ApiServices, cache: ProjectionCache = projections) {
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
      const minGrading = minGradingOf(q.grading);
      const { projection, net } = await cache.graph(gov, workContext(c), 'link-analysis', { hops: q.hops }, resolutionOf(q));
      const start = nodeIdsOf(projection, [c.req.valid('param').id]);
      return c.json(subgraphOut(neighbourhood(restrictGrading(net, minGrading), start, { hops: q.hops, maxNodes: q.maxNodes, filter: filterOf(q) })), 200);
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
      const minGrading = minGradingOf(q.grading);
      const { projection, net: full } = await cache.graph(gov, ctx, 'link-analysis', all ? { hops: q.maxLength } : {}, resolutionOf(q));
      const net = restrictGrading(full, minGrading);
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
      path: '/connect',
      tags: ['graph'],
      summary: 'Connecting network of 2+ entities (Steiner tree approximation); its reach is limited by the case’s hop limit',
      request: {
        query: Filter.extend({
          ids: z
            .string()
            .min(1)
            .max(4000)
            .transform((v) => [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))])
            .pipe(z.array(z.string().max(200)).min(2).max(50))
            .openapi({ description: 'entity or node ids to connect, comma-separated (2 to 50)' }),
          weighted: z.enum(['true', 'false']).default('false').openapi({ description: 'prefer strong ties (cost 1/weight)' }),
        }),
      },
      responses: { ...ok(Connecting, 'The connecting network, its cost and reach, and any groups that cannot be joined'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ctx = workContext(c);
      const { projection, net } = await cache.graph(gov, ctx, 'link-analysis', {}, resolutionOf(q));
      const r = connectingNetwork(restrictGrading(net, minGradingOf(q.grading)), nodeIdsOf(projection, q.ids), { filter: filterOf(q), weighted: q.weighted === 'true' });
      await checkHops(gov, ctx, r.hops);
      return c.json({ ...subgraphOut(r), cost: r.cost, hops: r.hops, disconnected: r.disconnected.map((g) => [...g]) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/communities',
      tags: ['graph'],
      summary: 'Communities (Leiden or Louvain) with modularity',
      request: {
        query: Resolution.extend({
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
      const { net: full } = await cache.graph(gov, workContext(c), 'network-analysis', {}, resolutionOf(q));
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
      request: { query: Resolution.extend({ top: int(1, 1000).default(20), nodeKinds: list.optional() }) },
      responses: { ...ok(Centrality, 'Top nodes with their scores'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { net } = await cache.graph(gov, workContext(c), 'network-analysis', {}, resolutionOf(q));
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
      request: { query: Resolution.extend({ top: int(1, 1000).default(50) }) },
      responses: { ...ok(Succession, 'Candidates, best first'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { projection } = await cache.graph(gov, workContext(c), 'network-analysis', {}, resolutionOf(q));
      const r = burnerSuccession({ calls: projection.calls, handsets: projection.handsets, cells: projection.cells }).slice(0, q.top);
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
      request: { params: z.object({ id: z.string().min(1).max(200) }), query: Resolution },
      responses: { ...ok(Timeline, 'Events in time order'), ...errorResponses },
    }),
    async (c) => {
      const ctx = workContext(c);
      const { projection } = await cache.graph(gov, ctx, 'link-analysis', {}, resolutionOf(c.req.valid('query')));
      const statements = await timelineStatements(gov, ctx, [c.req.valid('param').id], projection);
      return c.json(timelineOut(timeline(statements), statements, projection), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/timeline',
      tags: ['graph'],
      summary: 'Timeline of a network (several entities or nodes) or of the session’s case (scope=case), with provenance',
      request: {
        query: Resolution.extend({
          ids: z
            .string()
            .max(8000)
            .optional()
            .transform((v) => (v ? [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))] : []))
            .pipe(z.array(z.string().max(200)).max(300))
            .openapi({ description: 'entity or node ids, comma-separated (at most 300)' }),
          scope: z.enum(['entities', 'case']).default('entities').openapi({ description: 'case: every entity with a statement filed under the session’s case' }),
          from: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?/).max(40).optional().openapi({ description: 'events on or after (ISO 8601)' }),
          to: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?/).max(40).optional(),
          limit: int(1, 5000).default(1000).openapi({ description: 'at most this many events: the latest ones' }),
        }),
      },
      responses: { ...ok(TimelinePage, 'Events in time order (the latest `limit` when there are more)'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ctx = workContext(c);
      if (q.scope === 'entities' && q.ids.length === 0) throw new TesseraError('VALIDATION', 'name the entities of the network (ids) or ask for scope=case', { field: 'ids' });
      const { projection } = await cache.graph(gov, ctx, 'link-analysis', {}, resolutionOf(q));
      let statements: Statement[];
      if (q.scope === 'case') {
        const ids = await caseEntities(gov, ctx);
        statements = ids.length === 0 ? [] : await timelineStatements(gov, ctx, ids);
      } else {
        statements = await timelineStatements(gov, ctx, q.ids, projection);
      }
      // "to" covers the whole day, month or year it names (2024-03 includes 2024-03-31T23:59).
      const inWindow = (e: TimelineEvent) => (q.from === undefined || timeKey(e.time) >= timeKey(q.from)) && (q.to === undefined || timeKey(e.time).slice(0, q.to.length) <= q.to);
      const events = timeline(statements).filter(inWindow);
      const shown = events.length > q.limit ? events.slice(events.length - q.limit) : events;
      return c.json({ events: timelineOut(shown, statements, projection), total: events.length, truncated: shown.length < events.length }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/measures',
      tags: ['graph'],
      summary: 'Communities and centralities of the whole readable network, for the nodes a chart shows',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                ids: z.array(z.string().min(1).max(200)).min(1).max(2000).openapi({ description: 'node or entity ids shown (at most 2000)' }),
                algorithm: z.enum(['leiden', 'louvain']).default('leiden'),
                clusters: z.enum(['resolved', 'none']).default('resolved').openapi({ description: 'as the query parameter of the other routes' }),
              }),
            },
          },
        },
      },
      responses: { ...ok(Measures, 'Community and centralities per known node; ids not in your graph are left out'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { projection, net } = await cache.graph(gov, workContext(c), 'network-analysis', {}, resolutionOf(body));
      const csr = net.simple;
      const comm = body.algorithm === 'leiden' ? leiden(csr, { seed: 1 }) : louvain(csr, { seed: 1 });
      // Communities ranked by size so colours stay with the big groups from one request to the next.
      const sizes = new Array<number>(comm.count).fill(0);
      for (let v = 0; v < csr.n; v++) sizes[comm.membership[v]!]!++;
      const rankOf = new Array<number>(comm.count);
      [...sizes.keys()].sort((a, b) => sizes[b]! - sizes[a]! || a - b).forEach((c0, rank) => (rankOf[c0] = rank));
      // A chart needs an answer in seconds: over ~3·10⁸ edge visits betweenness is sampled, with its error bound.
      const bc = await betweenness(csr, { maxWork: 3e8, seed: 1 });
      const deg = degreeCentrality(csr);
      const known = new Set(projection.nodes.map((n) => n.id));
      const nodes: z.infer<typeof Measures>['nodes'] = [];
      for (const id of new Set(body.ids)) {
        const node = projection.nodeOf.get(id) ?? (known.has(id) ? id : undefined);
        const v = node === undefined ? undefined : net.index.get(node);
        if (v === undefined) continue;
        const community = comm.membership[v]!;
        nodes.push({ id, community: rankOf[community]!, communitySize: sizes[community]!, degree: deg[v]!, betweenness: bc.values[v]! });
      }
      return c.json(
        {
          algorithm: body.algorithm,
          modularity: comm.modularity,
          communities: comm.count,
          nodes,
          betweenness: { exact: bc.exact, ...(bc.note === undefined ? {} : { note: bc.note }), ...(bc.errorBound === undefined ? {} : { epsilon: bc.errorBound.epsilon }) },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/evidence',
      tags: ['graph'],
      summary: 'The statements a link rests on (its evidence ids), with provenance, as far as you may read them',
      request: {
        query: z.object({
          ids: z
            .string()
            .min(1)
            .max(5000)
            .transform((v) => [...new Set(v.split(',').map((x) => x.trim()).filter(Boolean))])
            .pipe(z.array(z.string().max(200)).min(1).max(60))
            .openapi({ description: 'a link’s evidence ids, comma-separated (at most 60)' }),
        }),
      },
      responses: { ...ok(Evidence, 'Readable statements, grouped by nothing: one row per statement'), ...errorResponses },
    }),
    async (c) => {
      const { ids } = c.req.valid('query');
      const statementIds = ids.filter((id) => StatementId.safeParse(id).success);
      const selectors = ids.filter((id) => !StatementId.safeParse(id).success);
      const statements = await gov.readStatements(workContext(c), 'link-analysis', statementIds);
      return c.json(
        {
          statements: statements.map((s) => ({ entityId: s.entityId, schema: s.schema, prop: s.prop, value: s.value, provenance: provenanceOut(s) })),
          selectors,
          notShown: statementIds.length - statements.length,
        },
        200,
      );
    },
  );

  return app;
}

/** The graph capability as an API plug-in: routes under /api/graph (`cache`: the projection cache to use, e.g. a test's). */
export function graphPlugin(options: { cache?: ProjectionCache } = {}): ApiPlugin {
  return { path: 'graph', routes: (deps) => graphRoutes(deps, options.cache) };
}
