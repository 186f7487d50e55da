import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, triagePlugin } from '../../src/api/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { ResolutionService } from '../../src/resolve/index.js';
import { emilInBelgium, triageWorld } from '../../src/triage/world.test-helper.js';
import { travelSubject, WatchService, watchConfig } from '../../src/watch/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { frCtx } from '../support/governance.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
type Body = Record<string, unknown> & { code?: string; message?: string; field?: string };
interface Client {
  cookie: string;
  csrf: string;
}
interface SubjectJson {
  rank: number;
  subject: string;
  label: string;
  entityIds: string[];
  risk: number;
  contributions: { signal: string; summary: string; evidence: string[] }[];
  missing: { signal: string }[];
  rose?: { from: number; decision: string };
}
interface RankJson {
  asOf: string;
  total: number;
  subjects: SubjectJson[];
  notes: string[];
  resolution: { source: string; clusters: number; records: number };
}
interface PlanJson {
  id: string;
  ranking: SubjectJson[];
  rankingTotal: number;
  plan: { assignments: { subject: string; measure: string; team: string }[]; uncovered: { subject: string }[]; totalAgents: number; coveredRisk: number; warnings: string[] };
  curve: { teams: number; agents: number; coveredRisk: number; chosen: boolean }[];
}

const AS_OF = '2025-07-01T00:00:00Z';
const WEEKLY = { purpose: 'Weekly triage of surveillance capacity for Operation Atlas', caseId: 'FR-OP-ATLAS' };
const JSON_HEADERS = { 'content-type': 'application/json' };

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

const CAPACITY = { teams: [{ id: 'north', agents: 30 }, { id: 'south', agents: 8 }], agentsPerTarget: 27 };

describe('triage API (/api/triage)', () => {
  let f: Fixture;
  let analyst: Client;
  let chief: Client;
  let hitId: string;

  beforeAll(async () => {
    f = await apiFixture({ plugins: [triagePlugin()] });
    await f.gov.upsertUser({ id: 'fr.chief', name: 'Supervisor FR', agency: 'FR-CT', roles: ['analyst', 'supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
    await f.gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.chief'], openedAt: '2024-01-01T00:00:00Z' });
    await f.gov.systemWrite('test', 'Triage fixture world for API tests', [...triageWorld(), ...emilInBelgium()]);
    // Real services behind the signals: a resolved person, and an alert with a hit at the border.
    await new ResolutionService(f.gov).judge(frCtx, 'fr-ct:emil', 'be-ct:emil', 'white', 'Same man: name variant and the same circle of contacts');
    const watch = new WatchService(f.gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    await watch.addAlert(frCtx, {
      subject: { entityIds: ['fr-ct:dario'], names: ['Dario Inventato'] },
      threatLevel: 'S9',
      reasons: 'Quiet after a busy winter; contact of the Atlas network',
      grading: { system: 'EU4x4', source: 'B', info: '2' },
      action: 'discreet-check',
    });
    const screened = await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-77', travellerName: 'Dario Inventato', destination: 'Istanbul', departure: '2025-06-20T08:00:00Z' }, 'pnr-77', 'fixture PNR')]);
    hitId = screened.hitIds[0]!;
    analyst = await signIn(f, 'fr.analyst', WEEKLY);
    chief = await signIn(f, 'fr.chief', WEEKLY);
  });
  afterAll(async () => f.store.close());

  const ROUTES: readonly [string, string, unknown?][] = [
    ['GET', '/api/triage/rank'],
    ['GET', '/api/triage/evidence?ids=x'],
    ['GET', '/api/triage/weights'],
    ['PUT', '/api/triage/weights', { weights: { firearm: 2 }, reason: 'Firearm links weigh more after review' }],
    ['GET', '/api/triage/capacity'],
    ['PUT', '/api/triage/capacity', { capacity: CAPACITY, reason: 'Two teams available for Operation Atlas' }],
    ['POST', '/api/triage/plans', {}],
    ['POST', '/api/triage/decisions', { planId: 'plan-x', action: 'accept', reason: 'Accepted as proposed for this week' }],
    ['GET', '/api/triage/decisions'],
    ['GET', '/api/triage/decisions/decision-x'],
  ];

  it('refuses every route without a session (401) and without a purpose and case (403)', async () => {
    const bare = await signIn(f, 'fr.chief');
    for (const [method, path, body] of ROUTES) {
      const anonymous = await call(f, undefined, method, path, body);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(await json(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED' });
      const noPurpose = await call(f, bare, method, path, body);
      expect(noPurpose.status, `${method} ${path}`).toBe(403);
      expect(await json(noPurpose)).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    }
    const noCsrf = await call(f, { ...chief, csrf: 'wrong' }, 'PUT', '/api/triage/capacity', { capacity: CAPACITY, reason: 'Two teams available for Operation Atlas' });
    expect(noCsrf.status).toBe(403);
    expect(await json(noCsrf)).toMatchObject({ field: 'x-csrf-token' });
    // A case whose legal basis does not allow triage.
    const bora = await signIn(f, 'fr.junior', { purpose: 'Screening of travellers for Operation Bora', caseId: 'FR-OP-BORA' });
    const refused = await call(f, bora, 'GET', '/api/triage/rank');
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ code: 'LEGAL_BASIS' });
  });

  it('ranks with explanations: signals, evidence ids that resolve to profiles, resolved persons and real watchlist hits', async () => {
    const res = await call(f, analyst, 'GET', `/api/triage/rank?asOf=${AS_OF}&limit=3`);
    expect(res.status).toBe(200);
    const r = await json<RankJson>(res);
    expect(r.asOf).toBe('2025-07-01T00:00:00.000Z');
    expect(r.subjects).toHaveLength(3);
    expect(r.total).toBeGreaterThan(5); // the triage world's and the API world's people (those Atlas may read); nobody dropped
    for (let i = 1; i < r.subjects.length; i++) expect(r.subjects[i - 1]!.risk).toBeGreaterThanOrEqual(r.subjects[i]!.risk);
    const all = await json<RankJson>(call(f, analyst, 'GET', `/api/triage/rank?asOf=${AS_OF}&limit=5000`));
    expect(all.subjects).toHaveLength(all.total);
    // Resolution: Emil's French and Belgian records are one subject, with the Belgian trip.
    expect(all.resolution).toMatchObject({ source: 'resolution', clusters: 1, records: 2 });
    const emil = all.subjects.find((s) => s.entityIds.includes('fr-ct:emil'))!;
    expect(emil.entityIds.sort()).toEqual(['be-ct:emil', 'fr-ct:emil']);
    const travel = emil.contributions.find((c) => c.signal === 'conflictTravel')!;
    expect(travel.summary).toMatch(/conflict-zone gateway/);
    // Evidence statement ids resolve to the entities (profiles) they belong to.
    const ev = await json<{ evidence: { statementId: string; entityId: string; schema: string }[] }>(call(f, analyst, 'GET', `/api/triage/evidence?ids=${travel.evidence.join(',')}`));
    expect(ev.evidence.map((e) => e.entityId)).toContain('be-ct:tr9');
    expect(ev.evidence.every((e) => travel.evidence.includes(e.statementId))).toBe(true);
    // Watch: the border hit on Dario's alert is a recent-hits signal citing the hit.
    const dario = all.subjects.find((s) => s.subject === 'fr-ct:dario')!;
    expect(dario.contributions.find((c) => c.signal === 'recentHits')).toMatchObject({ evidence: [`hit:${hitId}`] });
    expect(all.notes.join(' ')).not.toMatch(/recent-hits signal is unavailable/);
    // Ranking by record on request.
    const records = await json<RankJson>(call(f, analyst, 'GET', `/api/triage/rank?asOf=${AS_OF}&resolved=false&limit=1`));
    expect(records.total).toBe(all.total + 1);
    expect(records.resolution.source).toBe('none');
    const bad = await call(f, analyst, 'GET', '/api/triage/rank?asOf=yesterday');
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ code: 'VALIDATION', field: 'asOf' });
  });

  it('capacity: supervisor only, validated (teams, agents per target, partial measures and their cost), audited', async () => {
    const none = await json<{ capacity: unknown }>(call(f, chief, 'GET', '/api/triage/capacity'));
    expect(none.capacity).toBeNull();
    const noCapacityPlan = await call(f, chief, 'POST', '/api/triage/plans', { asOf: AS_OF });
    expect(noCapacityPlan.status).toBe(404);
    expect(await json(noCapacityPlan)).toMatchObject({ message: expect.stringMatching(/declared no capacity/) });

    const byAnalyst = await call(f, analyst, 'PUT', '/api/triage/capacity', { capacity: CAPACITY, reason: 'Two teams available for Operation Atlas' });
    expect(byAnalyst.status).toBe(403);
    expect(await json(byAnalyst)).toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    const cases: [unknown, RegExp | string][] = [
      [{ capacity: { teams: [{ id: 'a', agents: 5 }, { id: 'a', agents: 6 }] }, reason: 'Duplicate team declared by mistake' }, /declared twice/],
      [{ capacity: { teams: [{ id: 'a', agents: -1 }] }, reason: 'A team with negative agents declared' }, 'capacity.teams.0.agents'],
      [{ capacity: { teams: [], agentsPerTarget: 0 }, reason: 'Zero agents per full-time target' }, 'capacity.agentsPerTarget'],
      [{ capacity: { teams: [], partial: [{ id: 'tech', label: 'technical', agents: 30, coverage: 0.5 }] }, reason: 'A partial measure dearer than full-time' }, /not fewer than full-time/],
      [{ capacity: { teams: [], partial: [{ id: 'tech', label: 'technical', agents: 6, coverage: 1.5 }] }, reason: 'A coverage above one' }, 'capacity.partial.0.coverage'],
      [{ capacity: CAPACITY, reason: 'short' }, /at least 20 characters/],
    ];
    for (const [input, expected] of cases) {
      const res = await call(f, chief, 'PUT', '/api/triage/capacity', input);
      expect(res.status, JSON.stringify(input)).toBe(400);
      const b = await json(res);
      expect(b.code).toBe('VALIDATION');
      if (typeof expected === 'string') expect(b.field).toBe(expected);
      else expect(b.message).toMatch(expected);
    }
    const set = await call(f, chief, 'PUT', '/api/triage/capacity', { capacity: { ...CAPACITY, partial: [{ id: 'technical', label: 'technical surveillance', agents: 6, coverage: 0.3 }] }, reason: 'Two teams available for Operation Atlas' });
    expect(set.status).toBe(200);
    expect(await json(set)).toMatchObject({ agency: 'FR-CT', setBy: 'fr.chief', agentsPerTarget: 27, teams: CAPACITY.teams });
    const audit = await f.store.readAudit(0, 100_000);
    expect(audit.some((e) => e.action === 'triage.capacity.set' && e.outcome === 'refused' && e.userId === 'fr.analyst')).toBe(true);
    expect(audit.some((e) => e.action === 'triage.capacity.set' && e.outcome === 'allowed' && e.userId === 'fr.chief')).toBe(true);
  });

  it('plans with the coverage curve; capacity 0 covers nobody and says so', async () => {
    const res = await call(f, chief, 'POST', '/api/triage/plans', { asOf: AS_OF, limit: 5 });
    expect(res.status).toBe(201);
    const p = await json<PlanJson>(res);
    expect(p.ranking).toHaveLength(5);
    expect(p.plan.totalAgents).toBe(38);
    expect(p.plan.assignments.length + p.plan.uncovered.length).toBe(p.rankingTotal);
    const chosen = p.curve.filter((x) => x.chosen);
    expect(chosen).toEqual([{ teams: 2, agents: 38, coveredRisk: p.plan.coveredRisk, chosen: true }]);
    expect(p.curve.at(-1)!.coveredRisk).toBeGreaterThan(p.plan.coveredRisk); // more teams would cover more

    const zero = await json<PlanJson>(call(f, chief, 'POST', '/api/triage/plans', { asOf: AS_OF, capacity: { teams: [] } }));
    expect(zero.plan.assignments).toEqual([]);
    expect(zero.plan.uncovered).toHaveLength(zero.rankingTotal);
    expect(zero.plan.warnings.join(' ')).toMatch(/capacity is 0 agents/);
    expect(zero.curve[0]).toMatchObject({ teams: 0, coveredRisk: 0, chosen: true });
    expect(zero.curve.at(-1)!.coveredRisk).toBeGreaterThan(0);
    const unknownField = await call(f, chief, 'POST', '/api/triage/plans', { asOf: AS_OF, teams: 3 });
    expect(unknownField.status).toBe(400);
  });

  it('decides (supervisor, written reason, audited), refuses contradictions, lists the history and replays what was shown', async () => {
    const p = await json<PlanJson>(call(f, chief, 'POST', '/api/triage/plans', { asOf: AS_OF, limit: 20 }));
    const top = p.plan.assignments[0]!;

    const byAnalyst = await call(f, analyst, 'POST', '/api/triage/decisions', { planId: p.id, action: 'accept', reason: 'An analyst trying to decide for the team' });
    expect(byAnalyst.status).toBe(403);
    expect(await json(byAnalyst)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/supervisor/) });
    const noReason = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'accept' });
    expect(noReason.status).toBe(400);
    expect(await json(noReason)).toMatchObject({ field: 'reason' });
    const shortReason = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'accept', reason: 'ok' });
    expect(await json(shortReason)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/20 characters/) });
    const contradictory = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'accept', changes: [{ subject: top.subject, measure: 'none' }], reason: 'Accept and change at the same time' });
    expect(contradictory.status).toBe(400);
    const over = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'change', changes: [{ subject: p.plan.uncovered[0]!.subject, measure: 'full', team: 'south' }], reason: 'Full-time from the small south team' });
    expect(over.status).toBe(409);
    expect(await json(over)).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/exceeds capacity/) });

    const made = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'change', changes: [{ subject: top.subject, measure: 'technical', team: top.team }], reason: 'Technical surveillance suffices for the top subject this week' });
    expect(made.status).toBe(201);
    const decision = await json<{ id: string; action: string; decidedBy: string; allocation: { subject: string; measure: string }[] }>(made);
    expect(decision).toMatchObject({ action: 'change', decidedBy: 'fr.chief' });
    expect(decision.allocation.find((a) => a.subject === top.subject)?.measure).toBe('technical');
    const again = await call(f, chief, 'POST', '/api/triage/decisions', { planId: p.id, action: 'accept', reason: 'Deciding the same plan a second time' });
    expect(again.status).toBe(409);

    const history = await json<{ decisions: { id: string; reason: string }[] }>(call(f, analyst, 'GET', '/api/triage/decisions'));
    expect(history.decisions[0]).toMatchObject({ id: decision.id, reason: expect.stringMatching(/Technical surveillance/) });
    // Replay: exactly what the system showed when the decision was made (same rows as the plan response).
    const replay = await json<{ decision: { id: string }; shown: PlanJson }>(call(f, analyst, 'GET', `/api/triage/decisions/${decision.id}?limit=20`));
    expect(replay.decision.id).toBe(decision.id);
    expect(replay.shown).toEqual(p);
    expect((await call(f, analyst, 'GET', '/api/triage/decisions/decision-unknown')).status).toBe(404);
    // Another agency cannot see it.
    const be = await signIn(f, 'be.analyst', { purpose: 'Check a Belgian lead against French holdings', caseId: 'BE-OP-DUNE' });
    expect((await call(f, be, 'GET', `/api/triage/decisions/${decision.id}`)).status).toBe(403); // Dune's legal basis has no triage

    const audit = await f.store.readAudit(0, 100_000);
    expect(audit.find((e) => e.action === 'triage.decide' && e.outcome === 'allowed')?.details).toMatchObject({ decision: decision.id, plan: p.id, reason: expect.stringMatching(/Technical/) });
    expect(audit.some((e) => e.action === 'triage.decide' && e.outcome === 'refused' && e.userId === 'fr.analyst')).toBe(true);
    expect(audit.some((e) => e.action === 'triage.review' && e.userId === 'fr.analyst')).toBe(true);
  });

  it('weights: visible to analysts, adjusted by a supervisor only (≥ 0, with a reason), versioned and audited', async () => {
    const w = await json<{ version: number; weights: Record<string, number>; signals: { signal: string; description: string }[] }>(call(f, analyst, 'GET', '/api/triage/weights'));
    expect(w.signals.map((s) => s.signal)).toContain('quiet');
    const byAnalyst = await call(f, analyst, 'PUT', '/api/triage/weights', { weights: { firearm: 2 }, reason: 'Firearm links weigh more after the review' });
    expect(byAnalyst.status).toBe(403);
    const negative = await call(f, chief, 'PUT', '/api/triage/weights', { weights: { quiet: -1 }, reason: 'Trying to make quiet lower attention' });
    expect(negative.status).toBe(400);
    expect(await json(negative)).toMatchObject({ message: expect.stringMatching(/no signal may lower attention/) });
    const protectedTrait = await call(f, chief, 'PUT', '/api/triage/weights', { weights: { religion: 2 }, reason: 'Trying to score a protected characteristic' });
    expect(protectedTrait.status).toBe(400);
    const set = await call(f, chief, 'PUT', '/api/triage/weights', { weights: { firearm: 2 }, reason: 'Firearm links weigh more after the review' });
    expect(set.status).toBe(200);
    const after = await json<{ version: number; weights: Record<string, number>; setBy: string }>(set);
    expect(after).toMatchObject({ version: w.version + 1, setBy: 'fr.chief' });
    expect(after.weights.firearm).toBe(2);
    expect(after.weights.quiet).toBe(w.weights.quiet); // the others stay
    const entry = (await f.store.readAudit(0, 100_000)).find((e) => e.action === 'triage.weights.set' && e.outcome === 'allowed');
    expect(entry?.details).toMatchObject({ previous: { weights: { firearm: w.weights.firearm } }, reason: expect.stringMatching(/Firearm/) });
  });

  it('is documented in the OpenAPI document', () => {
    const doc = openApiDocument(f.app) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/triage/rank', '/api/triage/plans', '/api/triage/decisions', '/api/triage/decisions/{id}', '/api/triage/weights', '/api/triage/capacity', '/api/triage/evidence']) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
