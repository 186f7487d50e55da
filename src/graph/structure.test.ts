import { describe, expect, it } from 'vitest';
import { FIXTURE_NAMES, fixtureCsr, loadFixture } from './fixtures.test-helper.js';
import { type Csr, csrFromEdgeList, csrFromPairs } from './network.js';
import { gnm } from './random.js';
import { cutPoints, fragmentation, keyPlayers } from './structure.js';

/** Fragmentation by brute force: remove the nodes, count component sizes by BFS. */
function bruteFragmentation(csr: Csr, removed: readonly number[]): number {
  const gone = new Set(removed);
  const seen = new Uint8Array(csr.n);
  let pairs = 0;
  let remaining = 0;
  for (let s = 0; s < csr.n; s++) {
    if (gone.has(s) || seen[s] === 1) continue;
    let size = 0;
    const queue = [s];
    seen[s] = 1;
    while (queue.length > 0) {
      const v = queue.pop()!;
      size++;
      for (let p = csr.offsets[v]!; p < csr.offsets[v + 1]!; p++) {
        const u = csr.targets[p]!;
        if (!gone.has(u) && seen[u] === 0) {
          seen[u] = 1;
          queue.push(u);
        }
      }
    }
    pairs += size * (size - 1);
    remaining += size;
  }
  return remaining <= 1 ? 1 : 1 - pairs / (remaining * (remaining - 1));
}

describe.each(FIXTURE_NAMES)('cut points equal networkx on %s', (name) => {
  const f = loadFixture(name);
  it('articulation points and bridges', () => {
    const cuts = cutPoints(fixtureCsr(f));
    expect(cuts.articulationPoints).toEqual(f.articulation_points);
    expect(cuts.bridges.map((b) => [...b])).toEqual(f.bridges.map((b) => [...b]));
  });
});

describe('key players (Borgatti 2006)', () => {
  it('first picks the node whose removal fragments most, matching brute force', () => {
    const f = loadFixture('bridges');
    const csr = fixtureCsr(f);
    const r = keyPlayers(csr, 1);
    let best = -1;
    for (let v = 0; v < csr.n; v++) best = Math.max(best, bruteFragmentation(csr, [v]));
    expect(r.steps[0]!.fragmentation).toBeCloseTo(best, 12);
    expect(r.before).toBeCloseTo(bruteFragmentation(csr, []), 12);
    // The middle of the path between the two cliques is the cut.
    expect([4, 5, 10, 11]).toContain(r.steps[0]!.node);
  });
  it('reports fragmentation after each greedy step, equal to brute force, non-decreasing', () => {
    const { src, dst } = gnm(300, 420, 8);
    const csr = csrFromPairs(300, src, dst);
    const r = keyPlayers(csr, 6);
    const picked: number[] = [];
    let last = r.before;
    for (const step of r.steps) {
      // Greedy optimality of each step against every alternative.
      let best = -1;
      for (let v = 0; v < csr.n; v++) if (!picked.includes(v)) best = Math.max(best, bruteFragmentation(csr, [...picked, v]));
      picked.push(step.node);
      expect(step.fragmentation).toBeCloseTo(bruteFragmentation(csr, picked), 12);
      expect(step.fragmentation).toBeCloseTo(best, 12);
      expect(step.fragmentation).toBeGreaterThanOrEqual(last - 1e-12);
      last = step.fragmentation;
    }
    expect(fragmentation(csr, picked)).toBeCloseTo(r.after, 12);
  });
  it('picks the hub of a star even though no single removal of a leaf cuts anything', () => {
    const star = csrFromEdgeList(6, [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]);
    expect(keyPlayers(star, 1).steps[0]).toEqual({ node: 0, fragmentation: 1 });
    const cycle = csrFromEdgeList(5, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]]);
    expect(keyPlayers(cycle, 1).after).toBe(0);
  });
  it('rejects k out of range with a clear message', () => {
    const csr = csrFromEdgeList(3, [[0, 1], [1, 2]]);
    expect(() => keyPlayers(csr, 3)).toThrow(/smaller than the number of nodes/);
    expect(() => keyPlayers(csr, 0)).toThrow(/positive integer/);
  });
  it('scales: 20 key players on 20k nodes in well under a second per step', () => {
    const { src, dst } = gnm(20000, 30000, 2);
    const csr = csrFromPairs(20000, src, dst);
    const t0 = performance.now();
    const r = keyPlayers(csr, 20);
    expect((performance.now() - t0) / 20).toBeLessThan(500);
    expect(r.after).toBeGreaterThan(r.before);
  });
});
