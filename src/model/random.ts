/**
 * mulberry32 (Tommy Ettinger): a seeded 32-bit generator small enough to inline in hot loops.
 * For reproducible sampling and orderings only (graph kernels, EM's random pairs, synthetic tests) —
 * never for anything security-relevant.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
