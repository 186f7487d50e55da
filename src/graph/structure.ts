import { invalid } from '../model/index.js';
import type { Csr } from './network.js';

/**
 * One iterative depth-first search with Tarjan's (1972) low points over the nodes not `removed`.
 * Besides articulation points and bridges it records, for every node v, what removing v would do to
 * its component: the sizes of the pieces that split off (children c with low[c] ≥ disc[v]) and the
 * remainder — which is what greedy key-player selection needs, for all nodes in one O(n + m) pass.
 */
interface LowPoints {
  readonly articulation: Uint8Array;
  readonly bridges: [number, number][];
  /** Σ s(s−1) over the current components. */
  readonly pairSum: number;
  /** Σ s(s−1) over the components after removing v alone. */
  readonly pairSumWithout: Float64Array;
}

function lowPoints(csr: Csr, removed: Uint8Array): LowPoints {
  const n = csr.n;
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const sub = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const cursor = new Int32Array(n);
  const sepSize = new Float64Array(n);
  const sepPairs = new Float64Array(n);
  const children = new Int32Array(n);
  const articulation = new Uint8Array(n);
  const bridges: [number, number][] = [];
  const pairSumWithout = new Float64Array(n);
  const stack = new Int32Array(n);
  const visitOrder = new Int32Array(n);
  let timer = 0;
  let pairSum = 0;
  for (let root = 0; root < n; root++) {
    if (removed[root] === 1 || disc[root]! >= 0) continue;
    const first = timer;
    let top = 0;
    stack[top++] = root;
    disc[root] = low[root] = timer;
    visitOrder[timer++] = root;
    sub[root] = 1;
    cursor[root] = csr.offsets[root]!;
    while (top > 0) {
      const v = stack[top - 1]!;
      if (cursor[v]! < csr.offsets[v + 1]!) {
        const w = csr.targets[cursor[v]!++]!;
        if (removed[w] === 1) continue;
        if (disc[w]! < 0) {
          parent[w] = v;
          disc[w] = low[w] = timer;
          visitOrder[timer++] = w;
          sub[w] = 1;
          cursor[w] = csr.offsets[w]!;
          stack[top++] = w;
        } else if (w !== parent[v]) {
          low[v] = Math.min(low[v]!, disc[w]!);
        }
        continue;
      }
      top--;
      const p = parent[v]!;
      if (p < 0) continue;
      sub[p]! += sub[v]!;
      low[p] = Math.min(low[p]!, low[v]!);
      children[p]!++;
      if (low[v]! >= disc[p]!) {
        sepSize[p]! += sub[v]!;
        sepPairs[p]! += sub[v]! * (sub[v]! - 1);
        if (p !== root) articulation[p] = 1;
      }
      if (low[v]! > disc[p]!) bridges.push([p, v]);
    }
    if (children[root]! >= 2) articulation[root] = 1;
    const size = timer - first;
    pairSum += size * (size - 1);
    for (let i = first; i < timer; i++) {
      const v = visitOrder[i]!;
      const rest = size - 1 - sepSize[v]!;
      pairSumWithout[v] = -size * (size - 1) + sepPairs[v]! + rest * (rest - 1);
    }
  }
  for (let v = 0; v < n; v++) if (removed[v] === 0) pairSumWithout[v]! += pairSum;
  return { articulation, bridges, pairSum, pairSumWithout };
}

export interface CutPoints {
  /** Nodes whose removal disconnects their component (Tarjan 1972). */
  readonly articulationPoints: readonly number[];
  /** Links whose removal disconnects their component, as node index pairs (smaller first). */
  readonly bridges: readonly (readonly [number, number])[];
}

/** Articulation points and bridges of the simple undirected graph (parallel links count as one tie). */
export function cutPoints(csr: Csr): CutPoints {
  const lp = lowPoints(csr, new Uint8Array(csr.n));
  const articulationPoints: number[] = [];
  for (let v = 0; v < csr.n; v++) if (lp.articulation[v] === 1) articulationPoints.push(v);
  const bridges = lp.bridges.map(([a, b]) => (a < b ? ([a, b] as const) : ([b, a] as const))).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { articulationPoints, bridges };
}

/** Borgatti's fragmentation F = 1 − Σ s(s−1) / (n(n−1)) over components of the n remaining nodes. */
function fragmentationOf(pairSum: number, remaining: number): number {
  return remaining <= 1 ? 1 : 1 - pairSum / (remaining * (remaining - 1));
}

/** Fragmentation of the graph with the given nodes removed. */
export function fragmentation(csr: Csr, removedNodes: readonly number[] = []): number {
  const removed = new Uint8Array(csr.n);
  for (const v of removedNodes) removed[v] = 1;
  let remaining = 0;
  for (let v = 0; v < csr.n; v++) if (removed[v] === 0) remaining++;
  return fragmentationOf(lowPoints(csr, removed).pairSum, remaining);
}

export interface KeyPlayerStep {
  readonly node: number;
  /** Fragmentation after removing this node and those before it. */
  readonly fragmentation: number;
}

export interface KeyPlayerResult {
  readonly before: number;
  readonly steps: readonly KeyPlayerStep[];
  readonly after: number;
}

/**
 * Key players (Borgatti 2006, KPP-Neg): k nodes whose removal fragments the network most, chosen
 * greedily — each step removes the node that raises fragmentation most, evaluated for all nodes at
 * once from one low-point DFS, so a step costs O(n + m). Ties (e.g. no node cuts anything) go to
 * the node with most remaining neighbours, which tends to set up later cuts.
 */
export function keyPlayers(csr: Csr, k: number): KeyPlayerResult {
  const n = csr.n;
  if (!Number.isInteger(k) || k < 1) throw invalid('k must be a positive integer', undefined, 'k');
  if (k >= n) throw invalid(`k must be smaller than the number of nodes (${n})`, undefined, 'k', { k, nodes: n });
  const removed = new Uint8Array(n);
  let remaining = n;
  const before = fragmentationOf(lowPoints(csr, removed).pairSum, remaining);
  const steps: KeyPlayerStep[] = [];
  for (let step = 0; step < k; step++) {
    const lp = lowPoints(csr, removed);
    let best = -1;
    let bestPairs = Number.POSITIVE_INFINITY;
    let bestDegree = -1;
    for (let v = 0; v < n; v++) {
      if (removed[v] === 1) continue;
      const pairs = lp.pairSumWithout[v]!;
      let degree = 0;
      if (pairs <= bestPairs) {
        for (let p = csr.offsets[v]!; p < csr.offsets[v + 1]!; p++) if (removed[csr.targets[p]!] === 0) degree++;
      }
      if (pairs < bestPairs || (pairs === bestPairs && degree > bestDegree)) {
        best = v;
        bestPairs = pairs;
        bestDegree = degree;
      }
    }
    removed[best] = 1;
    remaining--;
    steps.push({ node: best, fragmentation: fragmentationOf(bestPairs, remaining) });
  }
  return { before, steps, after: steps[steps.length - 1]!.fragmentation };
}
