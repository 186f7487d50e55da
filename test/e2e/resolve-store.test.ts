import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePlugin } from '../../src/api/index.js';
import { ResolutionService } from '../../src/resolve/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { frCtx, PURPOSE } from '../support/governance.js';
import { tessera } from '../support/spawn-cli.js';
import { stmt } from '../support/statements.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-resolve-store-'));
const file = join(dir, 'resolve.sqlite');
const db = `sqlite:${file}`;
const truth = join(dir, 'truth.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Link {
  left: string;
  right: string;
  colour: string;
  probability?: number;
  judgement?: { seq: number; by: string; why: string };
  history: { seq: number; action: string }[];
  explanation?: { fields: { field: string; level: string; weight: number }[]; weight: number };
}
interface AuditRow {
  user_id: string;
  purpose: string;
  case_id: string | null;
  action: string;
  outcome: string;
  entity_ids: string;
  details: string;
}

function run(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  return tessera(['--db', db, ...args]);
}

function ok<T>(args: readonly string[]): T {
  const r = run(['--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function audit(actionLike: string): AuditRow[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare('SELECT user_id, purpose, case_id, action, outcome, entity_ids, details FROM audit_log WHERE action LIKE ? ORDER BY seq').all(actionLike) as AuditRow[];
  } finally {
    raw.close();
  }
}

function linkOf(links: readonly Link[], a: string, b: string): Link | undefined {
  const [l, r] = a < b ? [a, b] : [b, a];
  return links.find((x) => x.left === l && x.right === r);
}

describe('tessera resolve on the store (tiny scenario, SQLite)', () => {
  let links: Link[] = [];

  beforeAll(() => {
    const r = run(['load', '--size', 'tiny', '--seed', '3', '--truth', truth]);
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  it('runs the matcher on the readable Person records, with SQL-side blocking and quality against the truth', () => {
    const report = ok<{ records: number; candidatePairs: number; stored: number; blocking: Record<string, { pairs: number }>; quality: { precision: number; recall: number; truePairs: number; blockingRecall: number } }>(['resolve', 'run', '--truth', truth]);
    expect(report.records).toBeGreaterThan(50);
    expect(report.candidatePairs).toBeGreaterThan(0);
    expect(report.stored).toBeGreaterThan(0);
    expect(Object.keys(report.blocking).length).toBeGreaterThan(3);
    expect(report.quality.truePairs).toBeGreaterThan(0);
    // The agencies' views of the same persons are linked, with few false links.
    expect(report.quality.precision).toBeGreaterThan(0.9);
    expect(report.quality.recall).toBeGreaterThan(0.6);
    expect(report.quality.blockingRecall).toBeGreaterThanOrEqual(report.quality.recall);
    links = ok<Link[]>(['resolve', 'candidates', '--limit', '500']);
    expect(links.length).toBe(report.stored);
    expect(links.every((l) => l.colour === 'yellow')).toBe(true);
    const probabilities = links.map((l) => l.probability ?? 0);
    expect(probabilities).toEqual([...probabilities].sort((x, y) => y - x));
  }, 120_000);

  it('explains the candidates of one record field by field', () => {
    const top = links[0]!;
    const own = ok<Link[]>(['resolve', 'candidates', '--entity', top.left]);
    const link = linkOf(own, top.left, top.right)!;
    expect(link.explanation!.fields.map((f) => f.field)).toContain('birthDate');
    const sum = link.explanation!.fields.reduce((s, f) => s + f.weight, 0);
    expect(sum).toBeCloseTo(link.explanation!.weight, 6);
    expect(own.every((l) => l.left === top.left || l.right === top.left)).toBe(true);
    const text = run(['resolve', 'candidates', '--entity', top.left]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/prior/);
  }, 60_000);

  it('records a judgement with who and why, keeps it across a re-run, undoes it by appending a reversal', () => {
    const top = links[0]!;
    const judged = ok<{ judgement: { seq: number; colour: string; by: string; why: string } }>(['resolve', 'judge', top.left, top.right, '--state', 'white', '--reason', 'Same passport number and date of birth']);
    expect(judged.judgement).toMatchObject({ colour: 'white', why: 'Same passport number and date of birth' });
    expect(judged.judgement.by).not.toBe('');

    const rerun = ok<{ judgedKept: number }>(['resolve', 'run']);
    expect(rerun.judgedKept).toBeGreaterThanOrEqual(1);
    const after = linkOf(ok<Link[]>(['resolve', 'candidates', '--state', 'white']), top.left, top.right)!;
    expect(after.colour).toBe('white');
    expect(after.judgement!.seq).toBe(judged.judgement.seq);

    const undone = ok<{ seq: number; action: string; undoes: number }>(['resolve', 'undo', String(judged.judgement.seq), '--reason', 'Passport turned out to be a shared forged template']);
    expect(undone).toMatchObject({ action: 'undo', undoes: judged.judgement.seq });
    const back = linkOf(ok<Link[]>(['resolve', 'candidates', '--entity', top.left]), top.left, top.right)!;
    expect(back.colour).toBe('yellow');
    expect(back.history.map((h) => h.action)).toEqual(['judge', 'undo']);

    const again = run(['resolve', 'undo', String(judged.judgement.seq), '--reason', 'twice']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/CONFLICT.*already undone/);
  }, 120_000);

  it('audits every run, judgement and undo with the user, purpose and case', () => {
    for (const action of ['resolution.run', 'resolution.judge', 'resolution.undo']) {
      const rows = audit(action);
      expect(rows.length, action).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.purpose.length).toBeGreaterThan(5);
        expect(row.case_id).not.toBeNull();
        expect(row.user_id).not.toBe('');
      }
    }
    const judge = audit('resolution.judge')[0]!;
    expect(JSON.parse(judge.details)).toMatchObject({ colour: 'white', why: 'Same passport number and date of birth' });
    expect(JSON.parse(judge.entity_ids)).toEqual([links[0]!.left, links[0]!.right]);
  });

  it('refuses, with a warning, a confirmation that would merge clusters holding a green pair', () => {
    const ids = [...new Set(links.flatMap((l) => [l.left, l.right]))];
    const [x, y, z] = [ids[0]!, ids[1]!, ids[2]!];
    ok(['resolve', 'judge', x, y, '--state', 'green', '--reason', 'Namesakes: different fathers and birthplaces']);
    ok(['resolve', 'judge', y, z, '--state', 'white', '--reason', 'Same phone and date of birth']);
    const refused = run(['resolve', 'judge', x, z, '--state', 'white', '--reason', 'Similar names']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/warning: merge refused/);
    expect(refused.stderr).toMatch(/CONFLICT.*green pair/);
    expect(audit('resolution.judge').some((r) => r.outcome === 'refused')).toBe(true);

    const clusters = ok<{ clusters: string[][] }>(['resolve', 'clusters', '--threshold', '0.99999']);
    const withX = clusters.clusters.find((c) => c.includes(x)) ?? [x];
    expect(withX).not.toContain(y);
    expect(clusters.clusters.some((c) => c.includes(y) && c.includes(z))).toBe(true);
  }, 120_000);

  it('raises an identity-fraud alert on a red link', () => {
    const l = links[links.length - 1]!;
    const r = ok<{ alert: { owners: string[] } }>(['resolve', 'judge', l.left, l.right, '--state', 'red', '--reason', 'One person using two identity documents']);
    expect(r.alert.owners.length).toBeGreaterThan(0);
    expect(audit('resolution.alert').length).toBe(1);
  }, 60_000);

  it('rejects bad input with clear errors', () => {
    const l = links[0]!;
    expect(run(['resolve', 'judge', l.left, l.right, '--state', 'yellow', '--reason', 'x']).stderr).toMatch(/--state must be white/);
    expect(run(['resolve', 'judge', l.left, l.right, '--state', 'white', '--reason', '  ']).stderr).toMatch(/VALIDATION.*reason/);
    expect(run(['resolve', 'judge', l.left, 'fr-ct:no-such-person', '--state', 'white', '--reason', 'x']).stderr).toMatch(/NOT_FOUND.*fr-ct:no-such-person/);
    expect(run(['resolve', 'undo', '999999', '--reason', 'x']).stderr).toMatch(/NOT_FOUND.*999999/);
    expect(run(['resolve', 'undo', 'abc', '--reason', 'x']).stderr).toMatch(/VALIDATION.*positive integer/);
    expect(run(['--user', 'fr.analyst', '--case', 'FR-OP-ATLAS', 'resolve', 'run']).stderr).toMatch(/PURPOSE_REQUIRED/);
  }, 120_000);
});

describe('/api/resolve (in-process app, seeded test world)', () => {
  type Fixture = Awaited<ReturnType<typeof apiFixture>>;
  type Body = Record<string, unknown> & { code?: string };
  interface Client {
    cookie: string;
    csrf: string;
  }
  let f: Fixture;
  const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };
  const fr = { agency: 'FR-CT', documentId: 'fr-api-1', collectedAt: '2024-01-15T10:00:00Z' };
  const be = { agency: 'BE-CT', documentId: 'be-api-1', collectedAt: '2024-02-15T10:00:00Z' };

  function call(c: Client | undefined, method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { ...(c ? { cookie: c.cookie, 'x-csrf-token': c.csrf } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    return Promise.resolve(f.app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  }
  async function signIn(userId: string, context?: { purpose: string; caseId: string }): Promise<Client> {
    const res = await call(undefined, 'POST', '/api/auth/login', { userId, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
    if (context) expect((await call(client, 'PUT', '/api/session/context', context)).status).toBe(200);
    return client;
  }

  beforeAll(async () => {
    f = await apiFixture({ plugins: [resolvePlugin()] });
    // Invented persons: the seeded Karim Benali (fr-ct:p1) seen by Belgium under a variant spelling,
    // plus a population of background persons for the model to learn from.
    const people: [string, Record<string, string>, typeof fr][] = [
      ['be-ct:k2', { name: 'Kareem Ben Ali', firstName: 'Kareem', lastName: 'Ben Ali', birthDate: '1990-04-02' }, be],
      ['fr-ct:k3', { name: 'Karim Benali', firstName: 'Karim', lastName: 'Benali', birthDate: '1990-04-02' }, fr],
    ];
    const given = ['Lotte', 'Bram', 'Ines', 'Tiago', 'Sanne', 'Jonas', 'Elif', 'Marek', 'Noor', 'Pavel'];
    const family = ['Verhoeven', 'Castellano', 'Dobrescu', 'Halvorsen', 'Keskinen', 'Moravec', 'Oyelaran'];
    for (let k = 0; k < 50; k++) {
      const g = given[k % given.length]!;
      const l = family[(k * 3) % family.length]!;
      people.push([`fr-ct:bg${k}`, { name: `${g} ${l}`, firstName: g, lastName: l, birthDate: `${1950 + k}-0${1 + (k % 9)}-1${k % 10}` }, fr]);
    }
    await f.gov.systemWrite('test', 'fixture load for resolution API tests', people.flatMap(([id, props, source]) => Object.entries(props).map(([prop, value]) => stmt({ entityId: id, schema: 'Person', prop, value, source }))));
    await new ResolutionService(f.gov).run(frCtx);
  });
  afterAll(() => f.store.close());

  it('lists the candidates of a record with the score explanation', async () => {
    const me = await signIn('fr.analyst', ATLAS);
    const res = await call(me, 'GET', '/api/resolve/candidates?entity=fr-ct:p1');
    expect(res.status).toBe(200);
    const { links } = (await res.json()) as { links: Link[] };
    expect(links.length).toBeGreaterThan(0);
    const k3 = linkOf(links, 'fr-ct:p1', 'fr-ct:k3')!;
    expect(k3.colour).toBe('yellow');
    expect(k3.explanation!.fields.find((f) => f.field === 'birthDate')).toBeDefined();
    expect(links.every((l) => l.left === 'fr-ct:p1' || l.right === 'fr-ct:p1')).toBe(true);
  });

  it('judges and undoes through the API, with session, CSRF, purpose and case', async () => {
    expect((await call(undefined, 'GET', '/api/resolve/candidates')).status).toBe(401);
    const noContext = await signIn('fr.analyst');
    expect((await call(noContext, 'GET', '/api/resolve/candidates')).status).toBe(403);
    const me = await signIn('fr.analyst', ATLAS);
    const noCsrf = await f.app.request('/api/resolve/judgements', { method: 'POST', headers: { cookie: me.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ left: 'fr-ct:p1', right: 'fr-ct:k3', state: 'white', reason: 'x' }) });
    expect(noCsrf.status).toBe(403);

    const judged = await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'fr-ct:k3', state: 'white', reason: 'Same name and date of birth, same address' });
    expect(judged.status).toBe(200);
    const { judgement } = (await judged.json()) as { judgement: { seq: number; by: string; colour: string } };
    expect(judgement).toMatchObject({ by: 'fr.analyst', colour: 'white' });

    const undo = await call(me, 'POST', `/api/resolve/judgements/${judgement.seq}/undo`, { reason: 'Address belongs to a relative' });
    expect(undo.status).toBe(200);
    expect(await undo.json()).toMatchObject({ action: 'undo', undoes: judgement.seq });
    expect((await call(me, 'POST', `/api/resolve/judgements/${judgement.seq}/undo`, { reason: 'again' })).status).toBe(409);
    expect((await call(me, 'POST', '/api/resolve/judgements/999/undo', { reason: 'x' })).status).toBe(404);

    const entries = await f.store.readAudit(1, 10_000);
    expect(entries.find((e) => e.action === 'resolution.judge' && e.outcome === 'allowed')).toMatchObject({ userId: 'fr.analyst', purpose: PURPOSE, caseId: 'FR-OP-ATLAS' });
    expect(entries.some((e) => e.action === 'resolution.undo')).toBe(true);
  });

  it('refuses merges across a green pair (409) and bad input (400)', async () => {
    const me = await signIn('fr.analyst', ATLAS);
    expect((await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'be-ct:k2', state: 'green', reason: 'Different fathers' })).status).toBe(200);
    expect((await call(me, 'POST', '/api/resolve/judgements', { left: 'be-ct:k2', right: 'fr-ct:k3', state: 'white', reason: 'Same person' })).status).toBe(200);
    const refused = await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'fr-ct:k3', state: 'white', reason: 'Same name' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Body).code).toBe('CONFLICT');
    expect((await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'fr-ct:k3', state: 'yellow', reason: 'x' })).status).toBe(400);
    expect((await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'fr-ct:k3', state: 'white', reason: '' })).status).toBe(400);
    expect((await call(me, 'POST', '/api/resolve/judgements', { left: 'fr-ct:p1', right: 'fr-ct:nobody', state: 'white', reason: 'x' })).status).toBe(404);
    const clusters = (await (await call(me, 'GET', '/api/resolve/clusters?threshold=0.99999')).json()) as { clusters: string[][] };
    expect(clusters.clusters.some((c) => c.includes('fr-ct:p1') && c.includes('fr-ct:k3'))).toBe(false);
  });
});
