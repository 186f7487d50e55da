import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Statement } from '../../model/index.js';
import { COLLECTIONS, type ReceivedRecord, type RequestRecord } from './records.js';
import { federationWorld, load, person, statementOf, type TestNode, type TestWorld } from './world.test-helper.js';

/** ES's holdings on its subject (invented): releasable to all, H2 for BE only, and ES-only. */
const esPublic = statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'notes', value: 'Frequent rail travel Madrid–Brussels in 2025' });
const esH2 = statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'phone', value: '+34612345678', handling: { codes: ['H2'], releasableTo: ['BE-CT'] } });
const esToBeOnly = statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'address', value: 'Calle Imaginaria 12, Madrid', handling: { codes: [], releasableTo: ['BE-CT'] } });
const esOwnOnly = statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'passportNumber', value: 'ES7Q123456', handling: { codes: [], releasableTo: [] } });

/** The asker matches a name, then requests; returns the asker's request record after delivery. */
async function askAbout(w: TestWorld, asker: TestNode, name: string, birthDate: string, urgency = 'urgent'): Promise<RequestRecord> {
  const { hits } = await asker.service.match(asker.analyst, { names: [name], birthDates: [birthDate] });
  expect(hits).toHaveLength(1);
  const request = await asker.service.request(asker.analyst, hits[0]!.id, { urgency, question: 'Travel history and known associates of the subject?' });
  await w.net.settle();
  return request;
}

describe('follow-up requests (followup.request / response / escalation)', () => {
  let w: TestWorld;
  let be: TestNode;
  let es: TestNode;
  let fr: TestNode;
  beforeEach(async () => {
    w = await federationWorld(['BE-CT', 'ES-CT', 'FR-CT']);
    [be, es, fr] = [w.nodes['BE-CT']!, w.nodes['ES-CT']!, w.nodes['FR-CT']!];
    await load(es, [...person('ES-CT', 'es-ct:p1', 'Youssef El Amrani', '1993-04-21'), esPublic, esH2, esToBeOnly, esOwnOnly]);
    await load(be, person('BE-CT', 'be-ct:p5', 'Nadia Kessler', '1985-06-30'));
    for (const n of [es, be]) await n.service.publishPointers(n.supervisor);
    await w.net.settle();
  });
  afterEach(() => w.close());

  it('the holder sees the request with its deadline, releases an H2 statement, and the asker keeps it with its handling', async () => {
    const request = await askAbout(w, be, 'Yusef Elamrani', '1993-04-21');
    expect(request).toMatchObject({ role: 'asker', holder: 'ES-CT', status: 'open', urgency: 'urgent', level: 0, overdue: false });
    expect(Date.parse(request.deadline) - Date.parse(request.requestedAt)).toBe(8 * 3600_000);
    const inbox = await es.service.inbox(es.analyst);
    expect(inbox.requests.incoming).toHaveLength(1);
    expect(inbox.requests.incoming[0]).toMatchObject({ id: request.id, asker: 'BE-CT', deadline: request.deadline, question: request.question, status: 'open', level: 0 });
    expect(inbox.hits.held[0]?.subject.entityIds).toEqual(['es-ct:p1']);

    const result = await es.service.answer(es.analyst, request.id, { statementIds: [esPublic.id, esH2.id] });
    expect([...result.released].sort()).toEqual([esPublic.id, esH2.id].sort());
    expect(result.withheld).toEqual([]);
    await w.net.settle();

    // BE stored both with ES's handling, and can read them; the inbox shows the answer.
    const stored = await be.store.statementsById([esH2.id]);
    expect(stored[0]?.handling).toEqual({ codes: ['H2'], releasableTo: ['BE-CT'] });
    expect(stored[0]?.source.agency).toBe('ES-CT');
    const beInbox = await be.service.inbox(be.analyst);
    expect(beInbox.requests.outgoing[0]).toMatchObject({ id: request.id, status: 'released' });
    expect(beInbox.answers[0]?.statements.map((s) => s.id).sort()).toEqual([esPublic.id, esH2.id].sort());
    const received = (await be.store.findRecords<ReceivedRecord>(COLLECTIONS.received)).map((r) => r.body);
    expect(received.map((r) => r.statementId).sort()).toEqual([esPublic.id, esH2.id].sort());
    // The release is a logged disclosure with its recipient.
    const release = (await es.store.readAudit()).find((e) => e.action === 'export.federation.release' && e.outcome === 'allowed');
    expect(release).toMatchObject({ userId: 'es.analyst', entityIds: ['es-ct:p1'], details: { recipients: ['BE-CT'], statements: 2 } });
  });

  it('BE cannot pass ES’s H2 statement (or one releasable to BE only) on to FR; a statement releasable to all may go', async () => {
    const request = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21');
    await es.service.answer(es.analyst, request.id, { statementIds: [esPublic.id, esH2.id, esToBeOnly.id] });
    await w.net.settle();
    // FR asks BE about BE's own subject; BE tries to include what ES gave it.
    const frRequest = await askAbout(w, fr, 'Nadia Kesler', '1985-06-30');
    await expect(be.service.answer(be.analyst, frRequest.id, { statementIds: [esH2.id, esToBeOnly.id] })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('H2') });
    const beOwn = (await be.store.statementsOf('be-ct:p5'))[0]!;
    const partial = await be.service.answer(be.analyst, frRequest.id, { statementIds: [beOwn.id, esH2.id, esToBeOnly.id, esPublic.id] });
    expect([...partial.released].sort()).toEqual([beOwn.id, esPublic.id].sort());
    expect(partial.withheld.map((x) => [x.statementId, x.reason])).toEqual(
      expect.arrayContaining([
        [esH2.id, 'h2-no-further-dissemination'],
        [esToBeOnly.id, 'not-releasable'],
      ]),
    );
    await w.net.settle();
    expect((await fr.store.statementsById([esH2.id, esToBeOnly.id]))).toEqual([]);
    expect((await fr.store.statementsById([esPublic.id, beOwn.id])).map((s) => s.id).sort()).toEqual([beOwn.id, esPublic.id].sort());
    // A second answer to the same request is refused.
    await expect(be.service.refuse(be.analyst, frRequest.id, 'Already answered')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('the originator may grant its ES-only statement explicitly; without the grant it is kept back', async () => {
    const request = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21');
    await expect(es.service.answer(es.analyst, request.id, { statementIds: [esOwnOnly.id] })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('may grant') });
    const granted = await es.service.answer(es.analyst, request.id, { statementIds: [esOwnOnly.id], grant: true });
    expect(granted.released).toEqual([esOwnOnly.id]);
    await w.net.settle();
    expect((await be.store.statementsById([esOwnOnly.id]))[0]?.handling.releasableTo).toEqual(['BE-CT']);
    // ES's own copy is unchanged.
    expect((await es.store.statementsById([esOwnOnly.id]))[0]?.handling.releasableTo).toEqual([]);
  });

  it('the receiver refuses what the sender should not have sent, whatever the sender checked', async () => {
    const request = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21');
    const notForBe = statementOf('ES-CT', { entityId: 'es-ct:p1', schema: 'Person', prop: 'alias', value: 'Abu Yusuf', handling: { codes: [], releasableTo: ['FR-CT'] } });
    const forgedId: Statement = { ...esPublic, value: 'Altered after release' };
    const frH2 = statementOf('FR-CT', { entityId: 'fr-ct:p9', schema: 'Person', prop: 'name', value: 'Ilse Brandauer', handling: { codes: ['H2'], releasableTo: ['*'] } });
    // A dishonest ES bypasses its own checks and sends straight through its port.
    await es.port.send('BE-CT', 'followup.response', { requestId: request.id, outcome: 'released', statements: [notForBe, forgedId, frH2, esPublic] });
    await w.net.settle();
    expect((await be.store.statementsById([notForBe.id, frH2.id])).map((s) => s.id)).toEqual([]);
    expect((await be.store.statementsById([esPublic.id]))[0]?.value).toBe(esPublic.value);
    const answer = (await be.store.getRecord<RequestRecord>(COLLECTIONS.requests, request.id))!.body.answers[0]!;
    expect(answer.statementIds).toEqual([esPublic.id]);
    expect(answer.refusedOnReceipt?.map((r) => [r.statementId, r.reason]).sort()).toEqual(
      [
        [notForBe.id, 'not-releasable'],
        [esPublic.id, 'invalid'],
        [frH2.id, 'h2-no-further-dissemination'],
      ].sort(),
    );
    expect((await be.store.readAudit()).some((e) => e.action === 'refused.federation.receive')).toBe(true);
  });

  it('refusal and asking for more reach the asker; an unknown request is answered with NOT_FOUND', async () => {
    const r1 = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21', 'routine');
    expect(Date.parse(r1.deadline) - Date.parse(r1.requestedAt)).toBe(14 * 86_400_000);
    await expect(es.service.refuse(es.analyst, r1.id, 'no')).rejects.toMatchObject({ code: 'VALIDATION' });
    await es.service.askMore(es.analyst, r1.id, 'Which operation is this for, and is the subject a suspect?');
    await w.net.settle();
    const r2 = await be.service.request(be.analyst, r1.hitId, { urgency: 'normal', question: 'Operation Dune; the subject is a suspect in a facilitation network.' });
    await w.net.settle();
    await es.service.refuse(es.analyst, r2.id, 'An operation of ours is running on this subject; call our liaison desk');
    await w.net.settle();
    const outgoing = (await be.service.inbox(be.analyst)).requests.outgoing;
    expect(outgoing.find((r) => r.id === r1.id)).toMatchObject({ status: 'more-info-needed', answers: [{ outcome: 'more-info-needed', question: 'Which operation is this for, and is the subject a suspect?' }] });
    expect(outgoing.find((r) => r.id === r2.id)).toMatchObject({ status: 'refused', answers: [{ outcome: 'refused', reason: 'An operation of ours is running on this subject; call our liaison desk' }] });
    await expect(es.service.answer(es.analyst, '01JD0000000000000000000000', { statementIds: [esPublic.id] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A request needs a hit of the case it is made for.
    await expect(be.service.request({ ...be.analyst, caseId: be.caseId }, '01JD0000000000000000000000', { urgency: 'urgent', question: 'Anything on this subject?' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('escalates an unanswered request once per deadline-length overdue, and both inboxes show it overdue', async () => {
    const request = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21', 'urgent');
    expect(await be.service.sweepEscalations()).toEqual([]);
    w.clock.now = new Date(Date.parse(request.deadline) + 60_000);
    const [escalated] = await be.service.sweepEscalations();
    expect(escalated).toMatchObject({ id: request.id, escalation: 1 });
    expect(await be.service.sweepEscalations()).toEqual([]);
    await w.net.settle();
    const incoming = (await es.service.inbox(es.analyst)).requests.incoming[0]!;
    expect(incoming).toMatchObject({ escalation: 1, level: 1, overdue: true });
    w.clock.now = new Date(Date.parse(request.deadline) + 8 * 3600_000 + 60_000);
    expect((await be.service.sweepEscalations())[0]).toMatchObject({ escalation: 2 });
    await w.net.settle();
    expect(w.net.log.filter((m) => m.type === 'followup.escalation').map((m) => JSON.parse(m.wire).body.level)).toEqual([1, 2]);
    // Once answered, it no longer escalates.
    await es.service.refuse(es.analyst, request.id, 'Nothing we can share on this subject');
    await w.net.settle();
    w.clock.now = new Date(Date.parse(request.deadline) + 40 * 3600_000);
    expect(await be.service.sweepEscalations()).toEqual([]);
    expect((await be.service.inbox(be.analyst)).requests.outgoing[0]).toMatchObject({ status: 'refused', overdue: false });
  });

  it('a re-delivered answer is a duplicate and is not applied twice', async () => {
    const request = await askAbout(w, be, 'Youssef El Amrani', '1993-04-21');
    await es.service.answer(es.analyst, request.id, { statementIds: [esPublic.id] });
    await w.net.settle();
    const response = w.net.log.find((m) => m.type === 'followup.response')!;
    expect((await w.net.redeliver(response.id)).status).toBe('duplicate');
    expect((await be.store.getRecord<RequestRecord>(COLLECTIONS.requests, request.id))!.body.answers).toHaveLength(1);
  });
});
