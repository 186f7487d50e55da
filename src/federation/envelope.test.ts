import { sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTesseraError } from '../model/index.js';
import {
  DEFAULT_LIMITS,
  PeerDirectory,
  ReplayGuard,
  canonicalJson,
  envelopeDigest,
  escalationLevel,
  exportNodeIdentity,
  followUpDeadline,
  generateNodeIdentity,
  loadNodeIdentity,
  openEnvelope,
  peerEntryFor,
  receiptBodyFor,
  receiveEnvelope,
  rejectionError,
  sealEnvelope,
  serialiseEnvelope,
  MESSAGE_SCHEMAS,
  type Envelope,
} from './index.js';

const be = generateNodeIdentity('BE-CT');
const fr = generateNodeIdentity('FR-DGSI');
const esPeers = new PeerDirectory([peerEntryFor(be, 'https://be.example/fed')]);
const T0 = new Date('2026-11-23T10:00:00.000Z');
const ULID = '01JCZ6Y2Q8M3T4V5W6X7Y8Z9AB';

function hitNotice(seq = 1, now = T0): Envelope<'hit.notice'> {
  return sealEnvelope(be, {
    to: 'ES-CGI',
    type: 'hit.notice',
    seq,
    now,
    body: { hitId: ULID, pointerId: 'ptr_000000042', matchKind: 'name', score: 0.91, holder: 'ES-CGI', purpose: 'counter-terrorism investigation', caseId: 'BE-2026-017' },
  });
}

const ctx = { self: 'ES-CGI', peers: esPeers, now: T0 };

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined properties, so equal data serialises identically', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
    expect(canonicalJson({ z: 1, a: 2 })).toBe(canonicalJson({ a: 2, z: 1 }));
  });

  it('refuses values JSON would alter', () => {
    for (const bad of [{ n: Number.NaN }, { n: Infinity }, { d: new Date() }, { b: 1n }, [undefined]]) {
      expect(() => canonicalJson(bad)).toThrow(/canonical JSON/);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });

  it('round-trips through JSON.parse for arbitrary JSON values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalJson(v);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });
});

describe('node identity', () => {
  it('exports and reloads a key pair with the same public key and key id', () => {
    const exported = exportNodeIdentity(fr);
    const loaded = loadNodeIdentity('FR-DGSI', exported.privateKeyPem);
    expect(loaded.publicKey).toBe(fr.publicKey);
    expect(loaded.keyId).toBe(fr.keyId);
  });

  it('refuses a key that is not Ed25519 PEM', () => {
    expect(() => loadNodeIdentity('FR-DGSI', 'not a key')).toThrow(/PEM/);
  });
});

describe('sealed envelopes', () => {
  it('verify at the addressee and carry the parsed body', () => {
    const env = hitNotice();
    const opened = openEnvelope(serialiseEnvelope(env), ctx);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.envelope.type).toBe('hit.notice');
    expect(opened.envelope.from).toBe('BE-CT');
    expect(opened.digest).toBe(envelopeDigest(env));
  });

  it('survive re-serialisation with a different key order (a relaying hub)', () => {
    const env = hitNotice();
    const reverse = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, v !== null && typeof v === 'object' && !Array.isArray(v) ? reverse(v as Record<string, unknown>) : v]));
    const reordered = reverse(env as unknown as Record<string, unknown>);
    expect(JSON.stringify(reordered)).not.toBe(serialiseEnvelope(env));
    expect(openEnvelope(JSON.stringify(reordered), ctx).ok).toBe(true);
  });

  it('can be verified, unchanged, by a relaying hub that is not the addressee', () => {
    const raw = serialiseEnvelope(hitNotice());
    const hub = { self: 'EU-HUB', peers: esPeers, now: T0 };
    expect(openEnvelope(raw, hub)).toMatchObject({ ok: false, reason: 'wrong-recipient' });
    const relayed = openEnvelope(raw, { ...hub, acceptForOthers: true });
    expect(relayed.ok).toBe(true);
    if (relayed.ok) expect(openEnvelope(serialiseEnvelope(relayed.envelope), ctx).ok).toBe(true);
  });

  it('refuse any change to header or body (property: every leaf mutation breaks the signature)', () => {
    const env = hitNotice() as unknown as Record<string, unknown>;
    const paths: string[][] = [['seq'], ['sentAt'], ['to'], ['type'], ['body', 'score'], ['body', 'pointerId'], ['body', 'caseId'], ['body', 'purpose'], ['id']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.string({ minLength: 1, maxLength: 3 }), (path, junk) => {
        const copy = structuredClone(env);
        let at = copy;
        for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
        const leaf = path[path.length - 1]!;
        const old = at[leaf];
        at[leaf] = typeof old === 'number' ? old + 1 : `${String(old)}${junk}`;
        const r = openEnvelope(JSON.stringify(copy), ctx);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(['bad-signature', 'malformed', 'wrong-recipient']).toContain(r.reason);
      }),
      { numRuns: 60 },
    );
  });

  it('name the reason for each kind of refusal', () => {
    const env = hitNotice();
    const raw = serialiseEnvelope(env);
    const reason = (input: string | Record<string, unknown>, c: Parameters<typeof openEnvelope>[1] = ctx): string => {
      const r = openEnvelope(input, c);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason('{not json')).toBe('malformed');
    expect(reason({ ...(env as object), extra: 1 })).toBe('malformed');
    expect(reason(raw, { ...ctx, self: 'FR-DGSI' })).toBe('wrong-recipient');
    expect(reason(raw, { ...ctx, peers: new PeerDirectory([]) })).toBe('unknown-peer');
    // The same agency presenting another key (stolen name, or an unannounced rotation).
    const impostor = generateNodeIdentity('BE-CT');
    const forged = sealEnvelope(impostor, { to: 'ES-CGI', type: 'receipt', seq: 1, now: T0, body: { of: ULID, digest: 'a'.repeat(64), status: 'accepted', receivedAt: T0.toISOString() } });
    expect(reason(serialiseEnvelope(forged))).toBe('unknown-key');
    // Right key id, wrong signature.
    const resigned = { ...(forged as object), keyId: be.keyId };
    expect(reason(resigned as Record<string, unknown>)).toBe('bad-signature');
    expect(reason(raw, { ...ctx, now: new Date(T0.getTime() - 3600_000) })).toBe('clock-skew');
    expect(reason(raw, { ...ctx, now: new Date(T0.getTime() + 8 * 86400_000) })).toBe('expired');
    expect(reason(raw, { ...ctx, limits: { ...DEFAULT_LIMITS, maxBytes: 200, maxBytesByType: {} } })).toBe('oversized');
  });

  it('refuse a validly signed body that breaks its schema', () => {
    // A peer running a buggy or hostile build signs a body our schema refuses.
    const env = hitNotice() as unknown as Record<string, unknown>;
    const { sig: _sig, ...unsigned }: Record<string, unknown> = { ...env, body: { ...(env['body'] as object), score: 7 } };
    const resealed = sealLike(unsigned);
    const r = openEnvelope(resealed, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('invalid-body');
      expect(r.detail).toMatch(/score/);
    }
  });

  it('are refused at sealing when the body is invalid or too large', () => {
    expect(() => sealEnvelope(be, { to: 'ES-CGI', type: 'hit.notice', seq: 1, body: { hitId: 'nope' } as never })).toThrow(/hit.notice body/);
    expect(() => sealEnvelope(be, { to: 'spain', type: 'receipt', seq: 1, body: { of: ULID, digest: 'a'.repeat(64), status: 'accepted', receivedAt: T0.toISOString() } })).toThrow(/not an agency id/);
    expect(() => sealEnvelope(be, { to: 'ES-CGI', type: 'receipt', seq: 0, body: { of: ULID, digest: 'a'.repeat(64), status: 'accepted', receivedAt: T0.toISOString() } })).toThrow(/seq/);
    try {
      sealEnvelope(be, { to: 'ES-CGI', type: 'followup.request', seq: 1, limits: { ...DEFAULT_LIMITS, maxBytes: 300 }, body: { requestId: ULID, hitId: ULID, purpose: 'ctx', caseId: 'C1', urgency: 'urgent', requestedAt: T0.toISOString(), deadline: followUpDeadline('urgent', T0).toISOString(), question: 'q'.repeat(500) } });
      expect.fail('should throw');
    } catch (e) {
      expect(isTesseraError(e) && e.code).toBe('LIMIT');
    }
  });

  it('map refusals to TesseraErrors with stable codes', () => {
    const r = openEnvelope(serialiseEnvelope(hitNotice()), { ...ctx, peers: new PeerDirectory([]) });
    if (r.ok) throw new Error('expected refusal');
    const e = rejectionError(r);
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.context).toMatchObject({ reason: 'unknown-peer', from: 'BE-CT' });
  });
});

/** Re-signs an arbitrary unsigned envelope with BE's key, bypassing sender-side validation. */
function sealLike(unsigned: Record<string, unknown>): string {
  const sig = sign(null, Buffer.from('tessera/federation/envelope/v1\n' + canonicalJson(unsigned)), be.privateKey).toString('base64url');
  return JSON.stringify({ ...unsigned, sig });
}

describe('receiving: replay and ordering', () => {
  it('applies once, re-acknowledges a re-delivery, and refuses a reused sequence number', () => {
    const guard = new ReplayGuard();
    const first = hitNotice(1);
    const r1 = receiveEnvelope(serialiseEnvelope(first), ctx, guard);
    expect(r1.status).toBe('accepted');
    if (r1.status !== 'accepted') return;
    guard.commit(r1.envelope);
    const again = receiveEnvelope(serialiseEnvelope(first), ctx, guard);
    expect(again.status).toBe('duplicate');
    const receipt = receiptBodyFor(again, 'x', T0);
    expect(receipt).toMatchObject({ of: first.id, status: 'duplicate', digest: envelopeDigest(first) });
    expect(MESSAGE_SCHEMAS.receipt.safeParse(receipt).success).toBe(true);
    // A new envelope claiming an already-used sequence number: replayed-and-altered stream.
    const reused = hitNotice(1);
    const r3 = receiveEnvelope(serialiseEnvelope(reused), ctx, guard);
    expect(r3).toMatchObject({ status: 'rejected', reason: 'reordered' });
  });

  it('accepts a gap, remembers it, and lets the late message fill it exactly once', () => {
    const guard = new ReplayGuard();
    const m1 = hitNotice(1);
    const m3 = hitNotice(3);
    const m2 = hitNotice(2);
    for (const m of [m1, m3]) {
      const r = receiveEnvelope(serialiseEnvelope(m), ctx, guard);
      expect(r.status).toBe('accepted');
      if (r.status === 'accepted') guard.commit(r.envelope);
    }
    expect(guard.missingFrom('BE-CT')).toEqual([2]);
    const late = receiveEnvelope(serialiseEnvelope(m2), ctx, guard);
    expect(late.status).toBe('accepted');
    if (late.status === 'accepted') guard.commit(late.envelope);
    expect(guard.missingFrom('BE-CT')).toEqual([]);
    expect(receiveEnvelope(serialiseEnvelope(m2), ctx, guard).status).toBe('duplicate');
  });

  it('keeps its state across a restart (JSON round trip) and prunes ids past the window', () => {
    const guard = new ReplayGuard(86400_000);
    const m1 = hitNotice(1);
    guard.commit(m1);
    const restored = ReplayGuard.fromJSON(JSON.parse(JSON.stringify(guard.toJSON())));
    expect(restored.check(m1).status).toBe('duplicate');
    expect(restored.highFrom('BE-CT')).toBe(1);
    expect(restored.prune(new Date(T0.getTime() + 2 * 86400_000))).toBe(1);
    // Forgotten ids cannot come back: the envelope is now older than any window allows.
    expect(openEnvelope(serialiseEnvelope(m1), { ...ctx, now: new Date(T0.getTime() + 8 * 86400_000) })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('answers only authenticated senders with a receipt', () => {
    const raw = serialiseEnvelope(hitNotice());
    const unauthenticated = [
      { ...ctx, peers: new PeerDirectory([]) },
      { ...ctx, self: 'FR-DGSI' },
      { ...ctx, limits: { ...DEFAULT_LIMITS, maxBytes: 100, maxBytesByType: {} } },
    ];
    for (const c of unauthenticated) {
      const r = receiveEnvelope(raw, c, new ReplayGuard());
      expect(r.status).toBe('rejected');
      expect(receiptBodyFor(r, 'x', T0)).toBeUndefined();
    }
    // A signed but stale envelope: the sender is authenticated and is told why.
    const stale = receiveEnvelope(raw, { ...ctx, now: new Date(T0.getTime() + 8 * 86400_000) }, new ReplayGuard());
    expect(receiptBodyFor(stale, 'x', T0)).toMatchObject({ status: 'rejected', reason: 'expired', of: JSON.parse(raw).id });
  });
});

describe('message schemas', () => {
  it('require a release to carry statements and a refusal to give its reason', () => {
    const R = MESSAGE_SCHEMAS['followup.response'];
    expect(R.safeParse({ requestId: ULID, outcome: 'released', statements: [] }).success).toBe(false);
    expect(R.safeParse({ requestId: ULID, outcome: 'refused' }).success).toBe(false);
    expect(R.safeParse({ requestId: ULID, outcome: 'refused', reason: 'source protection' }).success).toBe(true);
    expect(R.safeParse({ requestId: ULID, outcome: 'more-info-needed', question: 'which case?' }).success).toBe(true);
  });

  it('give deadlines by urgency and escalate once they pass', () => {
    expect(followUpDeadline('urgent', T0).toISOString()).toBe('2026-11-23T18:00:00.000Z');
    expect(followUpDeadline('normal', T0).toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(followUpDeadline('routine', T0).toISOString()).toBe('2026-12-07T10:00:00.000Z');
    const req = { requestedAt: T0.toISOString(), deadline: followUpDeadline('urgent', T0).toISOString() };
    expect(escalationLevel(req, new Date(T0.getTime() + 7 * 3600_000))).toBe(0);
    expect(escalationLevel(req, new Date(T0.getTime() + 8 * 3600_000))).toBe(1);
    expect(escalationLevel(req, new Date(T0.getTime() + 17 * 3600_000))).toBe(2);
  });

  it('refuse unknown fields, so what is signed is exactly what is applied', () => {
    expect(MESSAGE_SCHEMAS.alert.safeParse({ alertId: ULID, subject: { pointerIds: ['ptr_00000001'] }, threatLevel: 'high', action: 'discreet-check', caseId: 'C1', reviewBy: '2027-11-23', name: 'Jon Doe' }).success).toBe(false);
    expect(MESSAGE_SCHEMAS['hit.notice'].safeParse({ hitId: ULID, matchKind: 'name', holder: 'ES-CGI', purpose: 'ct investigation', caseId: 'C1' }).success).toBe(false);
  });
});
