/**
 * The all-sources kernels (betweenness, closeness) as plain JavaScript source text. The same text
 * runs on the main thread (via `new Function`) and in worker threads (`eval: true`), so results do
 * not depend on how many threads ran them, and no TypeScript loader is needed inside workers.
 *
 * brandes: Brandes (2001) "A faster algorithm for betweenness centrality", unweighted case. The BFS
 * queue doubles as the stack of vertices in non-decreasing distance; instead of predecessor lists the
 * BFS records each vertex's DAG successors in one flat array (a vertex's successors are contiguous
 * because vertices are dequeued in order), so the dependency phase reads only DAG edges, without a
 * second adjacency scan or data-dependent branches, and divides once per vertex, not per edge.
 */
export const KERNEL_SOURCE = String.raw`
function brandes(n, offsets, targets, sources, bc) {
  const sigma = new Float64Array(n);
  const dist = new Int32Array(n).fill(-1);
  const coef = new Float64Array(n);
  const order = new Int32Array(n);
  const succStart = new Int32Array(n + 1);
  const succ = new Int32Array(Math.max(16, targets.length));
  for (let si = 0; si < sources.length; si++) {
    const s = sources[si];
    let head = 0, tail = 0, ns = 0;
    order[tail++] = s; dist[s] = 0; sigma[s] = 1;
    while (head < tail) {
      const v = order[head];
      succStart[head++] = ns;
      const dv = dist[v] + 1;
      const sv = sigma[v];
      for (let i = offsets[v], e = offsets[v + 1]; i < e; i++) {
        const w = targets[i];
        let dw = dist[w];
        if (dw < 0) { dist[w] = dv; order[tail++] = w; dw = dv; }
        if (dw === dv) { sigma[w] += sv; succ[ns++] = w; }
      }
    }
    succStart[tail] = ns;
    // Dependency accumulation over the shortest-path DAG, farthest first:
    // delta(v) = sigma(v) * sum over successors w of (1 + delta(w)) / sigma(w).
    for (let k = tail - 1; k > 0; k--) {
      const v = order[k];
      let d = 0;
      for (let i = succStart[k], e = succStart[k + 1]; i < e; i++) d += coef[succ[i]];
      const delta = sigma[v] * d;
      coef[v] = (1 + delta) / sigma[v];
      bc[v] += delta;
    }
    for (let k = 0; k < tail; k++) { const v = order[k]; dist[v] = -1; sigma[v] = 0; coef[v] = 0; }
  }
}
function closeness(n, offsets, targets, sources, out) {
  // out[2*i] = sum of distances from sources[i], out[2*i+1] = number of nodes reached (incl. itself).
  const dist = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  for (let si = 0; si < sources.length; si++) {
    const s = sources[si];
    let head = 0, tail = 0, total = 0;
    order[tail++] = s; dist[s] = 0;
    while (head < tail) {
      const v = order[head++];
      const dv = dist[v] + 1;
      for (let i = offsets[v], e = offsets[v + 1]; i < e; i++) {
        const w = targets[i];
        if (dist[w] < 0) { dist[w] = dv; total += dv; order[tail++] = w; }
      }
    }
    out[2 * si] = total; out[2 * si + 1] = tail;
    for (let k = 0; k < tail; k++) dist[order[k]] = -1;
  }
}
`;

/** The worker body: runs one kernel over its share of the sources and posts the result back. */
export const WORKER_SOURCE = `${KERNEL_SOURCE}
const { parentPort, workerData } = require('node:worker_threads');
const { kernel, n, offsets, targets, sources } = workerData;
const out = new Float64Array(kernel === 'brandes' ? n : 2 * sources.length);
if (kernel === 'brandes') brandes(n, offsets, targets, sources, out); else closeness(n, offsets, targets, sources, out);
parentPort.postMessage(out, [out.buffer]);
`;

export type KernelName = 'brandes' | 'closeness';
type KernelFn = (n: number, offsets: Int32Array, targets: Int32Array, sources: Int32Array, out: Float64Array) => void;

// Compiled from a trusted constant (the same text the workers run).
const compiled = new Function(`${KERNEL_SOURCE}; return { brandes, closeness };`)() as Record<KernelName, KernelFn>;

/** Runs a kernel on the calling thread. */
export function runKernelSync(kernel: KernelName, n: number, offsets: Int32Array, targets: Int32Array, sources: Int32Array): Float64Array {
  const out = new Float64Array(kernel === 'brandes' ? n : 2 * sources.length);
  compiled[kernel](n, offsets, targets, sources, out);
  return out;
}
