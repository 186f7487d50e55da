import type { ristretto255 } from '@noble/curves/ed25519.js';
import { ristretto255_hasher } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSAGE_SCHEMAS, PSI_DST, PsiEngine, PsiInitiator, PsiResponder, canonicalSelector, psiMessage } from './index.js';

const engine = PsiEngine.create(2);
afterAll(() => engine.close());

/** Runs the whole protocol through the message schemas, as the wire would. */
async function runPsi(kind: Parameters<typeof canonicalSelector>[0], mine: string[], theirs: string[]) {
  const a = new PsiInitiator(engine, kind, mine);
  const b = new PsiResponder(engine, kind, theirs);
  const offer = MESSAGE_SCHEMAS['psi.offer'].parse(await a.offer());
  const reply = MESSAGE_SCHEMAS['psi.reply'].parse(await b.reply(offer));
  const { outcome, final } = await a.finish(reply);
  const other = b.conclude(MESSAGE_SCHEMAS['psi.final'].parse(final));
  return { initiator: outcome, responder: other, offer, reply };
}

describe('selector canonicalisation', () => {
  it('makes differently written selectors of the same thing equal', () => {
    expect(canonicalSelector('phone', '+32 470 12 34 56')).toBe(canonicalSelector('phone', '0032-470-123456'));
    expect(canonicalSelector('imei', '35-209900-176148-1')).toBe(canonicalSelector('imei', '3520990017614823'));
    expect(canonicalSelector('passport', 'ab 123-456 7')).toBe('AB1234567');
    expect(canonicalSelector('email', ' Jo.Doe@Example.ORG ')).toBe('jo.doe@example.org');
    expect(canonicalSelector('email', 'not-an-email')).toBeUndefined();
    expect(canonicalSelector('imei', '12345')).toBeUndefined();
  });
});

describe('private set intersection (ristretto255 double blinding)', () => {
  it('tells each side exactly which of its own selectors the other holds', async () => {
    const be = ['+32 470 12 34 56', '+32 470 99 88 77', '+33 6 12 34 56 78', '+34 612 345 678'];
    const es = ['0034 612 345 678', '+32470123456', '+49 151 2345 6789'];
    const { initiator, responder } = await runPsi('phone', be, es);
    expect(initiator.matchedOriginals.sort()).toEqual(['+32 470 12 34 56', '+34 612 345 678']);
    expect(responder.matchedOriginals.sort()).toEqual(['+32470123456', '0034 612 345 678']);
    expect(initiator.otherSetSize).toBe(3);
    expect(responder.otherSetSize).toBe(4);
  });

  it('puts no selector in clear on the wire and no two runs blind alike', async () => {
    const sel = ['P1234567', 'X7654321', 'Z0000001'];
    const r1 = await runPsi('passport', sel, ['P1234567']);
    const r2 = await runPsi('passport', sel, ['P1234567']);
    const wire = JSON.stringify([r1.offer, r1.reply]);
    for (const s of sel) expect(wire).not.toContain(s);
    // Fresh secrets per session: the same selectors give unlinkable offers.
    const set1 = new Set(Buffer.from(r1.offer.elements, 'base64').toString('hex').match(/.{64}/g));
    const set2 = new Set(Buffer.from(r2.offer.elements, 'base64').toString('hex').match(/.{64}/g));
    expect([...set1].some((x) => set2.has(x))).toBe(false);
    expect(r1.initiator.matched).toEqual(['P1234567']);
  });

  it('gives the same answer when the responder blinds its own set before the offer arrives', async () => {
    const a = new PsiInitiator(engine, 'imei', ['352099001761481', '490154203237518']);
    const b = new PsiResponder(engine, 'imei', ['35209900176148-23', '356938035643809']);
    await b.prepare();
    const reply = MESSAGE_SCHEMAS['psi.reply'].parse(await b.reply(MESSAGE_SCHEMAS['psi.offer'].parse(await a.offer())));
    const { outcome, final } = await a.finish(reply);
    expect(outcome.matchedOriginals).toEqual(['352099001761481']);
    expect(b.conclude(MESSAGE_SCHEMAS['psi.final'].parse(final)).matchedOriginals).toEqual(['35209900176148-23']);
  });

  it('handles empty sets and disjoint sets', async () => {
    expect((await runPsi('email', [], ['a@b.eu'])).initiator.matched).toEqual([]);
    const r = await runPsi('email', ['a@b.eu', 'c@d.eu'], ['x@y.eu']);
    expect(r.initiator.matched).toEqual([]);
    expect(r.responder.matched).toEqual([]);
  });

  it('reports inputs that are not selectors of the kind instead of hashing them', async () => {
    const r = await runPsi('email', ['a@b.eu', 'garbage'], ['a@b.eu']);
    expect(r.initiator.rejected).toEqual(['garbage']);
    expect(r.initiator.matched).toEqual(['a@b.eu']);
  });

  it('computes the same group elements as @noble/curves (RFC 9380 hash_to_ristretto255, scalar multiplication)', async () => {
    const msgs = ['passport:AB1234567', 'phone:+32470123456', 'imei:35209900176148'];
    const scalar = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321n;
    const key = new Uint8Array(32);
    let s = scalar;
    for (let i = 0; i < 32; i++, s >>= 8n) key[i] = Number(s & 0xffn);
    const ours = await engine.hashAndBlind(msgs, key);
    msgs.forEach((m, i) => {
      const p = ristretto255_hasher.hashToCurve(new TextEncoder().encode(m), { DST: PSI_DST }) as InstanceType<typeof ristretto255.Point>;
      expect(Buffer.from(ours.subarray(i * 32, i * 32 + 32)).toString('hex')).toBe(Buffer.from(p.multiply(scalar).toBytes()).toString('hex'));
    });
    expect(psiMessage('phone', '+32470123456')).toBe(msgs[1]);
    // Hashed once, cached: the same messages again (some new among them) blind to the same bytes.
    const again = await engine.hashAndBlind(['passport:ZZ0000001', ...msgs], key);
    expect(Buffer.from(again.subarray(32)).toString('hex')).toBe(Buffer.from(ours).toString('hex'));
    const uncached = PsiEngine.create(1, { hashCache: 0 });
    try {
      expect(Buffer.from(await uncached.hashAndBlind(msgs, key)).toString('hex')).toBe(Buffer.from(ours).toString('hex'));
      expect(uncached.cachedHashes).toBe(0);
    } finally {
      await uncached.close();
    }
  });

  it('hashes a set to the group once: a later session only blinds it, with the same intersection', async () => {
    const fresh = PsiEngine.create(2);
    try {
      const mine = Array.from({ length: 300 }, (_, i) => `+3247000${String(i).padStart(4, '0')}`);
      const theirs = Array.from({ length: 300 }, (_, i) => `+3247000${String(i + 250).padStart(4, '0')}`);
      const session = async () => {
        const a = new PsiInitiator(fresh, 'phone', mine);
        const b = new PsiResponder(fresh, 'phone', theirs);
        const { outcome, final } = await a.finish(MESSAGE_SCHEMAS['psi.reply'].parse(await b.reply(MESSAGE_SCHEMAS['psi.offer'].parse(await a.offer()))));
        return { a: outcome.matched.sort(), b: b.conclude(MESSAGE_SCHEMAS['psi.final'].parse(final)).matched.sort() };
      };
      const first = await session();
      expect(first.a).toHaveLength(50);
      expect(fresh.cachedHashes).toBe(550);
      const second = await session();
      expect(second).toEqual(first);
      expect(fresh.cachedHashes).toBe(550);
    } finally {
      await fresh.close();
    }
  });

  it('rejects a reply carrying points that are not valid ristretto255 encodings', async () => {
    const a = new PsiInitiator(engine, 'plate', ['AB123CD']);
    const b = new PsiResponder(engine, 'plate', ['AB123CD', 'ZZ999ZZ']);
    const offer = MESSAGE_SCHEMAS['psi.offer'].parse(await a.offer());
    const reply = MESSAGE_SCHEMAS['psi.reply'].parse(await b.reply(offer));
    const own = Buffer.from(reply.own, 'base64');
    own.fill(0xff, 32, 64);
    await expect(a.finish({ ...reply, own: own.toString('base64') })).rejects.toThrow(/not valid ristretto255 points/);
  });

  it('refuses out-of-order protocol steps and mismatched sessions', async () => {
    const a = new PsiInitiator(engine, 'passport', ['P1']);
    await expect(a.finish({ sessionId: a.sessionId, selectorKind: 'passport', doubled: '', doubledCount: 0, own: '', ownCount: 0 })).rejects.toThrow(/not awaiting/);
    const offer = MESSAGE_SCHEMAS['psi.offer'].parse(await new PsiInitiator(engine, 'passport', ['P1234']).offer());
    await expect(new PsiResponder(engine, 'email', ['a@b.eu']).reply(offer)).rejects.toThrow(/offer is for passport/);
    await expect(new PsiResponder(engine, 'passport', ['P1234']).reply({ ...offer, count: offer.count + 1 })).rejects.toThrow(/expected 2 points/);
  });
});
