import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphPlugin, triagePlugin } from '../../src/api/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { ProjectionCache } from '../../src/graph/index.js';
import { ResolutionService } from '../../src/resolve/index.js';
import { chloeTravels, emilInBelgium, triageWorld } from '../../src/triage/world.test-helper.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { frCtx } from '../support/governance.js';
import { stmt } from '../support/statements.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
interface Client {
  cookie: string;
  csrf: string;
}
interface RankJson {
  total: number;
  resolution: { source: string; clusters: number };
  subjects: { subject: string; entityIds: string[]; risk: number; contributions: { signal: string }[] }[];
}

const AS_OF = '2025-07-01T00:00:00Z';
const WEEKLY = { purpose: 'Weekly triage of surveillance capacity for Operation Atlas', caseId: 'FR-OP-ATLAS' };

async function signIn(f: Fixture, userId: string): Promise<Client> {
  const res = await f.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: TEST_PASSWORD }) });
  expect(res.status).toBe(200);
  const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  const ctx = await f.app.request('/api/session/context', { method: 'PUT', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'application/json' }, body: JSON.stringify(WEEKLY) });
  expect(ctx.status).toBe(200);
  return client;
}

async function get<T>(f: Fixture, c: Client, path: string): Promise<T> {
  const res = await f.app.request(path, { headers: { cookie: c.cookie, 'x-csrf-token': c.csrf } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const signal = (r: RankJson, entity: string, name: string) => r.subjects.find((s) => s.entityIds.includes(entity))?.contributions.find((c) => c.signal === name);

// /api/triage and /api/graph share the app's projection cache (ApiServices.projections).
describe('triage and graph API: one projection cache', () => {
  const cache = new ProjectionCache();
  let f: Fixture;
  let analyst: Client;
  let junior: Client;

  beforeAll(async () => {
    f = await apiFixture({ plugins: [graphPlugin(), triagePlugin()], projections: cache });
    await f.gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior'], openedAt: '2024-01-01T00:00:00Z' });
    await f.gov.upsertUser({ ...(await f.gov.user('fr.junior'))!, passwordHash: hashPassword(TEST_PASSWORD) });
    // Dario's firearm is CONFIDENTIAL: fr.junior (RESTRICTED) may not see it.
    const secret = { classification: 'CONFIDENTIAL', source: { agency: 'FR-CT', documentId: 'fixture-c', collectedAt: '2025-05-01T00:00:00Z' } } as const;
    await f.gov.systemWrite('test', 'Triage fixture world for the projection cache test', [
      ...triageWorld(),
      ...emilInBelgium(),
      stmt({ ...secret, entityId: 'fr-ct:fa7', schema: 'Firearm', prop: 'serialNumber', value: 'Q555111' }),
      stmt({ ...secret, entityId: 'fr-ct:pos7', schema: 'Possession', prop: 'owner', value: 'fr-ct:dario' }),
      stmt({ ...secret, entityId: 'fr-ct:pos7', schema: 'Possession', prop: 'asset', value: 'fr-ct:fa7' }),
    ]);
    await new ResolutionService(f.gov).judge(frCtx, 'fr-ct:emil', 'be-ct:emil', 'white', 'Same man: name variant and the same circle of contacts');
    analyst = await signIn(f, 'fr.analyst');
    junior = await signIn(f, 'fr.junior');
  });
  afterAll(async () => f.store.close());

  let first: RankJson;

  it('a ranking of resolved persons projects once; the link chart then reuses that projection', async () => {
    first = await get<RankJson>(f, analyst, `/api/triage/rank?asOf=${AS_OF}&limit=100`);
    expect(first.resolution).toMatchObject({ source: 'resolution', clusters: 1 });
    expect(cache.stats()).toEqual({ hits: 0, misses: 1, entries: 1 });
    const chart = await get<{ nodes: { id: string; members?: string[] }[] }>(f, analyst, '/api/graph/neighbours/fr-ct:emil?hops=1');
    expect(chart.nodes.find((n) => n.id === 'be-ct:emil')?.members).toEqual(['be-ct:emil', 'fr-ct:emil']);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, entries: 1 });
    const audit = await f.store.readAudit(0, 100_000);
    expect(audit.filter((e) => e.action === 'scan.link-analysis' && e.details.cached === true && e.userId === 'fr.analyst')).toHaveLength(1);
  });

  it('a second ranking is answered from the gathered signals, without projecting', async () => {
    const second = await get<RankJson>(f, analyst, `/api/triage/rank?asOf=${AS_OF}&limit=100`);
    expect(second).toEqual(first);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, entries: 1 });
  });

  it('a statement write invalidates both: the next ranking projects again and sees it', async () => {
    expect(signal(first, 'fr-ct:chloe', 'conflictTravel')).toBeUndefined();
    await f.gov.systemWrite('test', 'Later travel record for the cache test', chloeTravels());
    const after = await get<RankJson>(f, analyst, `/api/triage/rank?asOf=${AS_OF}&limit=100`);
    expect(signal(after, 'fr-ct:chloe', 'conflictTravel')).toBeDefined();
    expect(cache.stats().misses).toBe(2);
  });

  it('a reader with other access never gets the analyst’s projection or signals', async () => {
    const before = cache.stats();
    const analystView = await get<RankJson>(f, analyst, `/api/triage/rank?asOf=${AS_OF}&limit=100`);
    expect(signal(analystView, 'fr-ct:dario', 'firearm')).toBeDefined();
    const juniorView = await get<RankJson>(f, junior, `/api/triage/rank?asOf=${AS_OF}&limit=100`);
    expect(signal(juniorView, 'fr-ct:dario', 'firearm')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: before.hits, misses: before.misses + 1, entries: 2 });
  });
});
