import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable } from '../../../test/support/postgres.js';
import { openStore, type Store } from '../../store/index.js';
import { generateNodeIdentity, peerEntryFor } from '../identity.js';
import { FederationNode, createInboxApp, verifyLedger } from './index.js';
import { FakeClock, InProcessNetwork } from './testing.js';

/** The node layer on PostgreSQL: outbox, inbox, replay guard and ledger through the same Store interface. */
describe('federation node on PostgreSQL', () => {
  const schemas = [freshSchema('fed_be'), freshSchema('fed_es')];
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    if (!(await postgresUnavailable())) for (const s of schemas) await dropSchema(s);
  });

  it('delivers, acknowledges a re-delivery as a duplicate after a restart, and keeps a verifiable ledger', async (ctx) => {
    if (await postgresUnavailable()) return ctx.skip();
    const ids = { be: generateNodeIdentity('BE-CT'), es: generateNodeIdentity('ES-CT') };
    const peers = [peerEntryFor(ids.be, 'http://be.test'), peerEntryFor(ids.es, 'http://es.test')];
    const net = new InProcessNetwork();
    const clock = new FakeClock();
    const be = await FederationNode.open({ store: stores[stores.push(await openStore({ url: PG_URL, schema: schemas[0]! })) - 1]!, identity: ids.be, peers, fetch: net.fetch, now: clock.now });
    let es = await FederationNode.open({ store: stores[stores.push(await openStore({ url: PG_URL, schema: schemas[1]! })) - 1]!, identity: ids.es, peers, fetch: net.fetch, now: clock.now });
    let applied = 0;
    es.on('hit.notice', async () => void applied++);
    net.attach('es.test', createInboxApp(es));
    const body = { hitId: '01JG0000000000000000000001', pointerId: 'es_ptr_00000001', matchKind: 'name' as const, score: 0.95, holder: 'ES-CT', purpose: 'counter-terrorism investigation', caseId: 'BE-2026-017' };
    // Concurrent sends from one node: sequence numbers stay unique under the store lock.
    await Promise.all([1, 2, 3].map((n) => be.send('ES-CT', 'hit.notice', { ...body, hitId: `01JG000000000000000000000${n}` })));
    expect((await be.outbox('pending')).map((e) => e.seq).sort()).toEqual([1, 2, 3]);
    net.loseAnswers.set('es.test', 1);
    await be.deliverDue();
    expect(applied).toBe(1);
    // ES restarts on its PostgreSQL schema; BE's retry of the lost answer is a duplicate.
    es = await FederationNode.open({ store: stores[1]!, identity: ids.es, peers, fetch: net.fetch, now: clock.now });
    es.on('hit.notice', async () => void applied++);
    net.attach('es.test', createInboxApp(es));
    clock.advance(60_000);
    await be.deliverDue();
    expect(applied).toBe(3);
    expect((await be.outbox('delivered')).map((e) => e.receipt?.status).sort()).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(verifyLedger(await be.ledger.load(), ids.be.publicKey, be.directory)).toMatchObject({ problems: [], receiptsChecked: 3 });
    expect(verifyLedger(await es.ledger.load(), ids.es.publicKey, es.directory).problems).toEqual([]);
  });
});
