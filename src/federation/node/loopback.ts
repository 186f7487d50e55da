import { TesseraError } from '../../model/index.js';
import { sealEnvelope, serialiseEnvelope, type Envelope } from '../envelope.js';
import { receiveEnvelope, type ReceiveResult } from '../gate.js';
import { generateNodeIdentity, PeerDirectory, peerEntryFor, type NodeIdentity } from '../identity.js';
import type { MessageBodyInput, MessageType } from '../messages.js';
import type { FederationPort, InboundHandler, InboundMessage, SendOptions } from '../port.js';
import { ReplayGuard } from '../replay.js';
import { HandlerRegistry } from './dispatch.js';

/**
 * An in-memory federation for unit tests of the flows: every node of the network is a
 * `FederationPort` whose messages are really sealed (Ed25519), serialised to canonical JSON, and
 * opened and replay-checked by the receiver (gate.ts), exactly as between real nodes — only the
 * HTTP transport, the durable outbox and the ledger are left out.
 *
 * Delivery is asynchronous, as over the network: `send` resolves once the message is queued.
 * `settle()` delivers until nothing is left (including what handlers send meanwhile) and throws if a
 * delivery failed for good. With `autoDeliver: false`, nothing moves until `settle()` or
 * `deliverNext()`, so a test can look at the queue between steps.
 */
export interface LoopbackOptions {
  /** Deliver in the background after each send (default true). */
  readonly autoDeliver?: boolean;
  /** The clock used to seal and to check envelopes (default: the real clock). */
  readonly now?: () => Date;
  /** Attempts for a delivery whose handler throws before `settle()` reports it (default 3). */
  readonly maxAttempts?: number;
}

/** One envelope on the loopback wire and what became of it. */
export interface LoopbackDelivery {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly type: MessageType;
  /** The canonical JSON that travelled (tests check that no clear names leave a node). */
  readonly wire: string;
  status: 'queued' | 'accepted' | 'duplicate' | 'rejected' | 'failed';
  attempts: number;
  reason?: string;
  error?: unknown;
}

export class LoopbackNetwork {
  readonly #nodes = new Map<string, LoopbackNode>();
  readonly #queue: LoopbackDelivery[] = [];
  readonly #down = new Set<string>();
  readonly #failures: LoopbackDelivery[] = [];
  readonly #autoDeliver: boolean;
  readonly #maxAttempts: number;
  readonly now: () => Date;
  /** Every envelope sent on this network, in sending order. */
  readonly log: LoopbackDelivery[] = [];
  #pump: Promise<void> | undefined;

  constructor(options: LoopbackOptions = {}) {
    this.#autoDeliver = options.autoDeliver ?? true;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.now = options.now ?? (() => new Date());
  }

  /** Adds a node for an agency (or returns the existing one); all nodes of the network are each other's peers. */
  node(agency: string): LoopbackNode {
    const existing = this.#nodes.get(agency);
    if (existing) return existing;
    const node = new LoopbackNode(this, generateNodeIdentity(agency));
    for (const other of this.#nodes.values()) {
      other.directory.add(peerEntryFor(node.identity));
      node.directory.add(peerEntryFor(other.identity));
    }
    this.#nodes.set(agency, node);
    return node;
  }

  /** Takes a node off the network: messages to it wait in the queue until `restore`. */
  takeDown(agency: string): void {
    this.#down.add(agency);
  }

  restore(agency: string): void {
    this.#down.delete(agency);
    if (this.#autoDeliver) this.#schedule();
  }

  /** Envelopes waiting to be delivered. */
  pending(): readonly LoopbackDelivery[] {
    return [...this.#queue];
  }

  /** Delivers every queued message, and what handlers send meanwhile, until none is deliverable. */
  async settle(): Promise<void> {
    for (;;) {
      if (!this.#pump && this.#deliverable() >= 0) this.#pump = this.#run();
      if (!this.#pump) break;
      await this.#pump;
    }
    if (this.#failures.length > 0) {
      const failed = this.#failures.splice(0);
      const first = failed[0]!;
      throw new TesseraError('INTERNAL', `${failed.length} loopback deliver${failed.length === 1 ? 'y' : 'ies'} failed; first: ${first.type} ${first.id} ${first.from}→${first.to}: ${String(first.error instanceof Error ? first.error.message : first.error)}`, {
        cause: first.error,
        context: { failed: failed.map((f) => ({ id: f.id, type: f.type, from: f.from, to: f.to })) },
      });
    }
  }

  /** Delivers the first deliverable queued message; false if there was none. */
  async deliverNext(): Promise<boolean> {
    const i = this.#deliverable();
    if (i < 0) return false;
    const [item] = this.#queue.splice(i, 1);
    await this.#deliver(item!);
    return true;
  }

  /** Delivers an already delivered envelope once more (a network retry): it must come back a duplicate. */
  async redeliver(id: string): Promise<ReceiveResult> {
    const item = this.log.find((d) => d.id === id);
    if (!item) throw new TesseraError('NOT_FOUND', `no envelope ${id} was sent on this network`, { record: id });
    return this.#node(item.to).receive(item.wire);
  }

  /** @internal queues an envelope sealed by a node. */
  enqueue(envelope: Envelope): void {
    const item: LoopbackDelivery = { id: envelope.id, from: envelope.from, to: envelope.to, type: envelope.type, wire: serialiseEnvelope(envelope), status: 'queued', attempts: 0 };
    this.log.push(item);
    this.#queue.push(item);
    if (this.#autoDeliver) this.#schedule();
  }

  #node(agency: string): LoopbackNode {
    const node = this.#nodes.get(agency);
    if (!node) throw new TesseraError('NOT_FOUND', `no loopback node for ${agency}`, { record: agency });
    return node;
  }

  #deliverable(): number {
    return this.#queue.findIndex((d) => !this.#down.has(d.to));
  }

  #schedule(): void {
    if (this.#pump) return;
    this.#pump = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run());
  }

  async #run(): Promise<void> {
    try {
      while (await this.deliverNext());
    } finally {
      this.#pump = undefined;
    }
  }

  async #deliver(item: LoopbackDelivery): Promise<void> {
    item.attempts++;
    try {
      const r = await this.#node(item.to).receive(item.wire);
      item.status = r.status;
      if (r.status === 'rejected') item.reason = r.reason;
    } catch (e) {
      item.error = e;
      if (item.attempts < this.#maxAttempts) this.#queue.push(item);
      else {
        item.status = 'failed';
        this.#failures.push(item);
      }
    }
  }
}

/** One agency's node on a `LoopbackNetwork`. */
export class LoopbackNode implements FederationPort {
  readonly directory = new PeerDirectory();
  readonly guard = new ReplayGuard();
  /** Accepted envelopes in order, with the local subjects their handlers noted. */
  readonly received: (InboundMessage & { subjects: readonly string[] })[] = [];
  /** Sent envelopes in order, with the subjects given to `send`. */
  readonly sent: { envelope: Envelope; subjects: readonly string[] }[] = [];
  readonly #handlers = new HandlerRegistry();
  readonly #seq = new Map<string, number>();

  constructor(
    private readonly network: LoopbackNetwork,
    readonly identity: NodeIdentity,
  ) {}

  get self(): string {
    return this.identity.agency;
  }

  peers(): readonly string[] {
    return this.directory.list().map((p) => p.agency);
  }

  async send<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options: SendOptions = {}): Promise<string> {
    if (type === 'receipt') throw new TesseraError('VALIDATION', 'receipts are issued by the node itself, not sent by flows', { field: 'type' });
    if (!this.directory.has(to)) throw new TesseraError('VALIDATION', `${to} is not a peer of ${this.self}`, { field: 'to', record: to });
    const seq = (this.#seq.get(to) ?? 0) + 1;
    const envelope = sealEnvelope(this.identity, { to, type, body, seq, now: this.network.now(), ...(options.inReplyTo === undefined ? {} : { inReplyTo: options.inReplyTo }) }) as Envelope;
    this.#seq.set(to, seq);
    this.sent.push({ envelope, subjects: [...(options.subjects ?? [])] });
    this.network.enqueue(envelope);
    return envelope.id;
  }

  on<T extends MessageType>(type: T, handler: InboundHandler<T>): void {
    this.#handlers.on(type, handler);
  }

  /** @internal opens, checks and applies one delivery; a handler error propagates (the sender retries). */
  async receive(wire: string): Promise<ReceiveResult> {
    const r = receiveEnvelope(wire, { self: this.self, peers: this.directory, now: this.network.now() }, this.guard);
    if (r.status !== 'accepted') return r;
    const receivedAt = this.network.now().toISOString();
    const subjects = await this.#handlers.dispatch(r.envelope, receivedAt);
    this.guard.commit(r.envelope);
    this.received.push({ envelope: r.envelope, receivedAt, subjects });
    return r;
  }
}
