import type { MessageBodyInput, MessageType } from '../messages.js';
import type { FederationPort, InboundHandler, SendOptions } from '../port.js';

/**
 * A port whose node is opened asynchronously (e.g. `FederationNode.open` on the store) while the
 * service using it must exist at once (an API plug-in's routes are built synchronously): sends wait
 * for the node, handlers are registered on it as soon as it is open. A node that fails to open
 * fails every send with its error.
 */
export function deferredPort(self: string, peers: readonly string[], open: () => Promise<FederationPort>): FederationPort {
  let opened: Promise<FederationPort> | undefined;
  const node = (): Promise<FederationPort> => (opened ??= open());
  return {
    self,
    peers: () => peers,
    async send<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options?: SendOptions): Promise<string> {
      return (await node()).send(to, type, body, options);
    },
    on<T extends MessageType>(type: T, handler: InboundHandler<T>): void {
      void node().then(
        (n) => n.on(type, handler),
        () => undefined, // the error surfaces on the next send
      );
    },
  };
}
