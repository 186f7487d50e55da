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
  /**
   * Leiden: passes over the graph, each starting from the previous result (default 2, as igraph's
   * `n_iterations`). With two or more, the first pass aggregates communities without refining them
   * (a Louvain pass) unless `refineFirstPass`; the last pass is always a full Leiden iteration.
   */
  readonly iterations?: number;
  /** Leiden: refine in the first pass too (every pass a Leiden iteration, as igraph does). */
  readonly refineFirstPass?: boolean;
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

interface LevelBuffers {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  readonly self: Float64Array;
  readonly k: Float64Array;
}

/**
 * Scratch space for one run, allocated once at the input's size and reused by every level (levels
 * only shrink): no per-level allocation, and the arrays stay warm in cache. Aggregated levels are
 * written alternately into two buffer sets, so a level is never overwritten while being read.
 *
 * `acc` is the dense per-community weight accumulator shared by local moving, refinement and
 * aggregation: it is all zeros between uses (edge weights are > 0, so a zero entry marks an
 * untouched community) and `touched` lists the entries to read back and clear.
 */
class Workspace {
  private readonly buffers: readonly [LevelBuffers, LevelBuffers];
  private flip = 0;
  readonly tot: Float64Array;
  readonly size: Int32Array;
  readonly queue: Int32Array;
  readonly queued: Uint8Array;
  readonly free: Int32Array;
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  readonly refined: Int32Array;
  readonly rTot: Float64Array;
  readonly rExt: Float64Array;
  readonly rSize: Int32Array;
  readonly commTot: Float64Array;
  readonly commSize: Int32Array;
  readonly order: Int32Array;
  readonly start: Int32Array;
  readonly members: Int32Array;
  readonly scratch: Int32Array;
  readonly commA: Int32Array;
  readonly commB: Int32Array;

  constructor(n: number, m: number) {
    const set = (): LevelBuffers => ({ offsets: new Int32Array(n + 1), targets: new Int32Array(m), weights: new Float64Array(m), self: new Float64Array(n), k: new Float64Array(n) });
    this.buffers = [set(), set()];
    this.tot = new Float64Array(n);
    this.size = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.queued = new Uint8Array(n);
    this.free = new Int32Array(n);
    this.acc = new Float64Array(n);
    this.touched = new Int32Array(n);
    this.refined = new Int32Array(n);
    this.rTot = new Float64Array(n);
    this.rExt = new Float64Array(n);
    this.rSize = new Int32Array(n);
    this.commTot = new Float64Array(n);
    this.commSize = new Int32Array(n);
    this.order = new Int32Array(n);
    this.start = new Int32Array(n + 1);
    this.members = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.commA = new Int32Array(n);
    this.commB = new Int32Array(n);
  }

  /** Starts again from the input graph (the next aggregate goes to the first buffer set). */
  restart(): void {
    this.flip = 0;
  }

  /** The buffer set the next aggregated level is written to (not the one being read). */
  nextBuffers(): LevelBuffers {
    const b = this.buffers[this.flip]!;
    this.flip ^= 1;
    return b;
  }
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

/** Renumbers community ids to 0..C-1 in order of first appearance; returns C. Ids must be < comm.length. */
function renumber(comm: Int32Array, scratch: Int32Array): number {
  const n = comm.length;
  scratch.fill(-1, 0, n);
  let next = 0;
  for (let i = 0; i < n; i++) {
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
function aggregate(level: Level, comm: Int32Array, count: number, ws: Workspace): Level {
  const { offsets: inOffsets, targets: inTargets, weights: inWeights } = level;
  const { start, members, scratch: cursor, acc, touched } = ws;
  const buffers = ws.nextBuffers();
  const { offsets, targets, weights } = buffers;
  const self = buffers.self.subarray(0, count);
  const k = buffers.k.subarray(0, count);
  // Members of each community, contiguous (counting sort).
  start.fill(0, 0, count + 1);
  for (let i = 0; i < level.n; i++) start[comm[i]! + 1]!++;
  for (let c = 0; c < count; c++) start[c + 1]! += start[c]!;
  cursor.set(start.subarray(0, count));
  for (let i = 0; i < level.n; i++) members[cursor[comm[i]!]!++] = i;
  let out = 0;
  for (let c = 0; c < count; c++) {
    offsets[c] = out;
    let inside = 0;
    let strength = 0;
    let seen = 0;
    const mEnd = start[c + 1]!;
    for (let m = start[c]!; m < mEnd; m++) {
      const i = members[m]!;
      inside += level.self[i]!;
      strength += level.k[i]!;
      const pEnd = inOffsets[i + 1]!;
      for (let p = inOffsets[i]!; p < pEnd; p++) {
        const d = comm[inTargets[p]!]!;
        const w = inWeights[p]!;
        if (d === c) inside += w;
        else {
          if (acc[d] === 0) touched[seen++] = d;
          acc[d]! += w;
        }
      }
    }
    for (let j = 0; j < seen; j++) {
      const d = touched[j]!;
      targets[out] = d;
      weights[out] = acc[d]!;
      acc[d] = 0;
      out++;
    }
    self[c] = inside;
    k[c] = strength;
  }
  offsets[count] = out;
  return { n: count, offsets: offsets.subarray(0, count + 1), targets: targets.subarray(0, out), weights: weights.subarray(0, out), self, k };
}

/**
 * Leiden fast local moving (Traag et al. 2019, Alg. A.2): a queue of nodes; a node that moves puts
 * its neighbours outside its new community back in the queue. Moving to an empty community is
 * allowed when every other choice loses modularity.
 */
function fastLocalMove(level: Level, comm: Int32Array, gamma: number, twoM: number, random: () => number, ws: Workspace): void {
  const n = level.n;
  const { offsets, targets, weights, k } = level;
  const { tot, size, queue, queued, free, acc, touched } = ws;
  tot.fill(0, 0, n);
  size.fill(0, 0, n);
  for (let i = 0; i < n; i++) {
    tot[comm[i]!]! += k[i]!;
    size[comm[i]!]!++;
  }
  // Empty communities as a stack, smallest id on top.
  let freeCount = 0;
  for (let c = n - 1; c >= 0; c--) if (size[c] === 0) free[freeCount++] = c;
  for (let i = 0; i < n; i++) queue[i] = i;
  shuffleInPlace(queue.subarray(0, n), random);
  queued.fill(1, 0, n);
  let head = 0;
  let length = n;
  const invTwoM = gamma / twoM;
  while (length > 0) {
    const v = queue[head]!;
    head = head + 1 === n ? 0 : head + 1;
    length--;
    queued[v] = 0;
    const cv = comm[v]!;
    const kv = k[v]!;
    let seen = 0;
    const pStart = offsets[v]!;
    const pEnd = offsets[v + 1]!;
    for (let p = pStart; p < pEnd; p++) {
      const c = comm[targets[p]!]!;
      if (acc[c] === 0) touched[seen++] = c;
      acc[c]! += weights[p]!;
    }
    tot[cv]! -= kv;
    size[cv]!--;
    const scale = kv * invTwoM;
    let best = cv;
    let bestGain = acc[cv]! - scale * tot[cv]!;
    for (let j = 0; j < seen; j++) {
      const c = touched[j]!;
      const gain = acc[c]! - scale * tot[c]!;
      acc[c] = 0;
      if (gain > bestGain) {
        bestGain = gain;
        best = c;
      }
    }
    acc[cv] = 0;
    if (bestGain < 0 && size[cv]! > 0 && freeCount > 0) best = free[--freeCount]!;
    tot[best]! += kv;
    size[best]!++;
    if (best === cv) continue;
    comm[v] = best;
    if (size[cv] === 0) free[freeCount++] = cv;
    for (let p = pStart; p < pEnd; p++) {
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
 * sub-community with the largest positive modularity gain. This is what guarantees that
 * communities are connected. Leaves the renumbered refined membership in `ws.refined`; returns its
 * number of sub-communities.
 */
function refine(level: Level, comm: Int32Array, count: number, gamma: number, twoM: number, random: () => number, ws: Workspace): number {
  const n = level.n;
  const { offsets, targets, weights, k } = level;
  const { rTot, rExt, rSize, commTot, commSize, order, acc, touched } = ws;
  const refined = ws.refined.subarray(0, n);
  commTot.fill(0, 0, count);
  commSize.fill(0, 0, count);
  for (let v = 0; v < n; v++) {
    commTot[comm[v]!]! += k[v]!;
    commSize[comm[v]!]!++;
  }
  for (let v = 0; v < n; v++) {
    refined[v] = v;
    rTot[v] = k[v]!;
    rSize[v] = 1;
    const c = comm[v]!;
    let ext = 0;
    // A node alone in its community has no sub-community to join: skip its edges.
    if (commSize[c]! > 1) {
      const pEnd = offsets[v + 1]!;
      for (let p = offsets[v]!; p < pEnd; p++) if (comm[targets[p]!] === c) ext += weights[p]!;
    }
    rExt[v] = ext;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order.subarray(0, n), random);
  for (let o = 0; o < n; o++) {
    const v = order[o]!;
    const c = comm[v]!;
    if (commSize[c] === 1 || refined[v] !== v || rSize[v] !== 1) continue;
    const kv = k[v]!;
    const kc = commTot[c]!;
    if (rExt[v]! < (gamma * kv * (kc - kv)) / twoM) continue;
    let seen = 0;
    const pEnd = offsets[v + 1]!;
    for (let p = offsets[v]!; p < pEnd; p++) {
      const u = targets[p]!;
      if (comm[u] !== c) continue;
      const r = refined[u]!;
      if (acc[r] === 0) touched[seen++] = r;
      acc[r]! += weights[p]!;
    }
    let best = -1;
    let bestGain = 0;
    let bestWeight = 0;
    for (let j = 0; j < seen; j++) {
      const r = touched[j]!;
      const w = acc[r]!;
      acc[r] = 0;
      if (r === v) continue;
      const t = rTot[r]!;
      if (rExt[r]! < (gamma * t * (kc - t)) / twoM) continue;
      const gain = w - (gamma * kv * t) / twoM;
      if (gain > bestGain) {
        bestGain = gain;
        best = r;
        bestWeight = w;
      }
    }
    if (best < 0) continue;
    refined[v] = best;
    rExt[best] = rExt[best]! + rExt[v]! - 2 * bestWeight;
    rTot[best]! += kv;
    rSize[best]!++;
    rSize[v] = 0;
  }
  return renumber(refined, ws.scratch);
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
  const ws = new Workspace(csr.n, csr.targets.length);
  const membership = new Int32Array(csr.n);
  for (let i = 0; i < csr.n; i++) membership[i] = i;
  let levels = 0;
  while (twoM > 0) {
    const comm = ws.commA.subarray(0, level.n);
    for (let i = 0; i < level.n; i++) comm[i] = i;
    fastLocalMove(level, comm, gamma, twoM, random, ws);
    const count = renumber(comm, ws.scratch);
    if (count === level.n) break;
    levels++;
    for (let i = 0; i < csr.n; i++) membership[i] = comm[membership[i]!]!;
    level = aggregate(level, comm, count, ws);
  }
  const out = canonical(membership);
  return { algorithm: 'louvain', ...out, modularity: modularity(csr, out.membership, gamma), levels };
}

/**
 * Leiden communities (Traag, Waltman & van Eck 2019): fast local moving, refinement (which keeps
 * communities connected), aggregation of the refined partition with the unrefined one as the
 * starting point. Rerun `iterations` times from the previous result (default 2, as igraph).
 *
 * The first of several passes skips refinement (unless `refineFirstPass`): starting from
 * singletons, local moving forms communities of two or three nodes that refinement hardly splits
 * (on gnm(100000, 300000): 42,765 communities, 43,146 refined parts), so the pass costs less and
 * climbs the levels faster; the result is as good (mean modularity over ten seeds 0.4108 against
 * 0.4105 with refinement in both passes) in about 18 % less time. Leiden's guarantees — every
 * community connected, γ-separated — hold after each Leiden iteration whatever partition it starts
 * from, and the last pass is one.
 */
export function leiden(csr: Csr, options: CommunityOptions = {}): CommunityResult {
  const { gamma, seed } = checkOptions(options);
  const iterations = options.iterations ?? 2;
  if (!Number.isInteger(iterations) || iterations < 1) throw invalid('iterations must be a positive integer', undefined, 'iterations');
  const refineFirstPass = options.refineFirstPass === true || iterations === 1;
  const random = mulberry32(seed);
  const base = baseLevel(csr);
  const twoM = totalStrength(base);
  const ws = new Workspace(csr.n, csr.targets.length);
  const partition = new Int32Array(csr.n);
  for (let i = 0; i < csr.n; i++) partition[i] = i;
  const membership = new Int32Array(csr.n);
  let levels = 0;
  for (let it = 0; it < iterations && twoM > 0; it++) {
    ws.restart();
    let level = base;
    for (let i = 0; i < csr.n; i++) membership[i] = i;
    // The level's communities and the next level's, alternating between two buffers.
    let comm = ws.commA.subarray(0, csr.n);
    let spare = ws.commB;
    comm.set(partition);
    for (;;) {
      fastLocalMove(level, comm, gamma, twoM, random, ws);
      const count = renumber(comm, ws.scratch);
      if (count === level.n) break;
      levels++;
      let refinedCount = it > 0 || refineFirstPass ? refine(level, comm, count, gamma, twoM, random, ws) : level.n;
      let refined = ws.refined.subarray(0, level.n);
      // Without refinement (or if it merged nothing), aggregate by the communities themselves.
      if (refinedCount === level.n) {
        refined = comm;
        refinedCount = count;
      }
      const next = spare.subarray(0, refinedCount);
      for (let i = 0; i < level.n; i++) next[refined[i]!] = comm[i]!;
      for (let i = 0; i < csr.n; i++) membership[i] = refined[membership[i]!]!;
      level = aggregate(level, refined, refinedCount, ws);
      spare = comm.buffer === ws.commA.buffer ? ws.commA : ws.commB;
      comm = next;
    }
    for (let i = 0; i < csr.n; i++) partition[i] = comm[membership[i]!]!;
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
