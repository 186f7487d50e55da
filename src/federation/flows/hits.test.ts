import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTIONS, type HitRecord, type OwnPointer } from './records.js';
import { federationWorld, load, person, statementOf, type TestWorld } from './world.test-helper.js';

describe('hit flow (hit.notice)', () => {
  let w: TestWorld;
  beforeEach(async () => {
    w = await federationWorld(['BE-CT', 'ES-CT', 'FR-CT']);
    const es = w.nodes['ES-CT']!;
    const fr = w.nodes['FR-CT']!;
    await load(es, [...person('ES-CT', 'es-ct:p1', 'Youssef El Amrani', '1993-04-21'), ...person('ES-CT', 'es-ct:p2', 'Marta Lindqvist', '1975-11-30')]);
    await load(fr, person('FR-CT', 'fr-ct:p7', 'Dario Ferrante', '1988-02-02'));
    await es.service.publishPointers(es.supervisor);
    await fr.service.publishPointers(fr.supervisor);
    await w.net.settle();
  });
  afterEach(() => w.close());

  it('a differently spelt subject gives the asker only "ES may hold something; ask", and tells ES which of its entities', async () => {
    const be = w.nodes['BE-CT']!;
    const es = w.nodes['ES-CT']!;
    const result = await be.service.match(be.analyst, { names: ['Yusef Elamrani'], birthDates: ['1993-04-21'] });
    expect([...result.searched].sort()).toEqual(['ES-CT', 'FR-CT']);
    expect(result.hits).toHaveLength(1);
    const hit = result.hits[0]!;
    expect(hit).toMatchObject({ role: 'asker', asker: 'BE-CT', holder: 'ES-CT', matchKind: 'name', caseId: be.caseId, createdBy: 'be.analyst' });
    expect(hit.score).toBeGreaterThanOrEqual(0.9);
    // The asker learns a pointer id, never ES's entity or any content.
    const own = (await es.store.findRecords<OwnPointer>(COLLECTIONS.ownPointers, { where: { entity: 'es-ct:p1', partner: 'BE-CT' } }))[0]!.body;
    expect(hit.pointerId).toBe(own.pointerId);
    expect(JSON.stringify(hit)).not.toContain('es-ct:p1');
    await w.net.settle();
    const notice = w.net.log.find((m) => m.type === 'hit.notice')!;
    expect(notice).toMatchObject({ from: 'BE-CT', to: 'ES-CT' });
    for (const clear of ['Yusef', 'Elamrani', '1993', 'be-ct']) expect(notice.wire).not.toContain(clear);
    // ES is told: its entity, the asker's purpose and case.
    const held = (await es.store.getRecord<HitRecord>(COLLECTIONS.hits, hit.id))!.body;
    expect(held).toMatchObject({ role: 'holder', asker: 'BE-CT', holder: 'ES-CT', purpose: be.analyst.purpose, caseId: be.caseId, subject: { entityIds: ['es-ct:p1'] } });
    // Both sides audited; the holder's ledger notes its entity.
    expect((await be.store.readAudit()).some((e) => e.action === 'federation.match' && e.userId === 'be.analyst' && e.caseId === be.caseId)).toBe(true);
    expect((await es.store.readAudit()).some((e) => e.action === 'federation.hit.received' && e.entityIds.includes('es-ct:p1'))).toBe(true);
    expect(es.port.received.find((r) => r.envelope.type === 'hit.notice')?.subjects).toEqual([hit.id, 'es-ct:p1']);
  });

  it('matches a subject read from the store (entity), hits each pointer once per case, and misses a different person', async () => {
    const be = w.nodes['BE-CT']!;
    await load(be, person('BE-CT', 'be-ct:s1', 'Dario Feranti', '1988-02-02'));
    const first = await be.service.match(be.analyst, { entityId: 'be-ct:s1' });
    expect(first.hits.map((h) => h.holder)).toEqual(['FR-CT']);
    expect(first.hits[0]!.subject).toMatchObject({ entityIds: ['be-ct:s1'] });
    const again = await be.service.match(be.analyst, { entityId: 'be-ct:s1' });
    expect(again.hits.map((h) => h.id)).toEqual(first.hits.map((h) => h.id));
    await w.net.settle();
    expect(w.net.log.filter((m) => m.type === 'hit.notice')).toHaveLength(1);
    expect((await be.service.match(be.analyst, { names: ['Ingrid Oosterhuis'], birthDates: ['1962-09-09'] })).hits).toEqual([]);
  });

  it('shows asker hits only to members of the case, and needs a legal basis allowing federation', async () => {
    const be = w.nodes['BE-CT']!;
    await be.service.match(be.analyst, { names: ['Youssef El Amrani'], birthDates: ['1993-04-21'] });
    expect(await be.service.hits(be.analyst, { role: 'asker' })).toHaveLength(1);
    await be.gov.upsertUser({ id: 'be.other', name: 'Other analyst', agency: 'BE-CT', roles: ['analyst'], clearance: 'SECRET' });
    await be.gov.upsertCase({ id: 'BE-CT-OTHER', name: 'Other case', agency: 'BE-CT', legalBasis: 'counter-terrorism-full', members: ['be.other'], openedAt: '2026-01-01T00:00:00Z' });
    expect(await be.service.hits({ userId: 'be.other', purpose: 'Review partner hits for another operation', caseId: 'BE-CT-OTHER' }, { role: 'asker' })).toEqual([]);
    await expect(be.service.match(be.noFederation, { names: ['Youssef El Amrani'] })).rejects.toMatchObject({ code: 'LEGAL_BASIS' });
    await expect(be.service.match({ ...be.analyst, purpose: 'test' }, { names: ['Youssef El Amrani'] })).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await expect(be.service.match(be.analyst, {})).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('records a notice on a pointer it never published to that partner without failing the delivery', async () => {
    const fr = w.nodes['FR-CT']!;
    const es = w.nodes['ES-CT']!;
    const toBe = (await es.store.findRecords<OwnPointer>(COLLECTIONS.ownPointers, { where: { partner: 'BE-CT' } }))[0]!.body;
    // ES published to BE and FR under different ids; FR quoting BE's pointer id learns nothing.
    await fr.port.send('ES-CT', 'hit.notice', { hitId: '01JD0000000000000000000042', pointerId: toBe.pointerId, matchKind: 'name', holder: 'ES-CT', purpose: 'Check a French lead against partner holdings', caseId: 'FR-CT-FED-1' });
    await w.net.settle();
    const held = (await es.store.getRecord<HitRecord>(COLLECTIONS.hits, '01JD0000000000000000000042'))!.body;
    expect(held.subject.entityIds).toEqual([]);
    expect(held.subject.label).toContain('not published to FR-CT');
  });

  it('does not publish or match statements partners released to us', async () => {
    const be = w.nodes['BE-CT']!;
    // BE holds a copy of an ES person (received earlier); BE publishes only its own.
    await load(be, [statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'name', value: 'Youssef El Amrani' }), ...person('BE-CT', 'be-ct:p2', 'Lena Vossberg', '1990-01-01')]);
    const [toEs] = await be.service.publishPointers(be.supervisor, { partner: 'ES-CT' });
    expect(toEs).toMatchObject({ added: 1 });
  });
});
