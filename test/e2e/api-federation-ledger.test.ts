import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationPlugin } from '../../src/api/index.js';
import { FederationNode, createInboxApp, generateNodeIdentity, peerEntryFor } from '../../src/federation/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { InProcessNetwork } from '../../src/federation/node/testing.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
const HIT_ID = '01JF0000000000000000000001';

async function signIn(f: Fixture, userId: string, context?: { purpose: string; caseId: string }): Promise<{ cookie: string; csrf: string }> {
  const res = await f.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: TEST_PASSWORD }) });
  expect(res.status).toBe(200);
  const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  if (context) {
    const put = await f.app.request('/api/session/context', { method: 'PUT', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'application/json' }, body: JSON.stringify(context) });
    expect(put.status).toBe(200);
  }
  return client;
}

/** GET /api/federation/ledger/replay over the FR node's real ledger (FR told ES of a hit; ES acknowledged). */
describe('federation ledger replay API', () => {
  let fr: Fixture;
  let esStore: Store;

  beforeAll(async () => {
    fr = await apiFixture({ plugins: [federationPlugin()] });
    await fr.gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
    const atlas = (await fr.gov.case('FR-OP-ATLAS'))!;
    await fr.gov.upsertCase({ ...atlas, members: [...atlas.members, 'fr.super'] });
    esStore = await openStore({ url: 'sqlite::memory:' });
    const ids = { fr: generateNodeIdentity('FR-CT'), es: generateNodeIdentity('ES-CT') };
    const peers = [peerEntryFor(ids.fr, 'http://fr.test'), peerEntryFor(ids.es, 'http://es.test')];
    const net = new InProcessNetwork();
    const frNode = await FederationNode.open({ store: fr.store, identity: ids.fr, peers, fetch: net.fetch });
    const esNode = await FederationNode.open({ store: esStore, identity: ids.es, peers, fetch: net.fetch });
    net.attach('es.test', createInboxApp(esNode));
    await frNode.send('ES-CT', 'hit.notice', { hitId: HIT_ID, pointerId: 'es_ptr_00000007', matchKind: 'name', score: 0.93, holder: 'ES-CT', purpose: PURPOSE, caseId: 'FR-OP-ATLAS' }, { subjects: [HIT_ID, 'fr-ct:p1'] });
    expect(await frNode.deliverDue()).toMatchObject({ delivered: 1 });
  });
  afterAll(async () => {
    await fr.store.close();
    await esStore.close();
  });

  it('replays who knew what, when, for a supervisor under a case allowing federation', async () => {
    const c = await signIn(fr, 'fr.super', ATLAS);
    const res = await fr.app.request(`/api/federation/ledger/replay?subject=fr-ct:p1`, { headers: { cookie: c.cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { related: string[]; agencies: { agency: string; held: { entityId: string }[] }[]; timeline: { agency: string; kind: string; type: string; peer?: string; acknowledged?: { status: string } }[] };
    expect(body.related).toContain(HIT_ID);
    expect(body.timeline.map((e) => `${e.agency} ${e.kind} ${e.type}`)).toEqual(['FR-CT held holding', 'FR-CT did hit.notice']);
    expect(body.timeline[1]).toMatchObject({ peer: 'ES-CT', acknowledged: { status: 'accepted' } });
    expect(body.agencies.find((a) => a.agency === 'FR-CT')!.held.map((h) => h.entityId)).toEqual(['fr-ct:p1']);
    const audit = await fr.store.readAudit(1, 100_000);
    expect(audit.filter((e) => e.action === 'federation.ledger.replay' && e.userId === 'fr.super')).toHaveLength(1);
  });

  it('refuses without a session, without a purpose, and to an analyst', async () => {
    expect((await fr.app.request('/api/federation/ledger/replay?subject=fr-ct:p1')).status).toBe(401);
    const noPurpose = await signIn(fr, 'fr.super');
    expect((await fr.app.request('/api/federation/ledger/replay?subject=fr-ct:p1', { headers: { cookie: noPurpose.cookie } })).status).toBe(403);
    const analyst = await signIn(fr, 'fr.analyst', ATLAS);
    const res = await fr.app.request('/api/federation/ledger/replay?subject=fr-ct:p1', { headers: { cookie: analyst.cookie } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
  });
});
