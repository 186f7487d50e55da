import { openEnvelope, type Envelope, type OpenContext } from './envelope.js';
import type { MessageBodyInput, RejectionReason } from './messages.js';
import type { ReplayGuard } from './replay.js';

/**
 * Refusals decided after the signature verified: only these have an authenticated sender to answer.
 * (Size and recipient are checked before the signature, so `oversized` and `wrong-recipient` are not.)
 */
const AUTHENTICATED_REJECTIONS: ReadonlySet<RejectionReason> = new Set<RejectionReason>(['invalid-body', 'clock-skew', 'expired', 'replayed', 'reordered']);

/** What a receiving node does with one delivery. */
export type ReceiveResult =
  | { status: 'accepted'; envelope: Envelope; digest: string; gapBefore: number }
  | { status: 'duplicate'; envelope: Envelope; digest: string }
  | { status: 'rejected'; reason: RejectionReason; detail: string; id?: string; from?: string };

/**
 * Opens an envelope (signature, schema, limits, clock) and classifies it against the replay guard.
 * Nothing is recorded: the caller applies an `accepted` envelope, then calls `guard.commit`, and
 * answers a `duplicate` with the same receipt again without applying it.
 */
export function receiveEnvelope(input: string | Uint8Array | Record<string, unknown>, ctx: OpenContext, guard: ReplayGuard): ReceiveResult {
  const opened = openEnvelope(input, ctx);
  if (!opened.ok) return { status: 'rejected', reason: opened.reason, detail: opened.detail, ...(opened.id === undefined ? {} : { id: opened.id }), ...(opened.from === undefined ? {} : { from: opened.from }) };
  const verdict = guard.check(opened.envelope);
  if (verdict.status === 'rejected') return { status: 'rejected', reason: verdict.reason, detail: verdict.detail, id: opened.envelope.id, from: opened.envelope.from };
  if (verdict.status === 'duplicate') return { status: 'duplicate', envelope: opened.envelope, digest: opened.digest };
  return { status: 'accepted', envelope: opened.envelope, digest: opened.digest, gapBefore: verdict.gapBefore };
}

/**
 * The receipt body acknowledging a delivery, or undefined when there is nobody to answer (a
 * rejection whose sender is not authenticated: answering unauthenticated garbage would make the
 * node an oracle or an amplifier). `digestOfRaw` is the SHA-256 of the bytes as received.
 */
export function receiptBodyFor(result: ReceiveResult, digestOfRaw: string, now: Date = new Date()): MessageBodyInput<'receipt'> | undefined {
  if (result.status === 'rejected') {
    if (result.id === undefined || result.from === undefined) return undefined;
    if (!AUTHENTICATED_REJECTIONS.has(result.reason)) return undefined;
    return { of: result.id, digest: digestOfRaw, status: 'rejected', reason: result.reason, receivedAt: now.toISOString() };
  }
  return { of: result.envelope.id, digest: result.digest, status: result.status, receivedAt: now.toISOString() };
}
