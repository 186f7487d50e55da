/** Seeded randomness for the graph kernels (node orders, source sampling): mulberry32 from the model. */
import { mulberry32 } from '../model/index.js';

export { mulberry32 };

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(a: Int32Array, random: () => number): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Erdős–Rényi G(n, m): m distinct undirected pairs, no self-loops (for tests and benchmarks). */
export function gnm(n: number, m: number, seed: number): { src: Int32Array; dst: Int32Array } {
  const random = mulberry32(seed);
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  const seen = new Set<number>();
  let k = 0;
  while (k < m) {
    const u = Math.floor(random() * n);
    const v = Math.floor(random() * n);
    if (u === v) continue;
    const key = u < v ? u * n + v : v * n + u;
    if (seen.has(key)) continue;
    seen.add(key);
    src[k] = u;
    dst[k] = v;
    k++;
  }
  return { src, dst };
}
