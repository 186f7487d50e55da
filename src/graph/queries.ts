import { invalid } from '../model/index.js';
import { type GraphEdge, type GraphNode, type GraphTime, type Network, nodeIndex, toEpochMs } from './network.js';

/** Which links a query may walk. Undated links (e.g. Family) pass a time window unless `datedOnly`. */
export interface EdgeFilter {
  readonly kinds?: readonly string[];
  /** Keep links whose [first, last] interval overlaps [from, to]. */
  readonly from?: GraphTime;
  readonly to?: GraphTime;
  readonly datedOnly?: boolean;
  readonly minWeight?: number;
  /** Walk through nodes of these kinds only (the query's own endpoints are always allowed). */
  readonly nodeKinds?: readonly string[];
}

/** A compiled filter: edge index → allowed, node index → may be walked through. */
interface CompiledFilter {
  edge(e: number): boolean;
  node(v: number): boolean;
}

function compileFilter(net: Network, filter: EdgeFilter = {}): CompiledFilter {
  let kindMask: Uint8Array | undefined;
  if (filter.kinds !== undefined) {
    kindMask = new Uint8Array(net.kindNames.length);
    for (const kind of filter.kinds) {
      const k = net.kindIndex.get(kind);
      if (k !== undefined) kindMask[k] = 1;
    }
  }
  const from = toEpochMs(filter.from, 'filter', 'from');
  const to = toEpochMs(filter.to, 'filter', 'to');
  if (from > to) throw invalid('time window ends before it starts', 'filter', 'from');
  const minWeight = filter.minWeight ?? 0;
  if (!Number.isFinite(minWeight)) throw invalid('minWeight must be a number', 'filter', 'minWeight');
  const windowed = !Number.isNaN(from) || !Number.isNaN(to);
  const datedOnly = filter.datedOnly === true;
  const nodeKinds = filter.nodeKinds === undefined ? undefined : new Set(filter.nodeKinds);
  const { edgeKind, edgeWeight, edgeFirst, edgeLast } = net;
  return {
    edge(e: number): boolean {
      if (kindMask !== undefined && kindMask[edgeKind[e]!] === 0) return false;
      if (edgeWeight[e]! < minWeight) return false;
      const first = edgeFirst[e]!;
      const last = edgeLast[e]!;
      const dated = !Number.isNaN(first) || !Number.isNaN(last);
      if (!dated) return !datedOnly;
      if (!windowed) return true;
      // An interval open on one side extends to that side.
      if (!Number.isNaN(from) && (Number.isNaN(last) ? first : last) < from) return false;
      if (!Number.isNaN(to) && (Number.isNaN(first) ? last : first) > to) return false;
      return true;
    },
    node(v: number): boolean {
      return nodeKinds === undefined || nodeKinds.has(net.nodes[v]!.kind);
    },
  };
}

/** A node in a query answer, with its hop distance from the query's start where that applies. */
export interface NodeHit extends GraphNode {
  readonly hops?: number;
}

export interface Subgraph {
  readonly nodes: readonly NodeHit[];
  readonly edges: readonly GraphEdge[];
  /** True when a size limit cut the answer short. */
  readonly truncated: boolean;
  readonly note?: string;
}

export const MAX_HOPS = 10;

function checkHops(value: number, field: string, max = MAX_HOPS): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw invalid(`${field} must be an integer from 0 to ${max}`, undefined, field, { value });
}

function nodeHit(net: Network, v: number, hops?: number): NodeHit {
  const node = net.nodes[v]!;
  return hops === undefined ? { ...node } : { ...node, hops };
}

/** Links among a set of nodes that pass the filter. */
function edgesAmong(net: Network, inSet: (v: number) => boolean, members: Iterable<number>, f: CompiledFilter): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const v of members) {
    for (let p = net.adjOffsets[v]!; p < net.adjOffsets[v + 1]!; p++) {
      const e = net.adjEdge[p]!;
      const u = net.adjNode[p]!;
      // Each edge once: from its source side (self-loops have one entry).
      if (net.edgeSource[e] !== v || !inSet(u) || !f.edge(e)) continue;
      out.push(net.edges[e]!);
    }
  }
  return out;
}

export interface NeighbourhoodOptions {
  readonly hops?: number;
  readonly filter?: EdgeFilter;
  /** Stop after this many nodes (default 5000) and say so. */
  readonly maxNodes?: number;
}

/** The k-hop neighbourhood of one or more nodes: nodes with their hop distance and the links among them. */
export function neighbourhood(net: Network, ids: string | readonly string[], options: NeighbourhoodOptions = {}): Subgraph {
  const hops = options.hops ?? 1;
  checkHops(hops, 'hops');
  const maxNodes = options.maxNodes ?? 5000;
  const f = compileFilter(net, options.filter);
  const starts = (typeof ids === 'string' ? [ids] : ids).map((id) => nodeIndex(net, id));
  // Hop distances in a per-network scratch array (-1 = unseen), reset after use: no per-query
  // allocation of n entries and no hash lookups on the hot path.
  const dist = hopScratch(net);
  const order: number[] = [];
  try {
    for (const s of starts) {
      if (dist[s]! < 0) {
        dist[s] = 0;
        order.push(s);
      }
    }
    let truncated = false;
    for (let head = 0; head < order.length && !truncated; head++) {
      const v = order[head]!;
      const d = dist[v]!;
      if (d === hops || (d > 0 && !f.node(v))) continue;
      for (let p = net.adjOffsets[v]!; p < net.adjOffsets[v + 1]!; p++) {
        const u = net.adjNode[p]!;
        if (dist[u]! >= 0 || !f.edge(net.adjEdge[p]!)) continue;
        if (order.length >= maxNodes) {
          truncated = true;
          break;
        }
        dist[u] = d + 1;
        order.push(u);
      }
    }
    return {
      nodes: order.map((v) => nodeHit(net, v, dist[v]!)),
      edges: edgesAmong(net, (u) => dist[u]! >= 0, order, f),
      truncated,
      ...(truncated ? { note: `stopped at ${maxNodes} nodes; narrow the filter or lower hops` } : {}),
    };
  } finally {
    for (const v of order) dist[v] = -1;
  }
}

const scratch = new WeakMap<Network, Int32Array>();

function hopScratch(net: Network): Int32Array {
  let a = scratch.get(net);
  if (a === undefined) {
    a = new Int32Array(net.nodes.length).fill(-1);
    scratch.set(net, a);
  }
  return a;
}

export interface PathResult {
  readonly found: boolean;
  /** Node ids from start to end. */
  readonly nodes: readonly string[];
  /** One link per hop (the strongest passing link between the two nodes). */
  readonly edges: readonly GraphEdge[];
  readonly hops: number;
  /** Sum of 1/weight over the hops (weighted search) or the hop count. */
  readonly cost: number;
  readonly note?: string;
}

export interface PathOptions {
  readonly filter?: EdgeFilter;
  /** Prefer strong ties: cost of a link is 1/weight (Dijkstra) instead of one per hop (BFS). */
  readonly weighted?: boolean;
}

/** A binary min-heap of (key, node) pairs over typed arrays, for Dijkstra. */
class MinHeap {
  private keys = new Float64Array(64);
  private vals = new Int32Array(64);
  size = 0;
  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const v = new Int32Array(this.size * 2);
      v.set(this.vals);
      this.vals = v;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[i] = this.keys[parent]!;
      this.vals[i] = this.vals[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.vals[i] = val;
  }
  /** Removes the smallest; returns its node (its key is in `lastKey`). */
  pop(): number {
    const top = this.vals[0]!;
    this.lastKey = this.keys[0]!;
    const key = this.keys[--this.size]!;
    const val = this.vals[this.size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && this.keys[c + 1]! < this.keys[c]!) c++;
      if (this.keys[c]! >= key) break;
      this.keys[i] = this.keys[c]!;
      this.vals[i] = this.vals[c]!;
      i = c;
    }
    this.keys[i] = key;
    this.vals[i] = val;
    return top;
  }
  lastKey = 0;
}

/**
 * Single-source search over passing links (BFS, or Dijkstra on 1/weight). `cost`/`via` are filled
 * for reached nodes; stops early once `target` is settled.
 */
function search(net: Network, sources: readonly number[], f: CompiledFilter, weighted: boolean, target = -1): { cost: Float64Array; via: Int32Array; region: Int32Array } {
  const n = net.nodes.length;
  const cost = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const via = new Int32Array(n).fill(-1);
  const region = new Int32Array(n).fill(-1);
  const heap = new MinHeap();
  for (const s of sources) {
    cost[s] = 0;
    region[s] = s;
    heap.push(0, s);
  }
  const done = new Uint8Array(n);
  while (heap.size > 0) {
    const v = heap.pop();
    if (done[v] === 1) continue;
    done[v] = 1;
    if (v === target) break;
    if (cost[v]! > 0 && !f.node(v)) continue;
    for (let p = net.adjOffsets[v]!; p < net.adjOffsets[v + 1]!; p++) {
      const e = net.adjEdge[p]!;
      const u = net.adjNode[p]!;
      if (done[u] === 1 || !f.edge(e)) continue;
      const c = cost[v]! + (weighted ? 1 / net.edgeWeight[e]! : 1);
      // Ties: prefer the stronger link, so the reported hop is the most substantial one.
      if (c < cost[u]!) {
        cost[u] = c;
        via[u] = e;
        region[u] = region[v]!;
        heap.push(c, u);
      } else if (c === cost[u]! && net.edgeWeight[e]! > net.edgeWeight[via[u]!]!) {
        // u is not settled yet, so nothing hangs off its current link: safe to swap.
        via[u] = e;
        region[u] = region[v]!;
      }
    }
  }
  return { cost, via, region };
}

function otherEnd(net: Network, e: number, v: number): number {
  return net.edgeSource[e] === v ? net.edgeTarget[e]! : net.edgeSource[e]!;
}

/** Walks `via` links back from v to its search source: nodes and edges from source to v. */
function traceBack(net: Network, via: Int32Array, v: number): { nodes: number[]; edges: number[] } {
  const nodes = [v];
  const edges: number[] = [];
  let cur = v;
  while (via[cur]! >= 0) {
    const e = via[cur]!;
    edges.push(e);
    cur = otherEnd(net, e, cur);
    nodes.push(cur);
  }
  return { nodes: nodes.reverse(), edges: edges.reverse() };
}

/** The shortest path between two nodes (fewest hops, or strongest ties when weighted). */
export function shortestPath(net: Network, fromId: string, toId: string, options: PathOptions = {}): PathResult {
  const a = nodeIndex(net, fromId, 'from');
  const b = nodeIndex(net, toId, 'to');
  const f = compileFilter(net, options.filter);
  const { cost, via } = search(net, [a], f, options.weighted === true, b);
  if (!Number.isFinite(cost[b]!)) {
    return { found: false, nodes: [], edges: [], hops: 0, cost: Number.POSITIVE_INFINITY, note: `${toId} is not reachable from ${fromId} over the links allowed` };
  }
  const path = traceBack(net, via, b);
  return {
    found: true,
    nodes: path.nodes.map((v) => net.nodes[v]!.id),
    edges: path.edges.map((e) => net.edges[e]!),
    hops: path.edges.length,
    cost: cost[b]!,
  };
}

export interface AllPathsOptions {
  readonly filter?: EdgeFilter;
  /** Longest path to list, in hops (default 4, at most 8). */
  readonly maxLength?: number;
  /** Stop after this many paths (default 100) and say so. */
  readonly maxPaths?: number;
}

export interface PathList {
  /** Each path as node ids, shortest first. */
  readonly paths: readonly (readonly string[])[];
  /** The passing links between consecutive nodes of any listed path. */
  readonly edges: readonly GraphEdge[];
  readonly truncated: boolean;
  readonly note?: string;
}

/**
 * All simple paths between two nodes of at most `maxLength` hops, shortest first. A BFS from the
 * target bounds the depth-first enumeration (a branch is cut when it can no longer arrive within
 * the limit), so the work is proportional to the paths found, not to the graph.
 */
export function allShortPaths(net: Network, fromId: string, toId: string, options: AllPathsOptions = {}): PathList {
  const a = nodeIndex(net, fromId, 'from');
  const b = nodeIndex(net, toId, 'to');
  const maxLength = options.maxLength ?? 4;
  checkHops(maxLength, 'maxLength', 8);
  const maxPaths = options.maxPaths ?? 100;
  if (!Number.isInteger(maxPaths) || maxPaths < 1) throw invalid('maxPaths must be a positive integer', undefined, 'maxPaths');
  const f = compileFilter(net, options.filter);
  const toTarget = search(net, [b], f, false).cost;
  const found: number[][] = [];
  let truncated = false;
  const onPath = new Uint8Array(net.nodes.length);
  const path = [a];
  onPath[a] = 1;
  const walk = (v: number): void => {
    if (truncated) return;
    if (v === b) {
      if (found.length >= maxPaths) truncated = true;
      else found.push([...path]);
      return;
    }
    if (path.length > 1 && !f.node(v)) return;
    const seen = new Set<number>();
    for (let p = net.adjOffsets[v]!; p < net.adjOffsets[v + 1]!; p++) {
      const u = net.adjNode[p]!;
      if (onPath[u] === 1 || seen.has(u) || !f.edge(net.adjEdge[p]!)) continue;
      if (path.length + toTarget[u]! > maxLength) continue;
      seen.add(u);
      onPath[u] = 1;
      path.push(u);
      walk(u);
      path.pop();
      onPath[u] = 0;
    }
  };
  if (a !== b && Number.isFinite(toTarget[a]!)) walk(a);
  found.sort((x, y) => x.length - y.length);
  const pairs = new Set<string>();
  const edges: GraphEdge[] = [];
  for (const p of found) {
    for (let i = 0; i + 1 < p.length; i++) {
      const key = `${Math.min(p[i]!, p[i + 1]!)},${Math.max(p[i]!, p[i + 1]!)}`;
      if (pairs.has(key)) continue;
      pairs.add(key);
      const v = p[i]!;
      for (let q = net.adjOffsets[v]!; q < net.adjOffsets[v + 1]!; q++) {
        if (net.adjNode[q] === p[i + 1] && f.edge(net.adjEdge[q]!)) edges.push(net.edges[net.adjEdge[q]!]!);
      }
    }
  }
  const paths = found.map((p) => p.map((v) => net.nodes[v]!.id));
  let note: string | undefined;
  if (truncated) note = `more than ${maxPaths} paths; showing the first ${maxPaths} found`;
  else if (paths.length === 0) note = `no path of at most ${maxLength} hops from ${fromId} to ${toId}`;
  return { paths, edges, truncated, ...(note === undefined ? {} : { note }) };
}

export interface TimedHop {
  readonly from: string;
  readonly to: string;
  /** When the contact could carry on the chain: max(arrival at `from`, link's first time), epoch ms. */
  readonly at: number;
  readonly edge: GraphEdge;
}

export interface TimeRespectingResult {
  readonly found: boolean;
  readonly hops: readonly TimedHop[];
  /** Earliest arrival at the target (epoch ms). */
  readonly arrival?: number;
  /** Every node the chain can reach, with its earliest arrival (when no target is given). */
  readonly reached?: readonly { readonly id: string; readonly arrival: number; readonly hops: number }[];
  readonly note?: string;
}

export interface TimeRespectingOptions {
  readonly filter?: EdgeFilter;
  /** Chains start at or after this time (default: the earliest contact). */
  readonly start?: GraphTime;
  /** ...and end by this time. */
  readonly end?: GraphTime;
}

/**
 * Time-respecting contact chains (earliest-arrival search, as in Kempe, Kleinberg & Kumar 2002 on
 * temporal networks): each link is usable during its [first, last] interval, directed links only
 * from source to target, and each hop happens no earlier than the hop before it. Undated links
 * cannot be placed in time and are not used.
 */
export function timeRespectingPaths(net: Network, fromId: string, toId?: string, options: TimeRespectingOptions = {}): TimeRespectingResult {
  const a = nodeIndex(net, fromId, 'from');
  const b = toId === undefined ? -1 : nodeIndex(net, toId, 'to');
  const f = compileFilter(net, options.filter);
  const start = toEpochMs(options.start, 'options', 'start');
  const end = toEpochMs(options.end, 'options', 'end');
  const n = net.nodes.length;
  const arrival = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const via = new Int32Array(n).fill(-1);
  const hopCount = new Int32Array(n);
  arrival[a] = Number.isNaN(start) ? Number.NEGATIVE_INFINITY : start;
  const heap = new MinHeap();
  heap.push(arrival[a]!, a);
  const done = new Uint8Array(n);
  while (heap.size > 0) {
    const v = heap.pop();
    if (done[v] === 1) continue;
    done[v] = 1;
    if (v === b) break;
    if (v !== a && !f.node(v)) continue;
    const t = arrival[v]!;
    for (let p = net.adjOffsets[v]!; p < net.adjOffsets[v + 1]!; p++) {
      const e = net.adjEdge[p]!;
      const u = net.adjNode[p]!;
      if (done[u] === 1 || !f.edge(e)) continue;
      if (net.edgeDirected[e] === 1 && net.edgeSource[e] !== v) continue;
      const first = net.edgeFirst[e]!;
      const last = net.edgeLast[e]!;
      if (Number.isNaN(first) && Number.isNaN(last)) continue;
      const open = Number.isNaN(first) ? last : first;
      const close = Number.isNaN(last) ? first : last;
      if (close < t) continue;
      const at = Math.max(t, open);
      if (!Number.isNaN(end) && at > end) continue;
      if (at < arrival[u]!) {
        arrival[u] = at;
        via[u] = e;
        hopCount[u] = hopCount[v]! + 1;
        heap.push(at, u);
      }
    }
  }
  const hopsTo = (target: number): TimedHop[] => {
    const path = traceBack(net, via, target);
    return path.edges.map((e, i) => ({
      from: net.nodes[path.nodes[i]!]!.id,
      to: net.nodes[path.nodes[i + 1]!]!.id,
      at: arrival[path.nodes[i + 1]!]!,
      edge: net.edges[e]!,
    }));
  };
  if (b >= 0) {
    if (!Number.isFinite(arrival[b]!) || b === a) {
      return { found: false, hops: [], note: `no time-respecting chain from ${fromId} to ${toId ?? ''} within the window` };
    }
    return { found: true, hops: hopsTo(b), arrival: arrival[b]! };
  }
  const reached: { id: string; arrival: number; hops: number }[] = [];
  for (let v = 0; v < n; v++) {
    if (v !== a && Number.isFinite(arrival[v]!)) reached.push({ id: net.nodes[v]!.id, arrival: arrival[v]!, hops: hopCount[v]! });
  }
  reached.sort((x, y) => x.arrival - y.arrival || x.hops - y.hops);
  return { found: reached.length > 0, hops: [], reached };
}

export interface ConnectOptions {
  readonly filter?: EdgeFilter;
  readonly weighted?: boolean;
}

export interface ConnectingNetwork extends Subgraph {
  /** Total cost of the tree (hops, or Σ 1/weight). */
  readonly cost: number;
  /** Groups of the requested nodes that no allowed link connects to each other. */
  readonly disconnected: readonly (readonly string[])[];
  /**
   * The longest path, in links, between two requested nodes inside this network: how far the answer
   * reaches, checked against the case's hop limit like a path's length.
   */
  readonly hops: number;
}

/** Longest shortest-path distance (in links, within the chosen links) between two connected terminals. */
function terminalSpan(net: Network, terminals: readonly number[], edges: ReadonlySet<number>): number {
  const adj = new Map<number, number[]>();
  for (const e of edges) {
    const u = net.edgeSource[e]!;
    const v = net.edgeTarget[e]!;
    adj.set(u, [...(adj.get(u) ?? []), v]);
    adj.set(v, [...(adj.get(v) ?? []), u]);
  }
  const wanted = new Set(terminals);
  let span = 0;
  for (const t of terminals) {
    const dist = new Map<number, number>([[t, 0]]);
    const queue = [t];
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head]!;
      const d = dist.get(v)!;
      if (wanted.has(v)) span = Math.max(span, d);
      for (const u of adj.get(v) ?? []) {
        if (dist.has(u)) continue;
        dist.set(u, d + 1);
        queue.push(u);
      }
    }
  }
  return span;
}

/**
 * The connecting network of 2+ nodes: an approximate Steiner tree by Mehlhorn (1988) — Voronoi
 * regions around the terminals from one multi-source search, the cheapest link between each pair of
 * regions, a minimum spanning tree over those (Kruskal), each chosen link expanded to its two
 * shortest paths. Within a factor 2(1 − 1/ℓ) of optimal, like Kou–Markowsky–Berman, in O(m log n).
 */
export function connectingNetwork(net: Network, ids: readonly string[], options: ConnectOptions = {}): ConnectingNetwork {
  const terminals = [...new Set(ids.map((id) => nodeIndex(net, id)))];
  if (terminals.length < 2) throw invalid('give at least two distinct nodes to connect', undefined, 'nodes');
  const f = compileFilter(net, options.filter);
  const weighted = options.weighted === true;
  const { cost, via, region } = search(net, terminals, f, weighted);
  const linkCost = (e: number): number => (weighted ? 1 / net.edgeWeight[e]! : 1);
  // Cheapest crossing link per pair of regions.
  const best = new Map<string, { cost: number; edge: number; a: number; b: number }>();
  for (let e = 0; e < net.edges.length; e++) {
    const u = net.edgeSource[e]!;
    const v = net.edgeTarget[e]!;
    const ru = region[u]!;
    const rv = region[v]!;
    if (ru < 0 || rv < 0 || ru === rv || !f.edge(e)) continue;
    if ((cost[u]! > 0 && !f.node(u)) || (cost[v]! > 0 && !f.node(v))) continue;
    const c = cost[u]! + linkCost(e) + cost[v]!;
    const key = ru < rv ? `${ru},${rv}` : `${rv},${ru}`;
    const cur = best.get(key);
    if (cur === undefined || c < cur.cost) best.set(key, { cost: c, edge: e, a: ru, b: rv });
  }
  const parent = new Map<number, number>(terminals.map((t) => [t, t]));
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const nodes = new Set<number>(terminals);
  const edges = new Set<number>();
  let total = 0;
  for (const link of [...best.values()].sort((x, y) => x.cost - y.cost)) {
    const ra = find(link.a);
    const rb = find(link.b);
    if (ra === rb) continue;
    parent.set(ra, rb);
    total += link.cost;
    edges.add(link.edge);
    for (const end of [net.edgeSource[link.edge]!, net.edgeTarget[link.edge]!]) {
      const path = traceBack(net, via, end);
      path.nodes.forEach((v) => nodes.add(v));
      path.edges.forEach((e) => edges.add(e));
    }
  }
  const groups = new Map<number, string[]>();
  for (const t of terminals) {
    const r = find(t);
    groups.set(r, [...(groups.get(r) ?? []), net.nodes[t]!.id]);
  }
  const disconnected = groups.size > 1 ? [...groups.values()] : [];
  return {
    nodes: [...nodes].map((v) => nodeHit(net, v)),
    edges: [...edges].map((e) => net.edges[e]!),
    truncated: false,
    cost: total,
    disconnected,
    hops: terminalSpan(net, terminals, edges),
    ...(disconnected.length > 0 ? { note: `the nodes fall into ${disconnected.length} groups that no allowed link connects` } : {}),
  };
}
