import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  allShortPaths,
  analyseNetwork,
  buildNetwork,
  burnerSuccession,
  checkHops,
  connectingNetwork,
  cutPoints,
  dormancy,
  type EdgeFilter,
  type GraphEdge,
  type GraphNode,
  keyPlayers,
  leiden,
  louvain,
  neighbourhood,
  type Network,
  nodeIdsOf,
  type Projection,
  shortestPath,
  storeGraph,
  type StoreGraphOptions,
  timeline,
  timelineStatements,
  timeRespectingPaths,
} from '../../graph/index.js';
import type { Governance, QueryContext } from '../../governance/index.js';
import { invalid, type Statement, TesseraError, validateStatements } from '../../model/index.js';
import { type GlobalOptions, withSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/**
 * `tessera graph …`: network analysis over the store, projected through governance for the
 * caller's user, purpose and case (only readable statements make nodes and links; the case's legal
 * basis must allow the method and the hop count). `--graph FILE` (nodes and edges, the projection's
 * format), `--records FILE` and `--statements FILE` analyse an exported file instead.
 */
function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw invalid(`${what} not found: ${path}`, path, what);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw invalid(`${path} is not valid JSON: ${(e as Error).message}`, path, what);
  }
}

function loadNetwork(path: string): Network {
  const data = readJson(path, 'graph') as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(data.nodes) || !Array.isArray(data.edges)) throw invalid('graph file needs "nodes" and "edges" arrays', path, 'graph');
  return buildNetwork(data.nodes as GraphNode[], data.edges as GraphEdge[]);
}

type GraphMethod = 'link-analysis' | 'network-analysis';

/** Where a command's graph came from: the store (through governance) or a file. */
interface GraphSource {
  readonly net: Network;
  /** Present when read from the store. */
  readonly projection?: Projection;
  readonly store?: { readonly gov: Governance; readonly ctx: QueryContext };
  /** User-given ids → node ids (entity ids map through the projection's nodeOf). */
  ids(ids: readonly string[]): string[];
  /** Refuses (audited) a result longer than the case's legal basis allows; no-op for files. */
  allowHops(hops: number): Promise<void>;
}

/** Runs a command body on the graph from --graph FILE, or else on the store projection. */
async function withGraph<T>(cmd: Command, file: string | undefined, method: GraphMethod, detail: { hops?: number }, body: (g: GraphSource) => T | Promise<T>): Promise<T> {
  if (file !== undefined) {
    return body({ net: loadNetwork(file), ids: (ids) => [...ids], allowHops: () => Promise.resolve() });
  }
  return withSession(cmd, async (s) => {
    const ctx = await s.context().catch((e: unknown) => {
      // No user on an empty store: say how to analyse a file instead.
      if (e instanceof TesseraError && e.code === 'UNAUTHENTICATED') throw new TesseraError(e.code, `${e.message}, or analyse an exported graph with --graph FILE`, { field: 'user' });
      throw e;
    });
    const { projection, net } = await storeGraph(s.gov, ctx, method, detail, resolutionOptions(cmd));
    return body({ net, projection, store: { gov: s.gov, ctx }, ids: (ids) => nodeIdsOf(projection, ids), allowHops: (hops) => checkHops(s.gov, ctx, hops) });
  });
}

/** `--no-clusters` / `--cluster-threshold P` → how the projection merges resolved records. */
function resolutionOptions(cmd: Command): StoreGraphOptions {
  const o = cmd.opts<{ clusters?: boolean; clusterThreshold?: string }>();
  const threshold = number(o.clusterThreshold, 'cluster-threshold');
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw invalid(`--cluster-threshold must be a probability in [0, 1], got "${o.clusterThreshold}"`, undefined, 'cluster-threshold');
  return { clusters: o.clusters === false ? 'none' : 'resolved', ...(threshold === undefined ? {} : { clusterThreshold: threshold }) };
}

/** Pattern inputs from a records file, or the store projection. */
async function withProjection<T>(cmd: Command, body: (p: Projection) => T | Promise<T>): Promise<T> {
  return withGraph(cmd, undefined, 'network-analysis', {}, (g) => body(g.projection!));
}

interface FilterOpts {
  graph?: string;
  kinds?: string;
  from?: string;
  to?: string;
  minWeight?: string;
  nodeKinds?: string;
}

function number(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalid(`--${field} must be a number, got "${v}"`, undefined, field);
  return n;
}

function integer(v: string | undefined, field: string): number | undefined {
  const n = number(v, field);
  if (n !== undefined && !Number.isInteger(n)) throw invalid(`--${field} must be a whole number, got "${v}"`, undefined, field);
  return n;
}

function filterOf(o: FilterOpts): EdgeFilter {
  const minWeight = number(o.minWeight, 'min-weight');
  return {
    ...(o.kinds === undefined ? {} : { kinds: o.kinds.split(',').map((s) => s.trim()) }),
    ...(o.nodeKinds === undefined ? {} : { nodeKinds: o.nodeKinds.split(',').map((s) => s.trim()) }),
    ...(o.from === undefined ? {} : { from: o.from }),
    ...(o.to === undefined ? {} : { to: o.to }),
    ...(minWeight === undefined ? {} : { minWeight }),
  };
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--graph <file>', 'analyse this graph JSON ({ nodes, edges } as projected) instead of the store')
    .option('--kinds <list>', 'link kinds to follow, comma-separated (e.g. Communication,Family)')
    .option('--node-kinds <list>', 'walk only through nodes of these kinds')
    .option('--from <time>', 'links active on or after this time (ISO 8601)')
    .option('--to <time>', 'links active on or before this time')
    .option('--min-weight <n>', 'minimum link weight');
}

const json = (cmd: Command): boolean => cmd.optsWithGlobals<GlobalOptions>().json === true;
const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : '');

/** Registers `tessera graph neighbours|path|connect|communities|centrality|keyplayers|cutpoints|succession|dormancy|timeline`. */
export function registerGraphCommands(program: Command): void {
  const graph = program.command('graph').description('network analysis: neighbourhoods, paths, cells, centralities, key players, patterns');

  withFilters(graph.command('neighbours').description('k-hop neighbourhood of one or more nodes').argument('<ids...>', 'node ids'))
    .option('--hops <k>', 'hops (0–10)', '1')
    .option('--max-nodes <n>', 'stop after this many nodes', '5000')
    .action(async (ids: string[], o: FilterOpts & { hops: string; maxNodes: string }, cmd: Command) => {
      const hops = integer(o.hops, 'hops')!;
      const maxNodes = integer(o.maxNodes, 'max-nodes')!;
      const filter = filterOf(o);
      await withGraph(cmd, o.graph, 'link-analysis', { hops }, (g) => {
        const r = neighbourhood(g.net, g.ids(ids), { hops, maxNodes, filter });
        if (json(cmd)) return printJson(r);
        printTable(r.nodes.map((n) => ({ hops: n.hops, id: n.id, kind: n.kind, label: n.label })));
        say(`${r.nodes.length} nodes, ${r.edges.length} links${r.note === undefined ? '' : ` — ${r.note}`}`);
      });
    });

  withFilters(graph.command('path').description('shortest path, all short paths (--all) or a time-respecting chain (--timed)').argument('<from>').argument('<to>'))
    .option('--all', 'all simple paths up to --max-length hops')
    .option('--max-length <n>', 'longest path for --all (≤ 8)', '4')
    .option('--max-paths <n>', 'at most this many paths for --all', '100')
    .option('--weighted', 'prefer strong ties (cost 1/weight)')
    .option('--timed', 'contact chain respecting the order of events')
    .action(async (fromId: string, toId: string, o: FilterOpts & { all?: boolean; maxLength: string; maxPaths: string; weighted?: boolean; timed?: boolean }, cmd: Command) => {
      const filter = filterOf(o);
      const maxLength = integer(o.maxLength, 'max-length')!;
      const maxPaths = integer(o.maxPaths, 'max-paths')!;
      await withGraph(cmd, o.graph, 'link-analysis', o.all === true ? { hops: maxLength } : {}, async (g) => {
        const net = g.net;
        const [from, to] = g.ids([fromId, toId]) as [string, string];
        if (o.timed === true) {
          const r = timeRespectingPaths(net, from, to, { filter });
          if (r.found) await g.allowHops(r.hops.length);
          if (json(cmd)) return printJson(r);
          if (!r.found) return say(r.note ?? 'no chain');
          printTable(r.hops.map((h) => ({ at: iso(h.at), from: h.from, to: h.to, kind: h.edge.kind, evidence: h.edge.evidence.length })));
          return;
        }
        if (o.all === true) {
          const r = allShortPaths(net, from, to, { filter, maxLength, maxPaths });
          if (json(cmd)) return printJson(r);
          r.paths.forEach((p) => say(`${p.length - 1} hops: ${p.join(' → ')}`));
          if (r.note !== undefined) say(r.note);
          return;
        }
        const r = shortestPath(net, from, to, { filter, weighted: o.weighted === true });
        if (r.found) await g.allowHops(r.hops);
        if (json(cmd)) return printJson(r);
        if (!r.found) return say(r.note ?? 'no path');
        say(`${r.hops} hops: ${r.nodes.join(' → ')}`);
        printTable(r.edges.map((e) => ({ source: e.source, target: e.target, kind: e.kind, weight: e.weight, first: e.first, last: e.last, evidence: e.evidence.length })));
      });
    });

  withFilters(graph.command('connect').description('connecting network of 2+ nodes (Steiner tree approximation)').argument('<ids...>'))
    .option('--weighted', 'prefer strong ties')
    .action(async (ids: string[], o: FilterOpts & { weighted?: boolean }, cmd: Command) => {
      const filter = filterOf(o);
      await withGraph(cmd, o.graph, 'link-analysis', {}, async (g) => {
        const r = connectingNetwork(g.net, g.ids(ids), { filter, weighted: o.weighted === true });
        // A connecting network reaches as far as its longest path between two of the given nodes.
        await g.allowHops(r.hops);
        if (json(cmd)) return printJson(r);
        printTable(r.edges.map((e) => ({ source: e.source, target: e.target, kind: e.kind, weight: e.weight })));
        say(`${r.nodes.length} nodes, cost ${r.cost}, reach ${r.hops} hops${r.note === undefined ? '' : ` — ${r.note}`}`);
      });
    });

  graph
    .command('communities')
    .description('communities (Leiden by default, or Louvain) with modularity')
    .option('--graph <file>', 'analyse this graph JSON instead of the store')
    .option('--algorithm <name>', 'leiden | louvain', 'leiden')
    .option('--resolution <g>', 'resolution γ', '1')
    .option('--seed <n>', 'random seed', '1')
    .option('--node-kinds <list>', 'keep only nodes of these kinds (e.g. Person) and the links among them')
    .option('--min-size <n>', 'list communities of at least this many nodes', '1')
    .action(async (o: { graph?: string; algorithm: string; resolution: string; seed: string; nodeKinds?: string; minSize: string }, cmd: Command) => {
      if (o.algorithm !== 'leiden' && o.algorithm !== 'louvain') throw invalid('--algorithm must be leiden or louvain', undefined, 'algorithm');
      const options = { resolution: number(o.resolution, 'resolution')!, seed: integer(o.seed, 'seed')! };
      const minSize = integer(o.minSize, 'min-size')!;
      await withGraph(cmd, o.graph, 'network-analysis', {}, (g) => {
        const net = o.nodeKinds === undefined ? g.net : restrictKinds(g.net, o.nodeKinds.split(',').map((k) => k.trim()));
        const r = o.algorithm === 'leiden' ? leiden(net.simple, options) : louvain(net.simple, options);
        const members: string[][] = Array.from({ length: r.count }, () => []);
        net.nodes.forEach((n, v) => members[r.membership[v]!]!.push(n.id));
        const shown = members.filter((m) => m.length >= minSize);
        if (json(cmd)) return printJson({ algorithm: r.algorithm, modularity: r.modularity, count: r.count, communities: shown });
        printTable(shown.map((m) => ({ community: members.indexOf(m), size: m.length, members: m.join(' ') })), undefined, 110);
        say(`${r.count} communities, modularity ${r.modularity.toFixed(4)} (${r.algorithm})`);
      });
    });

  graph
    .command('centrality')
    .description('degree, betweenness, closeness, eigenvector (networkx normalisation)')
    .option('--graph <file>', 'analyse this graph JSON instead of the store')
    .option('--top <n>', 'rows to show, by betweenness', '20')
    .option('--threads <n>', 'worker threads')
    .action(async (o: { graph?: string; top: string; threads?: string }, cmd: Command) => {
      const threads = integer(o.threads, 'threads');
      await withGraph(cmd, o.graph, 'network-analysis', {}, async (g) => {
        const r = await analyseNetwork(g.net, threads === undefined ? {} : { threads });
        const rows = [...r.nodes].sort((a, b) => b.betweenness - a.betweenness).slice(0, integer(o.top, 'top'));
        if (json(cmd)) return printJson({ ...r, nodes: rows });
        printTable(rows.map((n) => ({ id: n.id, kind: n.kind, degree: n.degree.toFixed(4), betweenness: n.betweenness.toFixed(4), closeness: n.closeness.toFixed(4), eigenvector: n.eigenvector.toFixed(4), community: n.community })));
        if (r.betweenness.note !== undefined) say(r.betweenness.note);
      });
    });

  graph
    .command('keyplayers')
    .description('k nodes whose removal fragments the network most (Borgatti 2006)')
    .option('--graph <file>', 'analyse this graph JSON instead of the store')
    .option('-k <n>', 'how many', '3')
    .action(async (o: { graph?: string; k: string }, cmd: Command) => {
      const k = integer(o.k, 'k')!;
      await withGraph(cmd, o.graph, 'network-analysis', {}, (g) => {
        const net = g.net;
        const r = keyPlayers(net.simple, k);
        const steps = r.steps.map((s) => ({ id: net.nodes[s.node]!.id, fragmentation: s.fragmentation }));
        if (json(cmd)) return printJson({ before: r.before, after: r.after, steps });
        printTable(steps.map((s, i) => ({ step: i + 1, id: s.id, fragmentation: s.fragmentation.toFixed(4) })));
        say(`fragmentation ${r.before.toFixed(4)} → ${r.after.toFixed(4)}`);
      });
    });

  graph
    .command('cutpoints')
    .description('articulation points and bridges')
    .option('--graph <file>', 'analyse this graph JSON instead of the store')
    .action(async (o: { graph?: string }, cmd: Command) => {
      await withGraph(cmd, o.graph, 'network-analysis', {}, (g) => {
        const net = g.net;
        const r = cutPoints(net.simple);
        const id = (v: number): string => net.nodes[v]!.id;
        const out = { articulationPoints: r.articulationPoints.map(id), bridges: r.bridges.map(([a, b]) => [id(a), id(b)]) };
        if (json(cmd)) return printJson(out);
        say(`articulation points: ${out.articulationPoints.join(' ') || '(none)'}`);
        say(`bridges: ${out.bridges.map(([a, b]) => `${a}–${b}`).join(' ') || '(none)'}`);
      });
    });

  graph
    .command('succession')
    .description('burner succession candidates from call/handset/cell records')
    .option('--records <file>', 'analyse this JSON { calls, handsets?, cells? } instead of the store')
    .option('--as-of <time>', 'reference time (default: latest record)')
    .option('--top <n>', 'candidates to show', '50')
    .action(async (o: { records?: string; asOf?: string; top: string }, cmd: Command) => {
      const top = integer(o.top, 'top')!;
      let data: Parameters<typeof burnerSuccession>[0];
      if (o.records !== undefined) {
        data = readJson(o.records, 'records') as Parameters<typeof burnerSuccession>[0];
        if (!Array.isArray(data.calls)) throw invalid('records file needs a "calls" array', o.records, 'calls');
      } else data = await withProjection(cmd, (p) => ({ calls: p.calls, handsets: p.handsets, cells: p.cells }));
      const r = burnerSuccession(data, o.asOf === undefined ? {} : { asOf: o.asOf }).slice(0, top);
      if (json(cmd)) return printJson(r);
      printTable(r.map((c) => ({ old: c.oldPhone, new: c.newPhone, score: c.score.toFixed(2), gapDays: c.gapDays.toFixed(1), why: c.reasons.join('; '), evidence: c.evidence.length })));
    });

  graph
    .command('timeline')
    .description('dated statements and events of entities (and the links that name them), in order, with sources')
    .argument('<ids...>', 'entity ids (or graph node ids, e.g. phone:+33…)')
    .option('--statements <file>', 'analyse this JSON array of statements instead of the store')
    .action(async (ids: string[], o: { statements?: string }, cmd: Command) => {
      let selected: Statement[];
      if (o.statements !== undefined) {
        const data = readJson(o.statements, 'statements');
        if (!Array.isArray(data)) throw invalid('statements file must be a JSON array', o.statements, 'statements');
        const all = validateStatements(data, (i) => `${o.statements} item ${i}`);
        const wanted = new Set(ids);
        // The entities themselves, and link entities (calls, meetings, uses) with a value naming one of them.
        const linked = new Set(all.filter((s) => wanted.has(s.value)).map((s) => s.entityId));
        selected = all.filter((s) => wanted.has(s.entityId) || linked.has(s.entityId));
      } else {
        selected = await withGraph(cmd, undefined, 'link-analysis', {}, (g) => timelineStatements(g.store!.gov, g.store!.ctx, ids, g.projection));
      }
      const events = timeline(selected);
      if (json(cmd)) return printJson(events);
      printTable(
        events.map((e) => ({
          time: e.time,
          what: e.schema,
          facts: Object.entries(e.facts)
            .map(([k, v]) => `${k}=${v.join('|')}`)
            .join(' '),
          sources: e.sources.map((x) => x.agency + (x.documentId === undefined ? '' : `/${x.documentId}`)).join(' '),
        })),
        undefined,
        80,
      );
    });

  graph
    .command('dormancy')
    .description('subjects whose activity dropped ("quiet" — never "cleared")')
    .option('--records <file>', 'analyse this JSON [{ id, subject, time }] instead of the store')
    .option('--as-of <time>', 'reference time')
    .option('--all', 'list active subjects too (default: quiet ones only)')
    .action(async (o: { records?: string; asOf?: string; all?: boolean }, cmd: Command) => {
      let data: Parameters<typeof dormancy>[0];
      if (o.records !== undefined) {
        const raw = readJson(o.records, 'records');
        if (!Array.isArray(raw)) throw invalid('records file must be an array of { id, subject, time }', o.records, 'records');
        data = raw as Parameters<typeof dormancy>[0];
      } else data = await withProjection(cmd, (p) => p.activity);
      const r = dormancy(data, o.asOf === undefined ? {} : { asOf: o.asOf }).filter((f) => o.all === true || o.records !== undefined || f.status === 'quiet');
      if (json(cmd)) return printJson(r);
      printTable(r.map((f) => ({ subject: f.subject, status: f.status, note: f.note })), undefined, 110);
    });

  // Entity resolution in every store-read graph: resolved persons are one node unless --no-clusters.
  for (const sub of graph.commands) {
    sub
      .option('--no-clusters', 'show every record apart (default: records resolution put in one cluster are one node)')
      .option('--cluster-threshold <p>', 'machine links at or above this probability join a cluster (default 0.5; confirmed links always do)');
  }
}

/** The sub-network of nodes of the given kinds (e.g. persons only, for cells). */
function restrictKinds(net: Network, kinds: readonly string[]): Network {
  const keep = new Set(kinds);
  const nodes = net.nodes.filter((n) => keep.has(n.kind));
  const ids = new Set(nodes.map((n) => n.id));
  return buildNetwork(nodes, net.edges.filter((e) => ids.has(e.source) && ids.has(e.target)));
}
