import { describe, expect, it } from 'vitest';
import { analyseNetwork } from './analysis.js';
import { loadFixture } from './fixtures.test-helper.js';
import { buildNetwork } from './network.js';

describe('analyseNetwork', () => {
  const f = loadFixture('bridges');
  const id = (v: number): string => `xx-t:n${v}`;
  const net = buildNetwork(
    Array.from({ length: f.n }, (_, v) => ({ id: id(v), kind: 'Person' })),
    f.edges.map(([a, b]) => ({ source: id(a!), target: id(b!), kind: 'Associate', weight: 1, evidence: [`st-${a}-${b}`] })),
  );
  it('reports every centrality, communities, cut points and key players in node ids', async () => {
    const r = await analyseNetwork(net, { keyPlayers: 2, threads: 1 });
    r.nodes.forEach((n, v) => {
      expect(n.id).toBe(id(v));
      expect(Math.abs(n.betweenness - f.betweenness[v]!)).toBeLessThan(1e-6);
      expect(Math.abs(n.closeness - f.closeness[v]!)).toBeLessThan(1e-6);
      expect(Math.abs(n.degree - f.degree[v]!)).toBeLessThan(1e-6);
    });
    expect(r.communities.members.flat().sort()).toEqual(net.nodes.map((n) => n.id).sort());
    expect(r.articulationPoints).toEqual(f.articulation_points.map(id));
    expect(r.bridges).toEqual(f.bridges.map(([a, b]) => [id(a), id(b)]));
    expect(r.keyPlayers!.steps).toHaveLength(2);
    expect(r.keyPlayers!.after).toBeGreaterThan(r.keyPlayers!.before);
    expect(r.betweenness.exact).toBe(true);
    expect(r.closenessComputed).toBe(true);
  });
  it('falls back to sampled betweenness and skips closeness over the work budget, and says so', async () => {
    const r = await analyseNetwork(net, { maxWork: 100, threads: 1, communities: 'louvain' });
    expect(r.betweenness.exact).toBe(false);
    expect(r.betweenness.note).toMatch(/sampled betweenness/);
    expect(r.closenessComputed).toBe(false);
    expect(r.nodes.every((n) => Number.isNaN(n.closeness))).toBe(true);
    expect(r.communities.algorithm).toBe('louvain');
  });
});
