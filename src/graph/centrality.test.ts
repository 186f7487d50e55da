import { describe, expect, it } from 'vitest';
import { betweenness, closeness, degreeCentrality, eigenvector } from './centrality.js';
import { FIXTURE_NAMES, fixtureCsr, loadFixture } from './fixtures.test-helper.js';
import { csrFromEdgeList, csrFromPairs } from './network.js';
import { gnm } from './random.js';

function expectClose(actual: Float64Array, expected: readonly number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((e, i) => (worst = Math.max(worst, Math.abs(actual[i]! - e))));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe.each(FIXTURE_NAMES)('centralities equal networkx on %s', (name) => {
  const f = loadFixture(name);
  const csr = fixtureCsr(f);
  it('degree', () => expectClose(degreeCentrality(csr), f.degree));
  it('betweenness on the calling thread', async () => {
    const r = await betweenness(csr, { threads: 1 });
    expect(r.exact).toBe(true);
    expectClose(r.values, f.betweenness);
  });
  it('betweenness split over two worker threads', async () => {
    const r = await betweenness(csr, { threads: 2, minParallelWork: 0 });
    expectClose(r.values, f.betweenness);
  });
  it('closeness (both threads)', async () => {
    expectClose(await closeness(csr, { threads: 1 }), f.closeness);
    expectClose(await closeness(csr, { threads: 2, minParallelWork: 0 }), f.closeness);
  });
  it('eigenvector', () => {
    const r = eigenvector(csr, { maxIter: f.eigenvector_max_iter });
    expect(r.converged).toBe(true);
    expectClose(r.values, f.eigenvector);
  });
});

describe('sampled betweenness (Brandes & Pich 2007)', () => {
  const f = loadFixture('gnm200');
  const csr = fixtureCsr(f);
  it('switches to sampling over the work budget, says so, and stays within its error bound', async () => {
    const r = await betweenness(csr, { maxWork: 60 * (csr.n + csr.targets.length), threads: 1, seed: 3 });
    expect(r.exact).toBe(false);
    expect(r.sources).toBe(60);
    expect(r.note).toMatch(/sampled/);
    const eps = r.errorBound!.epsilon;
    expect(eps).toBeGreaterThan(0);
    f.betweenness.forEach((b, i) => expect(Math.abs(r.values[i]! - b)).toBeLessThanOrEqual(eps));
  });
  it('is unbiased enough that more samples get closer', async () => {
    const err = async (samples: number): Promise<number> => {
      const r = await betweenness(csr, { samples, threads: 1, seed: 9 });
      return f.betweenness.reduce((s, b, i) => s + Math.abs(r.values[i]! - b), 0);
    };
    expect(await err(150)).toBeLessThan(await err(20));
  });
  it('with every node sampled equals the exact result', async () => {
    const r = await betweenness(csr, { samples: csr.n, threads: 1 });
    expect(r.exact).toBe(true);
    expectClose(r.values, f.betweenness);
  });
});

describe('edge cases', () => {
  it('tiny and empty graphs give zeros, not NaN', async () => {
    for (const n of [0, 1, 2]) {
      const csr = csrFromEdgeList(n, n === 2 ? [[0, 1]] : []);
      expect(Array.from((await betweenness(csr)).values).every((v) => v === 0)).toBe(true);
      expect(Array.from(await closeness(csr)).every((v) => Number.isFinite(v))).toBe(true);
    }
  });
  it('rejects a bad thread count and closeness over budget', async () => {
    const csr = csrFromEdgeList(3, [[0, 1], [1, 2]]);
    await expect(betweenness(csr, { threads: 0 })).rejects.toThrow(/threads/);
    await expect(closeness(csr, { maxWork: 1 })).rejects.toThrow(/work budget/);
  });
  it('parallel and single-thread betweenness agree on a larger random graph', async () => {
    const { src, dst } = gnm(1500, 4500, 11);
    const csr = csrFromPairs(1500, src, dst);
    const one = await betweenness(csr, { threads: 1 });
    const two = await betweenness(csr, { threads: 2, minParallelWork: 0 });
    let worst = 0;
    for (let i = 0; i < csr.n; i++) worst = Math.max(worst, Math.abs(one.values[i]! - two.values[i]!));
    expect(worst).toBeLessThan(1e-12);
  });
  it('reports non-convergence instead of throwing', () => {
    const csr = csrFromEdgeList(2, [[0, 1]]);
    // A bipartite pair would oscillate without the +I shift; with it, the second iteration is stable.
    const pair = eigenvector(csr, { maxIter: 2 });
    expect(pair.converged).toBe(true);
    expect(pair.values[0]).toBeCloseTo(Math.SQRT1_2, 12);
    const path = csrFromEdgeList(50, Array.from({ length: 49 }, (_, i) => [i, i + 1] as const));
    expect(eigenvector(path, { maxIter: 2 }).converged).toBe(false);
  });
});
