import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, leiden, louvain, modularity } from './communities.js';
import { FIXTURE_NAMES, fixtureCsr, loadFixture, membershipOf } from './fixtures.test-helper.js';
import { type Csr, csrFromEdgeList, csrFromPairs } from './network.js';
import { gnm } from './random.js';

/** True when every community induces a connected subgraph. */
function communitiesConnected(csr: Csr, membership: Int32Array): boolean {
  const seen = new Uint8Array(csr.n);
  const roots = new Set<number>();
  for (let s = 0; s < csr.n; s++) {
    if (seen[s] === 1) continue;
    const c = membership[s]!;
    if (roots.has(c)) return false;
    roots.add(c);
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let p = csr.offsets[v]!; p < csr.offsets[v + 1]!; p++) {
        const u = csr.targets[p]!;
        if (seen[u] === 0 && membership[u] === c) {
          seen[u] = 1;
          stack.push(u);
        }
      }
    }
  }
  return true;
}

describe.each(FIXTURE_NAMES)('modularity equals networkx on %s', (name) => {
  const f = loadFixture(name);
  const csr = fixtureCsr(f);
  it.each(Object.keys(f.partitions))('partition %s', (key) => {
    const p = f.partitions[key]!;
    expect(Math.abs(modularity(csr, membershipOf(f.n, p.communities)) - p.modularity)).toBeLessThanOrEqual(1e-9);
  });
  it('Louvain and Leiden reach at least networkx Louvain / igraph Leiden quality', () => {
    const reference = Math.max(f.partitions['louvain_seed1']!.modularity, f.igraph_leiden_modularity ?? 0);
    for (const result of [louvain(csr), leiden(csr)]) {
      expect(Math.abs(result.modularity - modularity(csr, result.membership))).toBeLessThan(1e-12);
      expect(result.modularity).toBeGreaterThanOrEqual(reference - 0.01);
    }
  });
});

describe('Leiden', () => {
  it('keeps every community connected (the guarantee Louvain lacks)', () => {
    const { src, dst } = gnm(3000, 7000, 5);
    const csr = csrFromPairs(3000, src, dst);
    const r = leiden(csr, { seed: 2 });
    expect(communitiesConnected(csr, r.membership)).toBe(true);
    expect(r.modularity).toBeGreaterThan(0.45);
  });
  it('keeps communities connected and modularity as high whether or not the first pass refines', () => {
    const { src, dst } = gnm(20_000, 50_000, 9);
    const csr = csrFromPairs(20_000, src, dst);
    const quick = leiden(csr, { seed: 3 });
    const full = leiden(csr, { seed: 3, refineFirstPass: true });
    for (const r of [quick, full]) expect(communitiesConnected(csr, r.membership)).toBe(true);
    expect(Math.abs(quick.modularity - full.modularity)).toBeLessThan(0.005);
    // One pass is always a Leiden iteration (with refinement), never a bare Louvain pass.
    expect(communitiesConnected(csr, leiden(csr, { seed: 3, iterations: 1 }).membership)).toBe(true);
  });
  it('recovers planted communities', () => {
    // Four 30-node groups, dense inside, sparse between.
    const { src, dst } = gnm(120, 1200, 3);
    const pairs: [number, number][] = [];
    for (let i = 0; i < src.length; i++) {
      const [u, v] = [src[i]!, dst[i]!];
      if (Math.floor(u / 30) === Math.floor(v / 30) || i % 25 === 0) pairs.push([u, v]);
    }
    const csr = csrFromEdgeList(120, pairs);
    const truth = Array.from({ length: 120 }, (_, v) => Math.floor(v / 30));
    expect(adjustedRandIndex(leiden(csr).membership, truth)).toBeGreaterThan(0.95);
    expect(adjustedRandIndex(louvain(csr).membership, truth)).toBeGreaterThan(0.95);
  });
  it('is deterministic for a seed and numbers communities by size', () => {
    const csr = fixtureCsr(loadFixture('gnm200'));
    const a = leiden(csr, { seed: 4 });
    const b = leiden(csr, { seed: 4 });
    expect(Array.from(a.membership)).toEqual(Array.from(b.membership));
    const sizes = Array.from({ length: a.count }, (_, c) => a.membership.filter((m) => m === c).length);
    expect([...sizes].sort((x, y) => y - x)).toEqual(sizes);
  });
  it('finds the karate club split well above chance', () => {
    const f = loadFixture('karate');
    expect(adjustedRandIndex(leiden(fixtureCsr(f)).membership, f.club!)).toBeGreaterThan(0.3);
  });
  it('handles edgeless graphs and rejects bad options', () => {
    const empty = csrFromEdgeList(5, []);
    expect(leiden(empty).count).toBe(5);
    expect(louvain(empty).modularity).toBe(0);
    const csr = csrFromEdgeList(3, [[0, 1]]);
    expect(() => leiden(csr, { resolution: -1 })).toThrow(/resolution/);
    expect(() => leiden(csr, { iterations: 0 })).toThrow(/iterations/);
    expect(() => modularity(csr, new Int32Array(2))).toThrow(/every node/);
  });
  it('higher resolution gives more, smaller communities', () => {
    const csr = fixtureCsr(loadFixture('gnm200'));
    expect(leiden(csr, { resolution: 2 }).count).toBeGreaterThan(leiden(csr, { resolution: 0.5 }).count);
  });
});

describe('adjusted Rand index', () => {
  it('is 1 for identical partitions up to relabelling and near 0 for unrelated ones', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2], ['a', 'a', 'b', 'b', 'c'])).toBeCloseTo(1, 12);
    const a = Array.from({ length: 2000 }, (_, i) => i % 7);
    const b = Array.from({ length: 2000 }, (_, i) => Math.floor(i / 7) % 5);
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.02);
  });
});
