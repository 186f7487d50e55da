import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, watchPlugin } from '../../src/api/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { travelSubject, WatchService, watchConfig } from '../../src/watch/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { frCtx, PURPOSE } from '../support/governance.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
/** A loosely typed JSON body for assertions (vitest matchers check the shape). */
type Body = Record<string, unknown> & { code?: string; message?: string; field?: string };
interface AlertJson {
  id: string;
  status: string;
  agency: string;
  reviewBy: string;
  quietUntil?: string;
  history: { kind: string; by: string }[];
}
interface HitJson {
  id: string;
  alertId: string;
  status: string;
  matched: { field: string }[];
  explanation: string[];
}

interface Client {
  cookie: string;
  csrf: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
const SUPERVISE = { purpose: 'Approve the removal of a watchlist alert after re-assessment', caseId: 'FR-OP-ATLAS' };
const DUNE = { purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' };

function call(f: Fixture, c: Client | undefined, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(c ? { cookie: c.cookie, 'x-csrf-token': c.csrf } : {}), ...(body === undefined ? {} : JSON_HEADERS), ...extra };
  return Promise.resolve(f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) }));
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

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A valid new alert on a fictional person of the test world (names and selectors invented). */
function newAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subject: { names: ['Karim Benali'], birthDates: ['1990-04-02'], selectors: [{ kind: 'document', value: 'FR88K12345' }] },
    threatLevel: 'S12',
    reasons: 'Repeated contact with a facilitation network under investigation in Operation Atlas',
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    action: 'discreet-check',
    ...overrides,
  };
}

const ASSESSMENT = 'Re-assessment: no contact with the network for two years, source withdrawn';

describe('watch API (/api/watch)', () => {
  let f: Fixture;
  let fr: Client;
  beforeAll(async () => {
    f = await apiFixture({ plugins: [watchPlugin()] });
    // A supervisor of the French unit (fictional) for the four-eyes rule.
    await f.gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
    await f.gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.super'], openedAt: '2024-01-01T00:00:00Z' });
    fr = await signIn(f, 'fr.analyst', ATLAS);
  });
  afterAll(async () => f.store.close());

  const ROUTES: readonly [string, string, unknown?][] = [
    ['GET', '/api/watch/alerts'],
    ['POST', '/api/watch/alerts', newAlert()],
    ['GET', '/api/watch/alerts/fr-ct:wl-x'],
    ['GET', '/api/watch/due'],
    ['POST', '/api/watch/alerts/fr-ct:wl-x/review', { assessment: ASSESSMENT, extend: true }],
    ['POST', '/api/watch/alerts/fr-ct:wl-x/remove', { assessment: ASSESSMENT }],
    ['POST', '/api/watch/alerts/fr-ct:wl-x/approve', { note: 'Agreed after review' }],
    ['GET', '/api/watch/hits'],
    ['GET', '/api/watch/hits/h1'],
    ['POST', '/api/watch/hits/h1/decide', { decision: 'confirmed', note: 'Seen at the gate' }],
  ];

  it('refuses every route without a session (401)', async () => {
    for (const [method, path, body] of ROUTES) {
      const res = await call(f, undefined, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(await json(res), `${method} ${path}`).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses every route without a purpose and case (403), and state changes without the CSRF token', async () => {
    const bare = await signIn(f, 'fr.analyst');
    for (const [method, path, body] of ROUTES) {
      const res = await call(f, bare, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await json(res), `${method} ${path}`).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    }
    const res = await call(f, { ...fr, csrf: 'wrong' }, 'POST', '/api/watch/alerts', newAlert());
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ field: 'x-csrf-token' });
  });

  it('issues, lists and shows alerts of the own agency; the due queue holds alerts expiring soon', async () => {
    const created = await call(f, fr, 'POST', '/api/watch/alerts', newAlert({ reviewBy: inDays(60) }));
    expect(created.status).toBe(201);
    const alert = await json<AlertJson>(created);
    expect(alert).toMatchObject({ agency: 'FR-CT', status: 'active', reviewBy: inDays(60), history: [{ kind: 'created', by: 'fr.analyst' }] });

    const list = await json<{ alerts: AlertJson[] }>(call(f, fr, 'GET', '/api/watch/alerts?status=active'));
    expect(list.alerts.map((a) => a.id)).toContain(alert.id);
    expect(await json(call(f, fr, 'GET', `/api/watch/alerts/${alert.id}`))).toMatchObject({ id: alert.id, threatLevel: 'S12' });

    const due = await json<{ due: { alert: AlertJson; daysLeft: number; overdue: boolean }[] }>(call(f, fr, 'GET', '/api/watch/due'));
    const entry = due.due.find((d) => d.alert.id === alert.id);
    expect(entry?.overdue).toBe(false);
    expect(entry?.daysLeft).toBeGreaterThanOrEqual(58);

    const reviewed = await json<AlertJson>(call(f, fr, 'POST', `/api/watch/alerts/${alert.id}/review`, { assessment: 'Still in contact with the network, confirmed by a partner report', extend: true }));
    expect(reviewed.reviewBy > inDays(300)).toBe(true);
    expect(reviewed.history.map((h) => h.kind)).toEqual(['created', 'extended']);

    // Another agency neither sees nor changes the French alert (and its attempt is refused, not hidden as 500).
    const be = await signIn(f, 'be.analyst', DUNE);
    expect((await call(f, be, 'GET', `/api/watch/alerts/${alert.id}`)).status).toBe(403);
    expect((await json<{ alerts: AlertJson[] }>(call(f, be, 'GET', '/api/watch/alerts'))).alerts).toEqual([]);
    expect(await json(call(f, fr, 'GET', '/api/watch/alerts/fr-ct:wl-none'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('removes an alert only with four eyes: the requester cannot approve, a second supervisor can', async () => {
    const alert = await json<AlertJson>(call(f, fr, 'POST', '/api/watch/alerts', newAlert({ subject: { names: ['Yusuf Demiral'] } })));
    const requested = await call(f, fr, 'POST', `/api/watch/alerts/${alert.id}/remove`, { assessment: ASSESSMENT });
    expect(requested.status).toBe(200);
    expect(await json(requested)).toMatchObject({ status: 'removal-pending', removal: { requestedBy: 'fr.analyst' } });

    const self = await call(f, fr, 'POST', `/api/watch/alerts/${alert.id}/approve`, { note: 'Approving my own request' });
    expect(self.status).toBe(403);
    expect((await json(self)).message).toMatch(/four-eyes/);

    const junior = await signIn(f, 'fr.junior', ATLAS);
    const notSupervisor = await call(f, junior, 'POST', `/api/watch/alerts/${alert.id}/approve`, { note: 'Agreed after review' });
    expect(notSupervisor.status).toBe(403);
    expect((await json(notSupervisor)).message).toMatch(/supervisor/);

    const sup = await signIn(f, 'fr.super', SUPERVISE);
    const approved = await call(f, sup, 'POST', `/api/watch/alerts/${alert.id}/approve`, { note: 'Re-assessment reviewed and agreed' });
    expect(approved.status).toBe(200);
    const delisted = await json<AlertJson>(approved);
    expect(delisted.status).toBe('delisted');
    expect(delisted.quietUntil).toBeDefined();
    expect(delisted.history.map((h) => [h.kind, h.by])).toEqual([
      ['created', 'fr.analyst'],
      ['removal-requested', 'fr.analyst'],
      ['removal-approved', 'fr.super'],
    ]);
    const again = await call(f, sup, 'POST', `/api/watch/alerts/${alert.id}/approve`, { note: 'Approve twice' });
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: 'CONFLICT' });
  });

  it('lists hits in the issuer inbox and records a false positive, which suppresses the same pair', async () => {
    const alert = await json<AlertJson>(call(f, fr, 'POST', '/api/watch/alerts', newAlert({ subject: { names: ['Omar Haddadi'], birthDates: ['1988-11-05'], selectors: [{ kind: 'phone', value: '+33 6 98 76 54 32' }] } })));
    // Screening runs where records arrive (ingest, `tessera screen`); here a travel record is screened directly.
    const screener = new WatchService(f.gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    const record = { id: 'pnr-77', travellerName: 'Omar HADDADI', travellerBirthDate: '05/11/1988', origin: 'CDG', destination: 'IST', departure: '2026-03-02T10:00:00Z' };
    const first = await screener.screenRecords(frCtx, [travelSubject(record, 'pnr-77', 'AF PNR')]);
    expect(first.hits).toBeGreaterThanOrEqual(1);

    const inbox = await json<{ hits: HitJson[] }>(call(f, fr, 'GET', `/api/watch/hits?status=open&alert=${encodeURIComponent(alert.id)}`));
    expect(inbox.hits).toHaveLength(1);
    const hit = inbox.hits[0]!;
    expect(hit.matched.map((m) => m.field)).toContain('name');
    expect(hit.explanation.length).toBeGreaterThan(0);

    // One report on its own (the inbox's detail view): the same record, other agencies refused, unknown ids 404.
    expect(await json(call(f, fr, 'GET', `/api/watch/hits/${encodeURIComponent(hit.id)}`))).toMatchObject({ id: hit.id, alertId: alert.id, status: 'open', matched: hit.matched });
    expect(await json(call(f, fr, 'GET', '/api/watch/hits/no-such-hit'))).toMatchObject({ code: 'NOT_FOUND' });

    const be = await signIn(f, 'be.analyst', DUNE);
    expect((await call(f, be, 'GET', `/api/watch/hits/${encodeURIComponent(hit.id)}`)).status).toBe(403);
    expect((await call(f, be, 'POST', `/api/watch/hits/${hit.id}/decide`, { decision: 'confirmed', note: 'Not our alert' })).status).toBe(403);

    const decided = await call(f, fr, 'POST', `/api/watch/hits/${hit.id}/decide`, { decision: 'false-positive', note: 'Namesake: different father name and place of birth' });
    expect(decided.status).toBe(200);
    expect(await json(decided)).toMatchObject({ id: hit.id, status: 'false-positive', decisions: [{ by: 'fr.analyst', decision: 'false-positive' }] });
    expect((await json<{ hits: HitJson[] }>(call(f, fr, 'GET', '/api/watch/hits?status=false-positive'))).hits.map((h) => h.id)).toContain(hit.id);

    const second = await screener.screenRecords(frCtx, [travelSubject({ ...record, id: 'pnr-78' }, 'pnr-78', 'AF PNR')]);
    expect(second.suppressed).toBe(1);
    expect((await json<{ hits: HitJson[] }>(call(f, fr, 'GET', `/api/watch/hits?status=open&alert=${encodeURIComponent(alert.id)}`))).hits).toEqual([]);
  });

  it('escalates a hit to the supervisors’ queue; the analyst may not decide it then, a supervisor does', async () => {
    await call(f, fr, 'POST', '/api/watch/alerts', newAlert({ subject: { names: ['Lotfi Serrano'], birthDates: ['1979-02-14'] } }));
    const screener = new WatchService(f.gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    await screener.screenRecords(frCtx, [travelSubject({ id: 'pnr-90', travellerName: 'SERRANO Lotfi', travellerBirthDate: '14/02/1979', origin: 'MRS', destination: 'ALG' }, 'pnr-90', 'AH PNR')]);
    const [hit] = (await json<{ hits: (HitJson & { encountered: { ref: string } })[] }>(call(f, fr, 'GET', '/api/watch/hits?status=open'))).hits.filter((h) => h.encountered.ref === 'pnr-90');
    const reason = 'Travelling on a diplomatic passport: the decision is above my grade';
    const short = await call(f, fr, 'POST', `/api/watch/hits/${hit!.id}/decide`, { decision: 'escalated', note: 'unsure' });
    expect(await json(short)).toMatchObject({ code: 'VALIDATION', field: 'note' });
    const escalated = await call(f, fr, 'POST', `/api/watch/hits/${hit!.id}/decide`, { decision: 'escalated', note: reason });
    expect(escalated.status).toBe(200);
    expect(await json(escalated)).toMatchObject({ status: 'escalated', decisions: [{ by: 'fr.analyst', decision: 'escalated', note: reason }] });
    expect(await json(call(f, fr, 'POST', `/api/watch/hits/${hit!.id}/decide`, { decision: 'escalated', note: reason }))).toMatchObject({ code: 'CONFLICT' });
    const refused = await call(f, fr, 'POST', `/api/watch/hits/${hit!.id}/decide`, { decision: 'confirmed', note: 'It is him after all' });
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ code: 'FORBIDDEN', field: 'role' });

    const sup = await signIn(f, 'fr.super', { purpose: 'Decide hits escalated to the supervisors of the unit', caseId: 'FR-OP-ATLAS' });
    const queue = await json<{ hits: HitJson[] }>(call(f, sup, 'GET', '/api/watch/hits?status=escalated'));
    expect(queue.hits.map((h) => h.id)).toEqual([hit!.id]);
    const confirmed = await call(f, sup, 'POST', `/api/watch/hits/${hit!.id}/decide`, { decision: 'confirmed', note: 'Identity confirmed with the protocol office' });
    expect(await json(confirmed)).toMatchObject({ status: 'confirmed', decisions: [{ decision: 'escalated' }, { by: 'fr.super', decision: 'confirmed' }] });
    expect((await json<{ hits: HitJson[] }>(call(f, sup, 'GET', '/api/watch/hits?status=escalated'))).hits).toEqual([]);
    const log = (await f.store.readAudit()).filter((e) => e.details.hitId === hit!.id).map((e) => `${e.action}:${e.outcome}:${e.userId}`);
    expect(log).toEqual(['watch.hit.escalate:allowed:fr.analyst', 'watch.hit.decide:refused:fr.analyst', 'watch.hit.decide:allowed:fr.super']);
  });

  it('answers bad bodies and parameters with 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/watch/alerts', newAlert({ threatLevel: undefined }), 'threatLevel'],
      ['POST', '/api/watch/alerts', newAlert({ action: 'shoot-on-sight' }), 'action'],
      ['POST', '/api/watch/alerts', newAlert({ reasons: 'short' }), 'reasons'],
      ['POST', '/api/watch/alerts', newAlert({ subject: { selectors: [{ kind: 'shoe-size', value: '44' }] } }), 'subject.selectors.0.kind'],
      ['POST', '/api/watch/alerts', newAlert({ subject: { birthDates: ['5 Nov 88'] } }), 'subject.birthDates.0'],
      ['POST', '/api/watch/alerts', newAlert({ reviewBy: '2026-13-45' }), 'reviewBy'],
      ['POST', '/api/watch/alerts', newAlert({ grading: { system: 'EU4x4', source: 'Q', info: '2' } }), 'grading.source'],
      // Checked by the service (it knows the scale and the clock): still 400 naming the field.
      ['POST', '/api/watch/alerts', newAlert({ threatLevel: 'S99' }), 'threatLevel'],
      ['POST', '/api/watch/alerts', newAlert({ reviewBy: '2020-01-01' }), 'reviewBy'],
      ['POST', '/api/watch/alerts', newAlert({ subject: {} }), 'subject'],
      ['POST', '/api/watch/hits/h1/decide', { decision: 'maybe', note: 'not sure' }, 'decision'],
      ['POST', '/api/watch/hits/h1/decide', { decision: 'confirmed' }, 'note'],
      ['POST', '/api/watch/alerts/fr-ct:wl-x/approve', { note: 'ok', reject: 'yes' }, 'reject'],
      ['POST', '/api/watch/alerts/fr-ct:wl-x/review', { assessment: 42 }, 'assessment'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await call(f, fr, method, path, body);
      const b = await json(res);
      expect(res.status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(b)}`).toBe(400);
      expect(b, path).toMatchObject({ code: 'VALIDATION', field });
      expect(b.message, path).toBeTruthy();
    }
    const alert = await json<AlertJson>(call(f, fr, 'POST', '/api/watch/alerts', newAlert()));
    const short = await json(call(f, fr, 'POST', `/api/watch/alerts/${alert.id}/remove`, { assessment: 'because' }));
    expect(short).toMatchObject({ code: 'VALIDATION', field: 'assessment', message: expect.stringMatching(/re-assessment/) });
    const unknownKey = await call(f, fr, 'POST', '/api/watch/alerts', newAlert({ owner: 'BE-CT' }));
    expect(unknownKey.status).toBe(400);
    expect((await json(unknownKey)).message).toMatch(/owner/);
    const malformed = await call(f, fr, 'POST', '/api/watch/alerts', '{"subject": ');
    expect(malformed.status).toBe(400);
    const badQuery = await call(f, fr, 'GET', '/api/watch/alerts?status=gone');
    expect(badQuery.status).toBe(400);
    expect(await json(badQuery)).toMatchObject({ field: 'status' });
  });

  it('documents every watch route in the OpenAPI document', () => {
    const doc = openApiDocument(f.app) as { paths: Record<string, Record<string, unknown>> };
    const expected: [string, string][] = [
      ['/api/watch/alerts', 'get'],
      ['/api/watch/alerts', 'post'],
      ['/api/watch/alerts/{id}', 'get'],
      ['/api/watch/due', 'get'],
      ['/api/watch/alerts/{id}/review', 'post'],
      ['/api/watch/alerts/{id}/remove', 'post'],
      ['/api/watch/alerts/{id}/approve', 'post'],
      ['/api/watch/hits', 'get'],
      ['/api/watch/hits/{id}', 'get'],
      ['/api/watch/hits/{id}/decide', 'post'],
    ];
    for (const [path, method] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
