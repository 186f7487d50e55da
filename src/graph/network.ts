import { invalid, TesseraError } from '../model/index.js';

/** A node as the store projection produces it. */
export interface GraphNode {
  readonly id: string;
  readonly kind: string;
  readonly label?: string;
  /** Records (entity ids) merged into this node when entity resolution put them in one cluster. */
  readonly members?: readonly string[];
}

/** A time as the projection produces it: ISO-8601 text or epoch milliseconds. */
export type GraphTime = string | number;

/** An (aggregated) link between two nodes, explained by the statements it was built from. */
export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly kind: string;
  /** Strength of the tie (> 0); e.g. the number of calls, or 1 for a plain association. */
  readonly weight: number;
  readonly count?: number;
  readonly first?: GraphTime;
  readonly last?: GraphTime;
  /** Direction matters for time-respecting paths (a call goes from caller to callee). */
  readonly directed?: boolean;
  /** Statement ids the link rests on. */
  readonly evidence: readonly string[];
  /** Distinct gradings (EU 4x4 codes such as `B2`) of those statements, when the projection knows them. */
  readonly gradings?: readonly string[];
}

/**
 * Compressed sparse row adjacency of a simple undirected weighted graph: parallel edges merged
 * (weights summed), self-loops dropped, every edge stored in both directions.
 */
export interface Csr {
  readonly n: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
}

/**
 * The in-memory network all algorithms run on: the input lists, typed-array columns of the edges
 * (for fast filtering), a multi-edge adjacency that keeps edge identities (for queries and
 * evidence), and the simple CSR view (for structure: centralities, communities, cut points).
 */
export interface Network {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly index: ReadonlyMap<string, number>;
  readonly kindNames: readonly string[];
  readonly kindIndex: ReadonlyMap<string, number>;
  readonly edgeSource: Int32Array;
  readonly edgeTarget: Int32Array;
  readonly edgeWeight: Float64Array;
  readonly edgeKind: Uint16Array;
  /** Epoch ms; NaN when unknown. */
  readonly edgeFirst: Float64Array;
  readonly edgeLast: Float64Array;
  readonly edgeDirected: Uint8Array;
  /** Multi-edge undirected adjacency: for node v, entries adjOffsets[v]..adjOffsets[v+1]. */
  readonly adjOffsets: Int32Array;
  readonly adjNode: Int32Array;
  readonly adjEdge: Int32Array;
  readonly simple: Csr;
}

/** Parses a projection time to epoch ms (NaN when absent). */
export function toEpochMs(t: GraphTime | undefined, record: string, field: string): number {
  if (t === undefined) return Number.NaN;
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw invalid(`not a valid time: ${String(t)}`, record, field);
  return ms;
}

/**
 * Builds a simple undirected CSR from an edge list over nodes 0..n-1. Duplicate pairs are merged
 * (weights summed) and self-loops dropped, matching a networkx `Graph` built from the same list
 * (where a duplicate overwrites rather than sums: weights differ, structure is identical).
 */
export function csrFromPairs(n: number, src: Int32Array, dst: Int32Array, weight?: Float64Array): Csr {
  const m = src.length;
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) {
    const u = src[i]!;
    const v = dst[i]!;
    if (u === v) continue;
    deg[u + 1]!++;
    deg[v + 1]!++;
  }
  for (let i = 0; i < n; i++) deg[i + 1]! += deg[i]!;
  const rawTargets = new Int32Array(deg[n]!);
  const rawWeights = new Float64Array(deg[n]!);
  const fill = deg.slice(0, n);
  for (let i = 0; i < m; i++) {
    const u = src[i]!;
    const v = dst[i]!;
    if (u === v) continue;
    const w = weight === undefined ? 1 : weight[i]!;
    let p = fill[u]!++;
    rawTargets[p] = v;
    rawWeights[p] = w;
    p = fill[v]!++;
    rawTargets[p] = u;
    rawWeights[p] = w;
  }
  // Merge parallel entries row by row with a position marker (O(E), no sort).
  const marker = new Int32Array(n).fill(-1);
  const offsets = new Int32Array(n + 1);
  const targets = new Int32Array(deg[n]!);
  const weights = new Float64Array(deg[n]!);
  let out = 0;
  for (let u = 0; u < n; u++) {
    offsets[u] = out;
    for (let p = deg[u]!; p < deg[u + 1]!; p++) {
      const v = rawTargets[p]!;
      const at = marker[v]!;
      if (at >= offsets[u]!) {
        weights[at]! += rawWeights[p]!;
      } else {
        marker[v] = out;
        targets[out] = v;
        weights[out] = rawWeights[p]!;
        out++;
      }
    }
  }
  offsets[n] = out;
  return { n, offsets, targets: targets.slice(0, out), weights: weights.slice(0, out) };
}

/** Builds the network from projection output; unknown endpoints, duplicate ids and bad weights are rejected. */
export function buildNetwork(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Network {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (typeof node.id !== 'string' || node.id.length === 0) throw invalid('node without id', String(i), 'id');
    if (index.has(node.id)) throw invalid('duplicate node id', node.id, 'id');
    index.set(node.id, i);
  });
  const m = edges.length;
  const kindIndex = new Map<string, number>();
  const kindNames: string[] = [];
  const edgeSource = new Int32Array(m);
  const edgeTarget = new Int32Array(m);
  const edgeWeight = new Float64Array(m);
  const edgeKind = new Uint16Array(m);
  const edgeFirst = new Float64Array(m);
  const edgeLast = new Float64Array(m);
  const edgeDirected = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    const edge = edges[e]!;
    const record = `${edge.source}->${edge.target}`;
    const s = index.get(edge.source);
    const t = index.get(edge.target);
    if (s === undefined) throw invalid('edge source is not a node of the graph', record, 'source');
    if (t === undefined) throw invalid('edge target is not a node of the graph', record, 'target');
    if (!(Number.isFinite(edge.weight) && edge.weight > 0)) throw invalid('edge weight must be a positive number', record, 'weight');
    let k = kindIndex.get(edge.kind);
    if (k === undefined) {
      k = kindNames.length;
      if (k > 0xffff) throw invalid('too many edge kinds', record, 'kind');
      kindIndex.set(edge.kind, k);
      kindNames.push(edge.kind);
    }
    edgeSource[e] = s;
    edgeTarget[e] = t;
    edgeWeight[e] = edge.weight;
    edgeKind[e] = k;
    edgeFirst[e] = toEpochMs(edge.first, record, 'first');
    edgeLast[e] = toEpochMs(edge.last, record, 'last');
    if (edgeFirst[e]! > edgeLast[e]!) throw invalid('first is after last', record, 'first');
    edgeDirected[e] = edge.directed === true ? 1 : 0;
  }
  const n = nodes.length;
  const adjOffsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    adjOffsets[edgeSource[e]! + 1]!++;
    if (edgeSource[e] !== edgeTarget[e]) adjOffsets[edgeTarget[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) adjOffsets[i + 1]! += adjOffsets[i]!;
  const adjNode = new Int32Array(adjOffsets[n]!);
  const adjEdge = new Int32Array(adjOffsets[n]!);
  const fill = adjOffsets.slice(0, n);
  for (let e = 0; e < m; e++) {
    const s = edgeSource[e]!;
    const t = edgeTarget[e]!;
    let p = fill[s]!++;
    adjNode[p] = t;
    adjEdge[p] = e;
    if (s !== t) {
      p = fill[t]!++;
      adjNode[p] = s;
      adjEdge[p] = e;
    }
  }
  return {
    nodes,
    edges,
    index,
    kindNames,
    kindIndex,
    edgeSource,
    edgeTarget,
    edgeWeight,
    edgeKind,
    edgeFirst,
    edgeLast,
    edgeDirected,
    adjOffsets,
    adjNode,
    adjEdge,
    simple: csrFromPairs(n, edgeSource, edgeTarget, edgeWeight),
  };
}

/** The index of a node id, or a NOT_FOUND-style validation error naming it. */
export function nodeIndex(net: Network, id: string, field = 'node'): number {
  const i = net.index.get(id);
  if (i === undefined) {
    throw new TesseraError('NOT_FOUND', `unknown node ${id} (not in the graph, or not visible to you)`, { record: id, field });
  }
  return i;
}

/** A simple graph from plain pairs (tests, benchmarks): nodes named by their index. */
export function csrFromEdgeList(n: number, pairs: readonly (readonly [number, number])[], weights?: readonly number[]): Csr {
  const src = new Int32Array(pairs.length);
  const dst = new Int32Array(pairs.length);
  pairs.forEach(([u, v], i) => {
    if (!(u >= 0 && u < n && v >= 0 && v < n)) throw invalid(`edge endpoint out of range 0..${n - 1}`, String(i), 'pair');
    src[i] = u;
    dst[i] = v;
  });
  return csrFromPairs(n, src, dst, weights === undefined ? undefined : Float64Array.from(weights));
}
