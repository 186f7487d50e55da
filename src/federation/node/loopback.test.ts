import { describe, expect, it } from 'vitest';
import { LoopbackNetwork, type InboundMessage } from '../index.js';

const hitBody = (n: number) => ({
  hitId: `01JD00000000000000000000${String(n).padStart(2, '0')}`,
  pointerId: 'es_ptr_00000001',
  matchKind: 'name' as const,
  score: 0.9,
  holder: 'ES-CT',
  purpose: 'counter-terrorism investigation',
  caseId: 'BE-2026-017',
});

describe('LoopbackNetwork', () => {
  it('delivers signed envelopes to the handler once, in order, and handlers may answer', async () => {
    const net = new LoopbackNetwork();
    const be = net.node('BE-CT');
    const es = net.node('ES-CT');
    expect(be.peers()).toEqual(['ES-CT']);
    const seen: InboundMessage<'hit.notice'>[] = [];
    es.on('hit.notice', async (m) => {
      seen.push(m);
      m.concerns?.(['es-ct:subject-1']);
      await es.send(m.envelope.from, 'deconfliction.notice', {
        noticeId: '01JD0000000000000000000099',
        hitId: m.envelope.body.hitId,
        agencies: ['BE-CT', 'ES-CT'],
        contact: { unit: 'CT desk', channel: 'secure line' },
        consent: 'standing-agreement',
      }, { inReplyTo: m.envelope.id });
    });
    const answers: string[] = [];
    be.on('deconfliction.notice', async (m) => void answers.push(m.envelope.inReplyTo ?? ''));
    const id1 = await be.send('ES-CT', 'hit.notice', hitBody(1), { subjects: ['be-ct:alert-7'] });
    const id2 = await be.send('ES-CT', 'hit.notice', hitBody(2));
    await net.settle();
    expect(seen.map((m) => [m.envelope.id, m.envelope.seq, m.envelope.from])).toEqual([
      [id1, 1, 'BE-CT'],
      [id2, 2, 'BE-CT'],
    ]);
    expect(answers).toEqual([id1, id2]);
    expect(es.received[0]!.subjects).toEqual(['es-ct:subject-1']);
    expect(be.sent[0]!.subjects).toEqual(['be-ct:alert-7']);
    expect(net.log.map((d) => d.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('treats a re-delivered envelope as a duplicate that never reaches the handler again', async () => {
    const net = new LoopbackNetwork();
    const be = net.node('BE-CT');
    const es = net.node('ES-CT');
    let calls = 0;
    es.on('hit.notice', async () => void calls++);
    const id = await be.send('ES-CT', 'hit.notice', hitBody(1));
    await net.settle();
    const again = await net.redeliver(id);
    expect(again.status).toBe('duplicate');
    expect(calls).toBe(1);
  });

  it('keeps messages for a node that is down and delivers them when it returns', async () => {
    const net = new LoopbackNetwork({ autoDeliver: false });
    const be = net.node('BE-CT');
    const es = net.node('ES-CT');
    const got: number[] = [];
    es.on('hit.notice', async (m) => void got.push(m.envelope.seq));
    net.takeDown('ES-CT');
    await be.send('ES-CT', 'hit.notice', hitBody(1));
    await be.send('ES-CT', 'hit.notice', hitBody(2));
    await net.settle();
    expect(got).toEqual([]);
    expect(net.pending()).toHaveLength(2);
    net.restore('ES-CT');
    await net.settle();
    expect(got).toEqual([1, 2]);
  });

  it('retries a delivery whose handler throws and reports it after the last attempt', async () => {
    const net = new LoopbackNetwork({ maxAttempts: 2 });
    const be = net.node('BE-CT');
    const es = net.node('ES-CT');
    let calls = 0;
    es.on('hit.notice', async () => {
      calls++;
      if (calls === 1) throw new Error('store busy');
    });
    await be.send('ES-CT', 'hit.notice', hitBody(1));
    await net.settle();
    expect(calls).toBe(2);
    expect(es.received).toHaveLength(1);

    es.on('alert', async () => {
      throw new Error('always broken');
    });
    await be.send('ES-CT', 'alert', { alertId: '01JD0000000000000000000077', subject: { pointerIds: ['es_ptr_00000001'] }, threatLevel: 'high', action: 'discreet-check', caseId: 'BE-2026-017', reviewBy: '2027-01-01' });
    await expect(net.settle()).rejects.toThrow(/always broken/);
  });

  it('refuses what flows must not do: receipts, unknown peers, invalid bodies', async () => {
    const net = new LoopbackNetwork();
    const be = net.node('BE-CT');
    net.node('ES-CT');
    await expect(be.send('ES-CT', 'receipt', { of: '01JD0000000000000000000001', digest: '0'.repeat(64), status: 'accepted', receivedAt: new Date().toISOString() })).rejects.toThrow(/receipts/);
    await expect(be.send('FR-CT', 'hit.notice', hitBody(1))).rejects.toThrow(/not a peer/);
    await expect(be.send('ES-CT', 'hit.notice', { ...hitBody(1), score: 2 })).rejects.toThrow(/hit.notice body/);
  });
});
