import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp, triagePlugin } from '../../src/api/index.js';
import { loadConfig } from '../../src/config/index.js';
import { checkProtectedInvariance, groupByEntity, hashPassword, type ScoreProbe } from '../../src/governance/index.js';
import { buildNetwork, degreeCentrality, eigenvector } from '../../src/graph/index.js';
import { assembleEntity, scoringView, schemaSpec, type Statement } from '../../src/model/index.js';
import { matchRecords, ResolutionService, type FieldSpec, type ResolveRecord } from '../../src/resolve/index.js';
import { ScreeningIndex, subjectOfEntity, travelSubject, WatchService, watchConfig } from '../../src/watch/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { TriageService } from '../../src/triage/index.js';
import { frCtx, seedWorld } from '../support/governance.js';
import { stmt } from '../support/statements.js';

/**
 * Protected characteristics never move a score (issue 9 §4; LED Art. 11(3), AI Act Art. 5(1)(d)).
 * Each scoring area registers a probe below; the harness (src/governance/protected-invariance.ts)
 * re-scores after removing or randomly reassigning religion, ethnicity, nationality, migrant status,
 * political opinion, health and sexual life, and the test fails on any difference.
 */
const FIRST = ['Karim', 'Yanis', 'Samir', 'Lotte', 'Inès', 'Omar', 'Farid', 'Nadia', 'Rachid', 'Sofia', 'Mehdi', 'Amina', 'Lucas', 'Hugo', 'Leïla'];
const LAST = ['Benali', 'Moreau', 'Haddad', 'Verbeke', 'Kaci', 'Mansour', 'Dupont', 'Zeroual', 'Lambert', 'Amrani'];
const VARIANT: Record<string, string> = { Karim: 'Kareem', Yanis: 'Yannis', Samir: 'Sameer', Omar: 'Umar', Farid: 'Fareed', Mehdi: 'Mahdi', Benali: 'Ben Ali', Haddad: 'Hadad', Mansour: 'Mansur', Amrani: 'El Amrani' };

function fixture(): Statement[] {
  const out: Statement[] = [];
  const src = (agency: string) => ({ agency, documentId: `${agency}-doc`, collectedAt: '2026-01-01T00:00:00Z' });
  for (let i = 0; i < 40; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    const dob = `19${70 + (i % 25)}-0${1 + (i % 9)}-1${i % 10}`;
    const a = `fr-ct:r${i}a`;
    const b = `be-ct:r${i}b`;
    out.push(stmt({ entityId: a, schema: 'Person', prop: 'name', value: `${first} ${last}`, source: src('FR-CT') }));
    out.push(stmt({ entityId: a, schema: 'Person', prop: 'birthDate', value: dob, source: src('FR-CT') }));
    out.push(stmt({ entityId: b, schema: 'Person', prop: 'name', value: `${VARIANT[first] ?? first} ${VARIANT[last] ?? last}`, source: src('BE-CT') }));
    out.push(stmt({ entityId: b, schema: 'Person', prop: 'birthDate', value: i % 4 === 0 ? `19${70 + (i % 25)}` : dob, source: src('BE-CT') }));
    if (i % 2 === 0) {
      out.push(stmt({ entityId: a, schema: 'Person', prop: 'passportNumber', value: `P${100000 + i}`, source: src('FR-CT') }));
      out.push(stmt({ entityId: b, schema: 'Person', prop: 'passportNumber', value: `P${100000 + i}`, source: src('BE-CT') }));
    }
    // Protected characteristics, correlated with identity: a scorer that used them would move.
    for (const e of [a, b]) {
      const agency = e.startsWith('fr') ? 'FR-CT' : 'BE-CT';
      out.push(stmt({ entityId: e, schema: 'Person', prop: 'religion', value: i % 3 === 0 ? 'muslim' : 'christian', source: src(agency) }));
      out.push(stmt({ entityId: e, schema: 'Person', prop: 'nationality', value: i % 2 ? 'MA' : 'FR', source: src(agency) }));
    }
    if (i > 0 && i % 3 !== 0) {
      out.push(stmt({ entityId: `fr-ct:as${i}`, schema: 'Associate', prop: 'person', value: a, source: src('FR-CT') }));
      out.push(stmt({ entityId: `fr-ct:as${i}`, schema: 'Associate', prop: 'associate', value: `fr-ct:r${(i * 5) % 40}a`, source: src('FR-CT') }));
    }
  }
  return out;
}

/** Resolution: Fellegi–Sunter match probabilities, through the scoring view the resolve layer requires. */
const SPECS: FieldSpec[] = [
  { name: 'name', kind: 'name' },
  { name: 'birthDate', kind: 'date' },
  { name: 'passportNumber', kind: 'identifier' },
];
const resolutionProbe: ScoreProbe = {
  name: 'resolution: pair match probability',
  async score(statements) {
    const records: ResolveRecord[] = [];
    for (const [id, list] of groupByEntity(statements.filter((s) => s.schema === 'Person'))) {
      const e = assembleEntity(list);
      if (!e) continue;
      const props = Object.fromEntries(Object.entries(e.properties).map(([k, vs]) => [k, vs.map((v) => v.value)]));
      records.push({ id, fields: scoringView('Person', props), source: id.startsWith('fr') ? 0 : 1 });
    }
    records.sort((x, y) => x.id.localeCompare(y.id));
    const r = await matchRecords(records, SPECS, { threads: 1 });
    const out = new Map<string, number>();
    for (let p = 0; p < r.probabilities.length; p++) out.set(`${r.prepared.ids[r.pairs[2 * p]!]}|${r.prepared.ids[r.pairs[2 * p + 1]!]}`, r.probabilities[p]!);
    return out;
  },
};

/**
 * Graph ranking: degree and eigenvector centrality over the link projection. Nodes carry only an id
 * and kind (GraphNode has no property slot), so protected values cannot reach graph scores by type.
 */
const graphProbe: ScoreProbe = {
  name: 'graph ranking: degree and eigenvector centrality',
  score(statements) {
    const nodes = [...new Set(statements.filter((s) => s.schema === 'Person').map((s) => s.entityId))].sort().map((id) => ({ id, kind: 'Person' }));
    const known = new Set<string>(nodes.map((n) => n.id));
    const edges = [];
    for (const [id, list] of groupByEntity(statements.filter((s) => schemaSpec(s.schema).kind === 'link'))) {
      const spec = schemaSpec(list[0]!.schema).edge!;
      const from = list.find((s) => s.prop === spec.source)?.value;
      const to = list.find((s) => s.prop === spec.target)?.value;
      if (from && to && known.has(from) && known.has(to)) edges.push({ source: from, target: to, kind: list[0]!.schema, weight: 1, evidence: [id] });
    }
    const net = buildNetwork(nodes, edges);
    const degree = degreeCentrality(net.simple);
    const eig = eigenvector(net.simple).values;
    const out = new Map<string, number>();
    nodes.forEach((n, i) => {
      out.set(`degree:${n.id}`, degree[i]!);
      out.set(`eigenvector:${n.id}`, eig[i]!);
    });
    return out;
  },
};

/**
 * Screening: alerts on the French records, the Belgian records screened against them through the
 * watch service's own subject extraction (`subjectOfEntity`, which goes through the scoring view).
 */
const screeningProbe: ScoreProbe = {
  name: 'screening: hit score',
  score(statements) {
    const byEntity = groupByEntity(statements.filter((s) => s.schema === 'Person'));
    const index = new ScreeningIndex();
    const far = Date.parse('2100-01-01');
    for (const [id, list] of byEntity) {
      if (!id.startsWith('fr')) continue;
      const subject = subjectOfEntity({ id, schema: 'Person', statements: list }, { sourceId: 'probe', file: 'probe' });
      index.upsert({ id: `alert-${id}`, version: 1, subject: { entityIds: [id], names: [...subject.features.names], birthDates: list.filter((s) => s.prop === 'birthDate').map((s) => s.value), selectors: [] } }, { activeUntil: far, quietUntil: far });
    }
    const out = new Map<string, number>();
    for (const [id, list] of byEntity) {
      if (!id.startsWith('be')) continue;
      const subject = subjectOfEntity({ id, schema: 'Person', statements: list }, { sourceId: 'probe', file: 'probe' });
      for (const m of index.screen(subject.features, { now: Date.parse('2026-11-20'), threshold: 0.5 }, subject.selfIds)) out.set(`${id}|${m.alertId}`, m.score);
    }
    return out;
  },
};

/**
 * Triage: each person's risk, through the whole service (store → governance → projection → signals →
 * score). src/triage/service.test.ts runs the same probe on a world where every signal fires.
 */
const triageProbe: ScoreProbe = {
  name: 'triage: subject risk',
  async score(statements) {
    const gov = await seedWorld(await openSqliteStore({ path: ':memory:' }));
    await gov.systemWrite('test', 'Protected-characteristic invariance probe for triage', statements);
    const ranking = await new TriageService(gov).rank(frCtx, { asOf: '2026-06-01T00:00:00Z' });
    return new Map(ranking.subjects.map((s) => [s.subject, s.risk]));
  },
};

/**
 * Triage through the API, as the web app reaches it: the served /api/triage plug-in with the real
 * resolution service (a stored run joins each person's French and Belgian records) and the real
 * watch service (alerts on three French records, Belgian travel screened against them: hits). The
 * risks the signed-in analyst is shown must not move when only protected properties change.
 */
const PROBE_PASSWORD = 'probe password for the invariance test';
const triageApiProbe: ScoreProbe = {
  name: 'triage via the API: subject risk (resolved persons, watchlist hits)',
  async score(statements) {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      const gov = await seedWorld(store);
      const analyst = (await gov.user('fr.analyst'))!;
      await gov.upsertUser({ ...analyst, passwordHash: hashPassword(PROBE_PASSWORD) });
      await gov.systemWrite('test', 'Protected-characteristic invariance probe for triage through the API', statements);
      await new ResolutionService(gov).run(frCtx, { threads: 1 });
      const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
      const names = groupByEntity(statements.filter((s) => s.schema === 'Person' && s.prop === 'name'));
      for (const i of [0, 3, 6]) {
        await watch.addAlert(frCtx, { subject: { entityIds: [`fr-ct:r${i}a`], names: [names.get(`fr-ct:r${i}a`)![0]!.value] }, threatLevel: 'S9', reasons: 'Invariance probe: subject of Operation Atlas', grading: { system: 'EU4x4', source: 'B', info: '2' }, action: 'discreet-check' });
        await watch.screenRecords(frCtx, [travelSubject({ id: `pnr-${i}`, travellerName: names.get(`be-ct:r${i}b`)![0]!.value, departure: '2026-05-10T08:00:00Z' }, `pnr-${i}`, 'probe PNR')]);
      }
      const { app } = createApp({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', port: 0 }), logger: pino({ level: 'silent' }), plugins: [triagePlugin()] });
      const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'fr.analyst', password: PROBE_PASSWORD }) });
      const headers = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken, 'content-type': 'application/json' };
      await app.request('/api/session/context', { method: 'PUT', headers, body: JSON.stringify({ purpose: frCtx.purpose, caseId: frCtx.caseId }) });
      const res = await app.request('/api/triage/rank?asOf=2026-06-01T00:00:00Z&limit=5000', { headers });
      const body = (await res.json()) as { subjects: { subject: string; risk: number; contributions: { signal: string }[] }[]; resolution: { clusters: number } };
      if (res.status !== 200) throw new Error(`rank answered ${res.status}: ${JSON.stringify(body)}`);
      const out = new Map(body.subjects.map((x) => [x.subject, x.risk]));
      // The probe is only meaningful if resolution and hits reached the ranking: count them as scores too.
      out.set('(resolved persons)', body.resolution.clusters);
      out.set('(subjects with recent hits)', body.subjects.filter((x) => x.contributions.some((c) => c.signal === 'recentHits')).length);
      return out;
    } finally {
      await store.close();
    }
  },
};

describe('protected characteristics never change a score', () => {
  it('resolution, screening, graph ranking and triage are identical when only protected properties change', async () => {
    const statements = fixture();
    const results = await checkProtectedInvariance([resolutionProbe, screeningProbe, graphProbe, triageProbe], statements, 3);
    for (const r of results) {
      expect(r.scores, `${r.probe} produced no scores`).toBeGreaterThan(20);
      expect(r.differences, `${r.probe} moved`).toEqual([]);
    }
    // The scores are not trivially constant: true pairs score high, the rest low.
    const base = await resolutionProbe.score(statements);
    const pair = (x: string, y: string) => base.get(`${x}|${y}`) ?? base.get(`${y}|${x}`) ?? 0;
    expect(pair('fr-ct:r0a', 'be-ct:r0b')).toBeGreaterThan(0.9);
    expect(Math.min(...[...base.values()])).toBeLessThan(0.5);
  });
  it('triage through the API, with resolved persons and watchlist hits, is identical when only protected properties change', async () => {
    const statements = fixture();
    const [result] = await checkProtectedInvariance([triageApiProbe], statements, 3);
    expect(result!.scores).toBeGreaterThan(20);
    expect(result!.differences).toEqual([]);
    const base = await triageApiProbe.score(statements);
    expect(base.get('(resolved persons)')).toBeGreaterThan(20); // most French and Belgian pairs joined
    expect(base.get('(subjects with recent hits)')).toBe(3);
  }, 60_000);

  it('a protected characteristic cannot be named as a matching feature', async () => {
    const records: ResolveRecord[] = [{ id: 'a', fields: scoringView('Person', { name: ['X Y'], religion: ['muslim'] }) }];
    expect(Object.keys(records[0]!.fields)).toEqual(['name']);
    await expect(matchRecords(records, [{ name: 'religion', kind: 'exact' }], { threads: 1 })).rejects.toThrow(/protected characteristic/);
  });
});
