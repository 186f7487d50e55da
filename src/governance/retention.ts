import { z } from 'zod';
import { isSchemaName, propertySpec, SUBJECT_CATEGORIES, TesseraError, type AuditEntry, type Statement } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { QueryContext } from './context.js';
import { authoriseOversight } from './oversight.js';
import { recordAlertLookup, type ActiveAlert, type ActiveAlertLookup } from './ports.js';
import { DEPERSONALISED, reidPublicKey, sealOriginal, type DepersonalisedRecord } from './reidentification.js';
import type { Governance } from './service.js';

/**
 * Retention rules per subject category and data class (LED Art. 5: appropriate time limits for
 * erasure or periodic review; Art. 6: categories of data subjects). A rule matches statements by
 * subject category, schema and property, and applies one action once the statement is older than
 * `afterDays` (age from `lastSeen`, else the collection date):
 *  - review: the entity is put on the review list; a supervisor keeps (for another period) or erases;
 *  - depersonalise: the values are masked in place; the originals are sealed for re-identification
 *    with a supervisor's approval (reidentification.ts);
 *  - delete: the statements are deleted, with their sealed originals.
 * Nothing under an active alert is depersonalised or deleted: it is held and flagged for the DPO.
 */
export const RetentionRule = z.object({
  id: z.string().regex(/^[a-z0-9-]{2,64}$/),
  title: z.string().min(1),
  /** The rule's legal reference. */
  basis: z.string().min(1),
  subjectCategories: z.array(z.enum(SUBJECT_CATEGORIES)).default([]),
  schemas: z.array(z.string()).default([]),
  props: z.array(z.string()).default([]),
  action: z.enum(['review', 'depersonalise', 'delete']),
  afterDays: z.number().int().min(1).max(36_500),
});
export type RetentionRule = z.infer<typeof RetentionRule>;

const TRAVEL_IDENTIFYING = ['traveller', 'travellerName', 'travellerBirthDate', 'documentNumber', 'bookingRef', 'seat'];

/** Defaults of issue 9 (contacts reviewed after 1 year, suspects after 3, travel masked after 6 months, deleted after 5 years). */
export const DEFAULT_RETENTION_RULES: readonly RetentionRule[] = [
  { id: 'contact-review', title: 'Contacts and associates reviewed after one year', basis: 'LED Art. 5 and 6(c)', subjectCategories: ['contact'], schemas: ['Person'], props: [], action: 'review', afterDays: 365 },
  { id: 'suspect-review', title: 'Suspects reviewed after three years', basis: 'LED Art. 5 and 6(a)', subjectCategories: ['suspect'], schemas: ['Person'], props: [], action: 'review', afterDays: 3 * 365 },
  {
    id: 'travel-depersonalise',
    title: 'Travel records depersonalised after six months (names and documents masked)',
    basis: 'PNR Directive (EU) 2016/681 Art. 12(2); CJEU C-817/19',
    subjectCategories: [],
    schemas: ['TravelEvent'],
    props: TRAVEL_IDENTIFYING,
    action: 'depersonalise',
    afterDays: 183,
  },
  { id: 'travel-delete', title: 'Travel records deleted after five years', basis: 'PNR Directive (EU) 2016/681 Art. 12(4)', subjectCategories: [], schemas: ['TravelEvent'], props: [], action: 'delete', afterDays: 5 * 365 + 1 },
];

const RULES = 'retention-rules';
const REVIEWS = 'retention-reviews';
const DAY = 86_400_000;
/** A review still undecided this long after falling due counts as data past retention. */
export const REVIEW_GRACE_DAYS = 30;

/** The rules in force: those stored for this node, else the defaults. */
export async function retentionRules(store: Store): Promise<RetentionRule[]> {
  const stored = (await store.findRecords<RetentionRule>(RULES)).map((r) => r.body);
  return stored.length ? stored : [...DEFAULT_RETENTION_RULES];
}

/** Adds or replaces a node rule (admin or DPO), validated and logged. */
export async function upsertRetentionRule(gov: Governance, ctx: QueryContext, input: unknown): Promise<RetentionRule> {
  const principal = await authoriseOversight(gov, ctx, 'retention.rule', ['admin', 'dpo']);
  const rule = RetentionRule.parse(input);
  for (const s of rule.schemas) if (!isSchemaName(s)) throw new TesseraError('VALIDATION', `rule ${rule.id}: unknown schema ${s}`, { record: rule.id, field: 'schemas' });
  if ((await gov.store.countRecords(RULES)) === 0) for (const d of DEFAULT_RETENTION_RULES) await gov.store.putRecord(RULES, d.id, d);
  await gov.store.putRecord(RULES, rule.id, rule);
  await gov.audit(ctx, principal, 'retention.rule', 'allowed', [], { rule });
  return rule;
}

/** Marks a masked value: unique per statement, so masked references never link unrelated records. */
export function maskFor(statementId: string): string {
  return `[masked ${statementId.slice(0, 12)}]`;
}

export function isMasked(value: string): boolean {
  return /^\[masked [0-9a-f]{12}\]$/.test(value);
}

/** The date a statement's age is measured from: when it was last true, else when it was collected. */
export function referenceTime(s: Statement): number {
  if (s.lastSeen) {
    const t = Date.parse(s.lastSeen.length === 4 ? `${s.lastSeen}-12-31` : s.lastSeen.length === 7 ? `${s.lastSeen}-28` : s.lastSeen);
    if (!Number.isNaN(t)) return t;
  }
  return Date.parse(s.source.collectedAt);
}

function ruleMatches(rule: RetentionRule, s: Statement): boolean {
  if (rule.subjectCategories.length && !rule.subjectCategories.includes(s.subjectCategory)) return false;
  if (rule.schemas.length && !rule.schemas.includes(s.schema)) return false;
  if (rule.props.length && !rule.props.includes(s.prop)) return false;
  return true;
}

export interface ReviewRecord {
  readonly entityId: string;
  readonly ruleId: string;
  readonly status: 'due' | 'kept' | 'erased';
  readonly dueSince: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly reason?: string;
  readonly nextReview?: string;
}

export interface HeldEntity {
  readonly entityId: string;
  readonly ruleId: string;
  readonly action: 'depersonalise' | 'delete';
  readonly statements: number;
  readonly alert: ActiveAlert;
}

export interface RetentionReport {
  readonly at: string;
  readonly dryRun: boolean;
  readonly rules: readonly { id: string; action: RetentionRule['action']; afterDays: number; statements: number; entities: number; applied: number; held: number }[];
  /** Entities due for review (new or still undecided), per rule. */
  readonly reviewsDue: readonly { entityId: string; ruleId: string; dueSince: string; overdue: boolean }[];
  /** Not applied because the entity (or a person it refers to) is under an active alert: for the DPO. */
  readonly held: readonly HeldEntity[];
  /** Actions that could not be applied, with why (e.g. no re-identification key installed). */
  readonly skipped: readonly { ruleId: string; statements: number; reason: string }[];
  readonly depersonalised: number;
  readonly deleted: number;
  readonly statementsScanned: number;
}

export interface RetentionOptions {
  readonly now?: Date;
  /** Plan only: report what would be done, change nothing (the DPO report uses this). */
  readonly dryRun?: boolean;
  /** Active alerts (default: the watch capability's stored alerts, `recordAlertLookup`). */
  readonly alerts?: ActiveAlertLookup;
  /** Who runs it (audit actor), default `retention`. */
  readonly actor?: string;
}

async function systemAudit(store: Store, actor: string, at: Date, action: string, entityIds: readonly string[], details: Record<string, unknown>): Promise<AuditEntry> {
  const ids = [...new Set(entityIds)];
  return store.appendAudit({
    at: at.toISOString(),
    userId: `system:${actor}`,
    agency: 'SYSTEM',
    purpose: 'Scheduled retention and review (LED Art. 5)',
    caseId: null,
    action,
    outcome: 'allowed',
    entityIds: ids.slice(0, 5_000),
    details: { ...details, entityCount: ids.length },
  });
}

/**
 * Applies the retention rules to every statement (the scheduled job: `tessera retention run`, the
 * server). Reports what it did; every action kind is one audit entry listing the entities touched.
 */
export async function runRetention(gov: Governance, options: RetentionOptions = {}): Promise<RetentionReport> {
  const store = gov.store;
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const actor = options.actor ?? 'retention';
  const rules = await retentionRules(store);
  const byRule = new Map(rules.map((r) => [r.id, { statements: 0, entities: new Set<string>(), applied: 0, held: 0 }]));
  const reviewDue = new Map<string, { entityId: string; ruleId: string }>();
  const toMask = new Map<string, { s: Statement; rule: RetentionRule }>();
  const toDelete = new Map<string, { s: Statement; rule: RetentionRule }>();
  let scanned = 0;
  for await (const batch of store.scanStatements({})) {
    for (const s of batch) {
      scanned++;
      const age = now.getTime() - referenceTime(s);
      const due = rules.filter((rule) => age >= rule.afterDays * DAY && ruleMatches(rule, s));
      const deleting = due.some((rule) => rule.action === 'delete');
      for (const rule of due) {
        // Deletion supersedes masking; masked values are not masked again.
        if (rule.action === 'depersonalise' && (deleting || isMasked(s.value))) continue;
        const stat = byRule.get(rule.id)!;
        stat.statements++;
        stat.entities.add(s.entityId);
        if (rule.action === 'review') reviewDue.set(`${rule.id}|${s.entityId}`, { entityId: s.entityId, ruleId: rule.id });
        else if (rule.action === 'depersonalise') toMask.set(s.id, { s, rule });
        else toDelete.set(s.id, { s, rule });
      }
      // A review date set by the originator (statement `reviewBy`) is a rule of its own.
      if (s.reviewBy && Date.parse(s.reviewBy) <= now.getTime()) reviewDue.set(`review-date|${s.entityId}`, { entityId: s.entityId, ruleId: 'review-date' });
    }
  }

  // Alerts: an entity is held when it, or an entity its statements refer to (a traveller), is alerted.
  const candidates = [...toMask.values(), ...toDelete.values()];
  const related = new Map<string, Set<string>>();
  for (const { s } of candidates) {
    const set = related.get(s.entityId) ?? new Set([s.entityId]);
    if (propertySpec(s.schema, s.prop)?.type === 'entity' && !isMasked(s.value)) set.add(s.value);
    related.set(s.entityId, set);
  }
  // Safe by default: without an explicit lookup, the watch capability's stored alerts are consulted.
  const lookup = options.alerts ?? recordAlertLookup(store);
  const alerts = related.size ? await lookup.activeAlerts([...new Set([...related.values()].flatMap((s) => [...s]))]) : new Map<string, ActiveAlert>();
  const alertOf = (entityId: string): ActiveAlert | undefined => {
    for (const id of related.get(entityId) ?? []) {
      const a = alerts.get(id);
      if (a) return a;
    }
    return undefined;
  };
  const held = new Map<string, HeldEntity>();
  const hold = (s: Statement, rule: RetentionRule): boolean => {
    const a = alertOf(s.entityId);
    if (!a) return false;
    const key = `${rule.id}|${s.entityId}`;
    const h = held.get(key);
    held.set(key, { entityId: s.entityId, ruleId: rule.id, action: rule.action as 'depersonalise' | 'delete', statements: (h?.statements ?? 0) + 1, alert: a });
    byRule.get(rule.id)!.held++;
    return true;
  };

  const skipped: { ruleId: string; statements: number; reason: string }[] = [];
  let depersonalised = 0;
  const masked: string[] = [];
  const publicKey = await reidPublicKey(store);
  const maskable = [...toMask.values()].filter(({ s, rule }) => !hold(s, rule));
  if (!publicKey && maskable.length) {
    const perRule = new Map<string, number>();
    for (const { rule } of maskable) perRule.set(rule.id, (perRule.get(rule.id) ?? 0) + 1);
    for (const [ruleId, n] of perRule) skipped.push({ ruleId, statements: n, reason: 'no re-identification key installed (run `tessera retention keygen`): values cannot be sealed, so they were not masked' });
  } else if (publicKey) {
    // Batches of 500 statements per transaction: each masked value and its sealed original commit together.
    for (let i = 0; i < maskable.length; i += 500) {
      const part = maskable.slice(i, i + 500);
      if (!dryRun) {
        const sealed = part.map(({ s, rule }) => ({
          s,
          record: { statementId: s.id, entityId: s.entityId, schema: s.schema, prop: s.prop, ruleId: rule.id, at: now.toISOString(), sealed: sealOriginal(publicKey, s.id, { value: s.value, original: s.original ?? null }) } satisfies DepersonalisedRecord,
        }));
        await store.transaction(async (tx) => {
          for (const { s, record } of sealed) {
            await tx.putRecord(DEPERSONALISED, s.id, record, { entity: s.entityId, rule: record.ruleId });
            await tx.updateStatementValue(s.id, maskFor(s.id), null);
          }
        });
      }
      for (const { s, rule } of part) {
        byRule.get(rule.id)!.applied++;
        masked.push(s.entityId);
        depersonalised++;
      }
    }
  }

  const deletable = [...toDelete.values()].filter(({ s, rule }) => !hold(s, rule));
  let deleted = 0;
  if (deletable.length) {
    if (!dryRun) {
      const ids = deletable.map(({ s }) => s.id);
      await store.transaction(async (tx) => {
        deleted = await tx.deleteStatements(ids);
        for (const id of ids) await tx.deleteRecord(DEPERSONALISED, id);
      });
    } else deleted = deletable.length;
    for (const { rule } of deletable) byRule.get(rule.id)!.applied++;
  }

  // Reviews: keep the date an entity first fell due; a "keep" decision postpones until its next review.
  const reviewsDue: { entityId: string; ruleId: string; dueSince: string; overdue: boolean }[] = [];
  const existingReviews = new Map((await store.findRecords<ReviewRecord>(REVIEWS)).map((r) => [r.id, r.body]));
  const newlyDue: [string, ReviewRecord][] = [];
  for (const [key, due] of reviewDue) {
    const existing = existingReviews.get(key);
    if (existing?.status === 'kept' && existing.nextReview && Date.parse(existing.nextReview) > now.getTime()) continue;
    const dueSince = existing?.status === 'due' ? existing.dueSince : now.toISOString();
    if (existing?.status !== 'due') newlyDue.push([key, { entityId: due.entityId, ruleId: due.ruleId, status: 'due', dueSince }]);
    const stat = byRule.get(due.ruleId);
    if (stat) stat.applied++;
    reviewsDue.push({ ...due, dueSince, overdue: now.getTime() - Date.parse(dueSince) > REVIEW_GRACE_DAYS * DAY });
  }
  if (!dryRun && newlyDue.length) {
    await store.transaction(async (tx) => {
      for (const [key, r] of newlyDue) await tx.putRecord<ReviewRecord>(REVIEWS, key, r, { entity: r.entityId, rule: r.ruleId, status: 'due' });
    });
  }

  const report: RetentionReport = {
    at: now.toISOString(),
    dryRun,
    rules: rules.map((r) => {
      const s = byRule.get(r.id)!;
      return { id: r.id, action: r.action, afterDays: r.afterDays, statements: s.statements, entities: s.entities.size, applied: s.applied, held: s.held };
    }),
    reviewsDue,
    held: [...held.values()],
    skipped,
    depersonalised,
    deleted,
    statementsScanned: scanned,
  };
  if (!dryRun) {
    if (masked.length) await systemAudit(store, actor, now, 'retention.depersonalise', masked, { statements: depersonalised });
    if (deletable.length) await systemAudit(store, actor, now, 'retention.delete', deletable.map(({ s }) => s.entityId), { statements: deleted });
    if (reviewsDue.length) await systemAudit(store, actor, now, 'retention.review-due', reviewsDue.map((r) => r.entityId), { reviews: reviewsDue.length, overdue: reviewsDue.filter((r) => r.overdue).length });
    if (held.size) {
      await systemAudit(store, actor, now, 'retention.held', [...held.values()].map((h) => h.entityId), {
        reason: 'active alert: retention action held for review',
        held: [...held.values()].map((h) => ({ entityId: h.entityId, rule: h.ruleId, alert: h.alert.alertId })),
      });
    }
    await systemAudit(store, actor, now, 'retention.run', [], { scanned, depersonalised, deleted, reviewsDue: reviewsDue.length, held: held.size, skipped });
  }
  return report;
}

/** Open review items (status due), oldest first. */
export async function dueReviews(store: Store): Promise<ReviewRecord[]> {
  return (await store.findRecords<ReviewRecord>(REVIEWS, { where: { status: 'due' } })).map((r) => r.body).sort((a, b) => a.dueSince.localeCompare(b.dueSince));
}

/**
 * A supervisor's review decision: keep (the entity's data stays for another rule period, with the
 * reason) or erase (delegated to the subject-rights erasure, which honours alerts and notifies partners).
 */
export async function decideReview(gov: Governance, ctx: QueryContext, entityId: string, ruleId: string, keep: boolean, erase?: (entityId: string) => Promise<unknown>): Promise<ReviewRecord> {
  const principal = await authoriseOversight(gov, ctx, 'retention.review', ['supervisor']);
  const key = `${ruleId}|${entityId}`;
  const existing = (await gov.store.getRecord<ReviewRecord>(REVIEWS, key))?.body;
  if (!existing || existing.status !== 'due') throw new TesseraError('NOT_FOUND', `no open review of ${entityId} under rule ${ruleId}`, { record: entityId, field: 'rule' });
  const rule = (await retentionRules(gov.store)).find((r) => r.id === ruleId);
  const now = new Date();
  if (!keep) {
    if (!erase) throw new TesseraError('VALIDATION', 'erasure needs the subject-rights service', { field: 'decision' });
    await erase(entityId);
  }
  const decided: ReviewRecord = {
    ...existing,
    status: keep ? 'kept' : 'erased',
    decidedBy: principal.userId,
    decidedAt: now.toISOString(),
    reason: ctx.purpose,
    ...(keep ? { nextReview: new Date(now.getTime() + (rule?.afterDays ?? 365) * DAY).toISOString() } : {}),
  };
  await gov.store.putRecord(REVIEWS, key, decided, { entity: entityId, rule: ruleId, status: decided.status });
  await gov.audit(ctx, principal, keep ? 'retention.keep' : 'retention.erase', 'allowed', [entityId], { rule: ruleId, nextReview: decided.nextReview });
  return decided;
}
