import type { Store } from '../store/index.js';
import type { Envelope } from './envelope.js';
import type { MessageBodyInput, MessageType } from './messages.js';

/**
 * The seam between the node layer (transport, persistent outbox, inbox, ledger — `node/`) and
 * the federation flows built on it (pointers, PSI, hits, follow-up requests, deconfliction —
 * `flows/`). Flows only ever see this interface, so they run unchanged over HTTP between real
 * nodes and over the in-memory loopback used by unit tests.
 *
 * Contract:
 * - `send` seals the message (signature, sequence number, id) and appends it to the durable outbox
 *   and to the ledger *before* it resolves; delivery happens later, with retries, until the peer
 *   acknowledges it with a receipt. It resolves to the envelope id.
 * - A handler registered with `on` is called exactly once per accepted envelope (duplicates and
 *   rejected envelopes never reach it). The node commits the envelope as seen and records it in
 *   the ledger only after the handler resolved; a handler that throws makes the node answer with a
 *   rejection the sender will retry, so handlers must be idempotent per envelope id or
 *   transactional.
 * - `self` is this node's agency id; `peers()` lists the agencies this node may talk to.
 */
export interface FederationPort {
  readonly self: string;
  peers(): readonly string[];
  send<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options?: SendOptions): Promise<string>;
  on<T extends MessageType>(type: T, handler: InboundHandler<T>): void;
}

export interface SendOptions {
  /** Id of the envelope this one answers (a response to a request, a reply to an offer). */
  readonly inReplyTo?: string;
  /**
   * Local entity ids (or hit/alert/case ids) this message concerns. Kept in this node's ledger only,
   * never sent, so `ledger replay --subject` can find the message from the subject.
   */
  readonly subjects?: readonly string[];
  /**
   * Queue the message as part of this store transaction, so the flow's own records and the outbox
   * entry commit together (the loopback ignores it).
   */
  readonly tx?: Store;
}

/** An accepted, verified envelope as a flow sees it. */
export interface InboundMessage<T extends MessageType = MessageType> {
  readonly envelope: Envelope<T>;
  /** When this node accepted it (ISO date-time). */
  readonly receivedAt: string;
  /**
   * Notes which local entity ids (or hit/alert/case ids) the message concerns, for the ledger's
   * replay (e.g. the entity behind a matched pointer). Call it before the handler resolves.
   */
  readonly concerns?: (subjects: readonly string[]) => void;
}

export type InboundHandler<T extends MessageType> = (message: InboundMessage<T>) => Promise<void>;
