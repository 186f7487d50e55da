import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  allShortPaths,
  analyseNetwork,
  buildNetwork,
  burnerSuccession,
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
  shortestPath,
  timeline,
  timeRespectingPaths,
} from '../../graph/index.js';
import { invalid, validateStatements } from '../../model/index.js';
import type { GlobalOptions } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/**
 * `tessera graph …`: network analysis over a projected graph. Until the store projection is wired
 * in, the graph comes from a JSON file `{ "nodes": [...], "edges": [...] }` (the projection's
 * output format); patterns read `{ "calls": [...], "handsets": [...], "cells": [...] }`.
 */
function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw invalid(`${what} not found: ${path}`, path, what);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw invalid(`${path} is not valid JSON: ${(e as Error).message}`, path, what);
  }
}

function loadNetwork(path: string | undefined): Network {
  if (path === undefined) throw invalid('pass --graph FILE.json (nodes and edges from a projection)', undefined, 'graph');
  const data = readJson(path, 'graph') as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(data.nodes) || !Array.isArray(data.edges)) throw invalid('graph file needs "nodes" and "edges" arrays', path, 'graph');
  return buildNetwork(data.nodes as GraphNode[], data.edges as GraphEdge[]);
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
    .option('--graph <file>', 'graph JSON: { nodes, edges } as projected')
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
    .action((ids: string[], o: FilterOpts & { hops: string; maxNodes: string }, cmd: Command) => {
      const r = neighbourhood(loadNetwork(o.graph), ids, { hops: integer(o.hops, 'hops')!, maxNodes: integer(o.maxNodes, 'max-nodes')!, filter: filterOf(o) });
      if (json(cmd)) return printJson(r);
      printTable(r.nodes.map((n) => ({ hops: n.hops, id: n.id, kind: n.kind, label: n.label })));
      say(`${r.nodes.length} nodes, ${r.edges.length} links${r.note === undefined ? '' : ` — ${r.note}`}`);
    });

  withFilters(graph.command('path').description('shortest path, all short paths (--all) or a time-respecting chain (--timed)').argument('<from>').argument('<to>'))
    .option('--all', 'all simple paths up to --max-length hops')
    .option('--max-length <n>', 'longest path for --all (≤ 8)', '4')
    .option('--max-paths <n>', 'at most this many paths for --all', '100')
    .option('--weighted', 'prefer strong ties (cost 1/weight)')
    .option('--timed', 'contact chain respecting the order of events')
    .action((from: string, to: string, o: FilterOpts & { all?: boolean; maxLength: string; maxPaths: string; weighted?: boolean; timed?: boolean }, cmd: Command) => {
      const net = loadNetwork(o.graph);
      const filter = filterOf(o);
      if (o.timed === true) {
        const r = timeRespectingPaths(net, from, to, { filter });
        if (json(cmd)) return printJson(r);
        if (!r.found) return say(r.note ?? 'no chain');
        printTable(r.hops.map((h) => ({ at: iso(h.at), from: h.from, to: h.to, kind: h.edge.kind, evidence: h.edge.evidence.length })));
        return;
      }
      if (o.all === true) {
        const r = allShortPaths(net, from, to, { filter, maxLength: integer(o.maxLength, 'max-length')!, maxPaths: integer(o.maxPaths, 'max-paths')! });
        if (json(cmd)) return printJson(r);
        r.paths.forEach((p) => say(`${p.length - 1} hops: ${p.join(' → ')}`));
        if (r.note !== undefined) say(r.note);
        return;
      }
      const r = shortestPath(net, from, to, { filter, weighted: o.weighted === true });
      if (json(cmd)) return printJson(r);
      if (!r.found) return say(r.note ?? 'no path');
      say(`${r.hops} hops: ${r.nodes.join(' → ')}`);
      printTable(r.edges.map((e) => ({ source: e.source, target: e.target, kind: e.kind, weight: e.weight, first: e.first, last: e.last, evidence: e.evidence.length })));
    });

  withFilters(graph.command('connect').description('connecting network of 2+ nodes (Steiner tree approximation)').argument('<ids...>'))
    .option('--weighted', 'prefer strong ties')
    .action((ids: string[], o: FilterOpts & { weighted?: boolean }, cmd: Command) => {
      const r = connectingNetwork(loadNetwork(o.graph), ids, { filter: filterOf(o), weighted: o.weighted === true });
      if (json(cmd)) return printJson(r);
      printTable(r.edges.map((e) => ({ source: e.source, target: e.target, kind: e.kind, weight: e.weight })));
      say(`${r.nodes.length} nodes, cost ${r.cost}${r.note === undefined ? '' : ` — ${r.note}`}`);
    });

  graph
    .command('communities')
    .description('communities (Leiden by default, or Louvain) with modularity')
    .option('--graph <file>', 'graph JSON')
    .option('--algorithm <name>', 'leiden | louvain', 'leiden')
    .option('--resolution <g>', 'resolution γ', '1')
    .option('--seed <n>', 'random seed', '1')
    .action((o: { graph?: string; algorithm: string; resolution: string; seed: string }, cmd: Command) => {
      const net = loadNetwork(o.graph);
      if (o.algorithm !== 'leiden' && o.algorithm !== 'louvain') throw invalid('--algorithm must be leiden or louvain', undefined, 'algorithm');
      const options = { resolution: number(o.resolution, 'resolution')!, seed: integer(o.seed, 'seed')! };
      const r = o.algorithm === 'leiden' ? leiden(net.simple, options) : louvain(net.simple, options);
      const members: string[][] = Array.from({ length: r.count }, () => []);
      net.nodes.forEach((n, v) => members[r.membership[v]!]!.push(n.id));
      if (json(cmd)) return printJson({ algorithm: r.algorithm, modularity: r.modularity, count: r.count, communities: members });
      printTable(members.map((m, c) => ({ community: c, size: m.length, members: m.join(' ') })));
      say(`${r.count} communities, modularity ${r.modularity.toFixed(4)} (${r.algorithm})`);
    });

  graph
    .command('centrality')
    .description('degree, betweenness, closeness, eigenvector (networkx normalisation)')
    .option('--graph <file>', 'graph JSON')
    .option('--top <n>', 'rows to show, by betweenness', '20')
    .option('--threads <n>', 'worker threads')
    .action(async (o: { graph?: string; top: string; threads?: string }, cmd: Command) => {
      const threads = integer(o.threads, 'threads');
      const r = await analyseNetwork(loadNetwork(o.graph), threads === undefined ? {} : { threads });
      const rows = [...r.nodes].sort((a, b) => b.betweenness - a.betweenness).slice(0, integer(o.top, 'top'));
      if (json(cmd)) return printJson({ ...r, nodes: rows });
      printTable(rows.map((n) => ({ id: n.id, kind: n.kind, degree: n.degree.toFixed(4), betweenness: n.betweenness.toFixed(4), closeness: n.closeness.toFixed(4), eigenvector: n.eigenvector.toFixed(4), community: n.community })));
      if (r.betweenness.note !== undefined) say(r.betweenness.note);
    });

  graph
    .command('keyplayers')
    .description('k nodes whose removal fragments the network most (Borgatti 2006)')
    .option('--graph <file>', 'graph JSON')
    .option('-k <n>', 'how many', '3')
    .action((o: { graph?: string; k: string }, cmd: Command) => {
      const net = loadNetwork(o.graph);
      const r = keyPlayers(net.simple, integer(o.k, 'k')!);
      const steps = r.steps.map((s) => ({ id: net.nodes[s.node]!.id, fragmentation: s.fragmentation }));
      if (json(cmd)) return printJson({ before: r.before, after: r.after, steps });
      printTable(steps.map((s, i) => ({ step: i + 1, id: s.id, fragmentation: s.fragmentation.toFixed(4) })));
      say(`fragmentation ${r.before.toFixed(4)} → ${r.after.toFixed(4)}`);
    });

  graph
    .command('cutpoints')
    .description('articulation points and bridges')
    .option('--graph <file>', 'graph JSON')
    .action((o: { graph?: string }, cmd: Command) => {
      const net = loadNetwork(o.graph);
      const r = cutPoints(net.simple);
      const id = (v: number): string => net.nodes[v]!.id;
      const out = { articulationPoints: r.articulationPoints.map(id), bridges: r.bridges.map(([a, b]) => [id(a), id(b)]) };
      if (json(cmd)) return printJson(out);
      say(`articulation points: ${out.articulationPoints.join(' ') || '(none)'}`);
      say(`bridges: ${out.bridges.map(([a, b]) => `${a}–${b}`).join(' ') || '(none)'}`);
    });

  graph
    .command('succession')
    .description('burner succession candidates from call/handset/cell records')
    .requiredOption('--records <file>', 'JSON { calls, handsets?, cells? }')
    .option('--as-of <time>', 'reference time (default: latest record)')
    .action((o: { records: string; asOf?: string }, cmd: Command) => {
      const data = readJson(o.records, 'records') as Parameters<typeof burnerSuccession>[0];
      if (!Array.isArray(data.calls)) throw invalid('records file needs a "calls" array', o.records, 'calls');
      const r = burnerSuccession(data, o.asOf === undefined ? {} : { asOf: o.asOf });
      if (json(cmd)) return printJson(r);
      printTable(r.map((c) => ({ old: c.oldPhone, new: c.newPhone, score: c.score.toFixed(2), gapDays: c.gapDays.toFixed(1), why: c.reasons.join('; '), evidence: c.evidence.length })));
    });

  graph
    .command('timeline')
    .description('dated statements and events of entities (and the links that name them), in order, with sources')
    .argument('<ids...>', 'entity ids')
    .requiredOption('--statements <file>', 'JSON array of statements (as exported from the store)')
    .action((ids: string[], o: { statements: string }, cmd: Command) => {
      const data = readJson(o.statements, 'statements');
      if (!Array.isArray(data)) throw invalid('statements file must be a JSON array', o.statements, 'statements');
      const all = validateStatements(data, (i) => `${o.statements} item ${i}`);
      const wanted = new Set(ids);
      // The entities themselves, and link entities (calls, meetings, uses) with a value naming one of them.
      const linked = new Set(all.filter((s) => wanted.has(s.value)).map((s) => s.entityId));
      const events = timeline(all.filter((s) => wanted.has(s.entityId) || linked.has(s.entityId)));
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
    .requiredOption('--records <file>', 'JSON [{ id, subject, time }]')
    .option('--as-of <time>', 'reference time')
    .action((o: { records: string; asOf?: string }, cmd: Command) => {
      const data = readJson(o.records, 'records');
      if (!Array.isArray(data)) throw invalid('records file must be an array of { id, subject, time }', o.records, 'records');
      const r = dormancy(data as Parameters<typeof dormancy>[0], o.asOf === undefined ? {} : { asOf: o.asOf });
      if (json(cmd)) return printJson(r);
      printTable(r.map((f) => ({ subject: f.subject, status: f.status, note: f.note })), undefined, 110);
    });
}
