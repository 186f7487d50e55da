import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationPlugin } from '../../src/api/index.js';
import { FederationService, LoopbackNetwork, wireFlows } from '../../src/federation/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';
import { stmt } from '../support/statements.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
type Body = Record<string, unknown> & { code?: string; message?: string };
interface Client {
  cookie: string;
  csrf: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
const SOL = { purpose: 'Answer partner requests about subjects of Operation Sol', caseId: 'ES-OP-SOL' };
const SECRET = 'api-test-linkage-secret-fr-es-2026';

function call(f: Fixture, c: Client | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { ...(c ? { cookie: c.cookie, 'x-csrf-token': c.csrf } : {}), ...(body === undefined ? {} : JSON_HEADERS) };
  return Promise.resolve(f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

async function json<T = Body>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

async function signIn(f: Fixture, userId: string, context?: { purpose: string; caseId: string }): Promise<Client> {
  const res = await call(f, undefined, 'POST', '/api/auth/login', { userId, password: TEST_PASSWORD });
  expect(res.status).toBe(200);
  const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  if (context) expect((await call(f, client, 'PUT', '/api/session/context', context)).status).toBe(200);
  return client;
}

/** ES's statements on its (invented) subject: a name and date of birth, and an H2 statement releasable to FR only. */
const es = { agency: 'ES-CT', documentId: 'es-informe-4', collectedAt: '2024-04-01T10:00:00Z' };
const esName = stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Ben Ali', source: es });
const esDob = stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02', source: es });
const esH2 = stmt({ entityId: 'es-ct:p1', schema: 'Person', prop: 'notes', value: 'Crossed at La Jonquera twice in March 2024', source: es, handling: { codes: ['H2'], releasableTo: ['FR-CT'] } });

describe('federation API (/api/federation)', () => {
  const net = new LoopbackNetwork({ autoDeliver: false });
  let frApi: Fixture;
  let esApi: Fixture;
  let frService: FederationService | undefined;
  let esService: FederationService | undefined;

  beforeAll(async () => {
    frApi = await apiFixture({
      plugins: [federationPlugin({ service: ({ gov }) => (frService = wireFlows(net.node('FR-CT'), new FederationService(gov, { nodeAgency: 'FR-CT', linkage: [{ partner: 'ES-CT', keyId: 'fr-es-2026', secret: SECRET }] }))) })],
    });
    esApi = await apiFixture({
      plugins: [federationPlugin({ service: ({ gov }) => (esService = wireFlows(net.node('ES-CT'), new FederationService(gov, { nodeAgency: 'ES-CT', linkage: [{ partner: 'FR-CT', keyId: 'fr-es-2026', secret: SECRET }] }))) })],
    });
    await esApi.gov.upsertUser({ id: 'es.super', name: 'Supervisor ES', agency: 'ES-CT', roles: ['supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
    await esApi.gov.upsertCase({ id: 'ES-OP-SOL', name: 'Operation Sol', agency: 'ES-CT', legalBasis: 'counter-terrorism-full', members: ['es.analyst', 'es.super'], openedAt: '2024-01-01T00:00:00Z' });
    await esApi.gov.systemWrite('test', 'fixture load for the federation API test', [esName, esDob, esH2]);
  });
  afterAll(async () => {
    await frService?.close();
    await esService?.close();
    await frApi.store.close();
    await esApi.store.close();
  });

  it('refuses without a session (401) and without a purpose (403), and a case whose legal basis excludes federation', async () => {
    expect((await call(frApi, undefined, 'GET', '/api/federation/inbox')).status).toBe(401);
    const noPurpose = await signIn(frApi, 'fr.analyst');
    const res = await call(frApi, noPurpose, 'GET', '/api/federation/inbox');
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('PURPOSE_REQUIRED');
    const junior = await signIn(frApi, 'fr.junior', { purpose: 'Screen a traveller of Operation Bora against partners', caseId: 'FR-OP-BORA' });
    const bora = await call(frApi, junior, 'POST', '/api/federation/match', { names: ['Karim Benali'] });
    expect(bora.status).toBe(403);
    expect((await json(bora)).code).toBe('LEGAL_BASIS');
  });

  it('publish → match → request → answer → the asker reads the released H2 statement with its handling', async () => {
    const esSuper = await signIn(esApi, 'es.super', SOL);
    const esAnalyst = await signIn(esApi, 'es.analyst', SOL);
    const fr = await signIn(frApi, 'fr.analyst', ATLAS);
    // An analyst may not publish; the supervisor does.
    expect((await call(esApi, esAnalyst, 'POST', '/api/federation/pointers/publish', {})).status).toBe(403);
    const published = await json<{ published: { partner: string; added: number }[] }>(call(esApi, esSuper, 'POST', '/api/federation/pointers/publish', {}));
    expect(published.published).toEqual([expect.objectContaining({ partner: 'FR-CT', added: 1 })]);
    await net.settle();

    const match = await call(frApi, fr, 'POST', '/api/federation/match', { names: ['Karim Benali'], birthDates: ['1990-04-02'] });
    expect(match.status).toBe(200);
    const { hits } = await json<{ hits: { id: string; holder: string; score: number; pointerId: string }[] }>(match);
    expect(hits).toEqual([expect.objectContaining({ holder: 'ES-CT', pointerId: expect.stringMatching(/^p_/) })]);
    expect(JSON.stringify(hits)).not.toContain('es-ct:p1');

    expect((await call(frApi, fr, 'POST', '/api/federation/requests', { hitId: hits[0]!.id, urgency: 'soon', question: 'Travel history?' })).status).toBe(400);
    const sent = await call(frApi, fr, 'POST', '/api/federation/requests', { hitId: hits[0]!.id, urgency: 'urgent', question: 'Travel history of the subject in 2024?' });
    expect(sent.status).toBe(201);
    const request = await json<{ id: string; deadline: string; requestedAt: string; status: string; level: number }>(sent);
    expect(Date.parse(request.deadline) - Date.parse(request.requestedAt)).toBe(8 * 3600_000);
    await net.settle();

    const esInbox = await json<{ requests: { incoming: { id: string; deadline: string; level: number; overdue: boolean; asker: string }[] }; hits: { held: { subject: { entityIds: string[] } }[] } }>(call(esApi, esAnalyst, 'GET', '/api/federation/inbox'));
    expect(esInbox.requests.incoming).toEqual([expect.objectContaining({ id: request.id, asker: 'FR-CT', deadline: request.deadline, level: 0, overdue: false })]);
    expect(esInbox.hits.held[0]?.subject.entityIds).toEqual(['es-ct:p1']);

    expect((await call(esApi, esAnalyst, 'POST', `/api/federation/requests/01JD0000000000000000000000/answer`, { statementIds: [esH2.id] })).status).toBe(404);
    const answered = await call(esApi, esAnalyst, 'POST', `/api/federation/requests/${request.id}/answer`, { statementIds: [esH2.id, esName.id] });
    expect(answered.status).toBe(200);
    expect(await json(answered)).toMatchObject({ released: expect.arrayContaining([esH2.id, esName.id]), withheld: [] });
    const again = await call(esApi, esAnalyst, 'POST', `/api/federation/requests/${request.id}/refuse`, { reason: 'Changed our mind about it' });
    expect(again.status).toBe(409);
    await net.settle();

    const frInbox = await json<{ requests: { outgoing: { id: string; status: string }[] }; answers: { requestId: string; statements: { id: string; handling: { codes: string[]; releasableTo: string[] }; source: { agency: string } }[] }[] }>(
      call(frApi, fr, 'GET', '/api/federation/inbox'),
    );
    expect(frInbox.requests.outgoing[0]).toMatchObject({ id: request.id, status: 'released' });
    const h2 = frInbox.answers[0]!.statements.find((s) => s.id === esH2.id);
    expect(h2).toMatchObject({ source: { agency: 'ES-CT' }, handling: { codes: ['H2'], releasableTo: ['FR-CT'] } });
    // The released statements are in FR's store, readable through the ordinary entity route.
    const entity = await json<{ entity: { properties: Record<string, unknown> } }>(call(frApi, fr, 'GET', '/api/entities/es-ct:p1'));
    expect(Object.keys(entity.entity.properties)).toEqual(expect.arrayContaining(['notes', 'name']));
    const hitsList = await json<{ hits: unknown[] }>(call(frApi, fr, 'GET', '/api/federation/hits?role=asker'));
    expect(hitsList.hits).toHaveLength(1);
  });
});
