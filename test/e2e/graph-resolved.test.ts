import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, graphPlugin } from '../../src/api/index.js';
import { loadConfig } from '../../src/config/index.js';
import { Governance, hashPassword } from '../../src/governance/index.js';
import { ProjectionCache } from '../../src/graph/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../../src/model/index.js';
import { ResolutionService } from '../../src/resolve/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { TEST_PASSWORD } from '../support/api.js';
import { beCtx, frCtx, PURPOSE, seedWorld } from '../support/governance.js';
import { tessera } from '../support/spawn-cli.js';
import { stmt } from '../support/statements.js';

/**
 * The graph on a small store file, through the CLI and the API: two records that resolution
 * judged to be one person are one node; a connecting network reaching further than the case's hop
 * limit is refused; the API's projection cache never outlives a store write and is never shared
 * between users whose access differs.
 *
 * World (fictional): Karim Benali is recorded by FR (fr-ct:k1, associate Nadia Orsel) and by BE
 * (be-ct:k2, associate Piet Verlinde); a BE chain c1–c2–c3–c4; a SECRET link k1–s1 that only
 * cleared FR staff may see.
 */
const dir = mkdtempSync(join(tmpdir(), 'tessera-graph-resolved-'));
const db = `sqlite:${join(dir, 'graph.sqlite')}`;
const fr = { agency: 'FR-CT', documentId: 'fr-note-3', collectedAt: '2024-02-01T09:00:00Z' };
const be = { agency: 'BE-CT', documentId: 'be-pv-8', collectedAt: '2024-03-05T14:00:00Z' };

const person = (id: string, name: string, source: typeof fr) => stmt({ entityId: id, schema: 'Person', prop: 'name', value: name, source });
const associate = (id: string, a: string, b: string, source: typeof fr, extra: Partial<Parameters<typeof stmt>[0]> = {}) => [
  stmt({ entityId: id, schema: 'Associate', prop: 'person', value: a, source, ...extra }),
  stmt({ entityId: id, schema: 'Associate', prop: 'associate', value: b, source, ...extra }),
];

async function seed(store: Store): Promise<Governance> {
  const gov = await seedWorld(store);
  const passwordHash = hashPassword(TEST_PASSWORD);
  for (const u of await gov.users()) await gov.upsertUser({ ...u, passwordHash });
  await gov.systemWrite('test', 'fixture for resolved graph tests', [
    person('fr-ct:k1', 'Karim Benali', fr),
    stmt({ entityId: 'fr-ct:k1', schema: 'Person', prop: 'birthDate', value: '1990-04-02', source: fr }),
    person('be-ct:k2', 'Karim Ben Ali', be),
    stmt({ entityId: 'be-ct:k2', schema: 'Person', prop: 'birthDate', value: '1990-04-02', source: be }),
    person('fr-ct:a1', 'Nadia Orsel', fr),
    person('be-ct:a2', 'Piet Verlinde', be),
    ...associate('fr-ct:as1', 'fr-ct:k1', 'fr-ct:a1', fr),
    ...associate('be-ct:as2', 'be-ct:k2', 'be-ct:a2', be),
    ...['c1', 'c2', 'c3', 'c4'].map((c, i) => person(`be-ct:${c}`, `Chain Person ${i + 1}`, be)),
    ...associate('be-ct:ch1', 'be-ct:c1', 'be-ct:c2', be),
    ...associate('be-ct:ch2', 'be-ct:c2', 'be-ct:c3', be),
    ...associate('be-ct:ch3', 'be-ct:c3', 'be-ct:c4', be),
    stmt({ entityId: 'fr-ct:s1', schema: 'Person', prop: 'name', value: 'Sandor Quell', source: fr, classification: 'SECRET' }),
    ...associate('fr-ct:as3', 'fr-ct:k1', 'fr-ct:s1', fr, { classification: 'SECRET' }),
  ]);
  // The analyst confirms the two Karim records are one person (a white link, Reg. 2019/817 Art. 33).
  await new ResolutionService(gov).judge(frCtx, 'fr-ct:k1', 'be-ct:k2', 'white', 'same passport photo and birth date');
  return gov;
}

interface Sub {
  nodes: { id: string; kind: string; hops?: number; members?: string[] }[];
  edges: { source: string; target: string; kind: string }[];
}

const frArgs = ['--db', db, '--user', frCtx.userId, '--purpose', frCtx.purpose, '--case', frCtx.caseId];
const beArgs = ['--db', db, '--user', beCtx.userId, '--purpose', beCtx.purpose, '--case', beCtx.caseId];
const ids = (s: Sub) => s.nodes.map((n) => n.id).sort();

beforeAll(async () => {
  const store = await openStore({ url: db });
  try {
    await seed(store);
  } finally {
    await store.close();
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolved persons in the graph (CLI)', () => {
  it('shows two records an analyst confirmed to be one person as one node (--no-clusters: apart)', () => {
    const r = tessera([...frArgs, '--json', 'graph', 'neighbours', 'fr-ct:k1', '--hops', '1']);
    expect(r.code, r.stderr).toBe(0);
    // One node (named by the cluster's smallest record id) with both records' associates around it.
    const merged = JSON.parse(r.stdout) as Sub;
    expect(ids(merged)).toEqual(['be-ct:a2', 'be-ct:k2', 'fr-ct:a1', 'fr-ct:s1']);
    expect(merged.nodes.find((n) => n.id === 'be-ct:k2')).toMatchObject({ kind: 'Person', hops: 0, members: ['be-ct:k2', 'fr-ct:k1'] });
    const apart = tessera([...frArgs, '--json', 'graph', 'neighbours', 'fr-ct:k1', '--no-clusters']);
    expect(apart.code, apart.stderr).toBe(0);
    expect(ids(JSON.parse(apart.stdout) as Sub)).toEqual(['fr-ct:a1', 'fr-ct:k1', 'fr-ct:s1']);
  }, 90_000);

  it('refuses a connecting network that reaches further than the case’s hop limit', () => {
    // BE-OP-DUNE: investigation-2-hops; c1…c4 is three links (the API test below also checks the allowed cases).
    const far = tessera([...beArgs, 'graph', 'connect', 'be-ct:c1', 'be-ct:c4']);
    expect(far.code).toBe(1);
    expect(far.stderr).toMatch(/LEGAL_BASIS.*up to 2 hops, not 3/);
  }, 90_000);
});

describe('/api/graph on the same store', () => {
  let store: Store;
  let gov: Governance;
  const cache = new ProjectionCache();
  let app: ReturnType<typeof createApp>['app'];

  beforeAll(async () => {
    store = await openStore({ url: db });
    gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
    ({ app } = createApp({ gov, config: loadConfig({}, { databaseUrl: db, port: 0 }), logger: pino({ level: 'silent' }), plugins: [graphPlugin({ cache })] }));
  });
  afterAll(() => store.close());

  async function signIn(userId: string, context: { purpose: string; caseId: string }): Promise<Record<string, string>> {
    const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: TEST_PASSWORD }) });
    expect(login.status).toBe(200);
    const headers = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken };
    const ctx = await app.request('/api/session/context', { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(context) });
    expect(ctx.status).toBe(200);
    return headers;
  }
  const get = async <T>(path: string, headers: Record<string, string>, status = 200): Promise<T> => {
    const res = await app.request(path, { headers });
    const body = (await res.json()) as T;
    expect(res.status, JSON.stringify(body)).toBe(status);
    return body;
  };

  it('shows the resolved person as one node (clusters=none: apart), and refuses a connect beyond the hop limit', async () => {
    const analyst = await signIn('fr.analyst', { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' });
    const sub = await get<Sub>('/api/graph/neighbours/fr-ct:k1?hops=1', analyst);
    expect(sub.nodes.filter((n) => n.kind === 'Person' && n.hops === 0)).toEqual([expect.objectContaining({ id: 'be-ct:k2', members: ['be-ct:k2', 'fr-ct:k1'] })]);
    expect(ids(await get<Sub>('/api/graph/neighbours/be-ct:k2?hops=1', analyst))).toEqual(ids(sub));
    expect(ids(await get<Sub>('/api/graph/neighbours/fr-ct:k1?hops=1&clusters=none', analyst))).toEqual(['fr-ct:a1', 'fr-ct:k1', 'fr-ct:s1']);

    const dune = await signIn('be.analyst', { purpose: beCtx.purpose, caseId: 'BE-OP-DUNE' });
    expect(await get('/api/graph/connect?ids=be-ct:c1,be-ct:c3', dune)).toMatchObject({ hops: 2, disconnected: [] });
    expect(await get('/api/graph/connect?ids=be-ct:c1,be-ct:c4', dune, 403)).toMatchObject({ code: 'LEGAL_BASIS', field: 'hops' });
    expect(await get('/api/graph/connect?ids=be-ct:c1', dune, 400)).toMatchObject({ code: 'VALIDATION' });
    // The same question under a basis allowing four hops is answered.
    expect(await get('/api/graph/connect?ids=be-ct:c1,be-ct:c4', analyst)).toMatchObject({ hops: 3, cost: 3 });
  });

  it('answers repeated questions from the cache, audited each time, until a store write', async () => {
    const analyst = await signIn('fr.analyst', { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' });
    const start = cache.stats();
    await get<Sub>('/api/graph/neighbours/fr-ct:a1?hops=1', analyst);
    await get<Sub>('/api/graph/neighbours/fr-ct:a1?hops=2', analyst);
    const warm = cache.stats();
    expect(warm.hits - start.hits).toBeGreaterThanOrEqual(2);
    const audit = await store.readAudit(1, 100_000);
    expect(audit.filter((e) => e.action === 'scan.link-analysis' && e.userId === 'fr.analyst' && e.details?.cached === true).length).toBeGreaterThanOrEqual(2);

    // A new statement (a new associate of Nadia Orsel) invalidates the cached projection.
    await gov.systemWrite('test', 'new link after the projection was cached', [person('fr-ct:a9', 'Ulla Terbeck', fr), ...associate('fr-ct:as9', 'fr-ct:a1', 'fr-ct:a9', fr)]);
    const fresh = await get<Sub>('/api/graph/neighbours/fr-ct:a1?hops=1', analyst);
    expect(ids(fresh)).toContain('fr-ct:a9');
    expect(cache.stats().misses).toBe(warm.misses + 1);
  });

  it('never gives one user’s cached projection to a user whose access differs', async () => {
    const analyst = await signIn('fr.analyst', { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' });
    const junior = await signIn('fr.junior', { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' });
    // The cleared analyst's projection (with the SECRET link) is cached first…
    expect(ids(await get<Sub>('/api/graph/neighbours/fr-ct:k1?hops=1&clusters=none', analyst))).toContain('fr-ct:s1');
    const before = cache.stats();
    // …the RESTRICTED junior gets a projection of their own, without it.
    const seen = await get<Sub>('/api/graph/neighbours/fr-ct:k1?hops=1&clusters=none', junior);
    expect(ids(seen)).not.toContain('fr-ct:s1');
    expect(cache.stats().misses).toBe(before.misses + 1);
    await get<Sub>('/api/graph/neighbours/fr-ct:s1?hops=1&clusters=none', junior, 404);
    expect(ids(await get<Sub>('/api/graph/neighbours/fr-ct:k1?hops=1&clusters=none', analyst))).toContain('fr-ct:s1');
  });
});
