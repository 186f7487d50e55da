import { describe, expect, it } from 'vitest';
import { LoopbackNetwork } from '../node/loopback.js';
import { deferredPort } from './deferred-port.js';

describe('deferredPort', () => {
  it('sends through the node once it is open, and registers handlers on it', async () => {
    const net = new LoopbackNetwork({ autoDeliver: false });
    const be = net.node('BE-CT');
    const es = net.node('ES-CT');
    let opens = 0;
    const port = deferredPort('ES-CT', ['BE-CT'], async () => {
      opens++;
      await new Promise((r) => setTimeout(r, 5));
      return es;
    });
    const seen: string[] = [];
    port.on('hit.notice', async (m) => void seen.push(m.envelope.body.hitId));
    const id = await port.send('BE-CT', 'deconfliction.notice', { noticeId: '01JD0000000000000000000001', hitId: '01JD0000000000000000000002', agencies: ['ES-CT', 'BE-CT'], contact: { unit: 'ES desk', channel: 'phone' }, consent: 'standing-agreement' });
    expect(net.log.map((d) => d.id)).toEqual([id]);
    await be.send('ES-CT', 'hit.notice', { hitId: '01JD0000000000000000000003', pointerId: 'p_abcdefghijklmnopqrstuv', matchKind: 'name', holder: 'ES-CT', purpose: 'Check a lead against partner holdings', caseId: 'BE-1' });
    await net.settle();
    expect(seen).toEqual(['01JD0000000000000000000003']);
    expect(opens).toBe(1);
    expect(port.peers()).toEqual(['BE-CT']);
  });

  it('fails each send with the error of a node that cannot open', async () => {
    const port = deferredPort('ES-CT', [], () => Promise.reject(new Error('no node key configured')));
    port.on('hit.notice', async () => undefined);
    await expect(port.send('BE-CT', 'followup.escalation', { requestId: '01JD0000000000000000000001', deadline: '2026-01-01T00:00:00Z', overdueMs: 1, level: 1 })).rejects.toThrow('no node key');
  });
});
