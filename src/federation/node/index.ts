/** The federation node layer: transport, durable outbox, inbox, ledger — and the in-memory loopback for tests. */
export { HandlerRegistry } from './dispatch.js';
export { LoopbackNetwork, LoopbackNode, type LoopbackDelivery, type LoopbackOptions } from './loopback.js';
