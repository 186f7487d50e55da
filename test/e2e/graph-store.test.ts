import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, graphPlugin, openApiDocument } from '../../src/api/index.js';
import { DEMO_PASSWORD } from '../../src/cli/load.js';
import { loadConfig } from '../../src/config/index.js';
import { Governance } from '../../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../../src/model/index.js';
import type { ScenarioTruth } from '../../src/scenario/index.js';
import { openStore } from '../../src/store/index.js';
import { tessera } from '../support/spawn-cli.js';

/**
 * `tessera graph …` and /api/graph on a real store: the tiny scenario is loaded once, then every
 * query runs through governance as the demo analyst (fr.analyst, case FR-OP-ATLAS under the
 * counter-terrorism basis: network analysis, at most 4 hops).
 */
const dir = mkdtempSync(join(tmpdir(), 'tessera-graph-store-'));
const file = join(dir, 'graph.sqlite');
const db = `sqlite:${file}`;
let truth: ScenarioTruth;
/** Store records of the first cell's members (persons the scenario placed in the store). */
let members: string[][];

beforeAll(() => {
  const r = tessera(['--db', db, 'load', '--size', 'tiny', '--seed', '3', '--truth', join(dir, 'truth.json')]);
  expect(r.code, r.stderr).toBe(0);
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as ScenarioTruth;
  const cell = truth.cells.find((c) => c.country === 'FR')!;
  const records = new Map(truth.persons.map((p) => [p.id, p.records]));
  members = cell.members.map((m) => [...(records.get(m) ?? [])]).filter((r) => r.length > 0);
  expect(members.length).toBeGreaterThanOrEqual(2);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sub {
  nodes: { id: string; hops: number; kind: string }[];
  edges: { source: string; target: string; kind: string; evidence: string[] }[];
}

describe('tessera graph on the store', () => {
  it('finds the neighbours of a cell member, with links explained by statements', () => {
    const leader = members[0]![0]!;
    const others = members.slice(1).flat();
    const r = tessera(['--db', db, '--json', 'graph', 'neighbours', leader, '--hops', '2']);
    expect(r.code, r.stderr).toBe(0);
    const sub = JSON.parse(r.stdout) as Sub;
    expect(sub.nodes.find((n) => n.id === leader)?.hops).toBe(0);
    expect(sub.nodes.some((n) => others.includes(n.id))).toBe(true);
    expect(sub.edges.length).toBeGreaterThan(0);
    for (const e of sub.edges) expect(e.evidence.length).toBeGreaterThan(0);
    const table = tessera(['--db', db, 'graph', 'neighbours', leader]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/hops\s+id\s+kind\s+label/);
    expect(table.stdout).toMatch(/\d+ nodes, \d+ links/);
  }, 60_000);

  it('puts cell members in one community (persons only, Leiden)', () => {
    const r = tessera(['--db', db, '--json', 'graph', 'communities', '--node-kinds', 'Person']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { communities: string[][]; modularity: number; count: number };
    expect(out.modularity).toBeGreaterThan(0.3);
    const communityOf = new Map<string, number>();
    out.communities.forEach((m, c) => m.forEach((id) => communityOf.set(id, c)));
    const leaderCommunity = communityOf.get(members[0]![0]!);
    expect(leaderCommunity).toBeDefined();
    // At least one other member of the cell sits in the leader's community.
    expect(members.slice(1).flat().some((id) => communityOf.get(id) === leaderCommunity)).toBe(true);
  }, 60_000);

  it('refuses a hop count beyond the case’s legal basis, and link analysis under a screening-only case', () => {
    const leader = members[0]![0]!;
    const far = tessera(['--db', db, 'graph', 'neighbours', leader, '--hops', '5']);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/LEGAL_BASIS.*up to 4 hops, not 5/);
    const screening = tessera(['--db', db, '--user', 'fr.analyst', '--purpose', 'Screen arrivals for the intake case', '--case', 'FR-OP-VERCORS', 'graph', 'neighbours', leader]);
    expect(screening.code).toBe(1);
    expect(screening.stderr).toMatch(/LEGAL_BASIS.*does not allow link-analysis/);
    const unknown = tessera(['--db', db, 'graph', 'neighbours', 'fr-ct:per-does-not-exist']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND.*fr-ct:per-does-not-exist/);
  }, 60_000);
});

describe('/api/graph plug-in on the store', () => {
  it('answers neighbours, path and communities behind session, purpose and case, and refuses too many hops', async () => {
    const store = await openStore({ url: db });
    try {
      const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
      const { app } = createApp({ gov, config: loadConfig({}, { databaseUrl: db, port: 0 }), logger: pino({ level: 'silent' }), plugins: [graphPlugin()] });
      const leader = members[0]![0]!;
      const path = `/api/graph/neighbours/${encodeURIComponent(leader)}?hops=1`;
      expect((await app.request(path)).status).toBe(401);
      const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'fr.analyst', password: DEMO_PASSWORD }) });
      expect(login.status).toBe(200);
      const headers = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken };
      expect(((await (await app.request(path, { headers })).json()) as { code: string }).code).toBe('PURPOSE_REQUIRED');
      const ctx = await app.request('/api/session/context', {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ purpose: 'Map the Kestrel network for Operation Atlas', caseId: 'FR-OP-ATLAS' }),
      });
      expect(ctx.status).toBe(200);

      const res = await app.request(path, { headers });
      expect(res.status).toBe(200);
      const sub = (await res.json()) as Sub;
      expect(sub.nodes.find((n) => n.id === leader)?.hops).toBe(0);
      expect(sub.nodes.length).toBeGreaterThan(1);

      const other = sub.nodes.find((n) => n.hops === 1 && n.kind === 'Person')!;
      const p = await app.request(`/api/graph/path?source=${encodeURIComponent(leader)}&target=${encodeURIComponent(other.id)}`, { headers });
      expect(p.status).toBe(200);
      expect(await p.json()).toMatchObject({ found: true, hops: 1, paths: [[leader, other.id]] });

      const far = await app.request(`/api/graph/neighbours/${encodeURIComponent(leader)}?hops=5`, { headers });
      expect(far.status).toBe(403);
      expect(await far.json()).toMatchObject({ code: 'LEGAL_BASIS', field: 'hops' });

      const communities = (await (await app.request('/api/graph/communities?nodeKinds=Person', { headers })).json()) as { modularity: number; communities: string[][] };
      expect(communities.modularity).toBeGreaterThan(0.3);
      expect(communities.communities.some((m) => m.includes(leader))).toBe(true);

      const events = (await (await app.request(`/api/graph/timeline/${encodeURIComponent(leader)}`, { headers })).json()) as { time: string; sources: unknown[] }[];
      expect(events.length).toBeGreaterThan(1);
      expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort());
      expect(events.every((e) => e.sources.length > 0)).toBe(true);
      const succession = (await (await app.request('/api/graph/succession?top=5', { headers })).json()) as { oldPhone: string; score: number; evidence: string[] }[];
      expect(succession.length).toBeGreaterThan(0);
      expect(succession.every((c) => c.oldPhone.startsWith('phone:') && c.evidence.length > 0)).toBe(true);

      expect((await app.request('/api/graph/neighbours/nobody?hops=1', { headers })).status).toBe(404);
      expect(Object.keys((openApiDocument(app) as { paths: object }).paths)).toEqual(expect.arrayContaining(['/api/graph/neighbours/{id}', '/api/graph/timeline/{id}']));
    } finally {
      await store.close();
    }
  }, 60_000);
});
