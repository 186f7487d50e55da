import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { invalid } from '../model/index.js';
import { type KernelName, runKernelSync, WORKER_SOURCE } from './kernels.js';
import type { Csr } from './network.js';
import { mulberry32, shuffleInPlace } from './random.js';

/** Options for the all-sources computations. */
export interface AllSourcesOptions {
  /** Worker threads to use (default: available cores). 1 runs on the calling thread. */
  readonly threads?: number;
  /**
   * Work budget in edge visits (≈ sources × (n + 2m)). Above it betweenness switches to sampled
   * sources and says so. Default 4e9 (tens of seconds on two cores).
   */
  readonly maxWork?: number;
  /** Force sampling with this many sources (Brandes & Pich 2007). */
  readonly samples?: number;
  /** Seed for source sampling. */
  readonly seed?: number;
  /** Below this many edge visits the work stays on the calling thread (default 2e7; 0 forces workers). */
  readonly minParallelWork?: number;
}

export interface BetweennessResult {
  /** Normalised as networkx's default: divided by (n-1)(n-2) over ordered pairs. */
  readonly values: Float64Array;
  readonly exact: boolean;
  /** Sources used (n when exact). */
  readonly sources: number;
  /**
   * For sampled results: with probability `confidence`, every value is within `epsilon` of the
   * exact normalised betweenness (Hoeffding bound with a union bound over nodes, as in Brandes &
   * Pich 2007 / Eppstein & Wang 2004).
   */
  readonly errorBound?: { readonly epsilon: number; readonly confidence: number };
  readonly note?: string;
}

const DEFAULT_MAX_WORK = 4e9;
/** Below this many edge visits, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 2e7;

async function runKernel(kernel: KernelName, csr: Csr, sources: Int32Array, threads: number, minParallelWork = PARALLEL_THRESHOLD): Promise<Float64Array[]> {
  const work = sources.length * (csr.n + csr.targets.length);
  const t = Math.max(1, Math.min(threads, sources.length));
  if (t === 1 || work < minParallelWork) return [runKernelSync(kernel, csr.n, csr.offsets, csr.targets, sources)];
  // Interleaved split: neighbouring source ids often have similar BFS costs.
  const shares: Int32Array[] = [];
  for (let w = 0; w < t; w++) {
    const share = new Int32Array(Math.ceil((sources.length - w) / t));
    for (let i = w, j = 0; i < sources.length; i += t, j++) share[j] = sources[i]!;
    shares.push(share);
  }
  return Promise.all(
    shares.map(
      (share) =>
        new Promise<Float64Array>((resolve, reject) => {
          const worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { kernel, n: csr.n, offsets: csr.offsets, targets: csr.targets, sources: share },
          });
          worker.once('message', (out: Float64Array) => {
            resolve(out);
            void worker.terminate();
          });
          worker.once('error', reject);
        }),
    ),
  ).then((outs) => {
    if (kernel === 'brandes') return outs;
    // Closeness returns per-source pairs: put them back in source order.
    const merged = new Float64Array(2 * sources.length);
    outs.forEach((out, w) => {
      for (let j = 0; 2 * j < out.length; j++) {
        const i = w + j * t;
        merged[2 * i] = out[2 * j]!;
        merged[2 * i + 1] = out[2 * j + 1]!;
      }
    });
    return [merged];
  });
}

function allNodes(n: number): Int32Array {
  const s = new Int32Array(n);
  for (let i = 0; i < n; i++) s[i] = i;
  return s;
}

function threadsOf(options: AllSourcesOptions): number {
  const t = options.threads ?? availableParallelism();
  if (!Number.isInteger(t) || t < 1) throw invalid('threads must be a positive integer', undefined, 'threads');
  return t;
}

/**
 * Betweenness centrality of every node (unweighted shortest paths), normalised like networkx's
 * `betweenness_centrality(G)`. Exact (Brandes 2001) on all cores within the work budget, else
 * sampled sources (Brandes & Pich 2007) with the estimator and error bound reported.
 */
export async function betweenness(csr: Csr, options: AllSourcesOptions = {}): Promise<BetweennessResult> {
  const n = csr.n;
  const perSource = n + csr.targets.length;
  const maxWork = options.maxWork ?? DEFAULT_MAX_WORK;
  let k = n;
  if (options.samples !== undefined) {
    if (!Number.isInteger(options.samples) || options.samples < 1) throw invalid('samples must be a positive integer', undefined, 'samples');
    k = Math.min(n, options.samples);
  } else if (n * perSource > maxWork) {
    k = Math.max(Math.min(n, 2), Math.floor(maxWork / perSource));
  }
  const exact = k >= n;
  let sources = allNodes(n);
  if (!exact) {
    shuffleInPlace(sources, mulberry32(options.seed ?? 1));
    sources = sources.slice(0, k).sort();
  }
  const parts = await runKernel('brandes', csr, sources, threadsOf(options), options.minParallelWork);
  const values = new Float64Array(n);
  for (const part of parts) for (let i = 0; i < n; i++) values[i]! += part[i]!;
  if (n <= 2) return { values: new Float64Array(n), exact: true, sources: n };
  if (exact) {
    const scale = 1 / ((n - 1) * (n - 2));
    for (let i = 0; i < n; i++) values[i]! *= scale;
    return { values, exact: true, sources: n };
  }
  // A source never lies on its own paths, so sampled sources average over k-1 draws (networkx ≥ 3.5).
  const isSource = new Uint8Array(n);
  for (const s of sources) isSource[s] = 1;
  const scaleSource = k > 1 ? 1 / ((k - 1) * (n - 2)) : 0;
  const scaleOther = 1 / (k * (n - 2));
  for (let i = 0; i < n; i++) values[i]! *= isSource[i] ? scaleSource : scaleOther;
  // Each sampled source contributes δ_s(v)·n/((n-1)(n-2)) ∈ [0, n/(n-1)]; Hoeffding + union bound over n nodes.
  const confidence = 0.95;
  const epsilon = (n / (n - 1)) * Math.sqrt(Math.log((2 * n) / (1 - confidence)) / (2 * k));
  return {
    values,
    exact: false,
    sources: k,
    errorBound: { epsilon, confidence },
    note: `sampled betweenness from ${k} of ${n} sources (Brandes & Pich 2007): each value within ±${epsilon.toPrecision(3)} of the exact value with probability ${confidence}`,
  };
}

/**
 * Closeness centrality, as networkx's `closeness_centrality(G)` (Wasserman–Faust correction for
 * disconnected graphs): (r-1)/Σd · (r-1)/(n-1), r = nodes reachable including itself.
 */
export async function closeness(csr: Csr, options: AllSourcesOptions = {}): Promise<Float64Array> {
  const n = csr.n;
  if (n * (n + csr.targets.length) > (options.maxWork ?? DEFAULT_MAX_WORK)) {
    throw invalid(`closeness on ${n} nodes exceeds the work budget; restrict the graph first`, undefined, 'graph', { nodes: n });
  }
  const [sums] = await runKernel('closeness', csr, allNodes(n), threadsOf(options), options.minParallelWork);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const total = sums![2 * i]!;
    const reached = sums![2 * i + 1]!;
    values[i] = total > 0 && n > 1 ? ((reached - 1) / total) * ((reached - 1) / (n - 1)) : 0;
  }
  return values;
}

/** Degree centrality: neighbours / (n-1), as networkx's `degree_centrality`. */
export function degreeCentrality(csr: Csr): Float64Array {
  const n = csr.n;
  const values = new Float64Array(n);
  const scale = n > 1 ? 1 / (n - 1) : 1;
  for (let i = 0; i < n; i++) values[i] = (csr.offsets[i + 1]! - csr.offsets[i]!) * scale;
  return values;
}

export interface EigenvectorOptions {
  readonly maxIter?: number;
  readonly tol?: number;
  /** Use edge weights (networkx `weight='weight'`); default unweighted like networkx's default. */
  readonly weighted?: boolean;
}

export interface EigenvectorResult {
  readonly values: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Eigenvector centrality by power iteration on A + I, the exact iteration of networkx's
 * `eigenvector_centrality` (start 1/n, Euclidean normalisation, stop when Σ|Δx| < n·tol), so values
 * agree to rounding. Returns `converged: false` instead of throwing when maxIter is reached.
 */
export function eigenvector(csr: Csr, options: EigenvectorOptions = {}): EigenvectorResult {
  const n = csr.n;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-6;
  let x = new Float64Array(n).fill(n > 0 ? 1 / n : 0);
  for (let iter = 1; iter <= maxIter; iter++) {
    const last = x;
    x = Float64Array.from(last);
    for (let v = 0; v < n; v++) {
      const xv = last[v]!;
      for (let i = csr.offsets[v]!; i < csr.offsets[v + 1]!; i++) {
        x[csr.targets[i]!]! += xv * (options.weighted === true ? csr.weights[i]! : 1);
      }
    }
    let norm = 0;
    for (let v = 0; v < n; v++) norm += x[v]! * x[v]!;
    norm = Math.sqrt(norm) || 1;
    let change = 0;
    for (let v = 0; v < n; v++) {
      x[v]! /= norm;
      change += Math.abs(x[v]! - last[v]!);
    }
    if (change < n * tol) return { values: x, iterations: iter, converged: true };
  }
  return { values: x, iterations: maxIter, converged: false };
}
