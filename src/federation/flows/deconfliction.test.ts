import { afterEach, describe, expect, it } from 'vitest';
import { COLLECTIONS, type DeconflictionRecord } from './records.js';
import { federationWorld, load, person, type TestWorld, type WorldOptions } from './world.test-helper.js';

async function world(options: WorldOptions = {}): Promise<TestWorld> {
  const w = await federationWorld(['BE-CT', 'ES-CT'], options);
  await load(w.nodes['ES-CT']!, person('ES-CT', 'es-ct:p1', 'Youssef El Amrani', '1993-04-21'));
  await load(w.nodes['BE-CT']!, person('BE-CT', 'be-ct:p1', 'Youssef Al Amrani', '1993-04-21'));
  for (const n of Object.values(w.nodes)) await n.service.publishPointers(n.supervisor);
  await w.net.settle();
  return w;
}

async function notices(w: TestWorld, agency: string): Promise<DeconflictionRecord[]> {
  return (await w.nodes[agency]!.store.findRecords<DeconflictionRecord>(COLLECTIONS.deconfliction)).map((r) => r.body);
}

describe('deconfliction (deconfliction.notice)', () => {
  let w: TestWorld;
  afterEach(() => w.close());

  it('a hit both ways tells both agencies, with whom to call, under a standing agreement', async () => {
    w = await world({ consent: 'standing-agreement' });
    const [be, es] = [w.nodes['BE-CT']!, w.nodes['ES-CT']!];
    // BE matches its subject against ES's pointers; ES matches its own against BE's.
    expect((await be.service.match(be.analyst, { entityId: 'be-ct:p1' })).hits).toHaveLength(1);
    await w.net.settle();
    expect(await notices(w, 'BE-CT')).toEqual([]);
    expect((await es.service.match(es.analyst, { entityId: 'es-ct:p1' })).hits).toHaveLength(1);
    await w.net.settle();
    // ES detected it (its subject and BE's hit on its pointer are the same entity) and told BE.
    const [esSide] = await notices(w, 'ES-CT');
    expect(esSide).toMatchObject({ status: 'sent', partner: 'BE-CT', agencies: ['ES-CT', 'BE-CT'], consent: 'standing-agreement', entityIds: ['es-ct:p1'], contact: { unit: 'ES-CT liaison desk' } });
    expect([...esSide!.caseIds].sort()).toEqual([be.caseId, es.caseId].sort());
    const beSide = (await notices(w, 'BE-CT')).find((n) => n.status === 'received');
    expect(beSide).toMatchObject({ id: esSide!.id, partner: 'ES-CT', contact: { unit: 'ES-CT liaison desk', channel: '+00 es duty line' } });
    // BE's own detection of the same overlap (on ES's notice) told ES in turn: both know whom to call.
    expect((await notices(w, 'ES-CT')).some((n) => n.status === 'received' && n.partner === 'BE-CT')).toBe(true);
    const inbox = await be.service.inbox(be.analyst);
    expect(inbox.deconfliction.some((n) => n.status === 'received' && n.partner === 'ES-CT')).toBe(true);
  });

  it('a request about a subject of the holder’s open case waits for a supervisor’s approval (holder-approved)', async () => {
    w = await world({ consent: 'holder-approved' });
    const [be, es] = [w.nodes['BE-CT']!, w.nodes['ES-CT']!];
    await es.gov.upsertCase({ id: 'ES-OP-SOL', name: 'Operation Sol', agency: 'ES-CT', legalBasis: 'counter-terrorism-full', members: ['es.analyst', 'es.super'], openedAt: '2026-01-01T00:00:00Z', subjects: ['es-ct:p1'] });
    const { hits } = await be.service.match(be.analyst, { names: ['Youssef El Amrani'], birthDates: ['1993-04-21'] });
    await be.service.request(be.analyst, hits[0]!.id, { urgency: 'normal', question: 'Is the subject known to you, and in which context?' });
    await w.net.settle();
    const [pending] = await notices(w, 'ES-CT');
    expect(pending).toMatchObject({ status: 'pending-approval', partner: 'BE-CT', consent: 'holder-approved', entityIds: ['es-ct:p1'] });
    expect(pending!.reason).toContain('case ES-OP-SOL');
    expect(w.net.log.some((m) => m.type === 'deconfliction.notice')).toBe(false);
    // An analyst may not approve; a supervisor may, with a note.
    await expect(es.service.decideDeconfliction(es.analyst, pending!.id, true, 'Tell Belgium')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const sent = await es.service.decideDeconfliction(es.supervisor, pending!.id, true, 'Agreed with the Sol team lead');
    expect(sent).toMatchObject({ status: 'sent', decidedBy: 'es.super' });
    await expect(es.service.decideDeconfliction(es.supervisor, pending!.id, true, 'again please')).rejects.toMatchObject({ code: 'CONFLICT' });
    await w.net.settle();
    const received = (await notices(w, 'BE-CT')).find((n) => n.status === 'received')!;
    expect(received.caseIds).toEqual(expect.arrayContaining([be.caseId, 'ES-OP-SOL']));
    expect(received.hitId).toBe(hits[0]!.id);
    // BE's entities are not known for a name hit on ES's pointer: BE's subject was typed, not an entity.
    expect(received.entityIds).toEqual([]);
  });

  it('a declined notice is never sent; no overlap, no notice', async () => {
    w = await world({ consent: 'holder-approved' });
    const [be, es] = [w.nodes['BE-CT']!, w.nodes['ES-CT']!];
    const { hits } = await be.service.match(be.analyst, { names: ['Youssef El Amrani'], birthDates: ['1993-04-21'] });
    await be.service.request(be.analyst, hits[0]!.id, { urgency: 'normal', question: 'Is the subject known to you?' });
    await w.net.settle();
    expect(await notices(w, 'ES-CT')).toEqual([]);
    await es.service.match(es.analyst, { entityId: 'es-ct:p1' });
    await w.net.settle();
    const [pending] = await notices(w, 'ES-CT');
    expect(pending?.status).toBe('pending-approval');
    expect(await es.service.decideDeconfliction(es.supervisor, pending!.id, false, 'Operational security: not now')).toMatchObject({ status: 'declined' });
    await w.net.settle();
    expect(w.net.log.some((m) => m.type === 'deconfliction.notice' && m.from === 'ES-CT')).toBe(false);
  });
});
