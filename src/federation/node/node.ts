import { createHash } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { TesseraError } from '../../model/index.js';
import type { Store } from '../../store/index.js';
import { DEFAULT_LIMITS, openEnvelope, sealEnvelope, serialiseEnvelope, type Envelope, type EnvelopeLimits } from '../envelope.js';
import { receiptBodyFor, receiveEnvelope } from '../gate.js';
import { PeerDirectory, type NodeIdentity, type PeerConfig } from '../identity.js';
import type { MessageBodyInput, MessageType } from '../messages.js';
import type { FederationPort, InboundHandler, SendOptions } from '../port.js';
import { ReplayGuard } from '../replay.js';
import { HandlerRegistry } from './dispatch.js';
import { envelopeKey, ENVELOPE_COLLECTION, Ledger } from './ledger.js';

/** The durable outbox: one record per envelope this node sent, until a receipt settles it. */
export const OUTBOX_COLLECTION = 'fed-outbox';
const GUARD_KEY = 'fed.guard';
const seqKey = (peer: string) => `fed.seq.${peer}`;
const receiptSeqKey = (peer: string) => `fed.receipt-seq.${peer}`;

export const OUTBOX_STATUSES = ['pending', 'delivered', 'rejected', 'disputed', 'expired'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One envelope in the outbox and where its delivery stands. */
export interface OutboxEntry {
  readonly id: string;
  readonly to: string;
  readonly type: MessageType;
  readonly seq: number;
  readonly createdAt: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  /** Earliest time of the next attempt of this envelope (the peer's own backoff may hold it longer). */
  readonly nextAttemptAt: string;
  readonly lastAttemptAt?: string;
  readonly lastError?: string;
  readonly deliveredAt?: string;
  /** The receipt that settled it. */
  readonly receipt?: { readonly id: string; readonly status: 'accepted' | 'duplicate' | 'rejected'; readonly reason?: string; readonly receivedAt: string };
}

/** Exponential backoff with jitter between delivery attempts. */
export interface RetryPolicy {
  /** Delay after the first failure, ms (default 1 s). */
  readonly initialMs: number;
  /** Largest delay, ms (default 5 min). */
  readonly maxMs: number;
  /** Growth per failure (default 2). */
  readonly factor: number;
}
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ initialMs: 1000, maxMs: 5 * 60_000, factor: 2 });

/**
 * The delay before attempt `failures + 1`: exponential, capped, with "equal jitter" (half fixed,
 * half uniformly random; Brooker, AWS Architecture Blog 2015) so nodes that lost a peer together do
 * not all retry in the same instant when it returns.
 */
export function backoffDelay(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, failures - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

export interface FederationNodeOptions {
  readonly store: Store;
  readonly identity: NodeIdentity;
  readonly peers: readonly PeerConfig[] | PeerDirectory;
  readonly logger?: Logger;
  /** The clock (tests pass a fake one and drive `deliverDue`). */
  readonly now?: () => Date;
  /** Jitter source (default Math.random). */
  readonly random?: () => number;
  /** HTTP client (default the global fetch; tests may route to an in-process app). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  readonly retry?: Partial<RetryPolicy>;
  readonly limits?: EnvelopeLimits;
  /** How long to wait for a peer's answer before counting the attempt as failed (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** How often the delivery loop looks for work when idle — another process may have queued some (default 1 s). */
  readonly pollMs?: number;
}

/** What the inbox answers to one HTTP delivery. */
export interface InboxAnswer {
  readonly status: 200 | 400 | 413 | 422 | 503;
  /** JSON: the signed receipt envelope, or a reason-free refusal. */
  readonly body: string;
  readonly outcome: 'accepted' | 'duplicate' | 'rejected' | 'refused' | 'failed';
}

/** One delivery pass: what was tried and when work is next due. */
export interface DeliveryPass {
  readonly attempted: number;
  readonly delivered: number;
  readonly failed: number;
  /** Earliest time something pending may be tried again; undefined when nothing is pending. */
  readonly nextDueAt?: Date;
}

type AttemptResult =
  | { kind: 'receipt'; receipt: Envelope<'receipt'> }
  /** The peer could not be reached or answered something that is not a receipt: back off from the peer. */
  | { kind: 'transport'; reason: string }
  /** The peer is up but could not apply this envelope now (503): back off from this envelope. */
  | { kind: 'later'; reason: string };

const REFUSED_BODY = '{"error":"refused"}';
/** Largest answer read from a peer: a receipt is well under 2 KB; a peer answering a flood is cut off. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A mutex for one async section at a time. */
class Serial {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * A federation node over HTTP (`FederationPort`): `send` seals the message, numbers it per
 * recipient and writes it to the outbox and the ledger in one transaction; a delivery loop POSTs
 * pending envelopes to each peer's inbox with exponential backoff and jitter until a signed receipt
 * settles them. Inbound deliveries (`receive`, mounted by `createInboxApp`) are verified, checked
 * against the replay guard, handed to the flows' handlers, then committed — guard state, ledger
 * entry and the receipt sent back — in one transaction. Everything is in the node's store, so a
 * node killed at any point resumes its outbox and never applies a message twice.
 */
export class FederationNode implements FederationPort {
  readonly store: Store;
  readonly identity: NodeIdentity;
  readonly directory: PeerDirectory;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly limits: EnvelopeLimits;
  readonly retry: RetryPolicy;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #handlers = new HandlerRegistry();
  readonly #inbound = new Serial();
  readonly #delivery = new Serial();
  readonly #peerBackoff = new Map<string, { failures: number; until: number; reason: string }>();
  #guard: ReplayGuard;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  private constructor(options: FederationNodeOptions, guard: ReplayGuard) {
    this.store = options.store;
    this.identity = options.identity;
    this.directory = options.peers instanceof PeerDirectory ? options.peers : new PeerDirectory(options.peers);
    this.ledger = new Ledger(options.store, options.identity.agency);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ node: options.identity.agency });
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#guard = guard;
  }

  /** Opens the node on its store, restoring the replay guard it persisted. */
  static async open(options: FederationNodeOptions): Promise<FederationNode> {
    return new FederationNode(options, await loadGuard(options.store));
  }

  get self(): string {
    return this.identity.agency;
  }

  peers(): readonly string[] {
    return this.directory
      .list()
      .filter((p) => p.agency !== this.self)
      .map((p) => p.agency);
  }

  on<T extends MessageType>(type: T, handler: InboundHandler<T>): void {
    this.#handlers.on(type, handler);
  }

  /**
   * Seals and queues a message: sequence number, outbox entry, envelope and ledger entry commit in
   * one transaction (the caller's, with `options.tx`) before this resolves with the envelope id.
   */
  async send<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options: SendOptions = {}): Promise<string> {
    if (type === 'receipt') throw new TesseraError('VALIDATION', 'receipts are issued by the node itself, not sent by flows', { field: 'type' });
    const peer = this.directory.get(to);
    if (!peer || to === this.self) throw new TesseraError('VALIDATION', `${to} is not a peer of ${this.self}`, { field: 'to', record: to });
    if (peer.endpoint === undefined) throw new TesseraError('CONFIG', `peer ${to} has no endpoint configured (relay through a hub is not supported yet)`, { field: 'peers.endpoint', record: to });
    const write = async (tx: Store): Promise<string> => {
      await tx.lock(seqKey(to));
      const seq = Number((await tx.getMeta(seqKey(to))) ?? '0') + 1;
      const now = this.#now();
      const envelope = sealEnvelope(this.identity, { to, type, body, seq, now, limits: this.limits, ...(options.inReplyTo === undefined ? {} : { inReplyTo: options.inReplyTo }) }) as Envelope;
      await tx.setMeta(seqKey(to), String(seq));
      const entry: OutboxEntry = { id: envelope.id, to, type, seq, createdAt: now.toISOString(), status: 'pending', attempts: 0, nextAttemptAt: now.toISOString() };
      await tx.putRecord(OUTBOX_COLLECTION, envelope.id, entry, { status: 'pending', to });
      await this.ledger.append(tx, { event: 'sent', at: now.toISOString(), envelope, ...(options.subjects ? { subjects: options.subjects } : {}) });
      this.logger.debug({ id: envelope.id, to, type, seq }, 'federation: queued');
      return envelope.id;
    };
    const id = options.tx ? await write(options.tx) : await this.store.transaction(write);
    this.#wakeUp();
    return id;
  }

  /**
   * Handles one delivery from the wire: verify, replay-check, apply through the handlers, then
   * commit guard, ledger and receipt together and answer with the signed receipt. Unauthenticated
   * input gets a reason-free 400/413 (no oracle, nothing stored); the reason goes to the log.
   */
  receive(raw: string | Uint8Array): Promise<InboxAnswer> {
    return this.#inbound.run(async () => {
      const now = this.#now();
      const r = receiveEnvelope(raw, { self: this.self, peers: this.directory, now, limits: this.limits }, this.#guard);
      if (r.status === 'rejected') {
        const receiptBody = receiptBodyFor(r, sha256(raw), now);
        this.logger.warn({ reason: r.reason, detail: r.detail, from: r.from, id: r.id, authenticated: receiptBody !== undefined }, 'federation: envelope refused');
        if (!receiptBody) return { status: r.reason === 'oversized' ? 413 : 400, body: REFUSED_BODY, outcome: 'refused' };
        const from = r.from!;
        const receipt = await this.store.transaction(async (tx) => {
          await this.ledger.append(tx, { event: 'refused', at: now.toISOString(), id: r.id!, from, to: this.self, type: typeOf(raw), digest: receiptBody.digest, reason: r.reason, detail: r.detail });
          return this.#issueReceipt(tx, from, receiptBody, now);
        });
        return { status: 422, body: serialiseEnvelope(receipt), outcome: 'rejected' };
      }
      if (r.status === 'duplicate') {
        this.logger.info({ id: r.envelope.id, from: r.envelope.from, type: r.envelope.type }, 'federation: duplicate delivery acknowledged again, not applied');
        const receipt = await this.store.transaction((tx) => this.#issueReceipt(tx, r.envelope.from, receiptBodyFor(r, r.digest, now)!, now));
        return { status: 200, body: serialiseEnvelope(receipt), outcome: 'duplicate' };
      }
      const receivedAt = now.toISOString();
      let subjects: string[];
      try {
        subjects = await this.#handlers.dispatch(r.envelope, receivedAt);
      } catch (e) {
        this.logger.error({ id: r.envelope.id, from: r.envelope.from, type: r.envelope.type, err: e }, 'federation: handler failed; the sender will retry');
        return { status: 503, body: '{"error":"try again later"}', outcome: 'failed' };
      }
      try {
        const receipt = await this.store.transaction(async (tx) => {
          this.#guard.commit(r.envelope);
          this.#guard.prune(now);
          await tx.setMeta(GUARD_KEY, JSON.stringify(this.#guard.toJSON()));
          await this.ledger.append(tx, { event: 'received', at: receivedAt, envelope: r.envelope, digest: r.digest, subjects });
          return this.#issueReceipt(tx, r.envelope.from, receiptBodyFor(r, r.digest, now)!, now);
        });
        this.logger.info({ id: r.envelope.id, from: r.envelope.from, type: r.envelope.type, seq: r.envelope.seq, gapBefore: r.gapBefore }, 'federation: accepted');
        return { status: 200, body: serialiseEnvelope(receipt), outcome: 'accepted' };
      } catch (e) {
        // The commit failed: forget the in-memory commit so the sender's retry is applied again.
        this.#guard = await loadGuard(this.store);
        throw e;
      }
    });
  }

  async #issueReceipt(tx: Store, to: string, body: MessageBodyInput<'receipt'>, now: Date): Promise<Envelope<'receipt'>> {
    const seq = Number((await tx.getMeta(receiptSeqKey(to))) ?? '0') + 1;
    await tx.setMeta(receiptSeqKey(to), String(seq));
    const receipt = sealEnvelope(this.identity, { to, type: 'receipt', body, seq, now, limits: this.limits });
    await this.ledger.append(tx, { event: 'receipt-sent', at: now.toISOString(), envelope: receipt as Envelope });
    return receipt;
  }

  /** The outbox, optionally by status, oldest first. */
  async outbox(status?: OutboxStatus): Promise<OutboxEntry[]> {
    return (await this.store.findRecords<OutboxEntry>(OUTBOX_COLLECTION, { ...(status ? { where: { status } } : {}), limit: 1_000_000 })).map((r) => r.body);
  }

  /** The backoff this node keeps for a peer it could not reach (undefined when reachable). */
  peerBackoff(agency: string): { failures: number; until: Date; reason: string } | undefined {
    const b = this.#peerBackoff.get(agency);
    return b ? { failures: b.failures, until: new Date(b.until), reason: b.reason } : undefined;
  }

  /**
   * One delivery pass over the due envelopes: peers in parallel, each peer's envelopes in sequence
   * order; a peer that cannot be reached is backed off as a whole (its other envelopes wait too).
   */
  deliverDue(): Promise<DeliveryPass> {
    return this.#delivery.run(async () => {
      const pending = await this.outbox('pending');
      const byPeer = new Map<string, OutboxEntry[]>();
      for (const e of pending) byPeer.set(e.to, [...(byPeer.get(e.to) ?? []), e]);
      let attempted = 0;
      let delivered = 0;
      let failed = 0;
      let nextDue = Infinity;
      await Promise.all(
        [...byPeer].map(async ([peer, entries]) => {
          entries.sort((a, b) => a.seq - b.seq);
          for (const entry of entries) {
            const now = this.#now().getTime();
            const held = Math.max(Date.parse(entry.nextAttemptAt), this.#peerBackoff.get(peer)?.until ?? 0);
            if (held > now) {
              nextDue = Math.min(nextDue, held);
              continue;
            }
            if (now - Date.parse(entry.createdAt) > this.limits.maxAgeMs) {
              await this.#settle(entry, { status: 'expired', lastError: 'older than the replay window: the peer would refuse it as expired' });
              this.logger.error({ id: entry.id, to: peer, type: entry.type }, 'federation: envelope expired undelivered');
              failed++;
              continue;
            }
            attempted++;
            const result = await this.#attempt(entry);
            if (result.kind === 'receipt') {
              this.#peerBackoff.delete(peer);
              const status = await this.#recordReceipt(entry, result.receipt);
              if (status === 'delivered') delivered++;
              else if (status === 'pending') nextDue = Math.min(nextDue, this.#now().getTime() + backoffDelay(entry.attempts + 1, this.retry, this.#random));
              else failed++;
              continue;
            }
            failed++;
            const attempts = entry.attempts + 1;
            if (result.kind === 'later') {
              const at = this.#now().getTime() + backoffDelay(attempts, this.retry, this.#random);
              await this.#settle(entry, { status: 'pending', attempts, lastError: result.reason, nextAttemptAt: new Date(at).toISOString(), lastAttemptAt: this.#now().toISOString() });
              this.logger.warn({ id: entry.id, to: peer, attempts, reason: result.reason }, 'federation: delivery deferred');
              nextDue = Math.min(nextDue, at);
              continue;
            }
            const failures = (this.#peerBackoff.get(peer)?.failures ?? 0) + 1;
            const until = this.#now().getTime() + backoffDelay(failures, this.retry, this.#random);
            this.#peerBackoff.set(peer, { failures, until, reason: result.reason });
            await this.#settle(entry, { status: 'pending', attempts, lastError: result.reason, lastAttemptAt: this.#now().toISOString() });
            this.logger.warn({ id: entry.id, to: peer, attempts, failures, retryInMs: until - this.#now().getTime(), reason: result.reason }, 'federation: delivery failed; backing off');
            nextDue = Math.min(nextDue, until);
            break;
          }
        }),
      );
      return { attempted, delivered, failed, ...(Number.isFinite(nextDue) ? { nextDueAt: new Date(nextDue) } : {}) };
    });
  }

  async #attempt(entry: OutboxEntry): Promise<AttemptResult> {
    const peer = this.directory.get(entry.to);
    if (peer?.endpoint === undefined) return { kind: 'transport', reason: `no endpoint configured for ${entry.to}` };
    const envelope = (await this.store.getRecord<Envelope>(ENVELOPE_COLLECTION, envelopeKey(this.self, entry.id)))?.body;
    if (!envelope) return { kind: 'transport', reason: `envelope ${entry.id} is missing from the store` };
    const url = new URL('fed/v1/envelopes', peer.endpoint.endsWith('/') ? peer.endpoint : `${peer.endpoint}/`).toString();
    let res: Response;
    try {
      res = await this.#fetch(url, { method: 'POST', body: serialiseEnvelope(envelope), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') return { kind: 'transport', reason: `no answer from ${entry.to} within ${this.#timeoutMs} ms` };
      return { kind: 'transport', reason: `cannot reach ${entry.to}: ${err.cause?.code ?? err.message}` };
    }
    let text: string;
    try {
      text = await readCapped(res, MAX_ANSWER_BYTES);
    } catch (e) {
      return { kind: 'transport', reason: `answer from ${entry.to} unreadable: ${(e as Error).message}` };
    }
    if (res.status === 503) return { kind: 'later', reason: `${entry.to} could not apply it yet (503)` };
    if (res.status !== 200 && res.status !== 422) return { kind: 'transport', reason: `${entry.to} answered HTTP ${res.status}` };
    const opened = openEnvelope(text, { self: this.self, peers: this.directory, now: this.#now(), limits: this.limits });
    if (!opened.ok) return { kind: 'transport', reason: `${entry.to} answered garbage, not a receipt (${opened.reason}: ${opened.detail.slice(0, 200)})` };
    const receipt = opened.envelope;
    if (receipt.type !== 'receipt' || receipt.from !== entry.to || receipt.body.of !== entry.id) {
      return { kind: 'transport', reason: `${entry.to} answered a ${receipt.type} from ${receipt.from}, not a receipt for ${entry.id}` };
    }
    return { kind: 'receipt', receipt };
  }

  /** Stores a peer's signed receipt in the ledger and settles the outbox entry by it. */
  async #recordReceipt(entry: OutboxEntry, receipt: Envelope<'receipt'>): Promise<OutboxStatus> {
    const now = this.#now().toISOString();
    const body = receipt.body;
    return this.store.transaction(async (tx) => {
      const sent = (await tx.findRecords<{ digest: string }>('fed-ledger', { where: { envelope: entry.id, event: 'sent' }, limit: 1 }))[0]?.body;
      await this.ledger.append(tx, { event: 'receipt-received', at: now, envelope: receipt as Envelope });
      const settled = { id: receipt.id, status: body.status, receivedAt: body.receivedAt, ...(body.reason === undefined ? {} : { reason: body.reason }) };
      const attempts = entry.attempts + 1;
      if (body.status === 'rejected') {
        if (body.reason === 'clock-skew') {
          const at = new Date(this.#now().getTime() + backoffDelay(attempts, this.retry, this.#random)).toISOString();
          await this.#settle(entry, { status: 'pending', attempts, lastError: `${entry.to} refused it for clock skew; retrying`, nextAttemptAt: at, lastAttemptAt: now, receipt: settled }, tx);
          this.logger.warn({ id: entry.id, to: entry.to }, 'federation: peer refused for clock skew; retrying later');
          return 'pending';
        }
        await this.#settle(entry, { status: 'rejected', attempts, lastError: `${entry.to} refused it: ${body.reason ?? 'no reason'}`, lastAttemptAt: now, receipt: settled }, tx);
        this.logger.error({ id: entry.id, to: entry.to, type: entry.type, reason: body.reason }, 'federation: peer refused the envelope');
        return 'rejected';
      }
      if (sent && sent.digest !== body.digest) {
        await this.#settle(entry, { status: 'disputed', attempts, lastError: `${entry.to} signed a receipt for different content (digest ${body.digest.slice(0, 12)}…)`, lastAttemptAt: now, receipt: settled }, tx);
        this.logger.error({ id: entry.id, to: entry.to, theirs: body.digest, ours: sent.digest }, 'federation: receipt digest differs from what was sent');
        return 'disputed';
      }
      await this.#settle(entry, { status: 'delivered', attempts, deliveredAt: now, lastAttemptAt: now, receipt: settled }, tx);
      this.logger.info({ id: entry.id, to: entry.to, type: entry.type, receipt: body.status }, 'federation: delivered');
      return 'delivered';
    });
  }

  async #settle(entry: OutboxEntry, change: Partial<OutboxEntry>, tx: Store = this.store): Promise<void> {
    const next: OutboxEntry = { ...entry, ...change };
    await tx.putRecord(OUTBOX_COLLECTION, entry.id, next, { status: next.status, to: next.to });
  }

  /** Starts the background delivery loop (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        let waitMs = this.#pollMs;
        try {
          const pass = await this.deliverDue();
          if (pass.nextDueAt) waitMs = Math.min(waitMs, Math.max(0, pass.nextDueAt.getTime() - this.#now().getTime()));
        } catch (e) {
          this.logger.error({ err: e }, 'federation: delivery pass failed');
        }
        if (!this.#running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    })();
  }

  /** Stops the delivery loop after the pass under way. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
    this.#loop = undefined;
  }

  #wakeUp(): void {
    this.#wake?.();
  }
}

async function loadGuard(store: Store): Promise<ReplayGuard> {
  const raw = await store.getMeta(GUARD_KEY);
  return raw ? ReplayGuard.fromJSON(JSON.parse(raw)) : new ReplayGuard();
}

function sha256(raw: string | Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** The declared type of a refused envelope (for its ledger entry), if it has a readable one. */
function typeOf(raw: string | Uint8Array): string {
  try {
    const v = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8')) as { type?: unknown };
    return typeof v.type === 'string' ? v.type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads a response body up to `max` bytes; a longer answer is an error (a peer flooding us). */
async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error(`answer larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
