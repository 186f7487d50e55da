import type { AuditEntry } from '../model/index.js';
import { auditEntries, auditMatcher, AuditQuery } from './audit-search.js';
import { verifyAnchoredAudit } from './checkpoint.js';
import type { QueryContext } from './context.js';
import { authoriseOversight } from './oversight.js';
import type { Role } from './principals.js';
import type { Governance } from './service.js';

/** Who may open the audit viewer: the DPO and internal auditors (LED Art. 25(2): logs serve verifying lawfulness). */
export const AUDIT_VIEWER_ROLES: readonly Role[] = ['dpo', 'auditor'];

/** Distinct values offered as filters, each capped at this many. */
const FACET_CAP = 200;

/** One page of the audit log, newest first, with the total number of matches and the filter vocabulary. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly matched: number;
  /** Pass as `beforeSeq` for the next (older) page; undefined on the last page. */
  readonly nextBeforeSeq: number | undefined;
  /** Actions, users and cases present in the whole log (for the filter choosers). */
  readonly facets: { readonly actions: readonly string[]; readonly users: readonly string[]; readonly cases: readonly string[] };
}

function facet(set: Set<string>, value: string | null): void {
  if (value !== null && set.size < FACET_CAP) set.add(value);
}

/**
 * Browses the audit log as the DPO or an auditor: filters of `AuditQuery` (user, agency, purpose,
 * case, action or action prefix, entity, recipient, outcome, time), newest first, `limit` per page,
 * older pages with `beforeSeq`. The search itself is logged like every consultation.
 */
export async function browseAudit(gov: Governance, ctx: QueryContext, query: AuditQuery, page: { beforeSeq?: number } = {}): Promise<AuditPage> {
  const principal = await authoriseOversight(gov, ctx, 'audit.search', AUDIT_VIEWER_ROLES);
  const q = AuditQuery.parse(query);
  const match = auditMatcher(q);
  const before = page.beforeSeq ?? Number.POSITIVE_INFINITY;
  // A ring of the newest `limit + 1` matches below `before` (one extra tells whether an older page exists).
  const window: AuditEntry[] = [];
  let matched = 0;
  const actions = new Set<string>();
  const users = new Set<string>();
  const cases = new Set<string>();
  for await (const entries of auditEntries(gov.store)) {
    for (const e of entries) {
      facet(actions, e.action);
      facet(users, e.userId);
      facet(cases, e.caseId);
      if (!match(e)) continue;
      matched++;
      if (e.seq >= before) continue;
      window.push(e);
      if (window.length > q.limit + 1) window.shift();
    }
  }
  const more = window.length > q.limit;
  const shown = (more ? window.slice(1) : window).reverse();
  await gov.audit(ctx, principal, 'audit.search', 'allowed', [], { query: q, ...(page.beforeSeq !== undefined ? { beforeSeq: page.beforeSeq } : {}), matched, returned: shown.length });
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { entries: shown, matched, nextBeforeSeq: more ? shown[shown.length - 1]?.seq : undefined, facets: { actions: sorted(actions), users: sorted(users), cases: sorted(cases) } };
}

/** The state of the audit chain as the viewer shows it. */
export interface AuditChainStatus {
  readonly intact: boolean;
  readonly entries: number;
  readonly checkpoints: number;
  readonly latestCheckpoint: { readonly seq: number; readonly at: string; readonly keyId: string } | undefined;
  readonly problems: readonly { readonly seq: number; readonly kind: string; readonly message: string }[];
}

/**
 * Verifies the hash chain and its signed checkpoints (a cut tail shows as missing entries) for the
 * DPO or an auditor; the verification is itself logged.
 */
export async function auditChainStatus(gov: Governance, ctx: QueryContext): Promise<AuditChainStatus> {
  const principal = await authoriseOversight(gov, ctx, 'audit.verify', AUDIT_VIEWER_ROLES);
  const v = await verifyAnchoredAudit(gov);
  await gov.audit(ctx, principal, 'audit.verify', 'allowed', [], { entries: v.entries, checkpoints: v.checkpoints, problems: v.problems.length });
  return {
    intact: v.problems.length === 0,
    entries: v.entries,
    checkpoints: v.checkpoints,
    latestCheckpoint: v.latest ? { seq: v.latest.seq, at: v.latest.at, keyId: v.latest.keyId } : undefined,
    problems: v.problems.map((p) => ({ seq: p.seq, kind: p.kind, message: p.message })),
  };
}
