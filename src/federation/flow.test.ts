import { describe, expect, it } from 'vitest';
import { validateStatement } from '../model/index.js';
import {
  BloomEncoder,
  FilterSet,
  MESSAGE_SCHEMAS,
  PeerDirectory,
  ReplayGuard,
  createDiceIndex,
  followUpDeadline,
  generateNodeIdentity,
  peerEntryFor,
  receiptBodyFor,
  receiveEnvelope,
  sealEnvelope,
  serialiseEnvelope,
  type Envelope,
  type MessageBodyInput,
  type MessageType,
  type NodeIdentity,
} from './index.js';

/**
 * The message layer end to end, without transport: ES publishes its name pointers, BE finds its
 * alert subject among them under another spelling, tells ES, asks, and ES releases an H2
 * statement. Every hop is a signed envelope verified and replay-checked by the receiver.
 */
class TestNode {
  readonly identity: NodeIdentity;
  readonly peers = new PeerDirectory();
  readonly guard = new ReplayGuard();
  readonly applied: Envelope[] = [];
  #seq = new Map<string, number>();

  constructor(agency: string) {
    this.identity = generateNodeIdentity(agency);
  }

  send<T extends MessageType>(to: TestNode, type: T, body: MessageBodyInput<T>, inReplyTo?: string): string {
    const seq = (this.#seq.get(to.identity.agency) ?? 0) + 1;
    this.#seq.set(to.identity.agency, seq);
    return serialiseEnvelope(sealEnvelope(this.identity, { to: to.identity.agency, type, body, seq, ...(inReplyTo ? { inReplyTo } : {}) }));
  }

  deliver(wire: string) {
    const r = receiveEnvelope(wire, { self: this.identity.agency, peers: this.peers }, this.guard);
    if (r.status === 'accepted') {
      this.applied.push(r.envelope);
      this.guard.commit(r.envelope);
    }
    return { result: r, receipt: receiptBodyFor(r, 'raw') };
  }
}

describe('federation message flow (BE alert ↔ ES pointer index)', () => {
  const be = new TestNode('BE-CT');
  const es = new TestNode('ES-CGI');
  be.peers.add(peerEntryFor(es.identity));
  es.peers.add(peerEntryFor(be.identity));
  // The BE–ES linkage secret: configured on both nodes, never sent.
  const secret = 'be-es-linkage-secret-2026-rotation-1';
  const esEncoder = new BloomEncoder({ secret, keyId: 'be-es-2026-1' });
  const beEncoder = new BloomEncoder({ secret, keyId: 'be-es-2026-1' });

  it('finds a differently spelt subject without either list leaving its node, then asks and receives an H2 statement', () => {
    // ES: invented subjects, under opaque pointer ids.
    const esSubjects = [
      { pointerId: 'es_ptr_00000001', names: ['Youssef', 'El Amrani'], birthDate: '1993-04-21' },
      { pointerId: 'es_ptr_00000002', names: ['Marta', 'Lindqvist'], birthDate: '1975-11-30' },
      { pointerId: 'es_ptr_00000003', names: ['Dario', 'Ferrante'], birthDate: '1988-02-02' },
    ];
    const filters = esEncoder.encodeMany(esSubjects).toBase64();
    const publish = es.send(be, 'pointer.publish', {
      index: 'names',
      encoding: esEncoder.spec,
      mode: 'snapshot',
      pointers: esSubjects.map((s, i) => ({ pointerId: s.pointerId, filter: filters[i]! })),
    });
    for (const s of esSubjects) expect(publish).not.toContain(s.names[1]!);
    expect(be.deliver(publish).result.status).toBe('accepted');

    // BE: its alert subject, spelt differently, matched against the published index.
    const published = be.applied.at(-1)!;
    if (published.type !== 'pointer.publish') throw new Error('expected pointer.publish');
    expect(published.body.encoding).toEqual(beEncoder.spec);
    const index = createDiceIndex(FilterSet.fromBase64(published.body.pointers.map((p) => p.filter)));
    const hits = index.above(beEncoder.encode({ names: 'Yusef Elamrani', birthDate: '1993-04-21' }), 0.83);
    expect(Array.from(hits.indices)).toEqual([0]);
    const pointerId = published.body.pointers[hits.indices[0]!]!.pointerId;

    // BE tells ES "you may hold something", then asks, under purpose and case.
    const hitId = '01JD0000000000000000000001';
    const notice = be.send(es, 'hit.notice', { hitId, pointerId, matchKind: 'name', score: hits.scores[0]!, holder: 'ES-CGI', purpose: 'counter-terrorism investigation', caseId: 'BE-2026-017' });
    const ack = es.deliver(notice);
    expect(ack.result.status).toBe('accepted');
    expect(ack.receipt?.status).toBe('accepted');
    const requestedAt = new Date();
    const request = be.send(es, 'followup.request', {
      requestId: '01JD0000000000000000000002',
      hitId,
      purpose: 'counter-terrorism investigation',
      caseId: 'BE-2026-017',
      urgency: 'urgent',
      requestedAt: requestedAt.toISOString(),
      deadline: followUpDeadline('urgent', requestedAt).toISOString(),
      question: 'Travel history and known associates of the subject?',
    });
    expect(es.deliver(request).result.status).toBe('accepted');

    // ES releases one statement, H2 (no further dissemination), releasable to BE only.
    const statement = validateStatement({
      entityId: 'es-cgi:subject-0001',
      schema: 'Person',
      prop: 'birthDate',
      value: '1993-04-21',
      source: { agency: 'ES-CGI', collectedAt: '2026-10-01T09:00:00Z' },
      grading: { system: 'EU4x4', source: 'B', info: '2' },
      handling: { codes: ['H2'], releasableTo: ['BE-CT'] },
      subjectCategory: 'suspect',
    });
    const response = es.send(be, 'followup.response', { requestId: '01JD0000000000000000000002', outcome: 'released', statements: [statement] });
    expect(be.deliver(response).result.status).toBe('accepted');
    const received = be.applied.at(-1)!;
    if (received.type !== 'followup.response') throw new Error('expected followup.response');
    expect(received.body.statements[0]).toEqual(statement);
    expect(received.body.statements[0]!.handling).toEqual({ codes: ['H2'], releasableTo: ['BE-CT'] });

    // Re-delivery of the same response (an outbox retry) is acknowledged but not applied again.
    const before = be.applied.length;
    const again = be.deliver(response);
    expect(again.result.status).toBe('duplicate');
    expect(again.receipt?.status).toBe('duplicate');
    expect(be.applied.length).toBe(before);
    expect(MESSAGE_SCHEMAS.receipt.safeParse(again.receipt).success).toBe(true);
  });

  it('refuses a message from a node that is not a configured peer, with no receipt', () => {
    const fr = new TestNode('FR-DGSI');
    fr.peers.add(peerEntryFor(es.identity));
    const wire = fr.send(es, 'hit.notice', { hitId: '01JD0000000000000000000009', pointerId: 'es_ptr_00000002', matchKind: 'name', holder: 'ES-CGI', purpose: 'counter-terrorism investigation', caseId: 'FR-1' });
    const r = es.deliver(wire);
    expect(r.result).toMatchObject({ status: 'rejected', reason: 'unknown-peer' });
    expect(r.receipt).toBeUndefined();
  });
});
