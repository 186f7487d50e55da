import { z } from 'zod';
import { AUDIT_OUTCOMES, TesseraError, type AuditEntry } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { QueryContext } from './context.js';
import { authoriseOversight } from './oversight.js';
import type { Governance } from './service.js';

/**
 * What a DPO can ask of the audit log (LED 2016/680 Art. 25: logs of consultation and disclosure
 * with justification, date, time, who and recipients, usable for verifying lawfulness). Every field
 * narrows the result; text fields match case-insensitively.
 */
export const AuditQuery = z.object({
  userId: z.string().optional(),
  agency: z.string().optional(),
  /** Substring of the stated purpose. */
  purpose: z.string().optional(),
  caseId: z.string().optional(),
  /** Exact action, or a prefix ending in `*` (e.g. `refused.*`, `entity.*`). */
  action: z.string().optional(),
  /** Entries naming this entity. */
  entityId: z.string().optional(),
  /** Disclosures to this recipient (agency or country in `details.recipients`). */
  recipient: z.string().optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  /** ISO date or date-time, inclusive. */
  from: z.string().optional(),
  /** ISO date or date-time, exclusive when a date-time, inclusive of the whole day when a date. */
  to: z.string().optional(),
  limit: z.number().int().min(1).max(1_000_000).default(1_000),
});
export type AuditQuery = z.input<typeof AuditQuery>;

function bound(value: string | undefined, field: 'from' | 'to'): number | undefined {
  if (value === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new TesseraError('VALIDATION', `${field}: "${value}" is not an ISO date or date-time`, { field });
  return dateOnly && field === 'to' ? t + 86_400_000 : t;
}

/** Recipients of a disclosure recorded in an entry (agencies or countries), if any. */
export function recipientsOf(e: AuditEntry): string[] {
  const r = e.details.recipients;
  if (Array.isArray(r)) return r.filter((x): x is string => typeof x === 'string');
  if (typeof r === 'string') return [r];
  return [];
}

/** A predicate for one query (validated). */
export function auditMatcher(input: AuditQuery): (e: AuditEntry) => boolean {
  const q = AuditQuery.parse(input);
  const from = bound(q.from, 'from');
  const to = bound(q.to, 'to');
  const purpose = q.purpose?.toLowerCase();
  const action = q.action;
  const prefix = action?.endsWith('*') ? action.slice(0, -1) : undefined;
  const lc = (s: string | undefined) => s?.toLowerCase();
  const user = lc(q.userId);
  const agency = lc(q.agency);
  const recipient = lc(q.recipient);
  return (e) => {
    if (user !== undefined && e.userId.toLowerCase() !== user) return false;
    if (agency !== undefined && e.agency.toLowerCase() !== agency) return false;
    if (q.caseId !== undefined && e.caseId !== q.caseId) return false;
    if (q.outcome !== undefined && e.outcome !== q.outcome) return false;
    if (action !== undefined && (prefix !== undefined ? !e.action.startsWith(prefix) : e.action !== action)) return false;
    if (purpose !== undefined && !e.purpose.toLowerCase().includes(purpose)) return false;
    if (q.entityId !== undefined && !e.entityIds.includes(q.entityId)) return false;
    if (recipient !== undefined && !recipientsOf(e).some((r) => r.toLowerCase() === recipient)) return false;
    if (from !== undefined || to !== undefined) {
      const t = Date.parse(e.at);
      if (from !== undefined && t < from) return false;
      if (to !== undefined && t >= to) return false;
    }
    return true;
  };
}

/** Streams every audit entry page by page (seq order), without checks: search, report and export read this. */
export async function* auditEntries(store: Store, fromSeq = 1, pageSize = 5_000): AsyncIterable<AuditEntry[]> {
  let next = fromSeq;
  for (;;) {
    const page = await store.readAudit(next, pageSize);
    if (page.length === 0) return;
    yield page;
    next = page[page.length - 1]!.seq + 1;
  }
}

/** Entries matching a query, oldest first, at most `limit`, with the total number of matches. */
export async function findAuditEntries(store: Store, query: AuditQuery): Promise<{ entries: AuditEntry[]; matched: number }> {
  const q = AuditQuery.parse(query);
  const match = auditMatcher(q);
  const entries: AuditEntry[] = [];
  let matched = 0;
  for await (const page of auditEntries(store)) {
    for (const e of page) {
      if (!match(e)) continue;
      matched++;
      if (entries.length < q.limit) entries.push(e);
    }
  }
  return { entries, matched };
}

export type AuditExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = ['seq', 'at', 'userId', 'agency', 'purpose', 'caseId', 'action', 'outcome', 'entityIds', 'recipients', 'details', 'prevHash', 'hash'] as const;

/** RFC 4180 field quoting; cells starting with = + - @ are prefixed with ' so spreadsheets do not run them (CSV injection). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Formats entries for export: JSON Lines keep every field (hashes included, so the export can be re-verified); CSV flattens for spreadsheets. */
export function formatAuditEntries(entries: readonly AuditEntry[], format: AuditExportFormat, header = true): string {
  if (format === 'jsonl') return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
  const rows = entries.map((e) =>
    [String(e.seq), e.at, e.userId, e.agency, e.purpose, e.caseId ?? '', e.action, e.outcome, e.entityIds.join(' '), recipientsOf(e).join(' '), JSON.stringify(e.details), e.prevHash, e.hash]
      .map(csvCell)
      .join(','),
  );
  return `${header ? `${CSV_COLUMNS.join(',')}\r\n` : ''}${rows.map((r) => `${r}\r\n`).join('')}`;
}

/** Searches the audit log as a DPO (or supervisor); the search itself is logged. */
export async function searchAudit(gov: Governance, ctx: QueryContext, query: AuditQuery): Promise<{ entries: AuditEntry[]; matched: number }> {
  const principal = await authoriseOversight(gov, ctx, 'audit.search', ['dpo', 'supervisor', 'admin']);
  const result = await findAuditEntries(gov.store, query);
  await gov.audit(ctx, principal, 'audit.search', 'allowed', [], { query: AuditQuery.parse(query), matched: result.matched, returned: result.entries.length });
  return result;
}

/** Exports matching entries (DPO only) as JSON Lines or CSV; the export and its size are logged. */
export async function exportAudit(gov: Governance, ctx: QueryContext, query: AuditQuery, format: AuditExportFormat): Promise<{ text: string; entries: number }> {
  const principal = await authoriseOversight(gov, ctx, 'audit.export', ['dpo']);
  const { entries } = await findAuditEntries(gov.store, { limit: 1_000_000, ...query });
  await gov.audit(ctx, principal, 'audit.export', 'allowed', [], { query: { ...query }, format, entries: entries.length });
  return { text: formatAuditEntries(entries, format), entries: entries.length };
}
