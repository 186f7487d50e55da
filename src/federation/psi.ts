import { randomBytes, randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { monotonicFactory } from 'ulidx';
import { TesseraError, invalid } from '../model/index.js';
import type { MessageBody, MessageBodyInput, SelectorKind } from './messages.js';
import { canonicalSelector } from './selectors.js';

/**
 * Private set intersection of exact selectors by ECDH-style double blinding over ristretto255
 * (Meadows 1986; Huberman, Franklin & Hogg 1999; the "DH-PSI" of De Cristofaro & Tsudik 2010).
 * Each selector x is hashed to the group, H(x) (RFC 9380 hash_to_ristretto255: expand_message_xmd
 * with SHA-512, then the RFC 9496 element derivation), and blinded with a per-session secret scalar.
 * Because (H(x)^a)^b = (H(x)^b)^a, doubly blinded values match exactly when the selectors do,
 * while a singly blinded value reveals nothing about x to anyone without the scalar (DDH).
 *
 *   initiator A (set X, secret a)               responder B (set Y, secret b)
 *   psi.offer   {H(x)^a : x in X}, shuffled  ─►
 *                                            ◄─  psi.reply {H(x)^ab} in A's order, {H(y)^b} shuffled
 *   A computes H(y)^ba, learns X ∩ Y
 *   psi.final   {H(y)^ba} in B's order       ─►  B learns X ∩ Y (its own members)
 *
 * Each side learns which of its own selectors the other holds and the size of the other's set,
 * nothing else (semi-honest model; a party may still probe by putting selectors it is curious about
 * into its set, which is why requests carry purpose and case and are ledgered).
 *
 * Group arithmetic is libsodium's (crypto_core_ristretto255_from_hash, crypto_scalarmult_ristretto255,
 * its WebAssembly build), about 9× faster than @noble/curves' BigInt arithmetic here; the test suite
 * checks that both give identical bytes. Work is spread over worker_threads.
 */

/** Domain-separation tag of the hash to the group (RFC 9380 §3.1). */
export const PSI_DST = 'TESSERA-PSI-V1-ristretto255_XMD:SHA-512_R255MAP_RO_';
const POINT = 32;

const require = createRequire(import.meta.url);
const sodiumPath = require.resolve('libsodium-wrappers-sumo');
const h2cUrl = pathToFileURL(require.resolve('@noble/curves/abstract/hash-to-curve.js')).href;

/** The message hashed for a selector: kind-separated, so a phone never meets a passport number. */
export function psiMessage(kind: SelectorKind, canonical: string): string {
  return `${kind}:${canonical}`;
}

/*
 * The worker is plain JavaScript evaluated from this string, so it runs the same under tsx, vitest
 * and compiled output without a TypeScript loader. It does only the group arithmetic.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
const { createHash } = require('node:crypto');
const ready = Promise.all([sodium.ready, import(workerData.h2cUrl)]);
const enc = new TextEncoder();
// SHA-512 from OpenSSL in the shape noble's expand_message_xmd expects (a function with outputLen/blockLen).
const sha512 = Object.assign((m) => new Uint8Array(createHash('sha512').update(m).digest()), { outputLen: 64, blockLen: 128 });
parentPort.on('message', async (msg) => {
  const [, h2c] = await ready;
  try {
    if (msg.op === 'hashBlind') {
      const dst = enc.encode(msg.dst);
      const out = new Uint8Array(msg.items.length * 32);
      // The unblinded points H(m) too, when the engine caches them for later sessions.
      const hashed = msg.keep ? new Uint8Array(msg.items.length * 32) : undefined;
      for (let i = 0; i < msg.items.length; i++) {
        const uniform = h2c.expand_message_xmd(enc.encode(msg.items[i]), dst, 64, sha512);
        const p = sodium.crypto_core_ristretto255_from_hash(uniform);
        if (hashed) hashed.set(p, i * 32);
        out.set(sodium.crypto_scalarmult_ristretto255(msg.key, p), i * 32);
      }
      parentPort.postMessage({ id: msg.id, out, hashed }, hashed ? [out.buffer, hashed.buffer] : [out.buffer]);
    } else if (msg.op === 'blind') {
      const n = msg.points.length / 32;
      const out = new Uint8Array(msg.points.length);
      const bad = [];
      for (let i = 0; i < n; i++) {
        const p = msg.points.subarray(i * 32, i * 32 + 32);
        // crypto_scalarmult_ristretto255 refuses non-canonical encodings and an identity result.
        try { out.set(sodium.crypto_scalarmult_ristretto255(msg.key, p), i * 32); } catch { bad.push(i); }
      }
      parentPort.postMessage({ id: msg.id, out, bad }, [out.buffer]);
    } else {
      parentPort.postMessage({ id: msg.id, error: 'unknown op ' + msg.op });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String(e && e.message || e) });
  }
});
`;

interface WorkerReply {
  id: number;
  out?: Uint8Array;
  hashed?: Uint8Array;
  bad?: number[];
  error?: string;
}

/**
 * H(m) of messages hashed before, so a selector set met again (the responder's own set, answered
 * session after session; the initiator's alert selectors) is only blinded: the hash to the group
 * (expand_message_xmd + the element derivation, about a quarter of a session's arithmetic) does not
 * depend on the session's secret. Points are packed in one buffer; the cache starts over when full.
 */
class HashedPointCache {
  readonly #index = new Map<string, number>();
  #pool: Uint8Array = new Uint8Array(0);

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#index.size;
  }

  get(key: string): Uint8Array | undefined {
    const at = this.#index.get(key);
    return at === undefined ? undefined : this.#pool.subarray(at * POINT, (at + 1) * POINT);
  }

  add(keys: readonly string[], points: Uint8Array): void {
    if (this.limit === 0) return;
    if (this.#index.size + keys.length > this.limit) this.#index.clear();
    const need = (this.#index.size + keys.length) * POINT;
    if (need > this.#pool.byteLength) {
      const grown = new Uint8Array(Math.min(this.limit * POINT, Math.max(need, this.#pool.byteLength * 2)));
      grown.set(this.#pool.subarray(0, this.#index.size * POINT));
      this.#pool = grown;
    }
    keys.forEach((k, i) => {
      if (this.#index.has(k) || this.#index.size >= this.limit) return;
      const at = this.#index.size;
      this.#pool.set(points.subarray(i * POINT, (i + 1) * POINT), at * POINT);
      this.#index.set(k, at);
    });
  }
}

/** A pool of worker threads doing the ristretto255 arithmetic in parallel chunks. */
export class PsiEngine {
  readonly workers: number;
  readonly #pool: Worker[];
  readonly #hashed: HashedPointCache;
  readonly #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  #nextId = 0;
  #closed = false;

  private constructor(workers: number, hashCache: number) {
    this.workers = workers;
    this.#hashed = new HashedPointCache(hashCache);
    this.#pool = Array.from({ length: workers }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumPath, h2cUrl } });
      w.on('message', (r: WorkerReply) => {
        const p = this.#pending.get(r.id);
        if (!p) return;
        this.#pending.delete(r.id);
        if (r.error) p.reject(new TesseraError('INTERNAL', `PSI worker: ${r.error}`));
        else p.resolve(r);
      });
      w.on('error', (e) => {
        for (const p of this.#pending.values()) p.reject(new TesseraError('INTERNAL', `PSI worker failed: ${e.message}`, { cause: e }));
        this.#pending.clear();
      });
      return w;
    });
  }

  /**
   * Starts a pool (default: one worker per core, at most 8). `hashCache`: how many hashed selectors
   * to keep for later sessions (default 500,000, about 16 MB of points; 0 disables).
   */
  static create(workers: number = Math.min(8, availableParallelism()), options: { hashCache?: number } = {}): PsiEngine {
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw invalid('PSI workers must be 1–64', undefined, 'workers');
    const hashCache = options.hashCache ?? 500_000;
    if (!Number.isInteger(hashCache) || hashCache < 0) throw invalid('the PSI hash cache size must be a whole number', undefined, 'hashCache');
    return new PsiEngine(workers, hashCache);
  }

  /** Selectors whose hash to the group is cached. */
  get cachedHashes(): number {
    return this.#hashed.size;
  }

  #run(worker: Worker, msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.#closed) return Promise.reject(new TesseraError('INTERNAL', 'PSI engine is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id }, transfer);
    });
  }

  #chunks(n: number): Array<[number, number]> {
    const parts = Math.max(1, Math.min(this.workers * 4, Math.ceil(n / 256)));
    const size = Math.ceil(n / parts);
    const out: Array<[number, number]> = [];
    for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
    return out;
  }

  /** H(m)^key for each message, packed 32 bytes per element, in input order. */
  async hashAndBlind(messages: readonly string[], key: Uint8Array, dst: string = PSI_DST): Promise<Uint8Array> {
    const out = new Uint8Array(messages.length * POINT);
    // Messages hashed in an earlier session are only blinded; the others are hashed and blinded,
    // and their hashes kept.
    const cacheKey = (m: string): string => `${dst}\u0000${m}`;
    const hits: number[] = [];
    const misses: number[] = [];
    messages.forEach((m, i) => (this.#hashed.get(cacheKey(m)) ? hits : misses).push(i));
    const cached = new Uint8Array(hits.length * POINT);
    hits.forEach((i, j) => cached.set(this.#hashed.get(cacheKey(messages[i]!))!, j * POINT));
    const keep = this.#hashed.limit > 0;
    await Promise.all([
      hits.length === 0
        ? Promise.resolve()
        : this.blind(cached, key).then((blinded) => hits.forEach((i, j) => out.set(blinded.subarray(j * POINT, (j + 1) * POINT), i * POINT))),
      ...this.#chunks(misses.length).map(async ([s, e], k) => {
        const idx = misses.slice(s, e);
        const items = idx.map((i) => messages[i]!);
        const r = await this.#run(this.#pool[k % this.workers]!, { op: 'hashBlind', items, key, dst, keep });
        idx.forEach((i, j) => out.set(r.out!.subarray(j * POINT, (j + 1) * POINT), i * POINT));
        if (r.hashed) this.#hashed.add(items.map(cacheKey), r.hashed);
      }),
    ]);
    return out;
  }

  /**
   * P^key for each packed point. Points that are not canonical ristretto255 encodings (a peer
   * answering garbage) make the whole call fail with their positions, rather than be skipped silently.
   */
  async blind(points: Uint8Array, key: Uint8Array, field = 'elements'): Promise<Uint8Array> {
    if (points.byteLength % POINT !== 0) throw invalid(`point list is ${points.byteLength} bytes, not a multiple of ${POINT}`, undefined, field);
    const n = points.byteLength / POINT;
    const out = new Uint8Array(points.byteLength);
    const bad: number[] = [];
    await Promise.all(
      this.#chunks(n).map(async ([s, e], k) => {
        const chunk = points.slice(s * POINT, e * POINT);
        const r = await this.#run(this.#pool[k % this.workers]!, { op: 'blind', points: chunk, key }, [chunk.buffer]);
        out.set(r.out!, s * POINT);
        for (const i of r.bad ?? []) bad.push(s + i);
      }),
    );
    if (bad.length > 0) throw invalid(`${bad.length} element(s) are not valid ristretto255 points (first at ${Math.min(...bad)})`, undefined, field, { bad: bad.slice(0, 20) });
    return out;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#pool.map((w) => w.terminate()));
  }
}

const nextUlid = monotonicFactory();

/** A fresh secret scalar: 64 random bytes reduced mod the group order (libsodium's recommended sampling). */
async function secretScalar(): Promise<Uint8Array> {
  const sodium = (await import('libsodium-wrappers-sumo')).default;
  await sodium.ready;
  return sodium.crypto_core_ristretto255_scalar_reduce(randomBytes(64));
}

/** One side's selectors: canonical, deduplicated, shuffled (so positions in messages reveal no order). */
class SelectorSet {
  readonly kind: SelectorKind;
  /** Canonical selectors in shuffled order (the order of our blinded list). */
  readonly canonical: string[];
  /** Canonical → the original spellings it came from. */
  readonly originals = new Map<string, string[]>();
  readonly rejected: string[] = [];

  constructor(kind: SelectorKind, values: readonly string[], restored?: { offered: readonly { canonical: string; originals: readonly string[] }[]; rejected: readonly string[] }) {
    this.kind = kind;
    if (restored) {
      // A set restored from a saved session keeps the order it was offered in.
      for (const o of restored.offered) this.originals.set(o.canonical, [...o.originals]);
      this.canonical = restored.offered.map((o) => o.canonical);
      this.rejected.push(...restored.rejected);
      return;
    }
    for (const v of values) {
      const c = canonicalSelector(kind, v);
      if (c === undefined) {
        this.rejected.push(v);
        continue;
      }
      const list = this.originals.get(c);
      if (list) list.push(v);
      else this.originals.set(c, [v]);
    }
    this.canonical = [...this.originals.keys()];
    // Fisher–Yates with a CSPRNG.
    for (let i = this.canonical.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [this.canonical[i], this.canonical[j]] = [this.canonical[j]!, this.canonical[i]!];
    }
  }

  messages(): string[] {
    return this.canonical.map((c) => psiMessage(this.kind, c));
  }
}

/** Which of a side's selectors the other side also holds. */
export interface PsiOutcome {
  /** Canonical selectors in the intersection. */
  readonly matched: string[];
  /** The caller's original values that map to them. */
  readonly matchedOriginals: string[];
  /** How many distinct selectors the other side put in (the one thing PSI reveals besides the matches). */
  readonly otherSetSize: number;
  /** Inputs left out because they were not valid selectors of the kind. */
  readonly rejected: string[];
}

function toB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromB64(b64: string, count: number, field: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.byteLength !== count * POINT) throw invalid(`carries ${bytes.byteLength} bytes, expected ${count} points of ${POINT}`, undefined, field);
  return bytes;
}

function pointKeys(packed: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < packed.byteLength; i += POINT) out.push(Buffer.from(packed.buffer, packed.byteOffset + i, POINT).toString('base64'));
  return out;
}

function outcome(set: SelectorSet, hits: boolean[], otherSetSize: number): PsiOutcome {
  const matched = set.canonical.filter((_, i) => hits[i]);
  return { matched, matchedOriginals: matched.flatMap((c) => set.originals.get(c) ?? []), otherSetSize, rejected: set.rejected };
}

/**
 * What an initiator keeps between its offer and the partner's reply, so that another process of
 * the same node (the one that receives the reply) or the node after a restart can finish the
 * session. It holds the session's secret scalar: keep it where the node's own data is kept, and
 * drop it once the session is finished.
 */
export interface PsiInitiatorState {
  readonly sessionId: string;
  readonly kind: SelectorKind;
  /** Canonical selectors in the order offered, with the original spellings of each. */
  readonly offered: readonly { readonly canonical: string; readonly originals: readonly string[] }[];
  readonly rejected: readonly string[];
  /** The session's secret scalar, base64. */
  readonly key: string;
}

/** The side that starts a PSI session (e.g. the node checking its alert selectors against a partner). */
export class PsiInitiator {
  readonly sessionId: string;
  readonly #engine: PsiEngine;
  #set: SelectorSet;
  #key: Uint8Array | undefined;
  #state: 'new' | 'offered' | 'done' = 'new';

  constructor(engine: PsiEngine, kind: SelectorKind, selectors: readonly string[], sessionId: string = nextUlid()) {
    this.#engine = engine;
    this.#set = new SelectorSet(kind, selectors);
    this.sessionId = sessionId;
  }

  /** The state to finish this session elsewhere (after `offer`, before `finish`). */
  exportState(): PsiInitiatorState {
    if (this.#state !== 'offered' || !this.#key) throw new TesseraError('CONFLICT', `PSI session ${this.sessionId} is not awaiting a reply`);
    return {
      sessionId: this.sessionId,
      kind: this.#set.kind,
      offered: this.#set.canonical.map((c) => ({ canonical: c, originals: this.#set.originals.get(c) ?? [] })),
      rejected: [...this.#set.rejected],
      key: toB64(this.#key),
    };
  }

  /** An initiator awaiting its reply, from an exported state. */
  static restore(engine: PsiEngine, state: PsiInitiatorState): PsiInitiator {
    const key = new Uint8Array(Buffer.from(state.key, 'base64'));
    if (key.byteLength !== 32) throw invalid('the saved PSI secret is not a 32-byte scalar', state.sessionId, 'key');
    const initiator = new PsiInitiator(engine, state.kind, [], state.sessionId);
    initiator.#set = new SelectorSet(state.kind, [], { offered: state.offered, rejected: state.rejected });
    initiator.#key = key;
    initiator.#state = 'offered';
    return initiator;
  }

  /** The `psi.offer` body: our selectors hashed and blinded with our secret. */
  async offer(): Promise<MessageBodyInput<'psi.offer'>> {
    if (this.#state !== 'new') throw new TesseraError('CONFLICT', `PSI session ${this.sessionId} already offered`);
    this.#key = await secretScalar();
    const blinded = await this.#engine.hashAndBlind(this.#set.messages(), this.#key);
    this.#state = 'offered';
    return { sessionId: this.sessionId, selectorKind: this.#set.kind, count: this.#set.canonical.length, elements: toB64(blinded) };
  }

  /** Takes the `psi.reply`, learns the intersection, and returns the `psi.final` body for the responder. */
  async finish(reply: MessageBody<'psi.reply'>): Promise<{ outcome: PsiOutcome; final: MessageBodyInput<'psi.final'> }> {
    if (this.#state !== 'offered' || !this.#key) throw new TesseraError('CONFLICT', `PSI session ${this.sessionId} is not awaiting a reply`);
    if (reply.sessionId !== this.sessionId || reply.selectorKind !== this.#set.kind) throw invalid('reply is for another session or selector kind', reply.sessionId, 'sessionId');
    if (reply.doubledCount !== this.#set.canonical.length) throw invalid(`reply re-blinded ${reply.doubledCount} elements, we offered ${this.#set.canonical.length}`, reply.sessionId, 'doubled');
    const doubledOurs = pointKeys(fromB64(reply.doubled, reply.doubledCount, 'doubled'));
    const theirsDoubled = await this.#engine.blind(fromB64(reply.own, reply.ownCount, 'own'), this.#key, 'own');
    const theirs = new Set(pointKeys(theirsDoubled));
    this.#state = 'done';
    this.#key = undefined;
    return {
      outcome: outcome(this.#set, doubledOurs.map((k) => theirs.has(k)), reply.ownCount),
      final: { sessionId: this.sessionId, selectorKind: this.#set.kind, count: reply.ownCount, doubled: toB64(theirsDoubled) },
    };
  }
}

/** The side that answers a PSI offer. */
export class PsiResponder {
  readonly #engine: PsiEngine;
  readonly #set: SelectorSet;
  #sessionId: string | undefined;
  #doubledTheirs: Set<string> | undefined;
  #otherSize = 0;

  constructor(engine: PsiEngine, kind: SelectorKind, selectors: readonly string[]) {
    this.#engine = engine;
    this.#set = new SelectorSet(kind, selectors);
  }

  #prepared: Promise<{ key: Uint8Array; own: Uint8Array }> | undefined;

  /**
   * Blinds our own set ahead of the offer (it does not depend on the initiator), so only the
   * initiator's elements remain to be blinded when the offer arrives. Optional: `reply` does it too.
   */
  prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      const key = await secretScalar();
      return { key, own: await this.#engine.hashAndBlind(this.#set.messages(), key) };
    })();
    return this.#prepared.then(() => undefined);
  }

  /** Answers a `psi.offer`: re-blinds the initiator's elements and blinds our own. */
  async reply(offer: MessageBody<'psi.offer'>): Promise<MessageBodyInput<'psi.reply'>> {
    if (this.#sessionId !== undefined) throw new TesseraError('CONFLICT', `PSI responder already answered session ${this.#sessionId}`);
    if (offer.selectorKind !== this.#set.kind) throw invalid(`offer is for ${offer.selectorKind}, this set holds ${this.#set.kind}`, offer.sessionId, 'selectorKind');
    const theirs = fromB64(offer.elements, offer.count, 'elements');
    this.#sessionId = offer.sessionId;
    await this.prepare();
    const { key, own } = await this.#prepared!;
    const doubled = await this.#engine.blind(theirs, key, 'elements');
    this.#doubledTheirs = new Set(pointKeys(doubled));
    this.#otherSize = offer.count;
    return { sessionId: offer.sessionId, selectorKind: this.#set.kind, doubled: toB64(doubled), doubledCount: offer.count, own: toB64(own), ownCount: this.#set.canonical.length };
  }

  /** Takes the `psi.final` and learns which of our selectors the initiator holds. */
  conclude(final: MessageBody<'psi.final'>): PsiOutcome {
    if (!this.#doubledTheirs || final.sessionId !== this.#sessionId) throw new TesseraError('CONFLICT', 'psi.final for a session this responder did not answer');
    if (final.count !== this.#set.canonical.length) throw invalid(`final carries ${final.count} elements, we sent ${this.#set.canonical.length}`, final.sessionId, 'doubled');
    const ours = pointKeys(fromB64(final.doubled, final.count, 'doubled'));
    const theirs = this.#doubledTheirs;
    this.#doubledTheirs = undefined;
    return outcome(this.#set, ours.map((k) => theirs.has(k)), this.#otherSize);
  }
}
