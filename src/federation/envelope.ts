import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulidx';
import { z } from 'zod';
import { AgencyId, TesseraError, invalid, type ErrorCode } from '../model/index.js';
import { canonicalJson } from './canonical.js';
import { signBytes, type NodeIdentity, type PeerDirectory } from './identity.js';
import { MESSAGE_SCHEMAS, MessageTypeSchema, Ulid, type MessageBody, type MessageBodyInput, type MessageType, type RejectionReason } from './messages.js';

/**
 * A signed envelope. The signature is Ed25519 over a domain-separation tag and the canonical JSON
 * (RFC 8785 style, canonical.ts) of every other field, so neither header nor body can be altered,
 * and a relay (the hub) may re-serialise the JSON without breaking it.
 */
export const ENVELOPE_VERSION = 1;
const SIGNING_TAG = 'tessera/federation/envelope/v1\n';

export const EnvelopeHeader = z
  .object({
    v: z.literal(ENVELOPE_VERSION),
    id: Ulid,
    type: MessageTypeSchema,
    from: AgencyId,
    to: AgencyId,
    keyId: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    /** Per (from, to) sequence number, from 1, assigned by the sender's outbox. */
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sentAt: z.iso.datetime({ offset: true }),
    inReplyTo: Ulid.optional(),
    sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'Ed25519 signature, base64url'),
  })
  .strict();
const RawEnvelope = EnvelopeHeader.extend({ body: z.unknown() }).strict();

type Header = z.infer<typeof EnvelopeHeader>;
/** A verified envelope whose body has been parsed by the schema of its type. */
export type Envelope<T extends MessageType = MessageType> = { [K in T]: Omit<Header, 'type'> & { type: K; body: MessageBody<K> } }[T];

/** Limits applied before and after parsing. */
export interface EnvelopeLimits {
  /** Largest serialised envelope accepted, bytes (default 1 MiB). */
  readonly maxBytes: number;
  /** Per-type overrides (pointer snapshots and PSI sets are large). */
  readonly maxBytesByType: Readonly<Partial<Record<MessageType, number>>>;
  /** How far in the future `sentAt` may be (clock skew), ms. */
  readonly maxFutureMs: number;
  /** How old an envelope may be; older ones are refused because the replay window has forgotten them, ms. */
  readonly maxAgeMs: number;
}

export const DEFAULT_LIMITS: EnvelopeLimits = Object.freeze({
  maxBytes: 1 << 20,
  maxBytesByType: Object.freeze({
    'pointer.publish': 48 << 20,
    'psi.offer': 48 << 20,
    'psi.reply': 96 << 20,
    'psi.final': 48 << 20,
    'followup.response': 32 << 20,
    rectification: 32 << 20,
  }),
  maxFutureMs: 5 * 60_000,
  maxAgeMs: 7 * 86400_000,
});

/** The byte limit for a type, or the largest limit of any type when the type is not yet known. */
function maxBytesFor(limits: EnvelopeLimits, type: MessageType | undefined): number {
  if (type !== undefined) return limits.maxBytesByType[type] ?? limits.maxBytes;
  return Math.max(limits.maxBytes, ...Object.values(limits.maxBytesByType).filter((n): n is number => n !== undefined));
}

const nextUlid = monotonicFactory();

/** What the sender supplies; the node fills id, seq, sentAt and signs. */
export interface SealOptions<T extends MessageType> {
  readonly to: AgencyId | string;
  readonly type: T;
  readonly body: MessageBodyInput<T>;
  readonly seq: number;
  readonly inReplyTo?: string;
  readonly now?: Date;
  readonly limits?: EnvelopeLimits;
}

function signingInput(unsigned: Record<string, unknown>): Buffer {
  return Buffer.from(SIGNING_TAG + canonicalJson(unsigned), 'utf8');
}

/**
 * Builds and signs an envelope. The body is validated against its type's schema first, so a node
 * never signs something its partners would refuse as invalid; oversized messages are refused too.
 */
export function sealEnvelope<T extends MessageType>(identity: NodeIdentity, opts: SealOptions<T>): Envelope<T> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const parsed = MESSAGE_SCHEMAS[opts.type].safeParse(opts.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${opts.type} body: ${issue?.message ?? 'invalid'}`, undefined, ['body', ...(issue?.path ?? []).map(String)].join('.'));
  }
  const to = AgencyId.safeParse(opts.to);
  if (!to.success) throw invalid(`recipient "${String(opts.to)}" is not an agency id`, undefined, 'to');
  const now = opts.now ?? new Date();
  const unsigned: Record<string, unknown> = {
    v: ENVELOPE_VERSION,
    id: nextUlid(now.getTime()),
    type: opts.type,
    from: identity.agency,
    to: to.data,
    keyId: identity.keyId,
    seq: opts.seq,
    sentAt: now.toISOString(),
    ...(opts.inReplyTo === undefined ? {} : { inReplyTo: opts.inReplyTo }),
    body: parsed.data,
  };
  const envelope = { ...unsigned, sig: signBytes(identity, signingInput(unsigned)) };
  const header = EnvelopeHeader.safeParse(stripBody(envelope));
  if (!header.success) throw invalid(`envelope header: ${header.error.issues[0]?.message ?? 'invalid'}`, undefined, header.error.issues[0]?.path.map(String).join('.'));
  const size = Buffer.byteLength(canonicalJson(envelope));
  const max = maxBytesFor(limits, opts.type);
  if (size > max) throw new TesseraError('LIMIT', `${opts.type} envelope is ${size} bytes, above the ${max}-byte limit`, { field: 'body', context: { size, max } });
  return envelope as unknown as Envelope<T>;
}

function stripBody(env: Record<string, unknown>): Record<string, unknown> {
  const { body: _body, ...rest } = env;
  return rest;
}

/** SHA-256 (hex) of an envelope's canonical JSON, signature included: what receipts and the ledger cite. */
export function envelopeDigest<T extends MessageType>(envelope: Envelope<T> | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(envelope)).digest('hex');
}

/** Serialises an envelope for the wire (canonical JSON, so the digest is stable end to end). */
export function serialiseEnvelope<T extends MessageType>(envelope: Envelope<T>): string {
  return canonicalJson(envelope);
}

/** The outcome of opening an envelope: verified, or refused with a stable reason. */
export type OpenResult = { ok: true; envelope: Envelope; digest: string } | { ok: false; reason: RejectionReason; detail: string; id?: string; from?: string };

export interface OpenContext {
  /** The receiving node's agency. */
  readonly self: AgencyId | string;
  readonly peers: PeerDirectory;
  readonly now?: Date;
  readonly limits?: EnvelopeLimits;
  /** A hub relays envelopes addressed to others; ordinary nodes refuse them. */
  readonly acceptForOthers?: boolean;
}

/**
 * Verifies an envelope received from the wire, without side effects: size, JSON, header schema,
 * recipient, sender known, key id, signature, body schema, clock. Order matters: nothing about the
 * body is trusted before the signature checks out. Replay and ordering are checked statefully by
 * `ReplayGuard` (replay.ts) after this.
 */
export function openEnvelope(input: string | Uint8Array | Record<string, unknown>, ctx: OpenContext): OpenResult {
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  let raw: unknown;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    const hardMax = maxBytesFor(limits, undefined);
    if (size > hardMax) return { ok: false, reason: 'oversized', detail: `${size} bytes, above the ${hardMax}-byte limit for any message` };
    try {
      raw = JSON.parse(typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8'));
    } catch (e) {
      return { ok: false, reason: 'malformed', detail: `not JSON: ${(e as Error).message}` };
    }
  } else {
    raw = input;
  }
  const shape = RawEnvelope.safeParse(raw);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const rec = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    return {
      ok: false,
      reason: 'malformed',
      detail: `envelope ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      ...(typeof rec['id'] === 'string' ? { id: rec['id'] } : {}),
      ...(typeof rec['from'] === 'string' ? { from: rec['from'] } : {}),
    };
  }
  const env = shape.data;
  const who = { id: env.id, from: env.from };
  let canonical: string;
  try {
    canonical = canonicalJson(raw);
  } catch (e) {
    return { ok: false, reason: 'malformed', detail: (e as Error).message, ...who };
  }
  const size = Buffer.byteLength(canonical);
  const max = maxBytesFor(limits, env.type);
  if (size > max) return { ok: false, reason: 'oversized', detail: `${env.type} is ${size} bytes, above the ${max}-byte limit`, ...who };
  if (env.to !== ctx.self && !ctx.acceptForOthers) return { ok: false, reason: 'wrong-recipient', detail: `addressed to ${env.to}, this node is ${ctx.self}`, ...who };
  const { sig: _sig, ...unsigned } = raw as Record<string, unknown>;
  const check = ctx.peers.verify(env.from, env.keyId, signingInput(unsigned), env.sig);
  if (check === 'unknown-peer') return { ok: false, reason: 'unknown-peer', detail: `${env.from} is not a configured peer`, ...who };
  if (check === 'unknown-key') return { ok: false, reason: 'unknown-key', detail: `${env.from} signed with key ${env.keyId}, not its configured key`, ...who };
  if (check === 'bad-signature') return { ok: false, reason: 'bad-signature', detail: `signature does not verify for ${env.from}`, ...who };
  const body = MESSAGE_SCHEMAS[env.type].safeParse(env.body);
  if (!body.success) {
    const issue = body.error.issues[0];
    return { ok: false, reason: 'invalid-body', detail: `${env.type} body.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, ...who };
  }
  const now = (ctx.now ?? new Date()).getTime();
  const sentAt = Date.parse(env.sentAt);
  if (sentAt - now > limits.maxFutureMs) return { ok: false, reason: 'clock-skew', detail: `sent ${Math.round((sentAt - now) / 1000)} s in the future`, ...who };
  if (now - sentAt > limits.maxAgeMs) return { ok: false, reason: 'expired', detail: `sent ${Math.round((now - sentAt) / 3600_000)} h ago, beyond the replay window`, ...who };
  return { ok: true, envelope: { ...env, body: body.data } as Envelope, digest: createHash('sha256').update(canonical).digest('hex') };
}

const reasonCode: Record<RejectionReason, ErrorCode> = {
  malformed: 'VALIDATION',
  oversized: 'LIMIT',
  'unknown-peer': 'UNAUTHENTICATED',
  'unknown-key': 'UNAUTHENTICATED',
  'bad-signature': 'UNAUTHENTICATED',
  'wrong-recipient': 'FORBIDDEN',
  'clock-skew': 'VALIDATION',
  expired: 'VALIDATION',
  replayed: 'CONFLICT',
  reordered: 'CONFLICT',
  'invalid-body': 'VALIDATION',
};

/** The TesseraError for a refused envelope (for the API to map once). */
export function rejectionError(result: Extract<OpenResult, { ok: false }>): TesseraError {
  return new TesseraError(reasonCode[result.reason], `message refused (${result.reason}): ${result.detail}`, {
    ...(result.id === undefined ? {} : { record: result.id }),
    context: { reason: result.reason, ...(result.from === undefined ? {} : { from: result.from }) },
  });
}
