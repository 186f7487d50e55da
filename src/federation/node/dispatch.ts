import type { Envelope } from '../envelope.js';
import type { MessageType } from '../messages.js';
import type { InboundHandler, InboundMessage } from '../port.js';

/**
 * The handlers flows register with `FederationPort.on`, by message type. Several handlers may
 * listen to one type; each is called once per accepted envelope, in registration order, and the
 * first that throws fails the delivery (the node then answers with a rejection and the sender retries).
 */
export class HandlerRegistry {
  readonly #handlers = new Map<MessageType, InboundHandler<MessageType>[]>();

  on<T extends MessageType>(type: T, handler: InboundHandler<T>): void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as unknown as InboundHandler<MessageType>);
    this.#handlers.set(type, list);
  }

  /** Calls every handler of the envelope's type; returns the local subjects they noted. */
  async dispatch(envelope: Envelope, receivedAt: string): Promise<string[]> {
    const noted = new Set<string>();
    const message: InboundMessage = {
      envelope,
      receivedAt,
      concerns(subjects: readonly string[]) {
        for (const s of subjects) noted.add(s);
      },
    };
    for (const handler of this.#handlers.get(envelope.type) ?? []) await handler(message);
    return [...noted];
  }

  has(type: MessageType): boolean {
    return (this.#handlers.get(type)?.length ?? 0) > 0;
  }
}
