import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphPlugin, openApiDocument } from '../../src/api/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { CHART, seedChartWorld } from '../support/chart-world.js';
import { PURPOSE } from '../support/governance.js';

/**
 * /api/graph as the link chart and timeline views use it, on the chart world (test/support/chart-world.ts):
 * grading filters, derived links with their evidence, measures for the shown nodes, network and case
 * timelines with provenance — each behind session, purpose, case and legal basis, and audited.
 */
type Fixture = Awaited<ReturnType<typeof apiFixture>>;
interface Client {
  cookie: string;
  csrf: string;
}
interface Edge {
  source: string;
  target: string;
  kind: string;
  evidence: string[];
  gradings?: string[];
}
interface Sub {
  nodes: { id: string; kind: string; label?: string; hops: number }[];
  edges: Edge[];
}
interface Prov {
  agency: string;
  documentId?: string;
  grading: { system: string; source: string; info: string };
  handling: { codes: string[]; releasableTo: string[] };
}
interface Event {
  time: string;
  schema: string;
  entityId: string;
  facts: Record<string, string[]>;
  labels?: Record<string, string>;
  provenance: Prov[];
}

const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
const DUNE = { purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' };

function call(f: Fixture, c: Client | undefined, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { ...(c ? { cookie: c.cookie, 'x-csrf-token': c.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return Promise.resolve(f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
}

async function json<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const body = (await r.json()) as T;
  expect(r.status, JSON.stringify(body)).toBe(status);
  return body;
}

async function signIn(f: Fixture, userId: string, context?: { purpose: string; caseId: string }): Promise<Client> {
  const res = await call(f, undefined, 'POST', '/api/auth/login', { userId, password: TEST_PASSWORD });
  expect(res.status).toBe(200);
  const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  if (context) expect((await call(f, client, 'PUT', '/api/session/context', context)).status).toBe(200);
  return client;
}

const enc = encodeURIComponent;
const pair = (e: Edge) => [e.source, e.target].sort().join(' ');

describe('/api/graph for the link chart and timeline', () => {
  let f: Fixture;
  let fr: Client;
  let world: Awaited<ReturnType<typeof seedChartWorld>>;
  beforeAll(async () => {
    f = await apiFixture({ plugins: [graphPlugin()] });
    world = await seedChartWorld(f.gov);
    fr = await signIn(f, 'fr.analyst', ATLAS);
  });
  afterAll(async () => f.store.close());

  it('refuses every chart route without a session (401) and before purpose and case (403)', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/graph/evidence?ids=${world.weakLinkStatement}`],
      ['GET', `/api/graph/timeline?ids=${enc(CHART.karim)}`],
      ['POST', '/api/graph/measures', { ids: [CHART.karim] }],
    ];
    const fresh = await signIn(f, 'fr.analyst');
    for (const [method, path, body] of routes) {
      expect((await call(f, undefined, method, path, body)).status, path).toBe(401);
      expect(await json<{ code: string }>(call(f, fresh, method, path, body), 403)).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    }
    // State-changing methods need the CSRF token, reads through POST included.
    const noToken = await f.app.request('/api/graph/measures', { method: 'POST', headers: { cookie: fr.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ ids: [CHART.karim] }) });
    expect(noToken.status).toBe(403);
  });

  it('answers a neighbourhood with direct and derived links, each with its gradings; the unreleasable link stays hidden', async () => {
    const sub = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.karim)}?hops=1`));
    expect(new Set(sub.nodes.map((n) => n.id))).toEqual(new Set([CHART.karim, CHART.karimPhone, CHART.samir, CHART.ines, CHART.walid, CHART.istanbul]));
    expect(sub.nodes.find((n) => n.id === CHART.samir)).toMatchObject({ kind: 'Person', label: 'Samir Haddou', hops: 1 });
    const kinds = new Set(sub.edges.map((e) => `${e.kind} ${pair(e)}`));
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        `Associate ${[CHART.karim, CHART.samir].sort().join(' ')}`,
        `Meeting ${[CHART.karim, CHART.ines].sort().join(' ')}`,
        `shared-phone ${[CHART.karim, CHART.samir].sort().join(' ')}`,
        `co-travel ${[CHART.karim, CHART.walid].sort().join(' ')}`,
      ]),
    );
    const shared = sub.edges.find((e) => e.kind === 'shared-phone')!;
    expect(shared.evidence[0]).toBe(CHART.karimPhone);
    expect([...shared.gradings!].sort()).toEqual(['B2', 'B3']);
    expect(sub.nodes.some((n) => n.id.startsWith('be-ct:'))).toBe(false);
  });

  it('follows only well-graded links with grading=…, and names the field of a bad grading', async () => {
    const all = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.walid)}?hops=1`));
    expect(all.nodes.map((n) => n.id)).toContain(CHART.tomas); // the X4 association
    const graded = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.walid)}?hops=1&grading=B3`));
    expect(graded.nodes.map((n) => n.id)).not.toContain(CHART.tomas);
    expect(graded.nodes.map((n) => n.id)).toContain(CHART.karim); // co-travel rests on B2 PNR records
    // Samir–Ines's association is graded C3: a B2 minimum drops it, a C3 minimum keeps it.
    const strict = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.ines)}?hops=1&grading=B2&kinds=Associate`));
    expect(strict.nodes.map((n) => n.id)).toEqual([CHART.ines]);
    const loose = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.ines)}?hops=1&grading=C3&kinds=Associate`));
    expect(loose.nodes.map((n) => n.id).sort()).toEqual([CHART.ines, CHART.samir].sort());
    expect(await json<{ code: string; field: string }>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.karim)}?grading=Z9`), 400)).toMatchObject({ code: 'VALIDATION', field: 'grading' });
    const path = await json<{ found: boolean; hops: number; paths: string[][] }>(call(f, fr, 'GET', `/api/graph/path?source=${enc(CHART.karim)}&target=${enc(CHART.tomas)}`));
    expect(path).toMatchObject({ found: true, hops: 2 });
    const gradedPath = await json<{ found: boolean; paths: string[][] }>(call(f, fr, 'GET', `/api/graph/path?source=${enc(CHART.walid)}&target=${enc(CHART.tomas)}&grading=B2&kinds=Associate`));
    expect(gradedPath.found).toBe(false);
  });

  it('shows a link’s evidence: readable statements with provenance, the shared selector, and a count of what is not shown', async () => {
    const sub = await json<Sub>(call(f, fr, 'GET', `/api/graph/neighbours/${enc(CHART.karim)}?hops=1`));
    const coTravel = sub.edges.find((e) => e.kind === 'co-travel')!;
    const ev = await json<{ statements: { entityId: string; prop: string; value: string; provenance: Prov }[]; selectors: string[]; notShown: number }>(
      call(f, fr, 'GET', `/api/graph/evidence?ids=${coTravel.evidence.join(',')}`),
    );
    expect(new Set(ev.statements.map((s) => s.entityId))).toEqual(new Set(['fr-ct:tr1', 'fr-ct:tr2']));
    expect(ev.statements[0]!.provenance).toMatchObject({ agency: 'FR-CT', documentId: 'fr-pnr-2024-02', grading: { source: 'B', info: '2' } });
    expect(ev.notShown).toBe(0);
    const shared = sub.edges.find((e) => e.kind === 'shared-phone')!;
    const sharedEv = await json<{ statements: { entityId: string }[]; selectors: string[] }>(call(f, fr, 'GET', `/api/graph/evidence?ids=${enc(shared.evidence.join(','))}`));
    expect(sharedEv.selectors).toEqual([CHART.karimPhone]);
    expect(new Set(sharedEv.statements.map((s) => s.entityId))).toEqual(new Set(['fr-ct:pu1', 'fr-ct:pu2']));
    // A statement the user may not read comes back exactly like one that does not exist.
    const hidden = await json<{ statements: unknown[]; notShown: number }>(call(f, fr, 'GET', `/api/graph/evidence?ids=${world.hiddenLinkStatement},${'0'.repeat(40)}`));
    expect(hidden).toEqual({ statements: [], selectors: [], notShown: 2 });
    const audit = await f.store.readAudit(1, 100_000);
    expect(audit.filter((e) => e.action === 'statements.link-analysis' && e.userId === 'fr.analyst' && e.caseId === 'FR-OP-ATLAS' && e.purpose === PURPOSE).length).toBeGreaterThanOrEqual(3);
  });

  it('gives communities and centralities of the whole network for the shown nodes, under a basis allowing network analysis only', async () => {
    const m = await json<{ communities: number; modularity: number; nodes: { id: string; community: number; communitySize: number; degree: number; betweenness: number }[]; betweenness: { exact: boolean } }>(
      call(f, fr, 'POST', '/api/graph/measures', { ids: [CHART.karim, CHART.samir, CHART.ines, CHART.tomas, 'fr-ct:ph2', 'nobody:here'] }),
    );
    expect(m.nodes.map((n) => n.id).sort()).toEqual([CHART.karim, CHART.samir, CHART.ines, CHART.tomas, 'fr-ct:ph2'].sort()); // entity ids map to nodes; unknown ids left out
    expect(m.betweenness.exact).toBe(true);
    const byId = new Map(m.nodes.map((n) => [n.id, n]));
    expect(byId.get(CHART.karim)!.community).toBe(byId.get(CHART.samir)!.community);
    expect(byId.get(CHART.karim)!.degree).toBeGreaterThan(byId.get(CHART.tomas)!.degree);
    // Ines and Tomas sit between the Karim group and Walid/Tomas's phone: nonzero betweenness.
    expect(byId.get(CHART.ines)!.betweenness).toBeGreaterThan(0);
    expect(m.nodes.every((n) => n.communitySize >= 1 && n.community >= 0 && n.community < m.communities)).toBe(true);
    const be = await signIn(f, 'be.analyst', DUNE);
    expect(await json<{ code: string }>(call(f, be, 'POST', '/api/graph/measures', { ids: ['be-ct:p3'] }), 403)).toMatchObject({ code: 'LEGAL_BASIS' });
    expect(await json<{ code: string; field: string }>(call(f, fr, 'POST', '/api/graph/measures', { ids: [] }), 400)).toMatchObject({ code: 'VALIDATION' });
  });

  it('builds an entity timeline whose events carry grading and handling of their statements', async () => {
    const events = await json<Event[]>(call(f, fr, 'GET', `/api/graph/timeline/${enc(CHART.karim)}`));
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort());
    const meeting = events.find((e) => e.schema === 'Meeting')!;
    expect(meeting.time).toBe('2024-01-20T19:30:00Z');
    expect(meeting.facts.participant).toEqual(expect.arrayContaining([CHART.karim, CHART.samir, CHART.ines]));
    expect(meeting.labels).toMatchObject({ [CHART.samir]: 'Samir Haddou', 'fr-ct:pl1': 'Café du Nord, Lille' });
    expect(meeting.provenance.map((p) => p.handling.codes.join('+')).sort()).toEqual(['', 'H1']);
    const travel = events.find((e) => e.schema === 'TravelEvent')!;
    expect(travel.provenance).toEqual([expect.objectContaining({ agency: 'FR-CT', documentId: 'fr-pnr-2024-02', grading: { system: 'EU4x4', source: 'B', info: '2' } })]);
    expect(events.some((e) => e.entityId === 'be-ct:as9')).toBe(false);
  });

  it('builds a network timeline from several ids and a case timeline, latest events first when limited', async () => {
    const net = await json<{ events: Event[]; total: number; truncated: boolean }>(call(f, fr, 'GET', `/api/graph/timeline?ids=${enc([CHART.tomas, CHART.walid].join(','))}`));
    const entities = new Set(net.events.map((e) => e.entityId));
    expect([...entities]).toEqual(expect.arrayContaining(['fr-ct:tr2', 'fr-ct:pu3']));
    expect(net.truncated).toBe(false);
    expect(net.total).toBe(net.events.length);

    const viaPhone = await json<{ events: Event[] }>(call(f, fr, 'GET', `/api/graph/timeline?ids=${enc(CHART.tomasPhone)}`));
    expect(viaPhone.events.filter((e) => e.schema === 'Communication').map((e) => e.time)).toEqual(['2024-01-05T10:02:00Z', '2024-01-09T21:40:00Z', '2024-01-17T08:15:00Z']);
    const limited = await json<{ events: Event[]; total: number; truncated: boolean }>(call(f, fr, 'GET', `/api/graph/timeline?ids=${enc(CHART.tomasPhone)}&limit=2`));
    expect(limited).toMatchObject({ total: viaPhone.events.length, truncated: true });
    expect(limited.events.map((e) => e.time)).toEqual(viaPhone.events.slice(-2).map((e) => e.time));
    const january = await json<{ events: Event[] }>(call(f, fr, 'GET', `/api/graph/timeline?ids=${enc(CHART.tomasPhone)}&from=2024-01-06&to=2024-01-09`));
    expect(january.events.map((e) => e.time)).toEqual(['2024-01-09T21:40:00Z']);

    const kase = await json<{ events: Event[] }>(call(f, fr, 'GET', '/api/graph/timeline?scope=case'));
    // The case's holdings: the Atlas meeting and Karim's alias (filed under the case), with their links.
    expect(kase.events.some((e) => e.entityId === 'fr-ct:me1')).toBe(true);
    expect(kase.events.every((e) => e.entityId !== 'fr-ct:p6')).toBe(true);

    expect(await json<{ field: string }>(call(f, fr, 'GET', '/api/graph/timeline'), 400)).toMatchObject({ code: 'VALIDATION', field: 'ids' });
    expect(await json<{ code: string }>(call(f, fr, 'GET', '/api/graph/timeline?ids=fr-ct:nobody'), 404)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('documents the chart routes in the OpenAPI document', () => {
    const paths = Object.keys((openApiDocument(f.app) as { paths: object }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/graph/timeline', '/api/graph/measures', '/api/graph/evidence']));
  });
});
