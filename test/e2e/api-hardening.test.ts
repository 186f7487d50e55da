import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, type Session } from '../../src/api/index.js';
import { servedPlugins } from '../../src/cli/commands/serve.js';
import { apiFixture, XSS_NAME } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';

/**
 * Hardening of every route the server documents: the operations are read from the served OpenAPI
 * document (core routes and every plug-in of `servedPlugins()`), so a route added later is covered
 * without touching this file. Requests are built from each operation's own schemas.
 */

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
interface JsonSchema {
  type?: string;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  /** `oversight`: the route answers in an oversight context (a purpose and no case). */
  'x-tessera-context'?: string;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

/** Routes that need a session but no purpose or case: signing out, the session itself, choosing the context, and the vocabulary to choose it with. */
const CONTEXT_FREE = new Set(['POST /api/auth/logout', 'GET /api/session', 'PUT /api/session/context', 'GET /api/cases', 'GET /api/meta']);
/** Routes open without a session. */
const PUBLIC = new Set(['POST /api/auth/login']);
/** Oversight work (DPO, auditors): the only routes that answer in an oversight context — a purpose and no case. */
const OVERSIGHT = ['GET /api/audit/chain', 'GET /api/audit/entries', 'GET /api/dpo/report'];
const OVERSIGHT_PURPOSE = 'Quarterly lawfulness review of consultations';

/**
 * Values the generator cannot know (a valid combination of optional fields, a real case id). A new
 * route whose generated request is refused as invalid gets its sample here, or an `example` in its schema.
 */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'PUT /api/session/context': { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' },
  'GET /api/graph/timeline': { scope: 'case' },
  'POST /api/dossiers': { format: 'html' }, // PDF printing is covered once, in api-dossier.test.ts
  'GET /api/graph/connect': { ids: 'fr-ct:p1,fr-ct:ph1' },
};

/**
 * A clear configuration error (a federation node not running in this process, Chromium not
 * installed) is a 500 `CONFIG` by design: it names what to set up. Any other 5xx is a defect.
 */
const isDefect = (status: number, code: string | undefined) => status >= 500 && code !== 'CONFIG';

const TEXT = 'Sample text written by the API hardening test run';
/** Names of fields that carry entity ids (a real one from the fixture, so requests reach the service). */
const ENTITY_FIELDS = /^(id|ids|source|target|left|right|subject|entity|entityId|entityIds)$/;

/** A small valid value for a schema: required properties (and those with an example), first enum member, sensible strings. */
function sample(doc: OpenApi, schema: JsonSchema | undefined, name = ''): unknown {
  if (!schema) return TEXT;
  if (schema.$ref) return sample(doc, doc.components.schemas[schema.$ref.split('/').pop()!], name);
  if (schema.allOf?.length) return sample(doc, Object.assign({}, ...schema.allOf.map((s) => (s.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s))) as JsonSchema, name);
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt?.length) return sample(doc, alt.find((s) => s.type !== 'null') ?? alt[0], name);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(schema.properties ?? {})) if (schema.required?.includes(k) || v.example !== undefined) out[k] = sample(doc, v, k);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(doc, schema.items, name));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    default: {
      if (schema.format === 'date') return '2031-01-01';
      if (schema.format === 'date-time') return '2030-01-01T00:00:00Z';
      if (ENTITY_FIELDS.test(name) || schema.pattern?.includes(':[A-Za-z0-9')) return 'fr-ct:p1';
      if (schema.pattern?.includes('[0-9a-f]{40}')) return 'a'.repeat(40); // a statement id
      if (schema.pattern?.startsWith('^[A-Z]{2}-')) return 'BE-CT'; // an agency id
      const text = TEXT.slice(0, schema.maxLength ?? TEXT.length);
      return text.padEnd(schema.minLength ?? 0, 'x');
    }
  }
}

interface Probe {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly op: Operation;
}

function operations(doc: OpenApi): Probe[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, method: m.toUpperCase(), path, op })));
}

/** The URL and JSON body of a valid request for an operation, with optional overrides by field name. */
function requestFor(doc: OpenApi, p: Probe, extra: Record<string, unknown> = {}): { url: string; body: unknown } {
  const override = { ...SAMPLES[p.key], ...extra };
  let url = p.path;
  const query = new URLSearchParams();
  for (const param of p.op.parameters ?? []) {
    const value = param.name in override ? override[param.name] : sample(doc, param.schema, param.name);
    if (param.in === 'path') url = url.replace(`{${param.name}}`, encodeURIComponent(String(value)));
    else if (param.in === 'query' && (param.required || param.name in override || param.schema?.example !== undefined)) query.set(param.name, String(value));
  }
  const schema = p.op.requestBody?.content['application/json']?.schema;
  const body: unknown = schema ? sample(doc, schema) : undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const props = Object.keys(resolve(doc, schema)?.properties ?? {});
    for (const [k, v] of Object.entries(override)) if (props.includes(k)) (body as Record<string, unknown>)[k] = v;
  }
  const qs = query.toString();
  return { url: qs ? `${url}?${qs}` : url, body };
}

function resolve(doc: OpenApi, schema: JsonSchema | undefined): JsonSchema | undefined {
  return schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema;
}

/** Top-level string fields of a body schema (the text fields injection strings go into). */
function stringFields(doc: OpenApi, schema: JsonSchema | undefined): string[] {
  return Object.entries(resolve(doc, schema)?.properties ?? {})
    .filter(([, v]) => v.type === 'string' && !v.enum && !v.format)
    .map(([k]) => k);
}

/** Top-level string parameters (path and query) of an operation. */
function stringParams(p: Probe): string[] {
  return (p.op.parameters ?? []).filter((x) => (x.in === 'path' || x.in === 'query') && x.schema?.type === 'string' && !x.schema.enum).map((x) => x.name);
}

const INJECTIONS = ["'; DROP TABLE statements;--", '" OR 1=1 --', '<script>window.__xss=1</script>', '<img src=x onerror=alert(1)>', '../../../etc/passwd', 'benali" NEAR(', '%00\u0000'];

describe('API hardening, over every documented route', () => {
  let f: Fixture;
  let doc: OpenApi;
  let probes: Probe[];
  let now = Date.now();

  const session = (userId = 'fr.all', context = true): Session => {
    const s = f.sessions.open(userId, 'FR-CT');
    if (context) {
      s.purpose = PURPOSE;
      s.caseId = 'FR-OP-ATLAS';
    }
    return s;
  };
  const call = async (s: Session | undefined, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    f.app.request(url, {
      method,
      headers: { ...(s ? { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const protectedProbes = () => probes.filter((p) => !PUBLIC.has(p.key));

  beforeAll(async () => {
    f = await apiFixture({ plugins: servedPlugins(), now: () => now });
    // One user with every role and the Atlas case, so a refusal can only come from the context.
    await f.gov.upsertUser({ id: 'fr.all', name: 'All roles FR', agency: 'FR-CT', roles: ['analyst', 'supervisor', 'dpo', 'auditor', 'admin'], clearance: 'SECRET' });
    const atlas = (await f.gov.case('FR-OP-ATLAS'))!;
    await f.gov.upsertCase({ ...atlas, members: [...atlas.members, 'fr.all'] });
    doc = openApiDocument(f.app) as OpenApi;
    probes = operations(doc);
  });
  afterAll(async () => f.store.close());

  it('reads the routes of every served plug-in from the document', () => {
    const prefixes = new Set(probes.map((p) => p.path.split('/')[2]));
    for (const plugin of servedPlugins()) expect(prefixes, plugin.path).toContain(plugin.path);
    for (const key of ['POST /api/dossiers', 'GET /api/audit/entries', 'GET /api/audit/chain', 'GET /api/dpo/report', 'POST /api/entities']) expect(probes.map((p) => p.key)).toContain(key);
  });

  it('refuses every route but sign-in without a session (401), with a forged cookie too', async () => {
    const failures: string[] = [];
    for (const p of protectedProbes()) {
      const { url, body } = requestFor(doc, p);
      for (const cookie of [undefined, 'tessera_session=forged-0123456789abcdef']) {
        const res = await f.app.request(url, { method: p.method, headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const json = (await res.json()) as { code?: string };
        if (res.status !== 401 || json.code !== 'UNAUTHENTICATED') failures.push(`${p.key}${cookie ? ' (forged)' : ''}: ${res.status} ${json.code}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses an expired session on every route (401), saying it expired', async () => {
    const failures: string[] = [];
    for (const p of protectedProbes()) {
      const s = session();
      now += f.sessions.idleMs + 1_000;
      const { url, body } = requestFor(doc, p);
      const res = await call(s, p.method, url, body);
      const json = (await res.json()) as { code?: string; message?: string };
      if (res.status !== 401 || !/expired/.test(json.message ?? '')) failures.push(`${p.key}: ${res.status} ${json.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses every data route before a purpose and case are chosen (403 PURPOSE_REQUIRED), with a valid request', async () => {
    const failures: string[] = [];
    for (const p of protectedProbes().filter((x) => !CONTEXT_FREE.has(x.key))) {
      const { url, body } = requestFor(doc, p);
      const res = await call(session('fr.all', false), p.method, url, body);
      const json = (await res.json()) as { code?: string; message?: string };
      // A 400 here means the generated request is invalid: give the field an example in the route's schema.
      if (res.status !== 403 || json.code !== 'PURPOSE_REQUIRED') failures.push(`${p.key}: ${res.status} ${json.code} ${json.message ?? ''}`);
    }
    expect(failures).toEqual([]);
  });

  it('lets the same requests through once the context is chosen (so the 403 came from the missing context)', async () => {
    const failures: string[] = [];
    for (const p of protectedProbes()) {
      if (p.key === 'POST /api/auth/logout') continue;
      const { url, body } = requestFor(doc, p);
      const res = await call(session(), p.method, url, body);
      const json = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { code?: string }) : {};
      if (isDefect(res.status, json.code) || res.status === 401 || ['PURPOSE_REQUIRED', 'CASE_REQUIRED'].includes(json.code ?? '')) failures.push(`${p.key}: ${res.status} ${json.code}`);
    }
    expect(failures).toEqual([]);
  });

  it('in an oversight context (purpose, no case) answers the oversight routes only; every case-bound route refuses it (403 CASE_REQUIRED)', async () => {
    // The document marks the oversight routes; nothing else may carry the mark.
    expect(probes.filter((p) => p.op['x-tessera-context'] === 'oversight').map((p) => p.key).sort()).toEqual(OVERSIGHT);
    const before = (await f.store.readAudit()).at(-1)!.seq;
    const s = session('fr.all', false);
    const chosen = await call(s, 'PUT', '/api/session/context', { purpose: OVERSIGHT_PURPOSE, caseId: null });
    expect(chosen.status).toBe(200);
    expect(await chosen.json()).toMatchObject({ purpose: OVERSIGHT_PURPOSE, caseId: null, caseName: null, oversight: true });
    const failures: string[] = [];
    for (const p of protectedProbes().filter((x) => !CONTEXT_FREE.has(x.key))) {
      const { url, body } = requestFor(doc, p);
      const res = await call(s, p.method, url, body);
      const json = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { code?: string; message?: string }) : {};
      if (OVERSIGHT.includes(p.key)) {
        if (res.status !== 200) failures.push(`${p.key} (oversight route): ${res.status} ${json.code}`);
      } else if (res.status !== 403 || json.code !== 'CASE_REQUIRED') failures.push(`${p.key}: ${res.status} ${json.code} ${json.message ?? ''}`);
    }
    expect(failures).toEqual([]);
    // The oversight looks were recorded with their purpose and no case.
    const looks = (await f.store.readAudit(before + 1)).filter((e) => ['audit.search', 'audit.verify', 'dpo.report'].includes(e.action) && e.outcome === 'allowed');
    expect(looks.map((e) => e.action).sort()).toEqual(['audit.search', 'audit.verify', 'dpo.report']);
    expect(looks.every((e) => e.purpose === OVERSIGHT_PURPOSE && e.caseId === null)).toBe(true);
  });

  it('answers malformed JSON with 400 VALIDATION and oversized bodies with 413 LIMIT on every route with a body', async () => {
    const failures: string[] = [];
    const withBody = protectedProbes().filter((p) => p.op.requestBody);
    expect(withBody.length).toBeGreaterThan(5);
    for (const p of withBody) {
      const { url } = requestFor(doc, p);
      for (const broken of ['{"reason": ', '{"a":1}}', '\u0000\u0001', '[']) {
        const res = await call(session(), p.method, url, broken);
        const json = (await res.json()) as { code?: string };
        if (res.status !== 400 || json.code !== 'VALIDATION') failures.push(`${p.key} ${JSON.stringify(broken)}: ${res.status} ${json.code}`);
      }
      const huge = await call(session(), p.method, url, JSON.stringify({ reason: 'x'.repeat(70 * 1024) }));
      const json = (await huge.json()) as { code?: string };
      if (huge.status !== 413 || json.code !== 'LIMIT') failures.push(`${p.key} oversized: ${huge.status} ${json.code}`);
    }
    expect(failures).toEqual([]);
  });

  it('handles SQL, FTS, HTML and traversal strings in every text field and parameter without a server error', async () => {
    const statementsBefore = (await f.store.stats()).statements;
    const failures: string[] = [];
    let requests = 0;
    for (const p of protectedProbes()) {
      if (p.key === 'POST /api/auth/logout') continue;
      const schema = p.op.requestBody?.content['application/json']?.schema;
      for (const field of [...stringParams(p), ...stringFields(doc, schema)]) {
        for (const text of INJECTIONS) {
          const { url, body } = requestFor(doc, p, { [field]: text });
          const res = await call(session(), p.method, url, body);
          requests++;
          const type = res.headers.get('content-type') ?? '';
          const code = res.status >= 400 && type.startsWith('application/json') ? ((await res.clone().json()) as { code?: string }).code : undefined;
          if (isDefect(res.status, code)) failures.push(`${p.key} ${field}=${JSON.stringify(text)}: ${res.status} ${await res.text()}`);
          else if (res.status >= 400 && !type.startsWith('application/json')) failures.push(`${p.key} ${field}: error answered as ${type}`);
          else if (type.startsWith('text/html') && /<script>window.__xss|<img src=x/.test(await res.text())) failures.push(`${p.key} ${field}: markup echoed unescaped into HTML`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    // Only POST /api/entities writes statements (one per injected value that validated); nothing was dropped.
    expect((await f.store.stats()).statements).toBeGreaterThanOrEqual(statementsBefore);
    expect((await f.gov.verifyAudit()).problems).toEqual([]);
  });
});

describe('data outside the user’s cases, roles or handling', () => {
  let f: Fixture;
  const signIn = (userId: string, agency: string, purpose: string, caseId: string) => {
    const s = f.sessions.open(userId, agency);
    s.purpose = purpose;
    s.caseId = caseId;
    return s;
  };
  const post = (s: Session, url: string, body: unknown) =>
    f.app.request(url, { method: 'POST', headers: { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const get = (s: Session, url: string) => f.app.request(url, { headers: { cookie: `tessera_session=${s.id}` } });

  beforeAll(async () => {
    f = await apiFixture();
    await f.gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
    await f.gov.upsertUser({ id: 'fr.auditor', name: 'Auditor FR', agency: 'FR-CT', roles: ['auditor'], clearance: 'SECRET' });
  });
  afterAll(async () => f.store.close());

  it('refuses a dossier of another case, of a subject the user may not read, or from a screening-only case', async () => {
    const fr = signIn('fr.analyst', 'FR-CT', PURPOSE, 'FR-OP-ATLAS');
    expect(await (await post(fr, '/api/dossiers', { caseId: 'BE-OP-DUNE', recipient: 'BE-CT', format: 'html' })).json()).toMatchObject({ code: 'FORBIDDEN', field: 'caseId' });
    expect(await (await post(fr, '/api/dossiers', { subject: 'be-ct:p3', recipient: 'ES-CT', format: 'html' })).json()).toMatchObject({ code: 'FORBIDDEN', field: 'subject' });
    const junior = signIn('fr.junior', 'FR-CT', 'Screen travellers for Operation Bora', 'FR-OP-BORA');
    expect(await (await post(junior, '/api/dossiers', { subject: 'fr-ct:p1', recipient: 'BE-CT', format: 'html' })).json()).toMatchObject({ code: 'LEGAL_BASIS' });
  });

  it('never puts what a partner may not receive into its dossier, and counts it instead', async () => {
    const fr = signIn('fr.analyst', 'FR-CT', PURPOSE, 'FR-OP-ATLAS');
    const res = await post(fr, '/api/dossiers', { subject: 'fr-ct:p1', recipient: 'ES-CT', clearance: 'RESTRICTED', format: 'html' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Karim Benali');
    for (const secret of ['Abou Karim', 'FR88K12345', 'Bora site']) expect(html).not.toContain(secret); // alias released to nobody, SECRET passport, Bora compartment
    expect(JSON.parse(res.headers.get('x-tessera-withheld')!)).toEqual({ classification: 1, releasability: 1, H2: 0, H3: 0, total: 2 });
  });

  it('opens the audit viewer to the DPO and auditors only, and the DPO report to the DPO only', async () => {
    const analyst = signIn('fr.analyst', 'FR-CT', PURPOSE, 'FR-OP-ATLAS');
    for (const url of ['/api/audit/entries', '/api/audit/chain', '/api/dpo/report']) expect(await (await get(analyst, url)).json(), url).toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    const auditor = signIn('fr.auditor', 'FR-CT', 'Internal audit of consultations this quarter', 'FR-OP-ATLAS');
    expect((await get(auditor, '/api/audit/entries?user=fr.analyst')).status).toBe(200);
    expect((await get(auditor, '/api/audit/chain')).status).toBe(200);
    expect(await (await get(auditor, '/api/dpo/report')).json()).toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    const dpo = signIn('fr.dpo', 'FR-CT', 'Quarterly lawfulness review of disclosures', 'FR-OP-ATLAS');
    expect((await get(dpo, '/api/dpo/report')).status).toBe(200);
    const badFilter = await get(dpo, '/api/audit/entries?from=yesterday');
    expect(badFilter.status).toBe(400);
    expect(await badFilter.json()).toMatchObject({ code: 'VALIDATION', field: 'from' });
  });

  it('lets the DPO and auditors work without a case (oversight context), only on oversight routes, and records the oversight purpose', async () => {
    const put = (s: Session, body: unknown) =>
      f.app.request('/api/session/context', { method: 'PUT', headers: { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Analysts work in cases: no oversight context for them (refused and audited).
    const analyst = f.sessions.open('fr.analyst', 'FR-CT');
    expect(await (await put(analyst, { purpose: OVERSIGHT_PURPOSE, caseId: null })).json()).toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    expect((await f.store.readAudit()).some((e) => e.userId === 'fr.analyst' && e.action === 'refused.session.context')).toBe(true);
    expect(await (await get(analyst, '/api/session')).json()).toMatchObject({ purpose: null, caseId: null, oversight: false });

    const dpo = f.sessions.open('fr.dpo', 'FR-CT');
    expect(await (await put(dpo, { purpose: 'x', caseId: null })).json()).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const chosen = await put(dpo, { purpose: OVERSIGHT_PURPOSE, caseId: null });
    expect(await chosen.json()).toMatchObject({ purpose: OVERSIGHT_PURPOSE, caseId: null, oversight: true });
    const page = await get(dpo, '/api/audit/entries?action=session.context&user=fr.dpo');
    expect(page.status).toBe(200);
    const { entries } = (await page.json()) as { entries: { purpose: string; caseId: string | null; details: Record<string, unknown>; outcome: string }[] };
    expect(entries[0]).toMatchObject({ purpose: OVERSIGHT_PURPOSE, caseId: null, outcome: 'allowed', details: { oversight: true } });
    expect((await get(dpo, '/api/audit/chain')).status).toBe(200);
    expect((await get(dpo, '/api/dpo/report')).status).toBe(200);
    // Case work stays case work.
    expect(await (await get(dpo, '/api/search?q=Benali')).json()).toMatchObject({ code: 'CASE_REQUIRED' });
    expect(await (await get(dpo, '/api/entities/fr-ct%3Ap1')).json()).toMatchObject({ code: 'CASE_REQUIRED' });
    const search = (await f.store.readAudit()).findLast((e) => e.userId === 'fr.dpo' && e.action === 'audit.search')!;
    expect(search).toMatchObject({ purpose: OVERSIGHT_PURPOSE, caseId: null, outcome: 'allowed' });

    const auditor = f.sessions.open('fr.auditor', 'FR-CT');
    expect((await put(auditor, { purpose: 'Internal audit of consultations this quarter', caseId: null })).status).toBe(200);
    expect((await get(auditor, '/api/audit/entries')).status).toBe(200);
    expect(await (await get(auditor, '/api/dpo/report')).json()).toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    // Choosing a case again leaves oversight.
    const back = await put(dpo, { purpose: 'Quarterly lawfulness review of disclosures', caseId: 'FR-OP-ATLAS' });
    expect(back.status).toBe(403); // the DPO is not a member of Atlas here
    expect(await (await get(dpo, '/api/session')).json()).toMatchObject({ oversight: true }); // a refused change keeps the context
  });

  it('stores markup in a name recorded through the API as data: JSON verbatim, escaped in the dossier', async () => {
    const fr = signIn('fr.analyst', 'FR-CT', PURPOSE, 'FR-OP-ATLAS');
    const recorded = await post(fr, '/api/entities', { schema: 'Person', values: [{ prop: 'name', value: XSS_NAME }], grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { releasableTo: ['*'] } });
    expect(recorded.status).toBe(201);
    const { entityId } = (await recorded.json()) as { entityId: string };
    expect(entityId).toMatch(/^fr-ct:/);
    const profile = await get(fr, `/api/entities/${encodeURIComponent(entityId)}`);
    expect(profile.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await profile.json()) as { entity: { caption: string } }).entity.caption).toBe(XSS_NAME.trim());
    const dossier = await (await post(fr, '/api/dossiers', { subject: entityId, recipient: 'BE-CT', format: 'html' })).text();
    expect(dossier).not.toContain('<script>window.__xss');
    expect(dossier).not.toContain('<img src=x');
    expect(dossier).toContain('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;Zora &lt;script&gt;');
    expect(dossier).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('refuses to record for another agency’s data or above the user’s clearance', async () => {
    const junior = signIn('fr.junior', 'FR-CT', PURPOSE, 'FR-OP-ATLAS');
    const res = await post(junior, '/api/entities', { schema: 'Person', values: [{ prop: 'name', value: 'Ilse Varga' }], grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: {}, classification: 'SECRET' });
    expect(await res.json()).toMatchObject({ code: 'VALIDATION', field: 'classification' });
    const bad = await post(junior, '/api/entities', { schema: 'Person', values: [{ prop: 'spaceship', value: 'x' }], grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: {} });
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION', field: 'prop' });
  });
});
