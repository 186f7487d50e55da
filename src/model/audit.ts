import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * One entry of the append-only audit log (LED 2016/680 Art. 25: consultation and disclosure logs with
 * justification, date, time, who and recipients). Entries form a hash chain: each `hash` covers the
 * previous entry's hash and this entry's canonical content, so an edit, deletion or reordering breaks
 * the chain at a place `verifyAuditChain` can name.
 */
export const AUDIT_OUTCOMES = ['allowed', 'refused', 'error'] as const;

export const AuditEntryInput = z.object({
  at: z.iso.datetime(),
  userId: z.string().min(1),
  agency: z.string().min(1),
  purpose: z.string(),
  caseId: z.string().nullable(),
  action: z.string().min(1).max(100),
  outcome: z.enum(AUDIT_OUTCOMES),
  entityIds: z.array(z.string()).max(100_000),
  /** Counts, query text, recipients of a disclosure, reasons of a refusal. */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntryInput = z.input<typeof AuditEntryInput>;

export interface AuditEntry extends Omit<z.infer<typeof AuditEntryInput>, 'details'> {
  readonly seq: number;
  readonly details: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

/** The hash of the empty chain's predecessor. */
export const AUDIT_GENESIS = '0'.repeat(64);

/** JSON with object keys sorted, so the same content always hashes the same (RFC 8785 in spirit). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 over the previous hash and the entry's canonical content (seq included, so reordering shows). */
export function auditEntryHash(prevHash: string, entry: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const content = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    userId: entry.userId,
    agency: entry.agency,
    purpose: entry.purpose,
    caseId: entry.caseId,
    action: entry.action,
    outcome: entry.outcome,
    entityIds: entry.entityIds,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/** A break in the audit chain, with the sequence number where it shows. */
export interface AuditChainProblem {
  readonly seq: number;
  readonly kind: 'edited' | 'missing' | 'reordered' | 'link-broken';
  readonly message: string;
}

/**
 * Checks a run of entries in seq order. `expectedPrev` is the hash the first entry must link to
 * (genesis for a full check). Distinguishes an edited entry (its own hash no longer matches its
 * content), a deleted one (a gap in seq) and a reordering (seq going backwards).
 */
export function verifyAuditEntries(entries: readonly AuditEntry[], expectedPrev = AUDIT_GENESIS, expectedFirstSeq = 1): AuditChainProblem[] {
  const problems: AuditChainProblem[] = [];
  let prev = expectedPrev;
  let nextSeq = expectedFirstSeq;
  for (const e of entries) {
    if (e.seq < nextSeq) {
      problems.push({ seq: e.seq, kind: 'reordered', message: `entry ${e.seq} appears after entry ${nextSeq - 1}` });
    } else if (e.seq > nextSeq) {
      problems.push({ seq: nextSeq, kind: 'missing', message: `entries ${nextSeq}–${e.seq - 1} are missing (deleted)` });
    }
    const recomputed = auditEntryHash(e.prevHash, e);
    if (recomputed !== e.hash) {
      problems.push({ seq: e.seq, kind: 'edited', message: `entry ${e.seq} was edited: its content no longer matches its hash` });
    } else if (e.prevHash !== prev) {
      problems.push({ seq: e.seq, kind: 'link-broken', message: `entry ${e.seq} does not link to the entry before it` });
    }
    prev = e.hash;
    nextSeq = Math.max(nextSeq, e.seq + 1);
  }
  return problems;
}
