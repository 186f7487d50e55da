import { describe, expect, it } from 'vitest';
import { frCtx } from '../../test/support/governance.js';
import { checkProtectedInvariance, type ScoreProbe } from '../governance/index.js';
import { TesseraError } from '../model/index.js';
import { ResolutionService } from '../resolve/index.js';
import { travelSubject, WatchService, watchConfig } from '../watch/index.js';
import { TriageService } from './service.js';
import { AS_OF, chiefCtx, chloeTravels, emilInBelgium, triageGovernance, triageWorld } from './world.test-helper.js';

const signalOf = (r: { contributions: readonly { signal: string; summary: string; evidence: readonly string[] }[] }, name: string) => r.contributions.find((c) => c.signal === name);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof TesseraError) return e.code;
    throw e;
  }
}

describe('TriageService.rank', () => {
  it('ranks the subject with travel, a new watched contact and a firearm first, each reason traceable to statements', async () => {
    const gov = await triageGovernance(triageWorld());
    const r = await new TriageService(gov).rank(frCtx, { asOf: AS_OF });
    expect(r.subjects.map((s) => s.subject)).toHaveLength(5); // nobody dropped
    const top = r.subjects[0]!;
    expect(top.subject).toBe('fr-ct:amir');
    expect(signalOf(top, 'conflictTravel')?.summary).toMatch(/conflict-zone gateway/);
    expect(signalOf(top, 'newWatchedContact')?.summary).toMatch(/fr-ct:bruno/);
    expect(signalOf(top, 'firearm')?.summary).toMatch(/firearm:W123456/);
    // Evidence ids are statements the store holds.
    const ids = top.contributions.flatMap((c) => c.evidence).filter((id) => /^[0-9a-f]{40}$/.test(id));
    expect(ids.length).toBeGreaterThan(3);
    expect((await gov.store.statementsById(ids)).length).toBe(new Set(ids).size);
    // Dario went quiet: that raises attention and is said.
    const dario = r.subjects.find((s) => s.subject === 'fr-ct:dario')!;
    expect(signalOf(dario, 'quiet')).toBeDefined();
    const chloe = r.subjects.find((s) => s.subject === 'fr-ct:chloe')!;
    expect(dario.risk).toBeGreaterThan(chloe.risk);
    // Missing data is listed, never silently treated as clearance.
    expect(r.notes.join(' ')).toMatch(/recent-hits signal is unavailable/);
    expect(chloe.missing.map((m) => m.signal)).toContain('recentHits');
    // The ranking is audited.
    const audit = await gov.store.readAudit(0, 10_000);
    expect(audit.some((e) => e.action === 'triage.rank' && e.userId === 'fr.analyst')).toBe(true);
  });

  it('refuses a case whose legal basis does not allow triage', async () => {
    const gov = await triageGovernance(triageWorld());
    expect(await code(new TriageService(gov).rank({ userId: 'fr.junior', purpose: 'Screening of travellers for Operation Bora', caseId: 'FR-OP-BORA' }))).toBe('LEGAL_BASIS');
  });

  it('never uses protected characteristics: risks are identical when only they change', async () => {
    const probe: ScoreProbe = {
      name: 'triage: risk',
      async score(statements) {
        const gov = await triageGovernance(statements);
        const r = await new TriageService(gov).rank(frCtx, { asOf: AS_OF });
        return new Map(r.subjects.map((s) => [s.subject, s.risk]));
      },
    };
    const [result] = await checkProtectedInvariance([probe], triageWorld(), 2);
    expect(result!.scores).toBe(5);
    expect(result!.differences).toEqual([]);
  });
});

describe('TriageService weights and capacity', () => {
  it('only a supervisor changes weights, with a reason; weights stay ≥ 0 and are versioned', async () => {
    const gov = await triageGovernance(triageWorld());
    const svc = new TriageService(gov);
    const w = await svc.weights(chiefCtx);
    expect(w.source).toBe('default');
    expect(await code(svc.setWeights(frCtx, w, 'Analysts may not change the weights at all'))).toBe('FORBIDDEN');
    expect(await code(svc.setWeights(chiefCtx, { ...w, weights: { ...w.weights, quiet: -1 } }, 'Trying to make quiet lower attention'))).toBe('VALIDATION');
    expect(await code(svc.setWeights(chiefCtx, w, 'short'))).toBe('VALIDATION');
    const set = await svc.setWeights(chiefCtx, { bias: w.bias, weights: { ...w.weights, firearm: 5 } }, 'Firearm links weigh more after the spring review');
    expect(set.version).toBe(1);
    const before = (await svc.rank(frCtx, { asOf: AS_OF })).subjects[0]!;
    expect(signalOf(before, 'firearm')).toMatchObject({ weight: 5 });
  });

  it('plan without declared capacity says so; capacity 0 covers nobody and drops nobody', async () => {
    const gov = await triageGovernance(triageWorld());
    const svc = new TriageService(gov);
    expect(await code(svc.plan(chiefCtx, { asOf: AS_OF }))).toBe('NOT_FOUND');
    await svc.setCapacity(chiefCtx, { teams: [{ id: 'north', agents: 0 }] }, 'No team available this week (exercise)');
    const p = await svc.plan(chiefCtx, { asOf: AS_OF });
    expect(p.plan.assignments).toEqual([]);
    expect(p.plan.uncovered).toHaveLength(5);
    expect(p.plan.warnings[0]).toMatch(/capacity is 0 agents/);
  });
});

describe('TriageService.decide and review', () => {
  it('records an accepted plan with its reason, refuses contradictions, replays what was shown, and flags risers', async () => {
    const gov = await triageGovernance(triageWorld());
    const svc = new TriageService(gov);
    await svc.setCapacity(chiefCtx, { teams: [{ id: 'north', agents: 30 }, { id: 'south', agents: 8 }], agentsPerTarget: 27 }, 'Two teams available for Operation Atlas');
    const plan = await svc.plan(chiefCtx, { asOf: AS_OF });
    expect(plan.plan.assignments[0]!.subject).toBe('fr-ct:amir');

    // Contradictions are refused with a clear code.
    expect(await code(svc.decide(frCtx, { planId: plan.id, action: 'accept', reason: 'Analyst trying to decide for the team' }))).toBe('FORBIDDEN');
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'accept', reason: 'ok' }))).toBe('VALIDATION');
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'accept', changes: [{ subject: 'fr-ct:amir', measure: 'none' }], reason: 'Accept but also change something' }))).toBe('VALIDATION');
    const twice = [
      { subject: 'fr-ct:dario', measure: 'periodic', team: 'south' },
      { subject: 'fr-ct:dario', measure: 'none' },
    ];
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'change', changes: twice, reason: 'Contradictory changes for the same subject' }))).toBe('VALIDATION');
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'change', changes: [{ subject: 'fr-ct:nobody', measure: 'full', team: 'north' }], reason: 'A subject that is not in the plan' }))).toBe('VALIDATION');
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'change', changes: [{ subject: 'fr-ct:chloe', measure: 'full', team: 'south' }], reason: 'Full-time on Chloé from the small south team' }))).toBe('CONFLICT');
    expect(await code(svc.decide(chiefCtx, { planId: 'plan-missing', action: 'accept', reason: 'Deciding on a plan that does not exist' }))).toBe('NOT_FOUND');

    const decision = await svc.decide(chiefCtx, {
      planId: plan.id,
      action: 'change',
      changes: [{ subject: 'fr-ct:dario', measure: 'periodic', team: 'south' }],
      reason: 'Dario went quiet after a busy winter: periodic checks',
    });
    expect(decision.allocation.map((a) => a.subject)).toContain('fr-ct:dario');
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'accept', reason: 'Deciding the same plan a second time' }))).toBe('CONFLICT');

    // Review replays exactly what the system showed.
    const review = await svc.review(chiefCtx, decision.id);
    expect(review.shown).toEqual(plan);
    expect(review.decision.reason).toMatch(/went quiet/);
    const audit = await gov.store.readAudit(0, 10_000);
    expect(audit.find((e) => e.action === 'triage.decide' && e.outcome === 'allowed')?.details).toMatchObject({ decision: decision.id, plan: plan.id, action: 'change' });
    // The analyst's attempt was refused and audited too.
    expect(audit.find((e) => e.action === 'triage.decide' && e.outcome === 'refused')).toMatchObject({ userId: 'fr.analyst', details: { plan: plan.id, reason: 'supervisor role required' } });

    // New evidence after the decision: Chloé's risk rose, and the next ranking says so.
    await gov.systemWrite('test', 'Later travel record for the rose-since test', chloeTravels());
    const after = await svc.rank(chiefCtx, { asOf: AS_OF });
    const chloe = after.subjects.find((s) => s.subject === 'fr-ct:chloe')!;
    expect(chloe.rose?.decision).toBe(decision.id);
    expect(chloe.risk).toBeGreaterThan(chloe.rose!.from);
    expect(after.subjects.find((s) => s.subject === 'fr-ct:emil')!.rose).toBeUndefined();
    // A plan drawn up before that decision can no longer be decided without superseding.
    const stale = await svc.plan(chiefCtx, { asOf: AS_OF });
    await svc.decide(chiefCtx, { planId: stale.id, action: 'accept', reason: 'Accepting the newer plan as proposed' });
    expect(await code(svc.decide(chiefCtx, { planId: plan.id, action: 'accept', reason: 'Going back to the old plan', supersede: false }))).toBe('CONFLICT');
  });
});

describe('TriageService with the resolution and watch services', () => {
  it('ranks a resolved person as one subject with the signals of all their records, and flags the rise since a decision by record', async () => {
    const gov = await triageGovernance([...triageWorld(), ...emilInBelgium()]);
    const resolution = new ResolutionService(gov);
    const svc = new TriageService(gov, { resolution });
    // Before any judgement or run, resolution holds no clusters: records are ranked as they are, and that is said.
    const byRecord = await svc.rank(chiefCtx, { asOf: AS_OF });
    expect(byRecord.subjects).toHaveLength(6);
    expect(byRecord.resolution).toMatchObject({ source: 'resolution', clusters: 0 });
    expect(byRecord.notes.join(' ')).toMatch(/no clusters among your records/);
    const emilAlone = byRecord.subjects.find((x) => x.subject === 'fr-ct:emil')!;
    expect(signalOf(emilAlone, 'conflictTravel')).toBeUndefined();
    await svc.setCapacity(chiefCtx, { teams: [{ id: 'north', agents: 30 }] }, 'One team available for Operation Atlas');
    const plan = await svc.plan(chiefCtx, { asOf: AS_OF });
    await svc.decide(chiefCtx, { planId: plan.id, action: 'accept', reason: 'Accepted as proposed for this week' });

    await resolution.judge(frCtx, 'fr-ct:emil', 'be-ct:emil', 'white', 'Same man: name variant, same circle, Belgian travel record');
    const resolved = await svc.rank(chiefCtx, { asOf: AS_OF });
    expect(resolved.subjects).toHaveLength(5);
    expect(resolved.resolution).toMatchObject({ source: 'resolution', clusters: 1, records: 2 });
    const emil = resolved.subjects.find((x) => x.entityIds.includes('fr-ct:emil'))!;
    expect(emil.subject).toBe('be-ct:emil'); // named by its smallest record id
    expect([...emil.entityIds].sort()).toEqual(['be-ct:emil', 'fr-ct:emil']);
    const travel = signalOf(emil, 'conflictTravel')!;
    expect(travel.summary).toMatch(/conflict-zone gateway/);
    // The evidence is the Belgian record's travel, and it links to that entity.
    const refs = await svc.evidence(chiefCtx, travel.evidence);
    expect(refs.map((r) => r.entityId)).toContain('be-ct:tr9');
    // The decision saw Emil as two records; joining them is no rise over the higher of the two.
    const beAlone = byRecord.subjects.find((x) => x.subject === 'be-ct:emil')!;
    expect(emil.risk).toBeGreaterThan(emilAlone.risk * 2);
    expect(emil.risk - beAlone.risk).toBeLessThan(0.01);
    expect(emil.rose).toBeUndefined();
    // A real rise after the decision (firearm links weigh more) is measured from the Belgian record's risk.
    const w = await svc.weights(chiefCtx);
    await svc.setWeights(chiefCtx, { bias: w.bias, weights: { ...w.weights, firearm: 3 } }, 'Firearm links weigh more after the spring review');
    const later = (await svc.rank(chiefCtx, { asOf: AS_OF })).subjects.find((x) => x.subject === 'be-ct:emil')!;
    expect(later.rose).toMatchObject({ from: beAlone.risk });
    // Asked for records, the service ranks records.
    expect((await svc.rank(chiefCtx, { asOf: AS_OF, resolved: false })).subjects).toHaveLength(6);
  });

  it('a resolution the case may not use is said, not hidden', async () => {
    const gov = await triageGovernance(triageWorld());
    const refusing = { clusters: () => Promise.reject(new TesseraError('LEGAL_BASIS', 'case does not allow resolution')) };
    const r = await new TriageService(gov, { resolution: refusing }).rank(chiefCtx, { asOf: AS_OF });
    expect(r.subjects).toHaveLength(5);
    expect(r.notes.join(' ')).toMatch(/resolution not read \(LEGAL_BASIS/);
  });

  it('counts real watchlist hits as recent hits (false positives excluded), with the hit ids as evidence', async () => {
    const gov = await triageGovernance(triageWorld());
    const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    const alert = await watch.addAlert(frCtx, {
      subject: { entityIds: ['fr-ct:dario'], names: ['Dario Inventato'] },
      threatLevel: 'S9',
      reasons: 'Quiet after a busy winter; contact of the Atlas network',
      grading: { system: 'EU4x4', source: 'B', info: '2' },
      action: 'discreet-check',
    });
    const trip = (id: string, departure: string) => travelSubject({ id, travellerName: 'Dario Inventato', origin: 'Lyon', destination: 'Istanbul', departure }, id, 'fixture PNR');
    const screened = await watch.screenRecords(frCtx, [trip('pnr-1', '2025-06-20T08:00:00Z'), trip('pnr-2', '2025-06-25T08:00:00Z'), trip('pnr-old', '2024-11-02T08:00:00Z')]);
    expect(screened.hits).toBe(3);
    const hits = await watch.listHits(frCtx, { alertId: alert.id });
    await watch.decideHit(frCtx, hits.find((h) => h.encountered.ref === 'pnr-2')!.id, 'false-positive', 'Namesake: different date of birth at the gate');

    const svc = new TriageService(gov, { watch });
    const r = await svc.rank(chiefCtx, { asOf: AS_OF });
    expect(r.notes.join(' ')).not.toMatch(/recent-hits signal is unavailable/);
    const dario = r.subjects.find((x) => x.subject === 'fr-ct:dario')!;
    const recent = signalOf(dario, 'recentHits')!;
    // One hit in the last 90 days counts (the false positive and the November trip do not).
    expect(recent.summary).toMatch(/^1 watchlist hit/);
    expect(recent.evidence).toEqual([`hit:${hits.find((h) => h.encountered.ref === 'pnr-1')!.id}`]);
    expect(dario.missing.map((m) => m.signal)).not.toContain('recentHits');
    // The alert makes Dario watched: Emil's calls with him are contacts with a watched subject.
    const without = await new TriageService(gov).rank(chiefCtx, { asOf: AS_OF });
    expect(dario.risk).toBeGreaterThan(without.subjects.find((x) => x.subject === 'fr-ct:dario')!.risk);
  });
});
