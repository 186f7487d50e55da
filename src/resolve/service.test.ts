import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable } from '../../test/support/postgres.js';
import { seedWorld, frCtx, beCtx } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import type { Governance } from '../governance/index.js';
import { isTesseraError, type Statement } from '../model/index.js';
import { openStore, type Store } from '../store/index.js';
import { LINKS, ResolutionService, StoreJudgementRepository, runQuality, type StoredLink } from './index.js';

// Invented persons: two agencies' views of one man (variant transliterations), a namesake, and
// a record the Belgian analyst may not read (not releasable).
const fr = { agency: 'FR-CT', documentId: 'fr-1', collectedAt: '2024-01-15T10:00:00Z' };
const be = { agency: 'BE-CT', documentId: 'be-1', collectedAt: '2024-02-15T10:00:00Z' };
function person(id: string, props: Record<string, string>, extra: Partial<Parameters<typeof stmt>[0]> = {}): Statement[] {
  return Object.entries(props).map(([prop, value]) => stmt({ entityId: id, schema: 'Person', prop, value, source: id.startsWith('be') ? be : fr, ...extra }));
}
const WORLD: Statement[] = [
  ...person('fr-ct:a1', { name: 'Abdelkarim Bensaid', firstName: 'Abdelkarim', lastName: 'Bensaid', birthDate: '1987-03-14', passportNumber: 'FR55X1001', phone: '+33611223344' }),
  ...person('be-ct:a2', { name: 'Abd al-Karim Ben Saeed', firstName: 'Abd al-Karim', lastName: 'Ben Saeed', birthDate: '1987-03-14', passportNumber: 'FR55X1001', phone: '+32470112233' }),
  ...person('fr-ct:a3', { name: 'Abdelkarim Bensaid', firstName: 'Abdelkarim', lastName: 'Bensaid', birthDate: '1987-03-14', phone: '+33611223344' }),
  ...person('fr-ct:n1', { name: 'Abdelkarim Bensaid', firstName: 'Abdelkarim', lastName: 'Bensaid', birthDate: '1962-11-02', passportNumber: 'FR55Z9999' }),
  ...person('fr-ct:o1', { name: 'Mireille Fontanet', firstName: 'Mireille', lastName: 'Fontanet', birthDate: '1975-06-30', phone: '+33699887766' }),
  ...person('fr-ct:o2', { name: 'Mireille Fontanet', firstName: 'Mireille', lastName: 'Fontanet', birthDate: '1975-06-30', phone: '+33699887766' }),
  ...person('fr-ct:s1', { name: 'Abdelkarim Bensaid', firstName: 'Abdelkarim', lastName: 'Bensaid', birthDate: '1987-03-14', passportNumber: 'FR55X1001' }, { handling: { codes: ['H2'], releasableTo: [] } }),
  ...background(),
];

/** Sixty invented background persons, so u probabilities and EM have a population to learn from. */
function background(): Statement[] {
  const given = ['Lotte', 'Bram', 'Ines', 'Tiago', 'Sanne', 'Jonas', 'Elif', 'Marek', 'Noor', 'Pavel', 'Rania', 'Timo'];
  const family = ['Verhoeven', 'Castellano', 'Dobrescu', 'Halvorsen', 'Keskinen', 'Moravec', 'Oyelaran', 'Quintela', 'Rautio', 'Szabados'];
  const out: Statement[] = [];
  for (let k = 0; k < 60; k++) {
    const g = given[k % given.length]!;
    const f = family[(k * 7) % family.length]!;
    const day = String(1 + (k % 28)).padStart(2, '0');
    const month = String(1 + (k % 12)).padStart(2, '0');
    out.push(...person(`fr-ct:bg${k}`, { name: `${g} ${f}`, firstName: g, lastName: f, birthDate: `${1950 + k}-${month}-${day}`, passportNumber: `FR10B${1000 + k}`, phone: `+3361000${String(1000 + k)}` }));
  }
  return out;
}

let store: Store;
let gov: Governance;
let service: ResolutionService;

beforeEach(async () => {
  store = await openStore({ url: 'sqlite::memory:' });
  gov = await seedWorld(store);
  await gov.systemWrite('test', 'fixture load for resolution tests', WORLD);
  service = new ResolutionService(gov, { clock: () => new Date('2024-06-01T12:00:00Z') });
});
afterEach(() => store.close());

async function auditActions(): Promise<{ action: string; outcome: string; purpose: string; caseId: string | null; details: Record<string, unknown> }[]> {
  return (await store.readAudit(1, 10_000)).map((e) => ({ action: e.action, outcome: e.outcome, purpose: e.purpose, caseId: e.caseId, details: e.details }));
}

describe('StoreJudgementRepository', () => {
  it('appends in order and never overwrites a judgement', async () => {
    const repo = new StoreJudgementRepository(store);
    const j = { seq: 1, left: 'a', right: 'b', action: 'judge' as const, colour: 'white' as const, by: 'fr.analyst', at: '2024-06-01T12:00:00Z', why: 'same passport' };
    await repo.append(j);
    await repo.append({ ...j, seq: 2, action: 'undo', undoes: 1, why: 'mistake' });
    await expect(repo.append({ ...j, why: 'overwrite attempt' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await repo.load()).map((x) => [x.seq, x.why])).toEqual([
      [1, 'same passport'],
      [2, 'mistake'],
    ]);
    expect((await repo.ofRecord('b')).length).toBe(2);
  });
});

describe('ResolutionService', () => {
  it('links the agencies’ views of one person through store-side blocking, not the namesake', async () => {
    const report = await service.run(frCtx, { truth: { 'fr-ct:a1': 'A', 'be-ct:a2': 'A', 'fr-ct:a3': 'A', 'fr-ct:s1': 'A', 'fr-ct:o1': 'O', 'fr-ct:o2': 'O' } });
    expect(report.records).toBe(67);
    expect(report.candidatePairs).toBeGreaterThan(0);
    const links = await service.candidates(frCtx);
    const p = (a: string, b: string): number => links.find((l) => l.left === a && l.right === b)?.probability ?? 0;
    expect(p('be-ct:a2', 'fr-ct:a1')).toBeGreaterThan(0.5);
    expect(p('fr-ct:o1', 'fr-ct:o2')).toBeGreaterThan(0.5);
    expect(p('fr-ct:a1', 'fr-ct:n1')).toBeLessThan(p('be-ct:a2', 'fr-ct:a1'));
    expect(report.quality?.truePairs).toBe(7);
    expect(report.quality?.precision).toBeGreaterThan(0.5);
    const ex = links.find((l) => l.left === 'be-ct:a2' && l.right === 'fr-ct:a1')!.explanation!;
    expect(ex.fields.find((f) => f.field === 'passportNumber')?.level).toBe('exact');
    expect((await auditActions()).some((e) => e.action === 'resolution.run' && e.purpose === frCtx.purpose && e.caseId === frCtx.caseId)).toBe(true);
  });

  it('runs only over records the user may read and hides links to unreadable records', async () => {
    const report = await service.run(beCtx);
    expect(report.records).toBe(66); // fr-ct:s1 is not releasable to Belgium
    await service.run(frCtx);
    const seenByBe = await service.candidates(beCtx);
    expect(seenByBe.some((l) => l.left === 'fr-ct:s1' || l.right === 'fr-ct:s1')).toBe(false);
    await expect(service.judge(beCtx, 'fr-ct:a1', 'fr-ct:s1', 'white', 'same passport')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.candidates(beCtx, { entityId: 'fr-ct:s1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps judgements across re-runs, undoes by appending, and audits both with purpose and case', async () => {
    await service.run(frCtx);
    const { judgement } = await service.judge(frCtx, 'fr-ct:a1', 'fr-ct:n1', 'green', 'Different fathers and 25 years apart');
    const rerun = await service.run(frCtx);
    expect(rerun.judgedKept).toBe((await store.getRecord<StoredLink>(LINKS, 'fr-ct:a1|fr-ct:n1')) ? 1 : 0);
    expect((await service.candidates(frCtx, { colour: 'green' })).map((l) => [l.left, l.right])).toEqual([['fr-ct:a1', 'fr-ct:n1']]);
    await expect(service.undo(frCtx, judgement.seq, '')).rejects.toMatchObject({ code: 'VALIDATION' });
    const undo = await service.undo(frCtx, judgement.seq, 'Father’s name was a transcription error');
    expect(undo).toMatchObject({ action: 'undo', undoes: judgement.seq, by: 'fr.analyst' });
    expect((await service.candidates(frCtx, { colour: 'green' })).length).toBe(0);
    const audit = await auditActions();
    expect(audit.find((e) => e.action === 'resolution.judge')).toMatchObject({ purpose: frCtx.purpose, caseId: frCtx.caseId, details: { colour: 'green', why: 'Different fathers and 25 years apart' } });
    expect(audit.find((e) => e.action === 'resolution.undo')).toMatchObject({ details: { undoes: judgement.seq } });
  });

  it('refuses a white link that would merge clusters holding a green pair, and audits the refusal', async () => {
    await service.run(frCtx);
    await service.judge(frCtx, 'fr-ct:a1', 'fr-ct:n1', 'green', 'Namesakes');
    await service.judge(frCtx, 'fr-ct:n1', 'fr-ct:o1', 'white', 'Same person under a second name');
    const refused = await service.judge(frCtx, 'fr-ct:a1', 'fr-ct:o1', 'white', 'Similar').catch((e: unknown) => e);
    expect(isTesseraError(refused) && refused.code).toBe('CONFLICT');
    expect((await auditActions()).some((e) => e.action === 'resolution.judge' && e.outcome === 'refused')).toBe(true);
    // Machine links a1–s1 and a3–s1 would put a green pair (twins) in one cluster: not followed, reported.
    await service.judge(frCtx, 'fr-ct:a1', 'fr-ct:a3', 'green', 'Twins: same birth date, different persons');
    const { clusters, warnings } = await service.clusters(frCtx, 0.5);
    expect(clusters.some((c) => c.includes('fr-ct:a1') && c.includes('fr-ct:n1'))).toBe(false);
    expect(clusters.some((c) => c.includes('fr-ct:a1') && c.includes('fr-ct:a3'))).toBe(false);
    expect(clusters.some((c) => c.includes('fr-ct:n1') && c.includes('fr-ct:o1'))).toBe(true);
    expect(warnings.some((w) => w.includes('green'))).toBe(true);
  });

  it('rejects judgements without a reason, a yellow judgement and a self-link; needs purpose and case', async () => {
    await expect(service.judge(frCtx, 'fr-ct:a1', 'fr-ct:a3', 'white', '  ')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(service.judge(frCtx, 'fr-ct:a1', 'fr-ct:a3', 'yellow', 'x')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(service.judge(frCtx, 'fr-ct:a1', 'fr-ct:a1', 'white', 'x')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(service.run({ ...frCtx, purpose: '' })).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await expect(service.undo(frCtx, 42, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('ResolutionService on PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const sc of schemas) await dropSchema(sc);
  });

  it('blocks in SQL, stores links and judgements, and gives the same links as on SQLite', async (ctx) => {
    if (await postgresUnavailable()) return ctx.skip();
    const schema = freshSchema('resolve');
    schemas.push(schema);
    const pgStore = await openStore({ url: PG_URL, schema });
    try {
      const pgGov = await seedWorld(pgStore);
      await pgGov.systemWrite('test', 'fixture load for resolution tests', WORLD);
      const onPg = new ResolutionService(pgGov);
      const report = await onPg.run(frCtx);
      const sqliteReport = await service.run(frCtx);
      expect(report.candidatePairs).toBe(sqliteReport.candidatePairs);
      const pair = (l: { left: string; right: string; probability?: number }): string => `${l.left}|${l.right}|${(l.probability ?? 0).toFixed(6)}`;
      expect((await onPg.candidates(frCtx)).map(pair).sort()).toEqual((await service.candidates(frCtx)).map(pair).sort());
      const { judgement } = await onPg.judge(frCtx, 'fr-ct:a1', 'fr-ct:n1', 'green', 'Namesakes');
      await onPg.run(frCtx);
      expect((await onPg.candidates(frCtx, { colour: 'green' })).map((l) => l.judgement?.seq)).toEqual([judgement.seq]);
      await onPg.undo(frCtx, judgement.seq, 'Reconsidered');
      expect((await onPg.candidates(frCtx, { colour: 'green' })).length).toBe(0);
    } finally {
      await pgStore.close();
    }
  }, 60_000);
});

describe('runQuality', () => {
  it('counts true pairs from the truth and precision/recall at a threshold', () => {
    const q = runQuality(['a', 'b', 'c', 'd'], [
      { left: 'a', right: 'b', probability: 0.9 },
      { left: 'a', right: 'c', probability: 0.8 },
      { left: 'c', right: 'd', probability: 0.2 },
    ], { a: 'X', b: 'X', c: 'X', d: 'Y' }, 0.5);
    expect(q.truePairs).toBe(3);
    expect(q).toMatchObject({ predicted: 2, correct: 2, precision: 1 });
    expect(q.recall).toBeCloseTo(2 / 3);
    expect(q.blockingRecall).toBeCloseTo(2 / 3);
  });
});
