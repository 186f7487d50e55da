import { z } from 'zod';
import type { Envelope } from './envelope.js';
import type { RejectionReason } from './messages.js';

/**
 * Replay and reordering protection for verified envelopes, kept per receiving node.
 *
 * - Seen-ids window: every accepted envelope id is remembered until it is older than the window
 *   (envelope.ts refuses anything older than the window as `expired`, so a forgotten id can never
 *   come back). A re-delivered id is a `duplicate`: acknowledged again, applied never (idempotence).
 * - Per-peer sequence numbers: the sender's outbox numbers its envelopes 1, 2, 3… per recipient.
 *   A gap is allowed (the missing numbers are remembered, so a late arrival can fill them) but a
 *   number at or below the high-water mark that is neither missing nor seen is `reordered`: the
 *   same sequence number reused with a different id, i.e. a forged or replayed-and-altered stream.
 *
 * `check` has no side effects; `commit` records an envelope once the node has durably applied it,
 * so a crash between the two re-processes the message rather than losing it. The state is plain
 * JSON (`toJSON` / `fromJSON`) for the store to persist.
 */
export type ReplayVerdict = { status: 'new'; gapBefore: number } | { status: 'duplicate' } | { status: 'rejected'; reason: Extract<RejectionReason, 'reordered' | 'replayed'>; detail: string };

const PeerState = z.object({ high: z.number().int().min(0), missing: z.array(z.number().int().min(1)) });
export const ReplayState = z.object({
  windowMs: z.number().int().positive(),
  seen: z.array(z.tuple([z.string(), z.number(), z.string(), z.number()])),
  peers: z.record(z.string(), PeerState),
});
export type ReplayState = z.infer<typeof ReplayState>;

/** Most gaps remembered per peer; beyond that the oldest are forgotten (and late fills refused). */
const MAX_MISSING = 10_000;

export class ReplayGuard {
  readonly windowMs: number;
  /** id → [from, seq, sentAt ms] in insertion order (roughly by time, which lets pruning stop early). */
  readonly #seen = new Map<string, { from: string; seq: number; at: number }>();
  readonly #peers = new Map<string, { high: number; missing: Set<number> }>();

  constructor(windowMs: number = 7 * 86400_000) {
    this.windowMs = windowMs;
  }

  /** Classifies an envelope as new, a duplicate to re-acknowledge, or a rejected replay/reorder. */
  check(env: Pick<Envelope, 'id' | 'from' | 'seq' | 'sentAt'>): ReplayVerdict {
    const prior = this.#seen.get(env.id);
    if (prior) {
      if (prior.from === env.from && prior.seq === env.seq) return { status: 'duplicate' };
      return { status: 'rejected', reason: 'replayed', detail: `id ${env.id} was already used by ${prior.from} seq ${prior.seq}` };
    }
    const peer = this.#peers.get(env.from);
    const high = peer?.high ?? 0;
    if (env.seq > high) return { status: 'new', gapBefore: env.seq - high - 1 };
    if (peer?.missing.has(env.seq)) return { status: 'new', gapBefore: 0 };
    return { status: 'rejected', reason: 'reordered', detail: `${env.from} seq ${env.seq} is at or below ${high} and was not missing` };
  }

  /** Records an envelope as applied. Call only after `check` returned `new`. */
  commit(env: Pick<Envelope, 'id' | 'from' | 'seq' | 'sentAt'>): void {
    this.#seen.set(env.id, { from: env.from, seq: env.seq, at: Date.parse(env.sentAt) });
    let peer = this.#peers.get(env.from);
    if (!peer) {
      peer = { high: 0, missing: new Set() };
      this.#peers.set(env.from, peer);
    }
    if (env.seq > peer.high) {
      for (let s = peer.high + 1; s < env.seq; s++) peer.missing.add(s);
      peer.high = env.seq;
      if (peer.missing.size > MAX_MISSING) {
        const sorted = [...peer.missing].sort((a, b) => a - b);
        for (const s of sorted.slice(0, sorted.length - MAX_MISSING)) peer.missing.delete(s);
      }
    } else {
      peer.missing.delete(env.seq);
    }
  }

  /** Sequence numbers from `from` still missing (for catch-up requests and monitoring). */
  missingFrom(from: string): number[] {
    return [...(this.#peers.get(from)?.missing ?? [])].sort((a, b) => a - b);
  }

  /** The highest sequence number accepted from `from` (0 if none). */
  highFrom(from: string): number {
    return this.#peers.get(from)?.high ?? 0;
  }

  /** Forgets ids older than the window at `now`; returns how many were dropped. */
  prune(now: Date = new Date()): number {
    const cutoff = now.getTime() - this.windowMs;
    let dropped = 0;
    for (const [id, s] of this.#seen) {
      if (s.at < cutoff) {
        this.#seen.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#seen.size;
  }

  toJSON(): ReplayState {
    return {
      windowMs: this.windowMs,
      seen: [...this.#seen].map(([id, s]) => [id, s.at, s.from, s.seq] as [string, number, string, number]),
      peers: Object.fromEntries([...this.#peers].map(([a, p]) => [a, { high: p.high, missing: [...p.missing] }])),
    };
  }

  static fromJSON(state: unknown): ReplayGuard {
    const s = ReplayState.parse(state);
    const g = new ReplayGuard(s.windowMs);
    for (const [id, at, from, seq] of s.seen) g.#seen.set(id, { from, seq, at });
    for (const [a, p] of Object.entries(s.peers)) g.#peers.set(a, { high: p.high, missing: new Set(p.missing) });
    return g;
  }
}
