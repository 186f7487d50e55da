import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stmt } from '../../test/support/statements.js';
import { beCtx, esCtx, frCtx, seedWorld, PURPOSE } from '../../test/support/governance.js';
import { openStore, type Store } from '../store/index.js';
import { canRead, purposeProblem, type Governance, type Principal } from './index.js';
import { DEFAULT_CLASSIFICATIONS } from '../model/index.js';

describe('purpose', () => {
  it.each(['', '   ', 'x', 'test', 'TEST', 'asdf', 'n/a', 'check', 'aaaaaaaaaaaaaa', 'lookup xx'])('refuses the meaningless purpose %j', (p) => {
    expect(purposeProblem(p)).toBeTypeOf('string');
  });
  it.each(['Establish the contacts of a suspect in Operation Atlas', 'Vérifier les contacts du suspect ATLAS-3', 'Screening of PNR for flight TK1822'])('accepts %j', (p) => {
    expect(purposeProblem(p)).toBeUndefined();
  });
});

describe('read rule', () => {
  const fr: Principal = { userId: 'u', agency: 'FR-CT', country: 'FR', roles: ['analyst'], clearance: 'CONFIDENTIAL', cases: ['FR-OP-ATLAS'] };
  const be: Principal = { ...fr, agency: 'BE-CT', country: 'BE', cases: [] };
  const base = { entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali' } as const;

  it('enforces clearance', () => {
    expect(canRead(fr, stmt({ ...base, classification: 'CONFIDENTIAL' }), DEFAULT_CLASSIFICATIONS)).toBe(true);
    expect(canRead(fr, stmt({ ...base, classification: 'SECRET' }), DEFAULT_CLASSIFICATIONS)).toBe(false);
    expect(canRead(fr, stmt({ ...base, classification: 'COSMIC' }), DEFAULT_CLASSIFICATIONS)).toBe(false);
  });
  it('enforces releasability by agency, country and *', () => {
    const only = (rel: string[]) => stmt({ ...base, handling: { codes: ['H2'], releasableTo: rel } });
    expect(canRead(be, only([]), DEFAULT_CLASSIFICATIONS)).toBe(false);
    expect(canRead(be, only(['ES-CT']), DEFAULT_CLASSIFICATIONS)).toBe(false);
    expect(canRead(be, only(['BE-CT']), DEFAULT_CLASSIFICATIONS)).toBe(true);
    expect(canRead(be, only(['BE']), DEFAULT_CLASSIFICATIONS)).toBe(true);
    expect(canRead(be, only(['*']), DEFAULT_CLASSIFICATIONS)).toBe(true);
    expect(canRead(fr, only([]), DEFAULT_CLASSIFICATIONS)).toBe(true); // the originator always sees its own
  });
  it('enforces case compartments for the originator’s own staff', () => {
    expect(canRead(fr, stmt({ ...base, caseIds: ['FR-OP-ATLAS'] }), DEFAULT_CLASSIFICATIONS)).toBe(true);
    expect(canRead(fr, stmt({ ...base, caseIds: ['FR-OP-OTHER'] }), DEFAULT_CLASSIFICATIONS)).toBe(false);
  });
  it('never shows a statement above clearance or outside releasability (property)', () => {
    const levels = DEFAULT_CLASSIFICATIONS;
    fc.assert(
      fc.property(
        fc.constantFrom(...levels),
        fc.constantFrom(...levels),
        fc.subarray(['*', 'BE', 'BE-CT', 'ES-CT', 'FR']),
        fc.constantFrom('FR-CT', 'BE-CT', 'ES-CT'),
        (clearance, classification, rel, agency) => {
          const p: Principal = { userId: 'u', agency, country: agency.slice(0, 2), roles: ['analyst'], clearance, cases: [] };
          const s = stmt({ ...base, classification, handling: { codes: [], releasableTo: rel } });
          const visible = canRead(p, s, levels);
          if (levels.indexOf(classification) > levels.indexOf(clearance)) expect(visible).toBe(false);
          const released = agency === 'FR-CT' || rel.includes('*') || rel.includes(agency) || rel.includes(agency.slice(0, 2));
          if (!released) expect(visible).toBe(false);
          if (released && levels.indexOf(classification) <= levels.indexOf(clearance)) expect(visible).toBe(true);
        },
      ),
    );
  });
});

describe('governance service', () => {
  let store: Store;
  let gov: Governance;
  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedWorld(store);
    await gov.systemWrite('test', 'fixture load for governance tests', [
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali', handling: { codes: [], releasableTo: ['BE-CT'] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1990-04-02', classification: 'SECRET', handling: { codes: ['H2'], releasableTo: ['*'] } }),
      stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'alias', value: 'Abou Karim', caseIds: ['FR-OP-ATLAS'], handling: { codes: [], releasableTo: [] } }),
    ]);
  });
  afterEach(async () => store.close());

  it('refuses reads without purpose, without case, outside membership, and audits each refusal', async () => {
    await expect(gov.readEntity({ ...frCtx, purpose: 'test' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED', field: 'purpose' });
    await expect(gov.readEntity({ ...frCtx, caseId: null }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'CASE_REQUIRED' });
    await expect(gov.readEntity({ ...frCtx, caseId: 'BE-OP-DUNE' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('not a member') });
    await expect(gov.readEntity({ ...frCtx, userId: 'nobody' }, 'fr-ct:p1')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const refusals = (await store.readAudit()).filter((e) => e.outcome === 'refused');
    expect(refusals.map((e) => e.action)).toEqual(['refused.read', 'refused.read', 'refused.read']);
    expect(refusals[0]!.purpose).toBe('test');
  });

  it('refuses a method the case’s legal basis does not allow, naming the rule', async () => {
    const ctx = { userId: 'fr.junior', purpose: 'Screen a traveller list for operation Bora', caseId: 'FR-OP-BORA' };
    await expect(gov.authorise(ctx, 'network-analysis')).rejects.toMatchObject({ code: 'LEGAL_BASIS', message: expect.stringContaining('screening-only') });
    await expect(gov.authorise(beCtx, 'link-analysis', { hops: 3 })).rejects.toMatchObject({ code: 'LEGAL_BASIS', message: expect.stringContaining('up to 2 hops') });
    await expect(gov.authorise(beCtx, 'link-analysis', { hops: 2 })).resolves.toMatchObject({ agency: 'BE-CT' });
  });

  it('filters an entity per principal and counts what is withheld', async () => {
    const fr = await gov.readEntity(frCtx, 'fr-ct:p1');
    expect(Object.keys(fr.entity!.properties).sort()).toEqual(['alias', 'birthDate', 'name']);
    const junior = await gov.readEntity({ ...frCtx, userId: 'fr.junior' }, 'fr-ct:p1');
    expect(Object.keys(junior.entity!.properties).sort()).toEqual(['alias', 'name']);
    expect(junior.withheld.classification).toBe(1);
    const be = await gov.readEntity(beCtx, 'fr-ct:p1');
    expect(Object.keys(be.entity!.properties).sort()).toEqual(['birthDate', 'name']);
    expect(be.withheld.releasability).toBe(1);
    const es = await gov.readEntity(esCtx, 'fr-ct:p1');
    expect(Object.keys(es.entity!.properties)).toEqual(['birthDate']);
    const reads = (await store.readAudit()).filter((e) => e.action === 'entity.read');
    expect(reads.map((e) => [e.userId, e.caseId, e.entityIds])).toEqual([
      ['fr.analyst', 'FR-OP-ATLAS', ['fr-ct:p1']],
      ['fr.junior', 'FR-OP-ATLAS', ['fr-ct:p1']],
      ['be.analyst', 'BE-OP-DUNE', ['fr-ct:p1']],
      ['es.analyst', 'ES-OP-SOL', ['fr-ct:p1']],
    ]);
  });

  it('search never reveals a hit the principal may not read', async () => {
    expect((await gov.search(frCtx, 'abou karim')).map((h) => h.entityId)).toEqual(['fr-ct:p1']);
    expect(await gov.search(beCtx, 'abou')).toEqual([]);
    expect((await gov.search(beCtx, 'benali')).map((h) => h.caption)).toEqual(['Karim Benali']);
    expect(await gov.search(esCtx, 'benali')).toEqual([]);
  });

  it('refuses to write statements sourced to another agency, and writes nothing', async () => {
    const foreign = stmt({ entityId: 'be-ct:x', schema: 'Person', prop: 'name', value: 'Lina Haddad', source: { agency: 'BE-CT', collectedAt: '2024-01-01T00:00:00Z' } });
    const own = stmt({ entityId: 'fr-ct:y', schema: 'Person', prop: 'name', value: 'Omar Chaoui' });
    await expect(gov.writeStatements(frCtx, [own, foreign])).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'source.agency' });
    expect(await store.statementsOf('fr-ct:y')).toEqual([]);
    expect(await gov.writeStatements(frCtx, [own])).toEqual({ inserted: 1, duplicates: 0 });
  });

  it('scans only readable statements and audits the scan', async () => {
    let n = 0;
    for await (const batch of gov.scanReadable(beCtx, 'link-analysis')) n += batch.length;
    expect(n).toBe(2);
    const last = (await store.readAudit()).at(-1)!;
    expect(last).toMatchObject({ action: 'scan.link-analysis', userId: 'be.analyst', details: { statements: 2, withheld: 1 } });
  });

  it('verifies an untouched chain', async () => {
    await gov.readEntity(frCtx, 'fr-ct:p1');
    const result = await gov.verifyAudit();
    expect(result.problems).toEqual([]);
    expect(result.entries).toBeGreaterThan(1);
    expect(PURPOSE.length).toBeGreaterThan(12);
  });
});
