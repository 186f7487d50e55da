import { z } from 'zod';
import { AgencyId, CaseId, Statement, StatementId } from '../model/index.js';

/**
 * The messages nodes exchange. Each is the `body` of a signed envelope (envelope.ts) whose `type`
 * names the schema below. Schemas are strict (unknown fields are refused) so that what is signed
 * is exactly what is applied, and bounded so a peer cannot exhaust the receiver.
 */

/** A ULID: 26 Crockford base-32 characters. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'ULID');
const isoDateTime = z.iso.datetime({ offset: true });
/** An opaque, holder-chosen reference to an entry in its pointer index; carries no content. */
export const PointerId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'opaque pointer id');
/** Standard base64 (with padding), as carried in JSON bodies. */
const b64 = (maxChars: number) => z.string().max(maxChars).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/** Exact-selector kinds matched by private set intersection. */
export const SELECTOR_KINDS = ['passport', 'idcard', 'phone', 'imei', 'email', 'plate'] as const;
export const SelectorKind = z.enum(SELECTOR_KINDS);
export type SelectorKind = z.infer<typeof SelectorKind>;

/** Filter bytes: 1024-bit Bloom filters, 128 bytes, 172 base64 characters. */
export const FILTER_B64_CHARS = 172;
export const MAX_POINTERS_PER_MESSAGE = 200_000;
export const MAX_PSI_ELEMENTS = 1_000_000;

/** The encoding a name index was built with; partners must agree on it (and on the secret keyId). */
export const BloomEncodingSpec = z
  .object({
    scheme: z.literal('clk-hmac-sha256-v1'),
    bits: z.literal(1024),
    /** Which shared secret keyed the HMAC; the secret itself never travels. */
    keyId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/),
    balanced: z.boolean(),
    salt: z.enum(['none', 'birth-year']),
    nameHashes: z.number().int().min(1).max(64),
    dobHashes: z.number().int().min(0).max(64),
  })
  .strict();
export type BloomEncodingSpec = z.infer<typeof BloomEncodingSpec>;

/** `pointer.publish`: a holder's name index as Bloom encodings under opaque pointer ids. */
export const PointerPublish = z
  .object({
    index: z.literal('names'),
    encoding: BloomEncodingSpec,
    /** `snapshot` replaces everything previously published by this sender; `delta` adds/withdraws. */
    mode: z.enum(['snapshot', 'delta']),
    pointers: z.array(z.object({ pointerId: PointerId, filter: b64(FILTER_B64_CHARS).length(FILTER_B64_CHARS) }).strict()).max(MAX_POINTERS_PER_MESSAGE),
    withdrawn: z.array(PointerId).max(MAX_POINTERS_PER_MESSAGE).default([]),
  })
  .strict();

/** Points on ristretto255, 32 bytes each, concatenated and base64-encoded. */
const pointList = b64(Math.ceil((MAX_PSI_ELEMENTS * 32) / 3) * 4);
const psiCommon = { sessionId: Ulid, selectorKind: SelectorKind };

/** `psi.offer`: the initiator's selectors, hashed to the group and blinded with its secret a. */
export const PsiOffer = z.object({ ...psiCommon, count: z.number().int().min(0).max(MAX_PSI_ELEMENTS), elements: pointList }).strict();
/** `psi.reply`: the offer re-blinded with the responder's b (same order), and the responder's own set blinded with b (shuffled). */
export const PsiReply = z
  .object({ ...psiCommon, doubled: pointList, doubledCount: z.number().int().min(0).max(MAX_PSI_ELEMENTS), own: pointList, ownCount: z.number().int().min(0).max(MAX_PSI_ELEMENTS) })
  .strict();
/** `psi.final`: the responder's set re-blinded with a (in the responder's order), so the responder learns its matches too. */
export const PsiFinal = z.object({ ...psiCommon, doubled: pointList, count: z.number().int().min(0).max(MAX_PSI_ELEMENTS) }).strict();

/** `hit.notice`: "agency X may hold something on this; ask" — a pointer, never content. */
export const HitNotice = z
  .object({
    hitId: Ulid,
    /** The holder's opaque pointer that matched (names) or the PSI session (selectors). */
    pointerId: PointerId.optional(),
    psiSessionId: Ulid.optional(),
    matchKind: z.enum(['name', 'selector']),
    selectorKind: SelectorKind.optional(),
    /** Dice score for name hits (what the asker saw); absent for exact selectors. */
    score: z.number().min(0).max(1).optional(),
    holder: AgencyId,
    purpose: z.string().min(3).max(500),
    caseId: CaseId,
  })
  .strict()
  .refine((h) => (h.matchKind === 'name' ? h.pointerId !== undefined : h.psiSessionId !== undefined), { message: 'name hits name a pointer, selector hits a PSI session', path: ['matchKind'] });

export const URGENCIES = ['urgent', 'normal', 'routine'] as const;
export const Urgency = z.enum(URGENCIES);
export type Urgency = z.infer<typeof Urgency>;

/** Answer deadlines by urgency (issue 8: 8 hours urgent, 3 days normal, 14 days otherwise). */
export const URGENCY_DEADLINE_MS: Readonly<Record<Urgency, number>> = Object.freeze({
  urgent: 8 * 3600_000,
  normal: 3 * 86400_000,
  routine: 14 * 86400_000,
});

/** `followup.request`: the asker asks the holder about a hit, under a purpose and a case. */
export const FollowUpRequest = z
  .object({
    requestId: Ulid,
    hitId: Ulid,
    purpose: z.string().min(3).max(500),
    caseId: CaseId,
    urgency: Urgency,
    requestedAt: isoDateTime,
    deadline: isoDateTime,
    question: z.string().min(1).max(4000),
  })
  .strict()
  .refine((r) => Date.parse(r.deadline) > Date.parse(r.requestedAt), { message: 'deadline must be after the request', path: ['deadline'] });

/** `followup.response`: the holder releases statements, refuses with a reason, or asks for more. */
export const FollowUpResponse = z
  .object({
    requestId: Ulid,
    outcome: z.enum(['released', 'refused', 'more-info-needed']),
    /** Released statements keep their handling codes; the receiver enforces them (H2, releasable-to). */
    statements: z.array(Statement).max(10_000).default([]),
    reason: z.string().min(1).max(2000).optional(),
    question: z.string().min(1).max(4000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.outcome === 'released' && r.statements.length === 0) ctx.addIssue({ code: 'custom', path: ['statements'], message: 'a release carries at least one statement' });
    if (r.outcome !== 'released' && r.statements.length > 0) ctx.addIssue({ code: 'custom', path: ['statements'], message: 'only a release carries statements' });
    if (r.outcome === 'refused' && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a refusal states its reason' });
    if (r.outcome === 'more-info-needed' && !r.question) ctx.addIssue({ code: 'custom', path: ['question'], message: 'asking for more states the question' });
  });

/** `followup.escalation`: a request passed its deadline unanswered. */
export const FollowUpEscalation = z.object({ requestId: Ulid, deadline: isoDateTime, overdueMs: z.number().int().min(0), level: z.number().int().min(1).max(5) }).strict();

/** Actions on encounter, separate from the threat assessment (DESIGN.md, Watchlist semantics). */
export const ENCOUNTER_ACTIONS = ['discreet-check', 'inquiry-check', 'specific-check', 'arrest'] as const;

/** `alert`: a partner is asked to act if it encounters a subject (pointer-only; details on request). */
export const Alert = z
  .object({
    alertId: Ulid,
    /** Bloom encodings / pointer ids describing the subject, never clear names. */
    subject: z.object({ filters: z.array(b64(FILTER_B64_CHARS).length(FILTER_B64_CHARS)).max(20).default([]), pointerIds: z.array(PointerId).max(20).default([]) }).strict(),
    threatLevel: z.enum(['low', 'medium', 'high', 'critical']),
    action: z.enum(ENCOUNTER_ACTIONS),
    caseId: CaseId,
    reviewBy: z.iso.date(),
    encoding: BloomEncodingSpec.optional(),
  })
  .strict()
  .refine((a) => a.subject.filters.length + a.subject.pointerIds.length > 0, { message: 'an alert names its subject', path: ['subject'] })
  .refine((a) => a.subject.filters.length === 0 || a.encoding !== undefined, { message: 'filters need their encoding spec', path: ['encoding'] });

/** Why a message was refused (also the `reason` of a rejected receipt). */
export const REJECTION_REASONS = [
  'malformed',
  'oversized',
  'unknown-peer',
  'unknown-key',
  'bad-signature',
  'wrong-recipient',
  'clock-skew',
  'expired',
  'replayed',
  'reordered',
  'invalid-body',
] as const;
export const RejectionReason = z.enum(REJECTION_REASONS);
export type RejectionReason = z.infer<typeof RejectionReason>;

/** `receipt`: signed acknowledgement of one envelope, by its id and digest (the ledger's cross-check). */
export const Receipt = z
  .object({
    of: Ulid,
    /** SHA-256 (hex) of the received envelope's canonical JSON, signature included. */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    reason: RejectionReason.optional(),
    receivedAt: isoDateTime,
  })
  .strict()
  .refine((r) => (r.status === 'rejected') === (r.reason !== undefined), { message: 'rejected receipts (and only they) give a reason', path: ['reason'] });

/** `deconfliction.notice`: two or more agencies work the same subject; each is told the other's contact. */
export const DeconflictionNotice = z
  .object({
    noticeId: Ulid,
    /** The hit that revealed the overlap. */
    hitId: Ulid,
    agencies: z.array(AgencyId).min(2).max(20),
    caseIds: z.array(CaseId).max(20).default([]),
    contact: z.object({ unit: z.string().min(1).max(200), channel: z.string().min(1).max(200) }).strict(),
    /** The holder's consent rule under which this notice was sent. */
    consent: z.enum(['holder-approved', 'standing-agreement']),
  })
  .strict();

/** `rectification`: statements shared earlier were corrected, erased or restricted (LED Art. 7(3), 16). */
export const Rectification = z
  .object({
    noticeId: Ulid,
    action: z.enum(['rectify', 'erase', 'restrict']),
    statementIds: z.array(StatementId).min(1).max(10_000),
    reason: z.string().min(1).max(2000),
    replacements: z.array(Statement).max(10_000).default([]),
  })
  .strict()
  .refine((r) => r.action === 'rectify' || r.replacements.length === 0, { message: 'only a rectification carries replacements', path: ['replacements'] });

/** Body schema for each message type. */
export const MESSAGE_SCHEMAS = {
  'pointer.publish': PointerPublish,
  'psi.offer': PsiOffer,
  'psi.reply': PsiReply,
  'psi.final': PsiFinal,
  'hit.notice': HitNotice,
  'followup.request': FollowUpRequest,
  'followup.response': FollowUpResponse,
  'followup.escalation': FollowUpEscalation,
  alert: Alert,
  receipt: Receipt,
  'deconfliction.notice': DeconflictionNotice,
  rectification: Rectification,
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as MessageType[];
export const MessageTypeSchema = z.enum(MESSAGE_TYPES as [MessageType, ...MessageType[]]);
/** The parsed body of a message of type T. */
export type MessageBody<T extends MessageType> = z.infer<(typeof MESSAGE_SCHEMAS)[T]>;
/** The body a sender supplies (defaults may be omitted). */
export type MessageBodyInput<T extends MessageType> = z.input<(typeof MESSAGE_SCHEMAS)[T]>;

/** The deadline of a follow-up request made at `requestedAt` with the given urgency. */
export function followUpDeadline(urgency: Urgency, requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + URGENCY_DEADLINE_MS[urgency]);
}

/**
 * Escalation level of an unanswered request at `now`: 0 before the deadline, then 1 at the
 * deadline and one more for each further deadline-length that passes (capped at 5).
 */
export function escalationLevel(request: { requestedAt: string; deadline: string }, now: Date): number {
  const deadline = Date.parse(request.deadline);
  const span = Math.max(1, deadline - Date.parse(request.requestedAt));
  if (now.getTime() < deadline) return 0;
  return Math.min(5, 1 + Math.floor((now.getTime() - deadline) / span));
}
