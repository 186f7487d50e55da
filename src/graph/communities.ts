import { invalid } from '../model/index.js';
import type { Csr } from './network.js';
import { mulberry32, shuffleInPlace } from './random.js';

/**
 * Community detection by modularity: Louvain (Blondel et al. 2008) and Leiden (Traag, Waltman &
 * van Eck 2019), both over typed arrays. Each level is a weighted graph whose nodes are groups of
 * original nodes; `self[i]` holds the weight inside group i counted over ordered pairs (each
 * internal edge twice), `k[i]` its total strength, so 2m = Σk and the modularity of a partition is
 * Σ_c [in_c / 2m − γ (K_c / 2m)²].
 */
interface Level {
  readonly n: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  readonly self: Float64Array;
  readonly k: Float64Array;
}

export interface CommunityOptions {
  /** Resolution γ (1 = standard modularity). */
  readonly resolution?: number;
  readonly seed?: number;
  /** Leiden: how many times to rerun from the previous result (igraph's default is 2). */
  readonly iterations?: number;
}

export interface CommunityResult {
  readonly algorithm: 'louvain' | 'leiden';
  /** Community of each node, numbered 0.. by decreasing size. */
  readonly membership: Int32Array;
  readonly count: number;
  /** Modularity (networkx's definition, edge weights, resolution γ) of the partition. */
  readonly modularity: number;
  readonly levels: number;
}

function baseLevel(csr: Csr): Level {
  const k = new Float64Array(csr.n);
  for (let v = 0; v < csr.n; v++) {
    let s = 0;
    for (let i = csr.offsets[v]!; i < csr.offsets[v + 1]!; i++) s += csr.weights[i]!;
    k[v] = s;
  }
  return { n: csr.n, offsets: csr.offsets, targets: csr.targets, weights: csr.weights, self: new Float64Array(csr.n), k };
}

function totalStrength(level: Level): number {
  let s = 0;
  for (let i = 0; i < level.n; i++) s += level.k[i]!;
  return s;
}

/** Renumbers community ids to 0..C-1 in order of first appearance; returns C. */
function renumber(comm: Int32Array, scratch: Int32Array): number {
  scratch.fill(-1);
  let next = 0;
  for (let i = 0; i < comm.length; i++) {
    const c = comm[i]!;
    let r = scratch[c]!;
    if (r < 0) {
      r = next++;
      scratch[c] = r;
    }
    comm[i] = r;
  }
  return next;
}

/** Collapses each community into one node (weights summed, internal weight into `self`). */
function aggregate(level: Level, comm: Int32Array, count: number): Level {
  const start = new Int32Array(count + 1);
  for (let i = 0; i < level.n; i++) start[comm[i]! + 1]!++;
  for (let c = 0; c < count; c++) start[c + 1]! += start[c]!;
  const members = new Int32Array(level.n);
  const fill = start.slice(0, count);
  for (let i = 0; i < level.n; i++) members[fill[comm[i]!]!++] = i;
  const offsets = new Int32Array(count + 1);
  const targets = new Int32Array(level.targets.length);
  const weights = new Float64Array(level.targets.length);
  const self = new Float64Array(count);
  const k = new Float64Array(count);
  const mark = new Int32Array(count).fill(-1);
  const pos = new Int32Array(count);
  let out = 0;
  for (let c = 0; c < count; c++) {
    offsets[c] = out;
    let inside = 0;
    let strength = 0;
    for (let m = start[c]!; m < start[c + 1]!; m++) {
      const i = members[m]!;
      inside += level.self[i]!;
      strength += level.k[i]!;
      for (let p = level.offsets[i]!; p < level.offsets[i + 1]!; p++) {
        const d = comm[level.targets[p]!]!;
        const w = level.weights[p]!;
        if (d === c) {
          inside += w;
        } else if (mark[d] === c) {
          weights[pos[d]!]! += w;
        } else {
          mark[d] = c;
          pos[d] = out;
          targets[out] = d;
          weights[out] = w;
          out++;
        }
      }
    }
    self[c] = inside;
    k[c] = strength;
  }
  offsets[count] = out;
  return { n: count, offsets, targets: targets.slice(0, out), weights: weights.slice(0, out), self, k };
}

/** Scratch space for summing a node's edge weight per neighbouring community. */
class NeighbourWeights {
  readonly weight: Float64Array;
  readonly list: Int32Array;
  readonly stamp: Int32Array;
  size = 0;
  private round = 0;
  constructor(n: number) {
    this.weight = new Float64Array(n);
    this.list = new Int32Array(n);
    this.stamp = new Int32Array(n);
  }
  reset(): void {
    this.size = 0;
    this.round++;
  }
  add(c: number, w: number): void {
    if (this.stamp[c] !== this.round) {
      this.stamp[c] = this.round;
      this.weight[c] = w;
      this.list[this.size++] = c;
    } else {
      this.weight[c]! += w;
    }
  }
  get(c: number): number {
    return this.stamp[c] === this.round ? this.weight[c]! : 0;
  }
}

/**
 * Leiden fast local moving (Traag et al. 2019, Alg. A.2): a queue of nodes; a node that moves puts
 * its neighbours outside its new community back in the queue. Moving to an empty community is
 * allowed when every other choice loses modularity.
 */
function leidenFastLocalMove(level: Level, comm: Int32Array, gamma: number, twoM: number, random: () => number): void {
  const n = level.n;
  const { offsets, targets, weights, k } = level;
  const tot = new Float64Array(n);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    tot[comm[i]!]! += k[i]!;
    size[comm[i]!]!++;
  }
  const empty: number[] = [];
  for (let c = n - 1; c >= 0; c--) if (size[c] === 0) empty.push(c);
  const queue = new Int32Array(n);
  for (let i = 0; i < n; i++) queue[i] = i;
  shuffleInPlace(queue, random);
  const queued = new Uint8Array(n).fill(1);
  let head = 0;
  let length = n;
  // Hot loop: per-community weight sums kept at zero between nodes (edge weights are > 0, so a zero
  // marks an untouched community) to avoid a separate marker array.
  const nWeight = new Float64Array(n);
  const nList = new Int32Array(n);
  const invTwoM = gamma / twoM;
  while (length > 0) {
    const v = queue[head]!;
    head = head + 1 === n ? 0 : head + 1;
    length--;
    queued[v] = 0;
    const cv = comm[v]!;
    const kv = k[v]!;
    let size0 = 0;
    const pEnd = offsets[v + 1]!;
    for (let p = offsets[v]!; p < pEnd; p++) {
      const c = comm[targets[p]!]!;
      if (nWeight[c] === 0) nList[size0++] = c;
      nWeight[c]! += weights[p]!;
    }
    tot[cv]! -= kv;
    size[cv]!--;
    const scale = kv * invTwoM;
    let best = cv;
    let bestGain = nWeight[cv]! - scale * tot[cv]!;
    for (let j = 0; j < size0; j++) {
      const c = nList[j]!;
      const gain = nWeight[c]! - scale * tot[c]!;
      nWeight[c] = 0;
      if (gain > bestGain) {
        bestGain = gain;
        best = c;
      }
    }
    nWeight[cv] = 0;
    if (bestGain < 0 && size[cv]! > 0 && empty.length > 0) best = empty.pop()!;
    tot[best]! += kv;
    size[best]!++;
    if (best === cv) continue;
    comm[v] = best;
    if (size[cv] === 0) empty.push(cv);
    for (let p = offsets[v]!; p < pEnd; p++) {
      const u = targets[p]!;
      if (queued[u] === 0 && comm[u] !== best) {
        queued[u] = 1;
        let at = head + length;
        if (at >= n) at -= n;
        queue[at] = u;
        length++;
      }
    }
  }
}

/**
 * Leiden refinement (Traag et al. 2019, Alg. A.3), greedy variant: inside each community, singleton
 * nodes that are well connected to their community merge into the well-connected refined
 * sub-community with the largest non-negative modularity gain. This is what guarantees that
 * communities are connected. Returns the refined membership, renumbered; its size via the return.
 */
function leidenRefine(level: Level, comm: Int32Array, count: number, gamma: number, twoM: number, random: () => number): { refined: Int32Array; count: number } {
  const n = level.n;
  const refined = new Int32Array(n);
  const rTot = Float64Array.from(level.k);
  const rExt = new Float64Array(n);
  const rSize = new Int32Array(n).fill(1);
  const commTot = new Float64Array(count);
  for (let v = 0; v < n; v++) {
    refined[v] = v;
    commTot[comm[v]!]! += level.k[v]!;
    let ext = 0;
    for (let p = level.offsets[v]!; p < level.offsets[v + 1]!; p++) if (comm[level.targets[p]!] === comm[v]) ext += level.weights[p]!;
    rExt[v] = ext;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, random);
  const nw = new NeighbourWeights(n);
  for (let o = 0; o < n; o++) {
    const v = order[o]!;
    if (refined[v] !== v || rSize[v] !== 1) continue;
    const c = comm[v]!;
    const kv = level.k[v]!;
    const kc = commTot[c]!;
    if (rExt[v]! < (gamma * kv * (kc - kv)) / twoM) continue;
    nw.reset();
    for (let p = level.offsets[v]!; p < level.offsets[v + 1]!; p++) {
      const u = level.targets[p]!;
      if (comm[u] === c) nw.add(refined[u]!, level.weights[p]!);
    }
    let best = -1;
    let bestGain = 0;
    for (let j = 0; j < nw.size; j++) {
      const r = nw.list[j]!;
      if (r === v) continue;
      if (rExt[r]! < (gamma * rTot[r]! * (kc - rTot[r]!)) / twoM) continue;
      const gain = nw.weight[r]! - (gamma * kv * rTot[r]!) / twoM;
      if (gain > bestGain) {
        bestGain = gain;
        best = r;
      }
    }
    if (best < 0) continue;
    refined[v] = best;
    rExt[best] = rExt[best]! + rExt[v]! - 2 * nw.weight[best]!;
    rTot[best]! += kv;
    rSize[best]!++;
    rSize[v] = 0;
  }
  const refinedCount = renumber(refined, new Int32Array(n));
  return { refined, count: refinedCount };
}

/** Modularity of a partition, as networkx's `community.modularity(G, communities, weight='weight', resolution=γ)`. */
export function modularity(csr: Csr, membership: Int32Array, resolution = 1): number {
  if (membership.length !== csr.n) throw invalid('membership must give a community for every node', undefined, 'membership');
  let count = 0;
  for (let i = 0; i < csr.n; i++) count = Math.max(count, membership[i]! + 1);
  const inside = new Float64Array(count);
  const tot = new Float64Array(count);
  let twoM = 0;
  for (let v = 0; v < csr.n; v++) {
    const cv = membership[v]!;
    for (let p = csr.offsets[v]!; p < csr.offsets[v + 1]!; p++) {
      const w = csr.weights[p]!;
      twoM += w;
      tot[cv]! += w;
      if (membership[csr.targets[p]!] === cv) inside[cv]! += w;
    }
  }
  if (twoM === 0) return 0;
  let q = 0;
  for (let c = 0; c < count; c++) q += inside[c]! / twoM - resolution * (tot[c]! / twoM) ** 2;
  return q;
}

/** Numbers communities 0.. by decreasing size (ties: smallest member first), for stable output. */
function canonical(membership: Int32Array): { membership: Int32Array; count: number } {
  const n = membership.length;
  const m = Int32Array.from(membership);
  const count = renumber(m, new Int32Array(Math.max(n, 1)));
  const sizes = new Int32Array(count);
  for (let i = 0; i < n; i++) sizes[m[i]!]!++;
  const ids = Array.from({ length: count }, (_, c) => c).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
  const rank = new Int32Array(count);
  ids.forEach((c, r) => (rank[c] = r));
  for (let i = 0; i < n; i++) m[i] = rank[m[i]!]!;
  return { membership: m, count };
}

function checkOptions(options: CommunityOptions): { gamma: number; seed: number } {
  const gamma = options.resolution ?? 1;
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalid('resolution must be a positive number', undefined, 'resolution');
  return { gamma, seed: options.seed ?? 1 };
}

/**
 * Louvain communities (Blondel et al. 2008): local moving, then aggregation of the communities,
 * until nothing moves. Local moving uses the queue of Traag et al. (2019) rather than full sweeps:
 * same fixed points, far fewer node visits.
 */
export function louvain(csr: Csr, options: CommunityOptions = {}): CommunityResult {
  const { gamma, seed } = checkOptions(options);
  const random = mulberry32(seed);
  let level = baseLevel(csr);
  const twoM = totalStrength(level);
  const membership = new Int32Array(csr.n);
  for (let i = 0; i < csr.n; i++) membership[i] = i;
  let levels = 0;
  while (twoM > 0) {
    const comm = new Int32Array(level.n);
    for (let i = 0; i < level.n; i++) comm[i] = i;
    leidenFastLocalMove(level, comm, gamma, twoM, random);
    const count = renumber(comm, new Int32Array(level.n));
    if (count === level.n) break;
    levels++;
    for (let i = 0; i < csr.n; i++) membership[i] = comm[membership[i]!]!;
    level = aggregate(level, comm, count);
  }
  const out = canonical(membership);
  return { algorithm: 'louvain', ...out, modularity: modularity(csr, out.membership, gamma), levels };
}

/**
 * Leiden communities (Traag, Waltman & van Eck 2019): fast local moving, refinement (which keeps
 * communities connected), aggregation of the refined partition with the unrefined one as the
 * starting point. Rerun `iterations` times from the previous result (default 2, as igraph).
 */
export function leiden(csr: Csr, options: CommunityOptions = {}): CommunityResult {
  const { gamma, seed } = checkOptions(options);
  const iterations = options.iterations ?? 2;
  if (!Number.isInteger(iterations) || iterations < 1) throw invalid('iterations must be a positive integer', undefined, 'iterations');
  const random = mulberry32(seed);
  const base = baseLevel(csr);
  const twoM = totalStrength(base);
  let partition = new Int32Array(csr.n);
  for (let i = 0; i < csr.n; i++) partition[i] = i;
  let levels = 0;
  for (let it = 0; it < iterations && twoM > 0; it++) {
    let level = base;
    const membership = new Int32Array(csr.n);
    for (let i = 0; i < csr.n; i++) membership[i] = i;
    let comm = Int32Array.from(partition);
    for (;;) {
      leidenFastLocalMove(level, comm, gamma, twoM, random);
      const count = renumber(comm, new Int32Array(level.n));
      if (count === level.n) break;
      levels++;
      let { refined, count: refinedCount } = leidenRefine(level, comm, count, gamma, twoM, random);
      // If refinement merged nothing, aggregate by the communities themselves (else no progress).
      if (refinedCount === level.n) {
        refined = comm;
        refinedCount = count;
      }
      const next = new Int32Array(refinedCount);
      for (let i = 0; i < level.n; i++) next[refined[i]!] = comm[i]!;
      for (let i = 0; i < csr.n; i++) membership[i] = refined[membership[i]!]!;
      level = aggregate(level, refined, refinedCount);
      comm = next;
    }
    const result = new Int32Array(csr.n);
    for (let i = 0; i < csr.n; i++) result[i] = comm[membership[i]!]!;
    partition = result;
  }
  const out = canonical(partition);
  return { algorithm: 'leiden', ...out, modularity: modularity(csr, out.membership, gamma), levels };
}

/** Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same items: 1 = identical, ≈0 = chance. */
export function adjustedRandIndex(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  if (a.length !== b.length) throw invalid('labelings must have the same length', undefined, 'labels');
  const n = a.length;
  if (n < 2) return 1;
  const pairs = (x: number): number => (x * (x - 1)) / 2;
  const cell = new Map<string, number>();
  const rows = new Map<number | string, number>();
  const cols = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${String(a[i])}\u0000${String(b[i])}`;
    cell.set(key, (cell.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const c of cell.values()) index += pairs(c);
  let sumA = 0;
  for (const c of rows.values()) sumA += pairs(c);
  let sumB = 0;
  for (const c of cols.values()) sumB += pairs(c);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
