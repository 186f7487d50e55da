import { sealEnvelope, serialiseEnvelope, type Envelope } from '../envelope.js';
import { receiveEnvelope } from '../gate.js';
import { generateNodeIdentity, peerEntryFor, PeerDirectory, type NodeIdentity } from '../identity.js';
import type { MessageBodyInput, MessageType } from '../messages.js';
import type { FederationPort, InboundHandler, InboundMessage, SendOptions } from '../port.js';
import { ReplayGuard } from '../replay.js';

/**
 * A minimal in-memory FederationPort for the flows' unit tests, until the node layer's
 * LoopbackNetwork is exported: real signed envelopes (sealEnvelope / receiveEnvelope with a replay
 * guard), queued in memory and delivered by `settle()` in send order. A handler that throws leaves
 * the envelope uncommitted and is recorded in `failures` (the real node would retry it).
 */
export class MemoryNetwork {
  readonly #ports = new Map<string, MemoryPort>();
  readonly #queue: { to: string; wire: string }[] = [];
  /** Every envelope sent, in order (wire form: what would cross the network). */
  readonly sent: { from: string; to: string; type: MessageType; id: string; wire: string }[] = [];
  readonly failures: { id: string; type: MessageType; to: string; error: unknown }[] = [];

  /** Adds a node (every node is a peer of every other). */
  node(agency: string): MemoryPort {
    const port = new MemoryPort(this, generateNodeIdentity(agency));
    for (const other of this.#ports.values()) {
      other.directory.add(peerEntryFor(port.identity));
      port.directory.add(peerEntryFor(other.identity));
    }
    this.#ports.set(agency, port);
    return port;
  }

  agencies(): string[] {
    return [...this.#ports.keys()];
  }

  enqueue(from: string, to: string, type: MessageType, id: string, wire: string): void {
    this.sent.push({ from, to, type, id, wire });
    this.#queue.push({ to, wire });
  }

  /** Delivers queued envelopes (and those their handlers send) until none is left; returns how many. */
  async settle(maxDeliveries = 10_000): Promise<number> {
    let n = 0;
    while (this.#queue.length > 0) {
      if (++n > maxDeliveries) throw new Error(`network did not settle after ${maxDeliveries} deliveries`);
      const next = this.#queue.shift()!;
      const port = this.#ports.get(next.to);
      if (port) await port.deliver(next.wire);
    }
    return n;
  }

  /** Delivers a sent envelope again (an outbox retry); returns the receiver's verdict. */
  async redeliver(id: string): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const s = this.sent.find((x) => x.id === id);
    if (!s) throw new Error(`no envelope ${id}`);
    return this.#ports.get(s.to)!.deliver(s.wire);
  }

  /** Sent envelopes of a type, parsed. */
  messages<T extends MessageType>(type: T): Envelope<T>[] {
    return this.sent.filter((s) => s.type === type).map((s) => JSON.parse(s.wire) as Envelope<T>);
  }
}

export class MemoryPort implements FederationPort {
  readonly self: string;
  readonly directory = new PeerDirectory();
  readonly #guard = new ReplayGuard();
  readonly #handlers = new Map<MessageType, InboundHandler<MessageType>>();
  readonly #seq = new Map<string, number>();

  constructor(
    private readonly net: MemoryNetwork,
    readonly identity: NodeIdentity,
  ) {
    this.self = identity.agency;
  }

  peers(): readonly string[] {
    return this.net.agencies().filter((a) => a !== this.self);
  }

  async send<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options: SendOptions = {}): Promise<string> {
    const seq = (this.#seq.get(to) ?? 0) + 1;
    const env = sealEnvelope(this.identity, { to, type, body, seq, ...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}) });
    this.#seq.set(to, seq);
    this.net.enqueue(this.self, to, type, env.id, serialiseEnvelope(env));
    return env.id;
  }

  on<T extends MessageType>(type: T, handler: InboundHandler<T>): void {
    this.#handlers.set(type, handler as unknown as InboundHandler<MessageType>);
  }

  async deliver(wire: string): Promise<'accepted' | 'duplicate' | 'rejected'> {
    const r = receiveEnvelope(wire, { self: this.self, peers: this.directory }, this.#guard);
    if (r.status !== 'accepted') return r.status;
    const handler = this.#handlers.get(r.envelope.type);
    try {
      if (handler) await handler({ envelope: r.envelope, receivedAt: new Date().toISOString() } as InboundMessage<MessageType>);
      this.#guard.commit(r.envelope);
    } catch (error) {
      this.net.failures.push({ id: r.envelope.id, type: r.envelope.type, to: this.self, error });
    }
    return 'accepted';
  }
}
