import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../store/index.js';
import { canonicalJson } from '../canonical.js';
import { sealEnvelope, serialiseEnvelope, type Envelope } from '../envelope.js';
import { generateNodeIdentity, peerEntryFor, type NodeIdentity } from '../identity.js';
import type { MessageBodyInput } from '../messages.js';
import {
  ENVELOPE_COLLECTION,
  FederationNode,
  LEDGER_COLLECTION,
  backoffDelay,
  createInboxApp,
  crossCheckLedgers,
  envelopeKey,
  ledgerDataOf,
  replayLedgers,
  startInbox,
  verifyLedger,
  type FederationNodeOptions,
  type LedgerEntry,
} from './index.js';
import { FakeClock, InProcessNetwork, captureLog, type CapturedLog } from './testing.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tessera-fed-node-'));
  dirs.push(d);
  return d;
}

const hit = (n: number): MessageBodyInput<'hit.notice'> => ({
  hitId: `01JD00000000000000000000${String(n).padStart(2, '0')}`,
  pointerId: 'es_ptr_00000001',
  matchKind: 'name',
  score: 0.91,
  holder: 'ES-CT',
  purpose: 'counter-terrorism investigation',
  caseId: 'BE-2026-017',
});

const RETRY = { initialMs: 1000, maxMs: 60_000, factor: 2 };

/** BE and ES (and a stranger FR), each with its own store, routed in-process. */
async function pair(opts: { dir?: string; clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock();
  const net = new InProcessNetwork();
  const ids = { be: generateNodeIdentity('BE-CT'), es: generateNodeIdentity('ES-CT') };
  const endpoints = { be: 'http://be.test', es: 'http://es.test' };
  const peers = [peerEntryFor(ids.be, endpoints.be), peerEntryFor(ids.es, endpoints.es)];
  const logs = { be: captureLog(), es: captureLog() };
  const stores: Record<'be' | 'es', Store> = {
    be: await openSqliteStore({ path: opts.dir ? join(opts.dir, 'be.sqlite') : ':memory:' }),
    es: await openSqliteStore({ path: opts.dir ? join(opts.dir, 'es.sqlite') : ':memory:' }),
  };
  const open = async (who: 'be' | 'es', extra: Partial<FederationNodeOptions> = {}) => {
    const node = await FederationNode.open({ store: stores[who], identity: ids[who], peers, logger: logs[who].logger, now: clock.now, random: () => 0.5, fetch: net.fetch, retry: RETRY, ...extra });
    net.attach(who === 'be' ? 'be.test' : 'es.test', createInboxApp(node));
    return node;
  };
  return { clock, net, ids, peers, logs, stores, open, be: await open('be'), es: await open('es') };
}

describe('FederationNode: outbox, inbox, receipts', () => {
  it('queues with per-recipient sequence numbers, delivers, and both ledgers verify against the receipts', async () => {
    const { be, es, stores } = await pair();
    const got: Envelope[] = [];
    es.on('hit.notice', async (m) => {
      got.push(m.envelope);
      m.concerns?.(['es-ct:per-0001']);
    });
    const id1 = await be.send('ES-CT', 'hit.notice', hit(1), { subjects: ['be-ct:alert-1'] });
    const id2 = await be.send('ES-CT', 'hit.notice', hit(2));
    expect((await be.outbox('pending')).map((e) => [e.id, e.seq])).toEqual([
      [id1, 1],
      [id2, 2],
    ]);
    expect((await be.ledger.entries()).map((e) => e.event)).toEqual(['sent', 'sent']);

    const pass = await be.deliverDue();
    expect(pass).toMatchObject({ attempted: 2, delivered: 2, failed: 0 });
    expect(got.map((e) => e.id)).toEqual([id1, id2]);
    expect((await be.outbox('delivered')).map((e) => e.receipt?.status)).toEqual(['accepted', 'accepted']);
    expect((await es.ledger.entries()).map((e) => `${e.event}:${e.type}`)).toEqual(['received:hit.notice', 'receipt-sent:receipt', 'received:hit.notice', 'receipt-sent:receipt']);
    expect((await es.ledger.entries())[0]!.subjects).toEqual(['es-ct:per-0001']);
    expect((await be.ledger.entries()).map((e) => e.event)).toEqual(['sent', 'sent', 'receipt-received', 'receipt-received']);

    const beReport = verifyLedger(await be.ledger.load(), be.identity.publicKey, be.directory);
    expect(beReport.problems).toEqual([]);
    expect(beReport.receiptsChecked).toBe(2);
    expect(verifyLedger(await es.ledger.load(), es.identity.publicKey, es.directory).problems).toEqual([]);
    expect(crossCheckLedgers(await es.ledger.load(), es.identity.publicKey, await be.ledger.load(), es.directory)).toEqual([]);
    await stores.be.close();
    await stores.es.close();
  });

  it('backs off from an unreachable peer exponentially with jitter, holds its other envelopes, and delivers in order when it returns', async () => {
    const { be, es, net, clock, logs } = await pair();
    const got: number[] = [];
    es.on('hit.notice', async (m) => void got.push(m.envelope.seq));
    net.down.add('es.test');
    for (let i = 1; i <= 3; i++) await be.send('ES-CT', 'hit.notice', hit(i));

    let pass = await be.deliverDue();
    expect(pass).toMatchObject({ attempted: 1, failed: 1 });
    // random() = 0.5: equal jitter gives 3/4 of the exponential base.
    expect(be.peerBackoff('ES-CT')).toMatchObject({ failures: 1 });
    expect(be.peerBackoff('ES-CT')!.until.getTime() - clock.ms).toBe(750);
    expect(pass.nextDueAt!.getTime() - clock.ms).toBe(750);
    expect(logs.be.find(/backing off/)[0]).toMatchObject({ reason: 'cannot reach ES-CT: ECONNREFUSED', to: 'ES-CT' });

    clock.advance(700);
    expect((await be.deliverDue()).attempted).toBe(0);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      clock.advance(be.peerBackoff('ES-CT')!.until.getTime() - clock.ms);
      pass = await be.deliverDue();
      expect(pass.attempted).toBe(1);
      delays.push(be.peerBackoff('ES-CT')!.until.getTime() - clock.ms);
    }
    expect(delays).toEqual([1500, 3000, 6000, 12000, 24000, 45000, 45000, 45000]);
    expect((await be.outbox('pending')).map((e) => e.attempts)).toEqual([9, 0, 0]);

    net.down.delete('es.test');
    clock.advance(45_000);
    pass = await be.deliverDue();
    expect(pass).toMatchObject({ attempted: 3, delivered: 3 });
    expect(got).toEqual([1, 2, 3]);
    expect(be.peerBackoff('ES-CT')).toBeUndefined();
  });

  it('jitter spreads delays between half and all of the exponential base, capped', () => {
    const policy = { initialMs: 1000, maxMs: 8000, factor: 2 };
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0.999)).toBeLessThanOrEqual(4000);
    expect(backoffDelay(30, policy, () => 1)).toBe(8000);
  });

  it('a sender killed with envelopes pending resumes its outbox after restart; numbering continues', async () => {
    const dir = tempDir();
    const p = await pair({ dir });
    const got: string[] = [];
    p.es.on('hit.notice', async (m) => void got.push(m.envelope.id));
    p.net.down.add('es.test');
    const ids = [await p.be.send('ES-CT', 'hit.notice', hit(1)), await p.be.send('ES-CT', 'hit.notice', hit(2))];
    await p.be.deliverDue();
    // "Kill" BE: its node object is dropped, its store closed; a new process opens the same file.
    await p.stores.be.close();
    p.stores.be = await openSqliteStore({ path: join(dir, 'be.sqlite') });
    const be2 = await p.open('be');
    expect((await be2.outbox('pending')).map((e) => e.id)).toEqual(ids);
    p.net.down.delete('es.test');
    expect(await be2.deliverDue()).toMatchObject({ delivered: 2 });
    const id3 = await be2.send('ES-CT', 'hit.notice', hit(3));
    await be2.deliverDue();
    expect(got).toEqual([...ids, id3]);
    expect((await p.es.ledger.entries()).filter((e) => e.event === 'received').map((e) => e.envelopeSeq)).toEqual([1, 2, 3]);
    await p.stores.be.close();
    await p.stores.es.close();
  });

  it('a receiver restarted after applying but before its answer arrived acknowledges the retry as a duplicate, never applying twice', async () => {
    const dir = tempDir();
    const p = await pair({ dir });
    let applied = 0;
    p.es.on('hit.notice', async () => void applied++);
    await p.be.send('ES-CT', 'hit.notice', hit(1));
    p.net.loseAnswers.set('es.test', 1);
    expect(await p.be.deliverDue()).toMatchObject({ failed: 1 });
    expect(applied).toBe(1);
    // ES restarts: its replay guard comes back from its store.
    await p.stores.es.close();
    p.stores.es = await openSqliteStore({ path: join(dir, 'es.sqlite') });
    const es2 = await p.open('es');
    let appliedAfterRestart = 0;
    es2.on('hit.notice', async () => void appliedAfterRestart++);
    p.clock.advance(60_000);
    expect(await p.be.deliverDue()).toMatchObject({ delivered: 1 });
    expect(appliedAfterRestart).toBe(0);
    expect((await p.be.outbox('delivered'))[0]!.receipt?.status).toBe('duplicate');
    const esEntries = await es2.ledger.entries();
    expect(esEntries.filter((e) => e.event === 'received')).toHaveLength(1);
    expect(esEntries.filter((e) => e.event === 'receipt-sent').map((e) => e.receipt?.status)).toEqual(['accepted', 'duplicate']);
    expect(p.logs.es.find(/duplicate/)).toHaveLength(1);
    await p.stores.be.close();
    await p.stores.es.close();
  });

  it('a handler that throws makes the sender retry later; the envelope is applied once it succeeds', async () => {
    const { be, es, clock, logs } = await pair();
    let calls = 0;
    es.on('hit.notice', async () => {
      calls++;
      if (calls === 1) throw new Error('case store locked');
    });
    await be.send('ES-CT', 'hit.notice', hit(1));
    const first = await be.deliverDue();
    expect(first).toMatchObject({ attempted: 1, failed: 1 });
    expect((await be.outbox('pending'))[0]).toMatchObject({ attempts: 1, lastError: 'ES-CT could not apply it yet (503)' });
    expect(be.peerBackoff('ES-CT')).toBeUndefined();
    expect(logs.es.find(/handler failed/)).toHaveLength(1);
    clock.advance(first.nextDueAt!.getTime() - clock.ms);
    expect(await be.deliverDue()).toMatchObject({ delivered: 1 });
    expect(calls).toBe(2);
    expect((await es.ledger.entries()).filter((e) => e.event === 'received')).toHaveLength(1);
  });
});

describe('FederationNode: bad input', () => {
  async function inbox(maxBodyBytes?: number) {
    const p = await pair();
    const app = createInboxApp(p.es, maxBodyBytes === undefined ? {} : { maxBodyBytes });
    const post = (body: string | Uint8Array) => app.request('/fed/v1/envelopes', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return { ...p, post };
  }
  const lastRefusal = (log: CapturedLog) => log.find(/refused/).at(-1);

  it('refuses garbage, unknown peers, bad signatures and wrong recipients with a reason-free 400 and logs why', async () => {
    const { post, logs, ids, es } = await inbox();
    let applied = 0;
    es.on('hit.notice', async () => void applied++);

    const garbage = await post('{"this is": not json');
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toBe('{"error":"refused"}');
    expect(lastRefusal(logs.es)).toMatchObject({ reason: 'malformed', authenticated: false });

    const stranger = generateNodeIdentity('FR-CT');
    const fromStranger = await post(serialiseEnvelope(sealEnvelope(stranger, { to: 'ES-CT', type: 'hit.notice', body: hit(1), seq: 1 })));
    expect(fromStranger.status).toBe(400);
    expect(await fromStranger.text()).toBe('{"error":"refused"}');
    expect(lastRefusal(logs.es)).toMatchObject({ reason: 'unknown-peer', from: 'FR-CT' });

    const forged = JSON.parse(serialiseEnvelope(sealEnvelope(ids.be, { to: 'ES-CT', type: 'hit.notice', body: hit(2), seq: 1 }))) as Record<string, Record<string, unknown>>;
    forged['body']!['score'] = 0.99;
    expect((await post(JSON.stringify(forged))).status).toBe(400);
    expect(lastRefusal(logs.es)).toMatchObject({ reason: 'bad-signature', from: 'BE-CT' });

    const misaddressed = await post(serialiseEnvelope(sealEnvelope(ids.be, { to: 'FR-CT', type: 'hit.notice', body: hit(3), seq: 1 })));
    expect(misaddressed.status).toBe(400);
    expect(lastRefusal(logs.es)).toMatchObject({ reason: 'wrong-recipient' });

    expect(applied).toBe(0);
    expect(await es.ledger.entries()).toEqual([]);
  });

  it('refuses an oversized body before reading it', async () => {
    const { post, logs } = await inbox(4096);
    const res = await post('x'.repeat(10_000));
    expect(res.status).toBe(413);
    expect(lastRefusal(logs.es)).toMatchObject({ reason: 'oversized', limit: 4096 });
  });

  it('answers an authenticated but replayed-and-altered stream with a signed rejection the sender records', async () => {
    const { post, ids, es, be, clock } = await inbox();
    const a = sealEnvelope(ids.be, { to: 'ES-CT', type: 'hit.notice', body: hit(1), seq: 1, now: clock.now() });
    expect((await post(serialiseEnvelope(a))).status).toBe(200);
    // Same sequence number, different id: a forged or altered replay.
    const b = sealEnvelope(ids.be, { to: 'ES-CT', type: 'hit.notice', body: hit(2), seq: 1, now: clock.now() });
    const res = await post(serialiseEnvelope(b));
    expect(res.status).toBe(422);
    const receipt = JSON.parse(await res.text()) as Envelope<'receipt'>;
    expect(receipt).toMatchObject({ type: 'receipt', from: 'ES-CT', to: 'BE-CT', body: { of: b.id, status: 'rejected', reason: 'reordered' } });
    expect((await es.ledger.entries()).map((e) => e.event)).toEqual(['received', 'receipt-sent', 'refused', 'receipt-sent']);
    // Through the outbox, a refusal settles the entry as rejected instead of retrying forever.
    await be.store.setMeta('fed.seq.ES-CT', '0');
    await be.send('ES-CT', 'hit.notice', hit(3));
    expect(await be.deliverDue()).toMatchObject({ failed: 1 });
    expect((await be.outbox('rejected'))[0]).toMatchObject({ receipt: { status: 'rejected', reason: 'reordered' } });
  });

  it('backs off from a peer that never answers, answers garbage, or floods the answer', async () => {
    const servers: Server[] = [];
    const listen = (handler: Parameters<typeof createServer>[1]) =>
      new Promise<string>((resolve) => {
        const s = createServer(handler);
        servers.push(s);
        s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`));
      });
    const silent = await listen(() => undefined);
    const garbage = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"receipt":"trust me"}'));
    const flood = await listen((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(200_000, 0x41));
    });
    try {
      for (const [endpoint, expected] of [
        [silent, /no answer from ES-CT within 150 ms/],
        [garbage, /answered garbage, not a receipt \(malformed/],
        [flood, /unreadable: answer larger than 65536 bytes/],
      ] as const) {
        const store = await openSqliteStore({ path: ':memory:' });
        const be = generateNodeIdentity('BE-CT');
        const es = generateNodeIdentity('ES-CT');
        const log = captureLog();
        const node = await FederationNode.open({ store, identity: be, peers: [peerEntryFor(es, endpoint)], logger: log.logger, requestTimeoutMs: 150 });
        await node.send('ES-CT', 'hit.notice', hit(1));
        expect(await node.deliverDue()).toMatchObject({ attempted: 1, failed: 1 });
        expect(String(log.find(/backing off/)[0]!['reason'])).toMatch(expected);
        expect((await node.outbox('pending'))[0]!.lastError).toMatch(expected);
        await store.close();
      }
    } finally {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    }
  });
});

/** What an insider with the node's key could do: rewrite an entry and re-hash the chain after it. */
async function rewriteLedger(store: Store, edit: (entries: LedgerEntry[]) => LedgerEntry[]): Promise<void> {
  const rows = await store.findRecords<LedgerEntry>(LEDGER_COLLECTION, { limit: 100_000 });
  const edited = edit(rows.map((r) => r.body));
  let prev = '0'.repeat(64);
  for (const r of rows) await store.deleteRecord(LEDGER_COLLECTION, r.id);
  let seq = 0;
  for (const e of edited) {
    seq++;
    const { hash: _h, prevHash: _p, ...content } = { ...e, seq };
    const hash = createHash('sha256').update(prev).update('\n').update(canonicalJson(content)).digest('hex');
    await store.putRecord(LEDGER_COLLECTION, String(seq).padStart(12, '0'), { ...content, prevHash: prev, hash }, { envelope: e.envelopeId, event: e.event, peer: e.peer });
    prev = hash;
  }
  await store.setMeta('fed.ledger.head', JSON.stringify({ seq, hash: prev }));
}

describe('ledger tamper detection', () => {
  async function exchanged() {
    const p = await pair();
    p.es.on('followup.request', async () => undefined);
    const requestedAt = p.clock.now();
    const body: MessageBodyInput<'followup.request'> = {
      requestId: '01JD0000000000000000000051',
      hitId: '01JD0000000000000000000001',
      purpose: 'counter-terrorism investigation',
      caseId: 'BE-2026-017',
      urgency: 'urgent',
      requestedAt: requestedAt.toISOString(),
      deadline: new Date(requestedAt.getTime() + 8 * 3600_000).toISOString(),
      question: 'Travel history of the subject?',
    };
    const id = await p.be.send('ES-CT', 'followup.request', body);
    await p.be.send('ES-CT', 'hit.notice', hit(1));
    await p.be.deliverDue();
    return { ...p, id, body };
  }

  it('an edited entry breaks the chain where it was edited', async () => {
    const { be } = await exchanged();
    const row = (await be.store.findRecords<LedgerEntry>(LEDGER_COLLECTION, { limit: 1 }))[0]!;
    await be.store.putRecord(LEDGER_COLLECTION, row.id, { ...row.body, at: '2026-01-01T00:00:00.000Z' });
    const report = verifyLedger(await be.ledger.load(), be.identity.publicKey, be.directory);
    expect(report.problems).toEqual([expect.objectContaining({ seq: 1, kind: 'edited' })]);
  });

  it("a sender that rewrites what it sent, re-signs and re-chains is caught by the receiver's signed receipt", async () => {
    const { be, id, body, ids } = await exchanged();
    // BE pretends it asked something else: new envelope content signed with its own key, digest and chain recomputed.
    const original = (await be.ledger.envelope('BE-CT', id))!;
    const rewritten = sealEnvelope(ids.be, { to: 'ES-CT', type: 'followup.request', body: { ...body, question: 'Nothing, just checking.' }, seq: original.seq, now: new Date(original.sentAt) });
    const forged = { ...rewritten, id };
    const digest = createHash('sha256').update(canonicalJson(forged)).digest('hex');
    await be.store.putRecord(ENVELOPE_COLLECTION, envelopeKey('BE-CT', id), forged);
    await rewriteLedger(be.store, (entries) => entries.map((e) => (e.event === 'sent' && e.envelopeId === id ? { ...e, digest } : e)));
    const report = verifyLedger(await be.ledger.load(), be.identity.publicKey, be.directory);
    const kinds = report.problems.map((p) => p.kind);
    expect(kinds).not.toContain('edited');
    expect(kinds).toContain('receipt-mismatch');
    expect(report.problems.find((p) => p.kind === 'receipt-mismatch')!.message).toMatch(/ES-CT signed that it received envelope/);
  });

  it("a receiver that deletes what it was told and re-chains is caught by the sender's export of its receipts", async () => {
    const { be, es, id } = await exchanged();
    await rewriteLedger(es.store, (entries) => entries.filter((e) => !(e.envelopeId === id && e.event === 'received')));
    const esData = await es.ledger.load();
    expect(verifyLedger(esData, es.identity.publicKey, es.directory).problems).toEqual([]);
    const beExport = await be.ledger.export(be.identity);
    const problems = crossCheckLedgers(esData, es.identity.publicKey, ledgerDataOf(beExport), es.directory);
    expect(problems).toEqual([expect.objectContaining({ ledger: 'ES-CT', kind: 'peer-disagrees' })]);
    expect(problems[0]!.message).toBe(`BE-CT holds ES-CT's signed receipt for envelope ${id}, but ES-CT's ledger has no such received entry`);
  });
});

describe('FederationNode over real HTTP', () => {
  it('two nodes on 127.0.0.1 exchange through their delivery loops', async () => {
    const ids: Record<'be' | 'es', NodeIdentity> = { be: generateNodeIdentity('BE-CT'), es: generateNodeIdentity('ES-CT') };
    const stores = { be: await openSqliteStore({ path: ':memory:' }), es: await openSqliteStore({ path: ':memory:' }) };
    // Start ES's inbox first on a free port, then give BE its address.
    const placeholder = [peerEntryFor(ids.be, 'http://127.0.0.1:9'), peerEntryFor(ids.es, 'http://127.0.0.1:9')];
    const es = await FederationNode.open({ store: stores.es, identity: ids.es, peers: placeholder, pollMs: 50 });
    const esInbox = await startInbox(es, { host: '127.0.0.1', port: 0 });
    const be = await FederationNode.open({ store: stores.be, identity: ids.be, peers: [peerEntryFor(ids.be), peerEntryFor(ids.es, esInbox.url)], pollMs: 50, retry: { initialMs: 20, maxMs: 200, factor: 2 } });
    const got: string[] = [];
    es.on('hit.notice', async (m) => void got.push(m.envelope.body.hitId));
    be.start();
    try {
      await be.send('ES-CT', 'hit.notice', hit(1));
      await be.send('ES-CT', 'hit.notice', hit(2));
      for (let i = 0; i < 100 && (await be.outbox('delivered')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual([hit(1).hitId, hit(2).hitId]);
      const health = await fetch(`${esInbox.url}/fed/v1/health`);
      expect(await health.json()).toEqual({ agency: 'ES-CT', keyId: ids.es.keyId });
    } finally {
      await be.stop();
      await esInbox.close();
      await stores.be.close();
      await stores.es.close();
    }
  });
});

describe('ledger replay', () => {
  it('follows a subject from the hit to the request and the answer across both ledgers, with receipts and holdings', async () => {
    const { be, es, clock } = await pair();
    // ES notes the entity behind the pointer that matched (as the hit flow does).
    es.on('hit.notice', async (m) => m.concerns?.([m.envelope.body.hitId, `es-ct:per-${m.envelope.body.pointerId!.slice(-4)}`]));
    es.on('followup.request', async (m) => m.concerns?.([m.envelope.body.requestId, m.envelope.body.hitId]));
    const notice = await be.send('ES-CT', 'hit.notice', hit(1), { subjects: [hit(1).hitId, 'BE-2026-017', 'be-ct:per-0042'] });
    // Another hit in the same case, on another subject: a case is not a path from one subject to the next.
    await be.send('ES-CT', 'hit.notice', { ...hit(2), pointerId: 'es_ptr_00000002' }, { subjects: [hit(2).hitId, 'BE-2026-017', 'be-ct:per-0099'] });
    await be.deliverDue();
    clock.advance(60_000);
    const requestedAt = clock.now();
    const requestId = '01JD0000000000000000000061';
    await be.send('ES-CT', 'followup.request', { requestId, hitId: hit(1).hitId, purpose: 'counter-terrorism investigation', caseId: 'BE-2026-017', urgency: 'urgent', requestedAt: requestedAt.toISOString(), deadline: new Date(requestedAt.getTime() + 8 * 3600_000).toISOString(), question: 'Known addresses?' }, { inReplyTo: notice });
    await be.deliverDue();
    clock.advance(60_000);
    await es.send('BE-CT', 'followup.response', { requestId, outcome: 'refused', reason: 'not without the originator of the information' }, { subjects: [requestId] });
    await es.deliverDue();

    const asked: string[][] = [];
    const holdings = async (agency: string, ids: readonly string[]) => {
      asked.push([agency, ...ids]);
      return ids.map((entityId) => ({ entityId, schema: 'Person', caption: 'Invented Person', statements: 3, firstSeen: '2025-01-02' }));
    };
    const replay = await replayLedgers('be-ct:per-0042', [await be.ledger.load(), await es.ledger.load()], holdings);
    expect(replay.timeline.map((e) => `${e.agency} ${e.kind} ${e.type}${e.peer ? ` ${e.peer}` : ''}`)).toEqual([
      'BE-CT held holding',
      'ES-CT held holding',
      'BE-CT did hit.notice ES-CT',
      'ES-CT told hit.notice BE-CT',
      'BE-CT did followup.request ES-CT',
      'ES-CT told followup.request BE-CT',
      'ES-CT did followup.response BE-CT',
      'BE-CT told followup.response ES-CT',
    ]);
    expect(asked).toEqual([
      ['BE-CT', 'be-ct:per-0042'],
      ['ES-CT', 'es-ct:per-0001'],
    ]);
    const did = replay.timeline.find((e) => e.type === 'hit.notice' && e.kind === 'did')!;
    expect(did.acknowledged).toMatchObject({ status: 'accepted' });
    expect(did.summary).toBe(`hit ${hit(1).hitId}: name match (Dice 0.91) on pointer es_ptr_00000001 held by ES-CT; case BE-2026-017, purpose "counter-terrorism investigation"`);
    expect(replay.timeline.at(-1)!.summary).toBe(`answer to ${requestId}: refused — not without the originator of the information`);
    expect(replay.related).not.toContain(hit(2).hitId);

    // From the hit id, the same story; from the case, both hits.
    const byHit = await replayLedgers(hit(1).hitId, [await be.ledger.load(), await es.ledger.load()]);
    expect(byHit.timeline.filter((e) => e.kind !== 'held')).toHaveLength(6);
    const byCase = await replayLedgers('BE-2026-017', [await be.ledger.load(), await es.ledger.load()]);
    expect(byCase.timeline.filter((e) => e.type === 'hit.notice' && e.kind === 'did')).toHaveLength(2);
  });
});
