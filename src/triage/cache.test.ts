import { describe, expect, it } from 'vitest';
import { frCtx } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import type { Governance, Principal } from '../governance/index.js';
import { projectGraph } from '../graph/index.js';
import { travelSubject, WatchService, watchConfig } from '../watch/index.js';
import { evidenceKey, type EvidenceKeyParts } from './cache.js';
import type { ProjectionSource } from './evidence.js';
import { TriageService } from './service.js';
import { AS_OF, chiefCtx, chloeTravels, triageGovernance, triageWorld } from './world.test-helper.js';

const juniorCtx = { userId: 'fr.junior', purpose: 'Weekly triage of surveillance capacity for Operation Atlas', caseId: 'FR-OP-ATLAS' } as const;
const signal = (r: { subjects: readonly { subject: string; contributions: readonly { signal: string }[] }[] }, subject: string, name: string) =>
  r.subjects.find((s) => s.subject === subject)?.contributions.find((c) => c.signal === name);

/** A projection source that counts how often it had to project. */
function countingSource(gov: Governance): ProjectionSource & { calls: number } {
  const source = {
    calls: 0,
    projection: async (ctx: Parameters<ProjectionSource['projection']>[0], request: Parameters<ProjectionSource['projection']>[1]) => {
      source.calls++;
      return projectGraph(gov, ctx, request.clusterOf ? { clusterOf: request.clusterOf } : {});
    },
  };
  return source;
}

describe('triage: gathered signals reused between rankings', () => {
  it('answers a second ranking over an unchanged store without projecting; weights apply at once; a statement write invalidates', async () => {
    const gov = await triageGovernance(triageWorld());
    const source = countingSource(gov);
    const svc = new TriageService(gov, { projections: source });
    const first = await svc.rank(frCtx, { asOf: AS_OF });
    const second = await svc.rank(frCtx, { asOf: AS_OF });
    expect(source.calls).toBe(1);
    expect(svc.cacheStats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(second.subjects).toEqual(first.subjects);
    // The reuse is audited like the scans it replaces.
    const audit = await gov.store.readAudit(0, 10_000);
    expect(audit.filter((e) => e.action === 'scan.triage' && e.details.cached === true)).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'triage.rank')).toHaveLength(2);

    // New weights: same signals, new scores (the supervisor shares the analyst's access).
    const w = await svc.weights(chiefCtx);
    await svc.setWeights(chiefCtx, { bias: w.bias, weights: { ...w.weights, firearm: 5 } }, 'Firearm links weigh more after the spring review');
    const reweighted = await svc.rank(chiefCtx, { asOf: AS_OF });
    expect(source.calls).toBe(1);
    expect(reweighted.subjects[0]!.contributions.find((c) => c.signal === 'firearm')).toMatchObject({ weight: 5 });
    expect(reweighted.subjects[0]!.risk).toBeGreaterThan(first.subjects[0]!.risk);

    // A statement write moves the store's version: gathered again, and the new travel counts.
    expect(signal(first, 'fr-ct:chloe', 'conflictTravel')).toBeUndefined();
    await gov.systemWrite('test', 'Later travel record for the cache test', chloeTravels());
    const after = await svc.rank(frCtx, { asOf: AS_OF });
    expect(source.calls).toBe(2);
    expect(signal(after, 'fr-ct:chloe', 'conflictTravel')).toBeDefined();
    // A later reference time is another ranking too.
    await svc.rank(frCtx, { asOf: '2025-08-01T00:00:00Z' });
    expect(source.calls).toBe(3);
  });

  it('never gives one reader’s signals to a reader whose access differs', async () => {
    // Chloé's firearm is CONFIDENTIAL: the junior analyst (RESTRICTED) may not see it.
    const secret = { classification: 'CONFIDENTIAL', source: { agency: 'FR-CT', documentId: 'fixture-c', collectedAt: '2025-05-01T00:00:00Z' } } as const;
    const gov = await triageGovernance([
      ...triageWorld(),
      stmt({ ...secret, entityId: 'fr-ct:fa7', schema: 'Firearm', prop: 'serialNumber', value: 'Q555111' }),
      stmt({ ...secret, entityId: 'fr-ct:pos7', schema: 'Possession', prop: 'owner', value: 'fr-ct:chloe' }),
      stmt({ ...secret, entityId: 'fr-ct:pos7', schema: 'Possession', prop: 'asset', value: 'fr-ct:fa7' }),
    ]);
    const source = countingSource(gov);
    const svc = new TriageService(gov, { projections: source });
    const analyst = await svc.rank(frCtx, { asOf: AS_OF });
    expect(signal(analyst, 'fr-ct:chloe', 'firearm')).toBeDefined();
    const junior = await svc.rank(juniorCtx, { asOf: AS_OF });
    expect(source.calls).toBe(2);
    expect(signal(junior, 'fr-ct:chloe', 'firearm')).toBeUndefined();
    expect(svc.cacheStats()).toMatchObject({ hits: 0, entries: 2 });
    // Each keeps their own.
    expect(signal(await svc.rank(frCtx, { asOf: AS_OF }), 'fr-ct:chloe', 'firearm')).toBeDefined();
    expect(signal(await svc.rank(juniorCtx, { asOf: AS_OF }), 'fr-ct:chloe', 'firearm')).toBeUndefined();
    expect(source.calls).toBe(2);
  });

  it('a new hit, or a hit judged a false positive, is a new ranking', async () => {
    const gov = await triageGovernance(triageWorld());
    const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    await watch.addAlert(frCtx, { subject: { entityIds: ['fr-ct:dario'], names: ['Dario Inventato'] }, threatLevel: 'S9', reasons: 'Quiet after a busy winter; contact of the Atlas network', grading: { system: 'EU4x4', source: 'B', info: '2' }, action: 'discreet-check' });
    const source = countingSource(gov);
    const svc = new TriageService(gov, { watch, projections: source });
    expect(signal(await svc.rank(frCtx, { asOf: AS_OF }), 'fr-ct:dario', 'recentHits')).toBeUndefined();
    const screened = await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-1', travellerName: 'Dario Inventato', destination: 'Istanbul', departure: '2025-06-20T08:00:00Z' }, 'pnr-1', 'fixture PNR')]);
    expect(signal(await svc.rank(frCtx, { asOf: AS_OF }), 'fr-ct:dario', 'recentHits')).toBeDefined();
    await watch.decideHit(frCtx, screened.hitIds[0]!, 'false-positive', 'Namesake: different date of birth at the gate');
    expect(signal(await svc.rank(frCtx, { asOf: AS_OF }), 'fr-ct:dario', 'recentHits')).toBeUndefined();
    expect(source.calls).toBe(3);
  });

  it('keys on the read rule’s inputs, the version and the clusters (in any order), not on who asks', () => {
    const principal: Principal = { userId: 'fr.analyst', agency: 'FR-CT', country: 'FR', roles: ['analyst'], clearance: 'SECRET', cases: ['FR-OP-ATLAS', 'FR-OP-BORA'] };
    const base: EvidenceKeyParts = {
      principal,
      ctx: frCtx,
      statementsVersion: 7,
      asOf: Date.parse(AS_OF),
      resolution: { source: 'resolution', clusterOf: new Map([['a', 'a'], ['b', 'a']]) },
      watch: { alerts: [], hits: [] },
      lastDecision: undefined,
      signalOptions: undefined,
    };
    const key = evidenceKey(base);
    expect(evidenceKey({ ...base, principal: { ...principal, userId: 'fr.chief', cases: ['FR-OP-BORA', 'FR-OP-ATLAS'] }, ctx: chiefCtx })).toBe(key);
    expect(evidenceKey({ ...base, resolution: { source: 'resolution', clusterOf: new Map([['b', 'a'], ['a', 'a']]) } })).toBe(key);
    for (const changed of [
      { principal: { ...principal, clearance: 'RESTRICTED' } },
      { principal: { ...principal, agency: 'BE-CT', country: 'BE' } },
      { principal: { ...principal, cases: ['FR-OP-ATLAS'] } },
      { ctx: { ...frCtx, caseId: 'FR-OP-BORA' } },
      { statementsVersion: 8 },
      { asOf: Date.parse(AS_OF) + 1 },
      { resolution: { source: 'resolution', clusterOf: new Map([['a', 'a'], ['c', 'a']]) } },
      { resolution: { source: 'none' } },
      { watch: { alerts: [], hits: [{ id: 'hit-1', status: 'open' }] } },
      { lastDecision: 'decision-1' },
    ] satisfies Partial<EvidenceKeyParts>[]) {
      expect(evidenceKey({ ...base, ...changed }), JSON.stringify(changed)).not.toBe(key);
    }
  });
});
