/**
 * federation: how agencies share — node identity and peers, signed message envelopes with replay
 * protection, the message schemas, hardened Bloom-filter encodings compared by Dice (WebAssembly
 * SIMD kernel), and private set intersection of exact selectors over ristretto255.
 */
export { canonicalJson } from './canonical.js';
export {
  PeerConfig,
  PeerDirectory,
  PublicKeyB64,
  exportNodeIdentity,
  generateNodeIdentity,
  keyIdOf,
  loadNodeIdentity,
  peerEntryFor,
  signBytes,
  type NodeIdentity,
} from './identity.js';
export * from './messages.js';
export {
  DEFAULT_LIMITS,
  ENVELOPE_VERSION,
  EnvelopeHeader,
  envelopeDigest,
  openEnvelope,
  rejectionError,
  sealEnvelope,
  serialiseEnvelope,
  type Envelope,
  type EnvelopeLimits,
  type OpenContext,
  type OpenResult,
  type SealOptions,
} from './envelope.js';
export { ReplayGuard, ReplayState, type ReplayVerdict } from './replay.js';
export { receiptBodyFor, receiveEnvelope, type ReceiveResult } from './gate.js';
export { birthDateParts, nameBigrams, normaliseName } from './normalise.js';
export { BloomEncoder, type BloomEncoderOptions, type LinkagePerson } from './bloom.js';
export {
  DICE_WASM_URL,
  FILTER_BITS,
  FILTER_BYTES,
  FilterSet,
  createDiceIndex,
  diceCoefficient,
  popcountFilter,
  wasmDiceAvailable,
  type DiceIndex,
  type DiceMatches,
} from './dice.js';
export { canonicalSelector } from './selectors.js';
export { PSI_DST, PsiEngine, PsiInitiator, PsiResponder, psiMessage, type PsiInitiatorState, type PsiOutcome } from './psi.js';
export type { FederationPort, InboundHandler, InboundMessage, SendOptions } from './port.js';
export * from './node/index.js';
export * from './flows/index.js';
