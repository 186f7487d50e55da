import type { AuditEntry } from '../model/index.js';
import { auditEntries, recipientsOf } from './audit-search.js';
import { verifyAnchoredAudit, type AuditCheckpoint } from './checkpoint.js';
import type { QueryContext } from './context.js';
import { AccessLimits, accessLimits, accessVolumes, LIMITS_META } from './limits.js';
import { authoriseOversight } from './oversight.js';
import type { ActiveAlertLookup } from './ports.js';
import { dueReviews, REVIEW_GRACE_DAYS, runRetention, type RetentionReport } from './retention.js';
import type { Governance } from './service.js';

/**
 * The DPO's oversight report (LED Art. 34: the DPO monitors compliance; Art. 25(2): logs serve
 * self-monitoring). Built from the audit log and the retention state, for a time window.
 */
export interface DpoReport {
  readonly window: { readonly from: string; readonly to: string };
  readonly generatedAt: string;
  /** Queries per user and purpose (allowed consultations). */
  readonly queries: readonly { userId: string; agency: string; purpose: string; caseId: string | null; queries: number; subjects: number }[];
  /** Users reading far more distinct subjects than their peers (robust z-score over median/MAD). */
  readonly unusualAccess: readonly { userId: string; agency: string; subjects: number; peerMedian: number; robustZ: number; peers: number }[];
  /** Refused requests by user and reason: meaningless purposes, outside cases, legal basis, volume limits. */
  readonly refusals: readonly { userId: string; agency: string; kind: RefusalKind; action: string; count: number; lastReason: string; last: string }[];
  /** Attempts outside the user's cases (a subset of refusals), listed individually. */
  readonly outsideCases: readonly { seq: number; at: string; userId: string; caseId: string | null; reason: string }[];
  /** Bulk export attempts refused by the volume limits. */
  readonly bulkExportAttempts: readonly { seq: number; at: string; userId: string; action: string; reason: string }[];
  /** Reviews due and undecided; overdue ones count as data past retention. */
  readonly expiredReviews: readonly { entityId: string; ruleId: string; dueSince: string; overdue: boolean }[];
  /** What retention would do now: data kept past its rules (not yet applied, held, or skipped). */
  readonly pastRetention: Pick<RetentionReport, 'rules' | 'held' | 'skipped'> & { readonly depersonalisePending: number; readonly deletePending: number };
  /** Disclosures to partners, per recipient (cross-border when the recipient's country differs from the discloser's). */
  readonly disclosures: readonly { recipient: string; country: string; crossBorder: boolean; disclosures: number; subjects: number; last: string }[];
  /** Audit chain and checkpoint state. */
  readonly auditChain: { readonly entries: number; readonly problems: readonly { seq: number; kind: string; message: string }[]; readonly latestCheckpoint: AuditCheckpoint | undefined };
  readonly limits: AccessLimits;
  readonly limitsConfigured: boolean;
}

export type RefusalKind = 'purpose' | 'outside-case' | 'legal-basis' | 'volume' | 'role' | 'other';

const CONSULTATIONS = /^(entity\.|search$|references\.|scan\.|export\.|subject\.export$|stats$)/;

/** Classifies a refusal from its action and reason text. */
export function refusalKind(e: AuditEntry): RefusalKind {
  const reason = String(e.details.reason ?? '').toLowerCase();
  if (/volume limit|export limit|bulk export/.test(reason)) return 'volume';
  if (/purpose/.test(reason)) return 'purpose';
  if (/not a member of case|a case is required|case .* does not exist|is closed/.test(reason)) return 'outside-case';
  if (/legal basis/.test(reason)) return 'legal-basis';
  if (/needs role/.test(reason)) return 'role';
  return 'other';
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Robust z-scores (Iglewicz & Hoaglin 1993): 0.6745·(x − median)/MAD, flagged above 3.5. When more
 * than half the users read the same amount (MAD = 0) the mean absolute deviation scaled by 1.2533
 * stands in (Iglewicz & Hoaglin's MeanAD fallback, as in IBM SPSS' modified z).
 */
export function robustZ(values: readonly number[]): number[] {
  const med = median(values);
  const mad = median(values.map((v) => Math.abs(v - med)));
  if (mad > 0) return values.map((v) => (0.6745 * (v - med)) / mad);
  const meanAd = values.reduce((a, v) => a + Math.abs(v - med), 0) / Math.max(1, values.length);
  if (meanAd === 0) return values.map(() => 0);
  return values.map((v) => (v - med) / (1.253314 * meanAd));
}

export const UNUSUAL_Z = 3.5;
/** Below this many users the peer comparison is not meaningful. */
const MIN_PEERS = 4;

export interface DpoReportOptions {
  readonly from?: string;
  readonly to?: string;
  readonly alerts?: ActiveAlertLookup;
  readonly now?: Date;
}

/** Builds the DPO report (DPO only; the report itself is logged). */
export async function dpoReport(gov: Governance, ctx: QueryContext, options: DpoReportOptions = {}): Promise<DpoReport> {
  const principal = await authoriseOversight(gov, ctx, 'dpo.report', ['dpo']);
  const now = options.now ?? new Date();
  const to = options.to ?? now.toISOString();
  const from = options.from ?? new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const fromT = Date.parse(from);
  const toT = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to);

  const queries = new Map<string, { userId: string; agency: string; purpose: string; caseId: string | null; queries: number; subjects: number }>();
  const subjectsByUser = new Map<string, { agency: string; ids: Set<string>; extra: number }>();
  const refusals = new Map<string, { userId: string; agency: string; kind: RefusalKind; action: string; count: number; lastReason: string; last: string }>();
  const outsideCases: DpoReport['outsideCases'][number][] = [];
  const bulk: DpoReport['bulkExportAttempts'][number][] = [];
  const disclosures = new Map<string, { recipient: string; disclosers: Set<string>; disclosures: number; subjects: Set<string>; extra: number; last: string }>();
  for await (const page of auditEntries(gov.store)) {
    for (const e of page) {
      const t = Date.parse(e.at);
      if (t < fromT || t > toT) continue;
      if (e.outcome === 'refused') {
        const kind = refusalKind(e);
        const reason = String(e.details.reason ?? '');
        const key = `${e.userId}\u0000${kind}\u0000${e.action}`;
        const r = refusals.get(key) ?? { userId: e.userId, agency: e.agency, kind, action: e.action, count: 0, lastReason: reason, last: e.at };
        refusals.set(key, { ...r, count: r.count + 1, lastReason: reason, last: e.at });
        if (kind === 'outside-case') outsideCases.push({ seq: e.seq, at: e.at, userId: e.userId, caseId: e.caseId, reason });
        if (kind === 'volume') bulk.push({ seq: e.seq, at: e.at, userId: e.userId, action: e.action, reason });
        continue;
      }
      if (e.outcome !== 'allowed') continue;
      const recipients = recipientsOf(e);
      if (recipients.length) {
        for (const rcp of recipients) {
          const d = disclosures.get(rcp) ?? { recipient: rcp, disclosers: new Set<string>(), disclosures: 0, subjects: new Set<string>(), extra: 0, last: e.at };
          d.disclosures++;
          d.disclosers.add(e.agency);
          for (const id of e.entityIds) d.subjects.add(id);
          d.extra += Math.max(0, Number(e.details.entityCount ?? 0) - e.entityIds.length);
          d.last = e.at;
          disclosures.set(rcp, d);
        }
      }
      if (e.userId.startsWith('system:') || !CONSULTATIONS.test(e.action)) continue;
      const qk = `${e.userId}\u0000${e.purpose}\u0000${e.caseId ?? ''}`;
      const q = queries.get(qk) ?? { userId: e.userId, agency: e.agency, purpose: e.purpose, caseId: e.caseId, queries: 0, subjects: 0 };
      queries.set(qk, { ...q, queries: q.queries + 1, subjects: q.subjects + e.entityIds.length });
      const u = subjectsByUser.get(e.userId) ?? { agency: e.agency, ids: new Set<string>(), extra: 0 };
      for (const id of e.entityIds) u.ids.add(id);
      u.extra += Math.max(0, Number(e.details.entityCount ?? 0) - e.entityIds.length);
      subjectsByUser.set(e.userId, u);
    }
  }

  // Peers: users of the same agency when there are enough of them, else every user in the window.
  const users = [...subjectsByUser.entries()].map(([userId, u]) => ({ userId, agency: u.agency, subjects: u.ids.size + u.extra }));
  const unusual: DpoReport['unusualAccess'][number][] = [];
  const byAgency = new Map<string, typeof users>();
  for (const u of users) byAgency.set(u.agency, [...(byAgency.get(u.agency) ?? []), u]);
  const groups = [...byAgency.values()].every((g) => g.length >= MIN_PEERS) ? [...byAgency.values()] : [users];
  for (const g of groups) {
    if (g.length < MIN_PEERS) continue;
    const z = robustZ(g.map((u) => u.subjects));
    const med = median(g.map((u) => u.subjects));
    g.forEach((u, i) => {
      if ((z[i] ?? 0) > UNUSUAL_Z) unusual.push({ ...u, peerMedian: med, robustZ: Math.round((z[i] ?? 0) * 100) / 100, peers: g.length });
    });
  }
  unusual.sort((a, b) => b.robustZ - a.robustZ);

  const countryOf = new Map<string, string>((await gov.agencies()).map((a) => [a.id, a.country]));
  const retention = await runRetention(gov, { dryRun: true, now, ...(options.alerts ? { alerts: options.alerts } : {}) });
  const reviews = await dueReviews(gov.store);
  const chain = await verifyAnchoredAudit(gov);
  const limitsRaw = await gov.store.getMeta(LIMITS_META);

  const report: DpoReport = {
    window: { from, to },
    generatedAt: now.toISOString(),
    queries: [...queries.values()].sort((a, b) => b.queries - a.queries),
    unusualAccess: unusual,
    refusals: [...refusals.values()].sort((a, b) => b.count - a.count),
    outsideCases,
    bulkExportAttempts: bulk,
    expiredReviews: reviews.map((r) => ({ entityId: r.entityId, ruleId: r.ruleId, dueSince: r.dueSince, overdue: now.getTime() - Date.parse(r.dueSince) > REVIEW_GRACE_DAYS * 86_400_000 })),
    pastRetention: {
      rules: retention.rules,
      held: retention.held,
      skipped: retention.skipped,
      depersonalisePending: retention.rules.filter((r) => r.action === 'depersonalise').reduce((a, r) => a + r.statements, 0),
      deletePending: retention.rules.filter((r) => r.action === 'delete').reduce((a, r) => a + r.statements, 0),
    },
    disclosures: [...disclosures.values()]
      .map((d) => {
        const country = countryOf.get(d.recipient) ?? (/^[A-Z]{2}$/.test(d.recipient) ? d.recipient : d.recipient.slice(0, 2));
        const crossBorder = [...d.disclosers].some((a) => (countryOf.get(a) ?? a.slice(0, 2)) !== country);
        return { recipient: d.recipient, country, crossBorder, disclosures: d.disclosures, subjects: d.subjects.size + d.extra, last: d.last };
      })
      .sort((a, b) => b.disclosures - a.disclosures),
    auditChain: { entries: chain.entries, problems: chain.problems, latestCheckpoint: chain.latest },
    limits: await accessLimits(gov.store),
    limitsConfigured: limitsRaw !== undefined,
  };
  await gov.audit(ctx, principal, 'dpo.report', 'allowed', [], { from, to, unusual: unusual.length, refusals: report.refusals.reduce((a, r) => a + r.count, 0), problems: chain.problems.length });
  return report;
}

/** Sets per-user daily limits (admin or DPO); logged. */
export async function setAccessLimits(gov: Governance, ctx: QueryContext, input: Partial<AccessLimits>): Promise<AccessLimits> {
  const principal = await authoriseOversight(gov, ctx, 'privacy.limits', ['admin', 'dpo']);
  const limits = AccessLimits.parse({ ...(await accessLimits(gov.store)), ...input });
  await gov.store.setMeta(LIMITS_META, JSON.stringify(limits));
  await gov.audit(ctx, principal, 'privacy.limits', 'allowed', [], { limits });
  return limits;
}

/** Renders the report as readable text for the terminal. */
export function formatDpoReport(r: DpoReport): string {
  const lines: string[] = [];
  const h = (t: string) => lines.push('', t, '-'.repeat(t.length));
  lines.push(`DPO report ${r.window.from} – ${r.window.to} (generated ${r.generatedAt})`);
  const chainOk = r.auditChain.problems.length === 0;
  lines.push(`Audit chain: ${chainOk ? 'intact' : 'BROKEN'} — ${r.auditChain.entries} entries${r.auditChain.latestCheckpoint ? `, last signed checkpoint at entry ${r.auditChain.latestCheckpoint.seq} (${r.auditChain.latestCheckpoint.at})` : ', no signed checkpoint yet'}`);
  for (const p of r.auditChain.problems) lines.push(`  ! entry ${p.seq}: ${p.kind} — ${p.message}`);
  h('Queries per user and purpose');
  for (const q of r.queries.slice(0, 50)) lines.push(`  ${q.userId} (${q.agency}) · ${q.caseId ?? 'no case'} · ${q.queries} queries, ${q.subjects} subjects · "${q.purpose}"`);
  if (!r.queries.length) lines.push('  (none)');
  h('Unusual access (robust z > 3.5 against peers)');
  for (const u of r.unusualAccess) lines.push(`  ${u.userId} (${u.agency}): ${u.subjects} subjects vs peer median ${u.peerMedian} — z = ${u.robustZ} over ${u.peers} users`);
  if (!r.unusualAccess.length) lines.push('  (none)');
  h('Refusals');
  for (const f of r.refusals) lines.push(`  ${f.userId} · ${f.kind} · ${f.action} ×${f.count} — ${f.lastReason}`);
  if (!r.refusals.length) lines.push('  (none)');
  h('Access outside cases');
  for (const o of r.outsideCases.slice(0, 50)) lines.push(`  #${o.seq} ${o.at} ${o.userId} case ${o.caseId ?? '—'}: ${o.reason}`);
  if (!r.outsideCases.length) lines.push('  (none)');
  h('Bulk export attempts refused');
  for (const b of r.bulkExportAttempts.slice(0, 50)) lines.push(`  #${b.seq} ${b.at} ${b.userId} ${b.action}: ${b.reason}`);
  if (!r.bulkExportAttempts.length) lines.push('  (none)');
  h('Expired reviews');
  const overdue = r.expiredReviews.filter((e) => e.overdue);
  const byRule = new Map<string, number>();
  for (const e of r.expiredReviews) byRule.set(e.ruleId, (byRule.get(e.ruleId) ?? 0) + 1);
  lines.push(`  ${r.expiredReviews.length} undecided reviews (${[...byRule].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}); ${overdue.length} overdue by more than ${REVIEW_GRACE_DAYS} days (data past retention)`);
  for (const e of (overdue.length ? overdue : r.expiredReviews).slice(0, 10)) lines.push(`  ${e.entityId} · ${e.ruleId} · due since ${e.dueSince}${e.overdue ? ' · OVERDUE' : ''}`);
  if (r.expiredReviews.length > 10) lines.push('  … (`tessera retention reviews` lists them all)');
  h('Data past retention (not yet applied)');
  lines.push(`  ${r.pastRetention.depersonalisePending} statements awaiting depersonalisation, ${r.pastRetention.deletePending} awaiting deletion`);
  for (const x of r.pastRetention.held) lines.push(`  held: ${x.entityId} (${x.ruleId}, ${x.statements} statements) — active alert ${x.alert.alertId}`);
  for (const s of r.pastRetention.skipped) lines.push(`  skipped: ${s.ruleId} (${s.statements} statements) — ${s.reason}`);
  h('Disclosures per partner');
  for (const d of r.disclosures) lines.push(`  ${d.recipient} (${d.country})${d.crossBorder ? ' cross-border' : ''}: ${d.disclosures} disclosures, ${d.subjects} subjects, last ${d.last}`);
  if (!r.disclosures.length) lines.push('  (none)');
  lines.push('', `Limits per user and day${r.limitsConfigured ? '' : ' (defaults)'}: ${r.limits.subjectsPerDay} subjects read, ${r.limits.exportsPerDay} exports, ${r.limits.exportSubjectsPerDay} exported subjects`);
  return lines.join('\n');
}

export { accessVolumes };
