import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, openApiDocument, workContext, type ApiPlugin } from '../../src/api/index.js';
import { openApiJson } from '../../src/cli/commands/serve.js';
import type { z as zod } from 'zod';
import type { EntityProfile as EntityProfileSchema } from '../../src/api/schemas.js';
import { apiFixture, TEST_PASSWORD, XSS_NAME } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
type Profile = zod.infer<typeof EntityProfileSchema>;
/** A loosely typed JSON body for assertions (vitest matchers check the shape). */
type Body = Record<string, unknown> & { message?: string; code?: string };

async function json<T = Body>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

interface Client {
  cookie: string;
  csrf: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function login(f: Fixture, userId: string, password = TEST_PASSWORD): Promise<Response> {
  return f.app.request('/api/auth/login', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ userId, password }) });
}

async function signIn(f: Fixture, userId: string, context?: { purpose: string; caseId: string }): Promise<Client> {
  const res = await login(f, userId);
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const client = { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  if (context) {
    const r = await call(f, client, 'PUT', '/api/session/context', context);
    expect(r.status).toBe(200);
  }
  return client;
}

function call(f: Fixture, c: Client | undefined, method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(c ? { cookie: c.cookie, 'x-csrf-token': c.csrf } : {}), ...(body === undefined ? {} : JSON_HEADERS), ...extra };
  return Promise.resolve(f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) }));
}

const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
const DUNE = { purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' };

/** Every route of the core API except sign-in, with a sample request. */
const PROTECTED: readonly [string, string, unknown?][] = [
  ['POST', '/api/auth/logout'],
  ['GET', '/api/session'],
  ['PUT', '/api/session/context', ATLAS],
  ['GET', '/api/cases'],
  ['GET', '/api/meta'],
  ['GET', '/api/search?q=benali'],
  ['GET', '/api/entities/fr-ct:p1'],
  ['GET', '/api/stats'],
  ['GET', '/api/audit/verify'],
];

describe('API', () => {
  let f: Fixture;
  let fr: Client;
  beforeAll(async () => {
    f = await apiFixture();
    fr = await signIn(f, 'fr.analyst', ATLAS);
  });
  afterAll(async () => f.store.close());

  describe('the OpenAPI document', () => {
    it('is served at /api/openapi.json as OpenAPI 3.1 and lists every core route', async () => {
      const res = await f.app.request('/api/openapi.json');
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
      for (const [method, path] of PROTECTED) expect(routes).toContain(`${method} ${path.split('?')[0]!.replace('fr-ct:p1', '{id}')}`);
      expect(routes).toContain('POST /api/auth/login');
    });

    it('matches the committed docs/openapi.json, core routes and served plug-ins (regenerate: npm run openapi)', async () => {
      const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
      expect(committed).toBe(await openApiJson());
      const core = openApiDocument(f.app) as { paths: Record<string, unknown> };
      expect((JSON.parse(committed) as { paths: Record<string, unknown> }).paths).toMatchObject(core.paths);
    });
  });

  describe('health', () => {
    it('answers /health and /ready without a session', async () => {
      expect((await f.app.request('/health')).status).toBe(200);
      const ready = await f.app.request('/ready');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', store: 'sqlite' });
    });
  });

  describe('authentication', () => {
    it.each(PROTECTED)('refuses %s %s without a session (401)', async (method, path, body) => {
      const res = await call(f, undefined, method, path, body);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('refuses a forged session cookie', async () => {
      const res = await call(f, { cookie: 'tessera_session=forged-session-id', csrf: 'x' }, 'GET', '/api/session');
      expect(res.status).toBe(401);
    });

    it('signs in with an HttpOnly, SameSite=Strict cookie and returns the session without the password', async () => {
      const res = await login(f, 'be.analyst');
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^tessera_session=[A-Za-z0-9_-]{40,};/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const body = await res.text();
      expect(body).not.toContain('scrypt');
      expect(JSON.parse(body)).toMatchObject({ user: { id: 'be.analyst', agency: 'BE-CT' }, purpose: null, caseId: null });
    });

    it('gives the same answer for a wrong password and an unknown user, sets no cookie, and audits both', async () => {
      const wrong = await login(f, 'fr.analyst', 'not the password');
      const unknown = await login(f, 'nobody.here', 'whatever');
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.headers.get('set-cookie')).toBeNull();
      }
      expect((await json(wrong)).message).toBe((await json(unknown)).message);
      const audit = await f.store.readAudit(1, 10_000);
      expect(audit.filter((e) => e.action === 'auth.login' && e.outcome === 'refused').map((e) => e.userId)).toEqual(expect.arrayContaining(['fr.analyst', 'nobody.here']));
    });

    it('signs out: the session ends on the server', async () => {
      const c = await signIn(f, 'es.analyst');
      expect((await call(f, c, 'POST', '/api/auth/logout')).status).toBe(204);
      expect((await call(f, c, 'GET', '/api/session')).status).toBe(401);
    });

    it('throttles failed logins per account and per client (429 with Retry-After), even for the right password', async () => {
      const g = await apiFixture({ loginAttempts: { perUser: 3, perClient: 10, windowMs: 60_000 } });
      try {
        for (let i = 0; i < 3; i++) expect((await login(g, 'fr.junior', 'bad guess')).status).toBe(401);
        const limited = await login(g, 'fr.junior');
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
        expect((await login(g, 'be.analyst')).status).toBe(200); // other accounts still work
      } finally {
        await g.store.close();
      }
    });

    it('expires idle sessions (401 with a clear message)', async () => {
      let now = Date.parse('2025-01-01T08:00:00Z');
      const g = await apiFixture({ now: () => now, sessionIdleMs: 30 * 60_000 });
      try {
        const c = await signIn(g, 'fr.analyst', ATLAS);
        now += 29 * 60_000;
        expect((await call(g, c, 'GET', '/api/search?q=benali')).status).toBe(200);
        now += 31 * 60_000;
        const res = await call(g, c, 'GET', '/api/search?q=benali');
        expect(res.status).toBe(401);
        expect((await json(res)).message).toMatch(/expired/);
        expect((await call(g, c, 'GET', '/api/session')).status).toBe(401);
      } finally {
        await g.store.close();
      }
    });
  });

  describe('purpose and case', () => {
    it.each(['/api/search?q=benali', '/api/entities/fr-ct:p1', '/api/stats', '/api/audit/verify'])('refuses %s before a purpose and case are chosen (403)', async (path) => {
      const c = await signIn(f, 'fr.junior');
      const res = await call(f, c, 'GET', path);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    });

    it('lets the user choose only cases they belong to, with a meaningful purpose; refusals are audited', async () => {
      const c = await signIn(f, 'fr.junior');
      const cases = (await (await call(f, c, 'GET', '/api/cases')).json()) as { cases: { id: string }[] };
      expect(cases.cases.map((x) => x.id)).toEqual(['FR-OP-ATLAS', 'FR-OP-BORA']);
      expect(await (await call(f, c, 'PUT', '/api/session/context', { purpose: 'test', caseId: 'FR-OP-ATLAS' })).json()).toMatchObject({ code: 'PURPOSE_REQUIRED' });
      const notMember = await call(f, c, 'PUT', '/api/session/context', { purpose: PURPOSE, caseId: 'BE-OP-DUNE' });
      expect(notMember.status).toBe(403);
      expect(await notMember.json()).toMatchObject({ code: 'FORBIDDEN', field: 'caseId' });
      expect(await (await call(f, c, 'PUT', '/api/session/context', { purpose: PURPOSE, caseId: 'NO-SUCH-CASE' })).json()).toMatchObject({ code: 'CASE_REQUIRED' });
      const ok = await call(f, c, 'PUT', '/api/session/context', ATLAS);
      expect(await ok.json()).toMatchObject({ purpose: PURPOSE, caseId: 'FR-OP-ATLAS', caseName: 'Operation Atlas' });
      const audit = await f.store.readAudit(1, 10_000);
      expect(audit.some((e) => e.userId === 'fr.junior' && e.outcome === 'refused' && e.caseId === 'BE-OP-DUNE')).toBe(true);
      expect(audit.some((e) => e.userId === 'fr.junior' && e.action === 'session.context' && e.outcome === 'allowed')).toBe(true);
    });

    it('keeps markup and SQL in a purpose as plain text (stored verbatim in the session and the audit chain)', async () => {
      const c = await signIn(f, 'fr.junior');
      const purpose = `Check <img src=x onerror=alert(1)> links'); DROP TABLE audit_log;-- for Atlas`;
      const res = await call(f, c, 'PUT', '/api/session/context', { purpose, caseId: 'FR-OP-ATLAS' });
      expect(res.status).toBe(200);
      expect((await json(res)).purpose).toBe(purpose);
      expect((await json(call(f, c, 'GET', '/api/search?q=benali'))).results).toHaveLength(1);
      const audit = await f.store.readAudit(1, 10_000);
      expect(audit.filter((e) => e.purpose === purpose).map((e) => e.action)).toEqual(expect.arrayContaining(['session.context', 'search']));
      expect((await json<{ intact: boolean }>(call(f, c, 'GET', '/api/audit/verify'))).intact).toBe(true);
    });

    it('records every read with the session’s purpose and case', async () => {
      await call(f, fr, 'GET', '/api/entities/fr-ct:p1');
      const audit = await f.store.readAudit(1, 10_000);
      const read = audit.filter((e) => e.action === 'entity.read' && e.userId === 'fr.analyst').at(-1)!;
      expect(read).toMatchObject({ purpose: PURPOSE, caseId: 'FR-OP-ATLAS', entityIds: ['fr-ct:p1'] });
    });
  });

  describe('CSRF', () => {
    it('refuses a state change without the X-CSRF-Token header or with a wrong one', async () => {
      const c = await signIn(f, 'fr.junior');
      for (const token of [undefined, 'wrong-token']) {
        const res = await f.app.request('/api/session/context', {
          method: 'PUT',
          headers: { cookie: c.cookie, ...JSON_HEADERS, ...(token ? { 'x-csrf-token': token } : {}) },
          body: JSON.stringify(ATLAS),
        });
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', field: 'x-csrf-token' });
      }
      expect((await call(f, c, 'POST', '/api/auth/logout', undefined, {})).status).toBe(204);
    });

    it('refuses cross-origin and cross-site state changes, and non-JSON bodies', async () => {
      const c = await signIn(f, 'fr.junior');
      expect((await call(f, c, 'PUT', '/api/session/context', ATLAS, { origin: 'https://evil.example' })).status).toBe(403);
      expect((await call(f, c, 'PUT', '/api/session/context', ATLAS, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      const form = await f.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'userId=fr.analyst&password=x' });
      expect(form.status).toBe(400);
      expect(await form.json()).toMatchObject({ code: 'VALIDATION', field: 'content-type' });
    });
  });

  describe('search', () => {
    async function search(c: Client, query: string): Promise<{ status: number; ids: string[]; body: { results: { entityId: string; caption: string; match: string }[] } & Record<string, unknown> }> {
      const res = await call(f, c, 'GET', `/api/search?${query}`);
      const body = (await res.json()) as { results: { entityId: string; caption: string; match: string }[] };
      return { status: res.status, ids: body.results?.map((r) => r.entityId) ?? [], body };
    }

    it('finds by name and by prefix, with agencies and dates', async () => {
      const r = await search(fr, 'q=benali');
      expect(r.ids).toEqual(['fr-ct:p1']);
      expect(r.body.results[0]).toMatchObject({ caption: 'Karim Benali', match: 'text', agencies: ['BE-CT', 'FR-CT'], firstSeen: '2023-05-01' });
      expect((await search(fr, 'q=kar')).ids).toContain('fr-ct:p1');
    });

    it('tolerates typos', async () => {
      for (const typo of ['Karim Benalli', 'Kareem Benali', 'benaly', 'Karim Bnali']) {
        const r = await search(fr, `q=${encodeURIComponent(typo)}`);
        expect(r.ids, typo).toContain('fr-ct:p1');
      }
      expect((await search(fr, 'q=Quentin')).ids).toEqual([]);
    });

    it('filters by schema, agency, date and grading', async () => {
      expect((await search(fr, 'q=benali&schema=Organization')).ids).toEqual([]);
      expect((await search(fr, 'q=benali&schema=Person')).ids).toEqual(['fr-ct:p1']);
      expect((await search(fr, 'q=benali&agency=ES-CT')).ids).toEqual([]);
      expect((await search(fr, 'q=benali&agency=BE-CT')).ids).toEqual(['fr-ct:p1']);
      expect((await search(fr, 'q=benali&from=2025-01-01')).ids).toEqual([]);
      expect((await search(fr, 'q=benali&to=2024-12-31')).ids).toEqual(['fr-ct:p1']);
      expect((await search(fr, 'q=benali&grading=A2')).ids).toEqual(['fr-ct:p1']); // BE's A2 statement
      expect((await search(fr, 'q=benali&grading=A1')).ids).toEqual([]);
    });

    it('rejects bad filters with the field named', async () => {
      for (const [query, field] of [
        ['q=', 'q'],
        ['q=benali&schema=Spaceship', 'schema'],
        ['q=benali&agency=<b>', 'agency'],
        ['q=benali&limit=1000', 'limit'],
        ['q=benali&grading=Z9', 'grading'],
        ['q=benali&from=yesterday', 'from'],
      ] as const) {
        const r = await search(fr, query);
        expect(r.status, query).toBe(400);
        expect(r.body, query).toMatchObject({ code: 'VALIDATION', field });
      }
    });

    it('never shows data outside the user’s handling or cases', async () => {
      expect((await search(fr, 'q=Vossberg')).ids).toEqual([]); // BE-CT, originator only
      expect((await search(fr, 'q=Demiral')).ids).toEqual([]); // Bora compartment: fr.analyst is not a member
      const be = await signIn(f, 'be.analyst', DUNE);
      expect((await search(be, 'q=Vossberg')).ids).toEqual(['be-ct:p3']);
      expect((await search(be, 'q=Abou')).ids).toEqual([]); // FR alias released to nobody
    });

    it.each([
      "'; DROP TABLE statements;--",
      '" OR 1=1 --',
      'benali" NEAR(',
      '*',
      '<script>alert(1)</script>',
      '%00',
      '../../etc/passwd',
      'Robert\'); DROP TABLE statements;--',
    ])('handles the injection string %j safely', async (text) => {
      const res = await call(f, fr, 'GET', `/api/search?q=${encodeURIComponent(text)}`);
      expect([200, 400]).toContain(res.status);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect((await f.store.stats()).statements).toBe(15);
    });
  });

  describe('entity profile', () => {
    it('shows every value with its provenance, conflicts side by side, withheld counts and links', async () => {
      const res = await call(f, fr, 'GET', '/api/entities/fr-ct:p1');
      expect(res.status).toBe(200);
      const p = await json<Profile>(res);
      const e = p.entity!;
      const props = e.properties;
      expect(e.conflicts).toEqual(['birthDate']);
      expect(props.birthDate!.map((v) => v.value).sort()).toEqual(['1990-02-04', '1990-04-02']);
      const be = props.birthDate!.find((v) => v.value === '1990-02-04')!.provenance[0];
      expect(be).toMatchObject({ agency: 'BE-CT', grading: { system: 'EU4x4', source: 'C', info: '3' }, handling: { codes: [], releasableTo: ['*'] }, documentId: 'be-note-12' });
      expect(props.name![0]!.provenance.map((x) => x.agency).sort()).toEqual(['BE-CT', 'FR-CT']);
      expect(props.name![0]!.provenance.find((x) => x.agency === 'FR-CT')).toMatchObject({ firstSeen: '2023-05-01', lastSeen: '2024-02-01' });
      expect(props.alias![0]!.provenance[0]!.handling.codes).toEqual(['H1']);
      expect(props.notes).toBeUndefined(); // Bora compartment
      expect(p.withheld).toEqual({ classification: 0, releasability: 0, 'case-compartment': 1 });
      expect(p.links).toEqual([
        { linkId: 'fr-ct:pu1', schema: 'PhoneUse', role: 'person', others: [{ id: 'fr-ct:ph1', schema: 'Phone', caption: '+33612345678' }], startDate: '2023-06-01', agencies: ['FR-CT'] },
      ]);
    });

    it('withholds values above the user’s clearance and counts them', async () => {
      const junior = await signIn(f, 'fr.junior', ATLAS);
      const p = await json<Profile>(call(f, junior, 'GET', '/api/entities/fr-ct:p1'));
      expect(p.entity!.properties.passportNumber).toBeUndefined();
      expect(p.withheld.classification).toBe(1);
      expect(p.entity!.properties.notes).toBeDefined(); // fr.junior is in Bora
    });

    it('shows a partner nothing of what was not released to it', async () => {
      const be = await signIn(f, 'be.analyst', DUNE);
      const p = await json<Profile>(call(f, be, 'GET', '/api/entities/fr-ct:p1'));
      expect(p.entity!.properties.alias).toBeUndefined();
      expect(p.withheld.releasability).toBe(1);
      const mine = await json(call(f, fr, 'GET', '/api/entities/be-ct:p3'));
      expect(mine).toMatchObject({ entity: null, withheld: { releasability: 1 }, links: [] });
    });

    it('answers 404 for an unknown entity and 400 for a malformed or traversal id', async () => {
      expect(await (await call(f, fr, 'GET', '/api/entities/fr-ct:nobody')).json()).toMatchObject({ code: 'NOT_FOUND' });
      for (const id of ['..%2F..%2Fetc%2Fpasswd', '%3Cscript%3E', 'fr-ct%3A%27%20OR%201%3D1']) {
        const res = await call(f, fr, 'GET', `/api/entities/${id}`);
        expect(res.status, id).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'VALIDATION', field: 'id' });
      }
    });

    it('returns stored markup in names as data, never as HTML (JSON, nosniff, strict CSP)', async () => {
      const res = await call(f, fr, 'GET', `/api/search?q=zora`);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await json<{ results: { caption: string }[] }>(res);
      expect(body.results[0]!.caption).toBe(XSS_NAME);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    });
  });

  describe('oversight', () => {
    it('gives aggregate stats and verifies the audit chain (the verification is audited too)', async () => {
      const stats = await (await call(f, fr, 'GET', '/api/stats')).json();
      expect(stats).toMatchObject({ statements: 15, bySchema: { Person: 4 } });
      const v = await json<{ intact: boolean; entries: number }>(call(f, fr, 'GET', '/api/audit/verify'));
      expect(v.intact).toBe(true);
      expect(v.entries).toBeGreaterThan(10);
      const last = await f.store.auditHead();
      expect(last?.action).toBe('audit.verify');
    });

    it('lists the vocabulary for filters', async () => {
      const meta = await json<{ agencies: { id: string }[]; schemas: { name: string }[] }>(call(f, fr, 'GET', '/api/meta'));
      expect(meta.agencies.map((a: { id: string }) => a.id)).toEqual(['BE-CT', 'ES-CT', 'FR-CT']);
      expect(meta.schemas.map((s: { name: string }) => s.name)).toContain('PhoneUse');
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 VALIDATION', async () => {
      for (const body of ['{"userId": "fr.analyst", ', 'null', '[]', '"text"']) {
        const res = await call(f, undefined, 'POST', '/api/auth/login', body);
        expect(res.status, body).toBe(400);
        expect(await res.json(), body).toMatchObject({ code: 'VALIDATION' });
      }
      const res = await call(f, fr, 'PUT', '/api/session/context', '{"purpose": ');
      expect(res.status).toBe(400);
      expect((await json(res)).message).toMatch(/malformed JSON/);
    });

    it('refuses oversized bodies with 413 LIMIT', async () => {
      const res = await call(f, fr, 'PUT', '/api/session/context', { purpose: 'x'.repeat(100_000), caseId: 'FR-OP-ATLAS' });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'LIMIT' });
    });

    it('refuses over-long fields and injection strings in login without a server error', async () => {
      for (const userId of ["' OR '1'='1", '<script>alert(1)</script>', 'a'.repeat(65), 'fr.analyst\u0000']) {
        const res = await login(f, userId, "' OR '1'='1");
        expect([400, 401], userId).toContain(res.status);
      }
    });

    it('answers unknown API routes with 404 JSON and sets security headers everywhere', async () => {
      const res = await call(f, fr, 'GET', '/api/nothing-here');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    });
  });
});

describe('capability plug-ins', () => {
  it('mounts a plug-in under /api behind the same session, context, CSRF and error mapping, and documents it', async () => {
    const plugin: ApiPlugin = {
      path: 'echo',
      routes: ({ gov }) => {
        const app = createRouter();
        app.openapi(
          createRoute({ method: 'get', path: '/whoami', responses: { 200: { description: 'x', content: { 'application/json': { schema: z.object({ user: z.string(), statements: z.number() }) } } } } }),
          async (c) => {
            const stats = await gov.stats(workContext(c)); // the service checks purpose and case
            return c.json({ user: workContext(c).userId, statements: stats.statements }, 200);
          },
        );
        return app;
      },
    };
    const g = await apiFixture({ plugins: [plugin] });
    try {
      expect((await g.app.request('/api/echo/whoami')).status).toBe(401);
      const c = await signIn(g, 'fr.analyst');
      expect(await (await call(g, c, 'GET', '/api/echo/whoami')).json()).toMatchObject({ code: 'PURPOSE_REQUIRED' });
      await call(g, c, 'PUT', '/api/session/context', ATLAS);
      expect(await (await call(g, c, 'GET', '/api/echo/whoami')).json()).toEqual({ user: 'fr.analyst', statements: 15 });
      expect(Object.keys((openApiDocument(g.app) as { paths: object }).paths)).toContain('/api/echo/whoami');
    } finally {
      await g.store.close();
    }
  });
});

describe('the web app', () => {
  it('is served with the SPA fallback, long-lived hashed assets, and no path traversal', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
    const g = await apiFixture({ webRoot: root });
    try {
      for (const path of ['/', '/search', '/entity/fr-ct:p1']) {
        const res = await g.app.request(path);
        expect(res.status, path).toBe(200);
        expect(await res.text()).toContain('id="root"');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      }
      const asset = await g.app.request('/assets/app-abc123.js');
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      for (const path of ['/assets/../../../etc/passwd', '/assets/..%2F..%2F..%2Fetc%2Fpasswd', '/assets/%2e%2e/%2e%2e/etc/passwd']) {
        const res = await g.app.request(path);
        expect(await res.text(), path).not.toContain('root:');
      }
    } finally {
      await g.store.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
