import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../model/index.js';
import { buildNetwork, type GraphEdge, type GraphNode } from './network.js';
import { allShortPaths, connectingNetwork, neighbourhood, shortestPath, timeRespectingPaths } from './queries.js';
import { mulberry32 } from './random.js';

const person = (id: string): GraphNode => ({ id, kind: 'Person', label: id.slice(2) });
const nodes: GraphNode[] = ['p:alice', 'p:bruno', 'p:chen', 'p:dara', 'p:emil', 'p:farah', 'p:gus'].map(person);
nodes.push({ id: 'ph:1', kind: 'Phone' });
const edge = (source: string, target: string, kind: string, weight: number, extra: Partial<GraphEdge> = {}): GraphEdge => ({
  source,
  target,
  kind,
  weight,
  evidence: [`st-${source}-${target}`],
  ...extra,
});
const edges: GraphEdge[] = [
  edge('p:alice', 'p:bruno', 'Associate', 1),
  edge('p:bruno', 'p:chen', 'Communication', 5, { first: '2024-01-10T00:00:00Z', last: '2024-01-20T00:00:00Z', directed: true, count: 5 }),
  edge('p:chen', 'p:dara', 'Communication', 2, { first: '2024-01-05T00:00:00Z', last: '2024-01-08T00:00:00Z' }),
  edge('p:chen', 'p:emil', 'Meeting', 1, { first: '2024-02-01T00:00:00Z', last: '2024-02-01T00:00:00Z' }),
  edge('p:alice', 'p:farah', 'Family', 1),
  edge('p:farah', 'p:emil', 'Communication', 1, { first: '2024-03-01T00:00:00Z', last: '2024-03-05T00:00:00Z' }),
  edge('p:dara', 'p:emil', 'Associate', 3),
  edge('p:gus', 'ph:1', 'PhoneUse', 1),
];
const net = buildNetwork(nodes, edges);
const ids = (list: readonly { id: string }[]): string[] => list.map((n) => n.id).sort();

describe('neighbourhood', () => {
  it('returns nodes by hop distance with the links among them', () => {
    const one = neighbourhood(net, 'p:alice');
    expect(ids(one.nodes)).toEqual(['p:alice', 'p:bruno', 'p:farah']);
    expect(one.edges).toHaveLength(2);
    const two = neighbourhood(net, 'p:alice', { hops: 2 });
    expect(ids(two.nodes)).toEqual(['p:alice', 'p:bruno', 'p:chen', 'p:emil', 'p:farah']);
    expect(two.nodes.find((n) => n.id === 'p:chen')!.hops).toBe(2);
    // Links among the nodes include chen–emil, found from both sides but listed once.
    expect(two.edges.filter((e) => e.kind === 'Meeting')).toHaveLength(1);
  });
  it('filters by link kind, time window and minimum weight', () => {
    expect(ids(neighbourhood(net, 'p:alice', { hops: 3, filter: { kinds: ['Associate'] } }).nodes)).toEqual(['p:alice', 'p:bruno']);
    const late = neighbourhood(net, 'p:chen', { hops: 1, filter: { from: '2024-02-15T00:00:00Z' } });
    // bruno–chen and chen–dara ended before the window; chen–emil (1 Feb) too.
    expect(ids(late.nodes)).toEqual(['p:chen']);
    const datedOnly = neighbourhood(net, 'p:dara', { hops: 1, filter: { datedOnly: true } });
    expect(ids(datedOnly.nodes)).toEqual(['p:chen', 'p:dara']);
    const strong = neighbourhood(net, 'p:bruno', { hops: 3, filter: { minWeight: 2 } });
    expect(ids(strong.nodes)).toEqual(['p:bruno', 'p:chen', 'p:dara', 'p:emil']);
  });
  it('does not walk through nodes of excluded kinds', () => {
    const r = neighbourhood(net, 'p:gus', { hops: 2, filter: { nodeKinds: ['Person'] } });
    expect(ids(r.nodes)).toEqual(['p:gus', 'ph:1']);
  });
  it('says when it was cut short, and refuses absurd hop counts and unknown ids', () => {
    const r = neighbourhood(net, 'p:alice', { hops: 5, maxNodes: 3 });
    expect(r.truncated).toBe(true);
    expect(r.nodes).toHaveLength(3);
    expect(r.note).toMatch(/stopped at 3/);
    expect(() => neighbourhood(net, 'p:alice', { hops: 11 })).toThrow(/hops must be an integer from 0 to 10/);
    try {
      neighbourhood(net, 'p:nobody');
      expect.unreachable();
    } catch (e) {
      expect(isTesseraError(e) && e.code === 'NOT_FOUND' && e.record === 'p:nobody').toBe(true);
    }
    expect(() => neighbourhood(net, 'p:alice', { filter: { from: '2024-03-01', to: '2024-01-01' } })).toThrow(/ends before it starts/);
  });
});

describe('paths', () => {
  it('finds the fewest-hop path, or the strongest-tie path when weighted', () => {
    const hops = shortestPath(net, 'p:alice', 'p:dara');
    expect(hops.found).toBe(true);
    expect(hops.hops).toBe(3);
    expect(hops.edges).toHaveLength(3);
    const strong = shortestPath(net, 'p:alice', 'p:dara', { weighted: true });
    expect(strong.nodes).toEqual(['p:alice', 'p:bruno', 'p:chen', 'p:dara']);
    expect(strong.cost).toBeCloseTo(1 + 1 / 5 + 1 / 2, 12);
  });
  it('answers plainly when two nodes are not connected', () => {
    const r = shortestPath(net, 'p:alice', 'p:gus');
    expect(r.found).toBe(false);
    expect(r.note).toMatch(/not reachable/);
  });
  it('lists all short paths, shortest first, with a bounded count', () => {
    const three = allShortPaths(net, 'p:alice', 'p:dara', { maxLength: 3 });
    expect(three.paths.map((p) => p.join('>')).sort()).toEqual(['p:alice>p:bruno>p:chen>p:dara', 'p:alice>p:farah>p:emil>p:dara']);
    const four = allShortPaths(net, 'p:alice', 'p:dara', { maxLength: 4 });
    expect(four.paths).toHaveLength(4);
    expect(four.paths[0]!.length).toBeLessThanOrEqual(four.paths[3]!.length);
    const capped = allShortPaths(net, 'p:alice', 'p:dara', { maxLength: 4, maxPaths: 1 });
    expect(capped.truncated).toBe(true);
    expect(allShortPaths(net, 'p:alice', 'p:gus').note).toMatch(/no path/);
  });
  it('agrees with brute-force enumeration on random graphs', () => {
    const random = mulberry32(4);
    const n = 14;
    const rn: GraphNode[] = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'Person' }));
    const re: GraphEdge[] = [];
    for (let i = 0; i < 30; i++) {
      const u = Math.floor(random() * n);
      const v = Math.floor(random() * n);
      if (u !== v) re.push({ source: `n${u}`, target: `n${v}`, kind: 'Associate', weight: 1, evidence: [] });
    }
    const g = buildNetwork(rn, re);
    const adj = Array.from({ length: n }, () => new Set<number>());
    re.forEach((e) => {
      adj[Number(e.source.slice(1))]!.add(Number(e.target.slice(1)));
      adj[Number(e.target.slice(1))]!.add(Number(e.source.slice(1)));
    });
    const brute = (a: number, b: number, max: number): string[] => {
      const out: string[] = [];
      const walk = (path: number[]): void => {
        const v = path[path.length - 1]!;
        if (v === b) return void out.push(path.map((x) => `n${x}`).join('>'));
        if (path.length > max) return;
        for (const u of adj[v]!) if (!path.includes(u)) walk([...path, u]);
      };
      walk([a]);
      return out.sort();
    };
    for (const [a, b] of [[0, 5], [3, 9], [1, 13]] as const) {
      const r = allShortPaths(g, `n${a}`, `n${b}`, { maxLength: 5, maxPaths: 10_000 });
      expect(r.paths.map((p) => p.join('>')).sort()).toEqual(brute(a, b, 5));
    }
  });
});

describe('time-respecting paths', () => {
  it('follows contacts in time order and respects direction', () => {
    const r = timeRespectingPaths(net, 'p:bruno');
    const reached = new Map(r.reached!.map((x) => [x.id, x]));
    expect(reached.get('p:chen')!.arrival).toBe(Date.parse('2024-01-10T00:00:00Z'));
    expect(reached.get('p:emil')!.arrival).toBe(Date.parse('2024-02-01T00:00:00Z'));
    expect(reached.get('p:farah')!.hops).toBe(3);
    // chen–dara ended (8 Jan) before bruno's call reached chen (10 Jan): no chain.
    expect(reached.has('p:dara')).toBe(false);
    // The call runs bruno → chen only.
    expect(timeRespectingPaths(net, 'p:chen', 'p:bruno').found).toBe(false);
  });
  it('returns the chain with the time of each hop, within a window', () => {
    const r = timeRespectingPaths(net, 'p:bruno', 'p:farah');
    expect(r.found).toBe(true);
    expect(r.hops.map((h) => h.to)).toEqual(['p:chen', 'p:emil', 'p:farah']);
    expect(r.hops.map((h) => h.at)).toEqual(['2024-01-10', '2024-02-01', '2024-03-01'].map((d) => Date.parse(`${d}T00:00:00Z`)));
    expect(timeRespectingPaths(net, 'p:bruno', 'p:farah', { end: '2024-02-15T00:00:00Z' }).found).toBe(false);
  });
});

describe('connecting network (Mehlhorn Steiner approximation)', () => {
  it('links the requested nodes with a small tree', () => {
    const r = connectingNetwork(net, ['p:alice', 'p:dara', 'p:emil']);
    const found = ids(r.nodes);
    for (const t of ['p:alice', 'p:dara', 'p:emil']) expect(found).toContain(t);
    expect(r.edges.length).toBe(r.nodes.length - 1);
    // Optimal here is alice–farah–emil–dara (3 links).
    expect(r.cost).toBe(3);
    expect(r.disconnected).toEqual([]);
    // alice and dara are the furthest apart inside the tree: alice–farah–emil–dara.
    expect(r.hops).toBe(3);
    expect(connectingNetwork(net, ['p:alice', 'p:bruno']).hops).toBe(1);
  });
  it('names groups that cannot be connected, and needs two nodes', () => {
    const r = connectingNetwork(net, ['p:alice', 'p:bruno', 'p:gus']);
    expect(r.disconnected.map((g) => [...g].sort())).toEqual([['p:alice', 'p:bruno'], ['p:gus']]);
    // Only requested nodes the network joins count towards its reach.
    expect(r.hops).toBe(1);
    expect(() => connectingNetwork(net, ['p:alice', 'p:alice'])).toThrow(/at least two/);
  });
});

describe('building the network', () => {
  it('rejects unknown endpoints, duplicate ids and bad weights with the record at fault', () => {
    expect(() => buildNetwork([person('p:a')], [edge('p:a', 'p:b', 'Associate', 1)])).toThrow(/p:a->p:b.*target/);
    expect(() => buildNetwork([person('p:a'), person('p:a')], [])).toThrow(/duplicate/);
    expect(() => buildNetwork([person('p:a'), person('p:b')], [edge('p:a', 'p:b', 'Associate', 0)])).toThrow(/weight/);
    expect(() => buildNetwork([person('p:a'), person('p:b')], [edge('p:a', 'p:b', 'Associate', 1, { first: 'soon' })])).toThrow(/valid time/);
  });
  it('merges parallel links in the structural view and keeps them in the query view', () => {
    const g = buildNetwork([person('p:a'), person('p:b')], [edge('p:a', 'p:b', 'Associate', 1), edge('p:b', 'p:a', 'Communication', 4), edge('p:a', 'p:a', 'Associate', 1)]);
    expect(Array.from(g.simple.targets)).toEqual([1, 0]);
    expect(Array.from(g.simple.weights)).toEqual([5, 5]);
    expect(neighbourhood(g, 'p:a').edges).toHaveLength(3);
  });
});
