import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTIONS, type OwnPointer, type PartnerPointer, type PartnerSet } from './records.js';
import { federationWorld, load, person, type TestWorld } from './world.test-helper.js';

describe('pointer flow (pointer.publish)', () => {
  let w: TestWorld;
  beforeEach(async () => {
    // ES–BE share a linkage secret; ES–FR do not.
    w = await federationWorld(['BE-CT', 'ES-CT', 'FR-CT'], { partnerships: [['BE-CT', 'ES-CT']] });
    const es = w.nodes['ES-CT']!;
    await load(es, [
      ...person('ES-CT', 'es-ct:p1', 'Youssef El Amrani', '1993-04-21'),
      ...person('ES-CT', 'es-ct:p2', 'Marta Lindqvist', '1975-11-30'),
      ...person('ES-CT', 'es-ct:p3', 'Dario Ferrante', '1988-02-02', { subjectCategory: 'informant' }),
      ...person('BE-CT', 'be-ct:p9', 'Lena Vossberg', '1990-01-01'),
    ]);
  });
  afterEach(() => w.close());

  it('publishes hardened encodings under opaque ids only to partners holding the secret, and never an informant or a partner’s person', async () => {
    const es = w.nodes['ES-CT']!;
    const [summary, ...rest] = await es.service.publishPointers(es.supervisor);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({ partner: 'BE-CT', mode: 'snapshot', added: 2, withdrawn: 0, messages: 1 });
    await w.net.settle();
    const published = w.net.log.filter((m) => m.type === 'pointer.publish');
    expect(published.map((m) => m.to)).toEqual(['BE-CT']);
    for (const s of w.net.log) for (const clear of ['Amrani', 'Lindqvist', 'Ferrante', '1993-04-21', 'es-ct:p']) expect(s.wire).not.toContain(clear);
    // ES can map its pointers back to its entities; BE holds the filters only.
    const own = (await es.store.findRecords<OwnPointer>(COLLECTIONS.ownPointers)).map((r) => r.body);
    expect(own.map((p) => p.entityId).sort()).toEqual(['es-ct:p1', 'es-ct:p2']);
    for (const p of own) expect(p.pointerId).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
    const be = w.nodes['BE-CT']!;
    const held = (await be.store.findRecords<PartnerPointer>(COLLECTIONS.partnerPointers)).map((r) => r.body);
    expect(held.map((p) => p.pointerId).sort()).toEqual(own.map((p) => p.pointerId).sort());
    expect((await be.store.getRecord<PartnerSet>(COLLECTIONS.partnerSets, 'ES-CT'))?.body).toMatchObject({ usable: true, pointers: 2, keyId: 'k-BE-CT-ES-CT-1' });
    // Published and received, both in the audit chain.
    expect((await es.store.readAudit()).some((e) => e.action === 'federation.pointers.publish' && e.userId === 'es.super')).toBe(true);
    expect((await be.store.readAudit()).some((e) => e.action === 'federation.pointers.received' && e.details.held === 2)).toBe(true);
  });

  it('sends only what changed (delta), and a rotated secret republishes everything under fresh ids', async () => {
    const es = w.nodes['ES-CT']!;
    const be = w.nodes['BE-CT']!;
    await es.service.publishPointers(es.supervisor);
    await w.net.settle();
    const first = (await es.store.findRecords<OwnPointer>(COLLECTIONS.ownPointers, { where: { live: 'yes' } })).map((r) => r.body);
    const marta = first.find((p) => p.entityId === 'es-ct:p2')!;
    // A new person arrives, Marta's statements are erased.
    await load(es, person('ES-CT', 'es-ct:p4', 'Karim Haddadi', '1991-07-14'));
    await es.store.deleteStatements((await es.store.statementsOf('es-ct:p2')).map((s) => s.id));
    const [delta] = await es.service.publishPointers(es.supervisor);
    expect(delta).toMatchObject({ mode: 'delta', added: 1, withdrawn: 1, unchanged: 1 });
    await w.net.settle();
    const beIds = (await be.store.findRecords<PartnerPointer>(COLLECTIONS.partnerPointers)).map((r) => r.body.pointerId);
    expect(beIds).toHaveLength(2);
    expect(beIds).not.toContain(marta.pointerId);
    // Nothing changed: no message at all.
    const before = w.net.log.length;
    expect((await es.service.publishPointers(es.supervisor))[0]).toMatchObject({ mode: 'delta', added: 0, withdrawn: 0, messages: 0 });
    expect(w.net.log.length).toBe(before);
    // A forced snapshot replaces the partner's copy under new ids.
    const [snap] = await es.service.publishPointers(es.supervisor, { mode: 'snapshot' });
    expect(snap).toMatchObject({ mode: 'snapshot', added: 2, withdrawn: 2 });
    await w.net.settle();
    const after = (await be.store.findRecords<PartnerPointer>(COLLECTIONS.partnerPointers)).map((r) => r.body.pointerId);
    expect(after).toHaveLength(2);
    expect(after.some((id) => beIds.includes(id))).toBe(false);
  });

  it('keeps a partner set it cannot match as unusable, without its filters', async () => {
    const es = w.nodes['ES-CT']!;
    const fr = w.nodes['FR-CT']!;
    // ES sends FR a set anyway (as if misconfigured): FR holds no agreement with ES.
    await es.port.send('FR-CT', 'pointer.publish', { index: 'names', encoding: es.service.context.encoderFor('BE-CT')!.spec, mode: 'snapshot', pointers: [{ pointerId: 'p_abcdefghijklmnopqrstuv', filter: 'A'.repeat(171) + '=' }] });
    await w.net.settle();
    expect((await fr.store.getRecord<PartnerSet>(COLLECTIONS.partnerSets, 'ES-CT'))?.body).toMatchObject({ usable: false, pointers: 0, problem: expect.stringContaining('no linkage agreement') });
    expect(await fr.store.countRecords(COLLECTIONS.partnerPointers)).toBe(0);
  });

  it('needs a supervisor and a case whose legal basis allows federation', async () => {
    const es = w.nodes['ES-CT']!;
    await expect(es.service.publishPointers(es.analyst)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(es.service.publishPointers(es.noFederation)).rejects.toMatchObject({ code: 'LEGAL_BASIS' });
    await expect(es.service.publishPointers(es.supervisor, { partner: 'FR-CT' })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
