/** The federation node layer: transport, durable outbox, inbox, ledger — and the in-memory loopback for tests. */
export { HandlerRegistry } from './dispatch.js';
export { LoopbackNetwork, LoopbackNode, type LoopbackDelivery, type LoopbackOptions } from './loopback.js';
export {
  DEFAULT_RETRY,
  FederationNode,
  OUTBOX_COLLECTION,
  OUTBOX_STATUSES,
  backoffDelay,
  type DeliveryPass,
  type FederationNodeOptions,
  type InboxAnswer,
  type OutboxEntry,
  type OutboxStatus,
  type RetryPolicy,
} from './node.js';
export { INBOX_PATH, createInboxApp, inboxBodyLimit, startInbox, type RunningInbox } from './http.js';
export {
  ENVELOPE_COLLECTION,
  LEDGER_COLLECTION,
  LEDGER_EVENTS,
  LEDGER_FORMAT,
  Ledger,
  LedgerEntry,
  LedgerExport,
  crossCheckLedgers,
  envelopeKey,
  exportSignatureValid,
  ledgerDataOf,
  verifyLedger,
  type LedgerData,
  type LedgerEvent,
  type LedgerProblem,
  type LedgerReport,
} from './ledger.js';
export { messageRefs } from './refs.js';
export { LinkageSecret, loadNodeSetup, writeNodeKey, type NodeSetup } from './setup.js';
export { describe as describeMessage, replayForUser, replayLedgers, type Holding, type LedgerReplay, type ReplayAgency, type ReplayEvent } from './timeline.js';
