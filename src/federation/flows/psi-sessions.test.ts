import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTIONS, type HitRecord, type PsiSessionRecord } from './records.js';
import { federationWorld, load, person, statementOf, type TestWorld } from './world.test-helper.js';

describe('PSI sessions (psi.offer / reply / final)', () => {
  let w: TestWorld;
  beforeEach(async () => {
    w = await federationWorld(['BE-CT', 'ES-CT', 'FR-CT'], { psiMaxOffer: 50 });
    const es = w.nodes['ES-CT']!;
    await load(es, [
      ...person('ES-CT', 'es-ct:p1', 'Youssef El Amrani', '1993-04-21'),
      statementOf('ES-CT', { entityId: 'es-ct:ph1', schema: 'Phone', prop: 'number', value: '+34 612 345 678' }),
      statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'passportNumber', value: 'ES7Q123456' }),
      statementOf('ES-CT', { entityId: 'es-ct:ph2', schema: 'Phone', prop: 'number', value: '+34 699 000 111' }),
      // An informant's phone is never in a PSI set.
      statementOf('ES-CT', { entityId: 'es-ct:ph3', schema: 'Phone', prop: 'number', value: '+34 655 444 333', subjectCategory: 'informant' }),
    ]);
  });
  afterEach(() => w.close());

  it('a shared phone becomes a selector hit for the asker and points the holder at its own entity; no clear selector travels', async () => {
    const be = w.nodes['BE-CT']!;
    const es = w.nodes['ES-CT']!;
    const result = await be.service.match(be.analyst, { names: ['Yusef Elamrani'], selectors: [{ kind: 'phone', value: '0034612345678' }, { kind: 'phone', value: '+32 470 12 34 56' }] });
    expect(result.psiSessions.map((s) => s.partner).sort()).toEqual(['ES-CT', 'FR-CT']);
    await w.net.settle();
    for (const m of w.net.log) for (const clear of ['612345678', '612 345', '470 12', '4701234']) expect(m.wire).not.toContain(clear);
    const beHits = (await be.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: { role: 'asker' } })).map((r) => r.body);
    expect(beHits).toHaveLength(1);
    const hit = beHits[0]!;
    expect(hit).toMatchObject({ holder: 'ES-CT', matchKind: 'selector', selectorKind: 'phone', selectors: ['0034612345678'], caseId: be.caseId });
    const held = (await es.store.getRecord<HitRecord>(COLLECTIONS.hits, hit.id))!.body;
    expect(held).toMatchObject({ role: 'holder', asker: 'BE-CT', psiSessionId: hit.psiSessionId, selectors: ['+34612345678'], subject: { entityIds: ['es-ct:ph1'] } });
    // Each side recorded what it learnt: matches and the other set's size, nothing else.
    const esSession = (await es.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, hit.psiSessionId!))!.body;
    expect(esSession).toMatchObject({ role: 'responder', status: 'done', ownCount: 2, otherCount: 2, matched: ['+34612345678'] });
    const frSession = (await be.store.findRecords<PsiSessionRecord>(COLLECTIONS.psiSessions, { where: { partner: 'FR-CT' } }))[0]!.body;
    expect(frSession).toMatchObject({ role: 'initiator', status: 'done', matched: [], otherCount: 0 });
    expect((await es.store.readAudit()).some((e) => e.action === 'federation.psi.concluded' && e.entityIds.includes('es-ct:ph1'))).toBe(true);
  });

  it('refuses an offer larger than the node answers; finishes a session after a restart from its saved state', async () => {
    const be = w.nodes['BE-CT']!;
    const es = w.nodes['ES-CT']!;
    const many = Array.from({ length: 60 }, (_, i) => ({ kind: 'phone' as const, value: `+3247000${String(i).padStart(4, '0')}` }));
    const { psiSessions } = await be.service.match(be.analyst, { selectors: many, partners: ['ES-CT'] });
    await w.net.settle();
    const esSide = (await es.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, psiSessions[0]!.id))!.body;
    expect(esSide).toMatchObject({ status: 'refused', problem: expect.stringContaining('above the 50') });
    expect(w.net.log.some((m) => m.type === 'psi.reply')).toBe(false);
    // The session state is in the store: a node restarted mid-session (memory lost) still finishes it,
    // and the secret is gone once the reply is processed.
    const small = await be.service.match(be.analyst, { selectors: [{ kind: 'passport', value: 'ES7Q123456' }], partners: ['ES-CT'] });
    expect(await be.store.getRecord(COLLECTIONS.psiSecrets, small.psiSessions[0]!.id)).toBeDefined();
    await be.service.psi.close();
    await w.net.settle();
    expect((await be.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, small.psiSessions[0]!.id))!.body).toMatchObject({ status: 'done', matched: ['ES7Q123456'] });
    expect(await be.store.getRecord(COLLECTIONS.psiSecrets, small.psiSessions[0]!.id)).toBeUndefined();
    expect((await be.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: { session: small.psiSessions[0]!.id } }))[0]?.body).toMatchObject({ role: 'asker', selectorKind: 'passport' });
    // Without its saved state, a reply is recorded as a failed session (not retried forever).
    const lost = await be.service.match(be.analyst, { selectors: [{ kind: 'passport', value: 'ES7Q123456' }], partners: ['ES-CT'] });
    await be.service.psi.close();
    await be.store.deleteRecord(COLLECTIONS.psiSecrets, lost.psiSessions[0]!.id);
    await w.net.settle();
    expect((await be.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, lost.psiSessions[0]!.id))!.body).toMatchObject({ status: 'failed', problem: expect.stringContaining('state lost') });
    // The refused session never got a reply: its secret is dropped once no reply can come any more.
    expect(await be.store.getRecord(COLLECTIONS.psiSecrets, psiSessions[0]!.id)).toBeDefined();
    w.clock.now = new Date(w.clock.now.getTime() + 8 * 86_400_000);
    expect(await be.service.psi.expire()).toBe(1);
    expect(await be.store.getRecord(COLLECTIONS.psiSecrets, psiSessions[0]!.id)).toBeUndefined();
    expect((await be.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, psiSessions[0]!.id))!.body).toMatchObject({ status: 'failed', problem: expect.stringContaining('no reply') });
  });
});
