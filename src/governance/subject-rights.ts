import { classificationRank, TesseraError, validateStatement, type AuditEntry, type Statement } from '../model/index.js';
import { auditEntries, recipientsOf } from './audit-search.js';
import type { QueryContext } from './context.js';
import { authoriseOversight } from './oversight.js';
import { disclosureWithheldReason } from './disclosure.js';
import { recordAlertLookup, type ActiveAlertLookup, type PartnerNotifier, type SubjectRightsNotice } from './ports.js';
import { DEPERSONALISED, depersonalisedOf } from './reidentification.js';
import { retentionRules, type RetentionRule } from './retention.js';
import type { Governance } from './service.js';

/**
 * Data-subject rights under the Law Enforcement Directive: access (Art. 14), rectification and
 * erasure (Art. 16), with notification of recipients (Art. 16(6)). These are controller duties
 * handled by the DPO or a supervisor, not case work: no case is needed, every step is logged, and
 * a partner that received the data is told through the `PartnerNotifier` port (federation's
 * signed messages).
 */

/** A disclosure of the subject's data: when, by whom, to whom, why. */
export interface Disclosure {
  readonly seq: number;
  readonly at: string;
  readonly userId: string;
  readonly agency: string;
  readonly purpose: string;
  readonly caseId: string | null;
  readonly action: string;
  readonly recipients: readonly string[];
}

/** Everything held on a data subject, with provenance (for a lawful access request). */
export interface SubjectExport {
  readonly entityId: string;
  readonly generatedAt: string;
  /** Every statement held about the subject, with source, grading, handling, classification, category and dates. */
  readonly statements: readonly Statement[];
  /** Link statements elsewhere that refer to the subject (associates, travel, phone use…). */
  readonly references: readonly Statement[];
  /** Values masked by retention (originals sealed; re-identifiable only with a supervisor's approval). */
  readonly depersonalised: readonly { statementId: string; prop: string; ruleId: string; at: string }[];
  /** Disclosures to partners recorded in the audit log. */
  readonly disclosures: readonly Disclosure[];
  /** How often the subject was consulted, by agency and purpose (LED Art. 14(c)/(d) information). */
  readonly consultations: readonly { agency: string; purpose: string; count: number; last: string }[];
  /** Retention rules that apply to the subject's data. */
  readonly retention: readonly Pick<RetentionRule, 'id' | 'title' | 'basis' | 'action' | 'afterDays'>[];
  /** Statements from other agencies: their release to the subject needs the originator's consent (handling H2 / Art. 15 restrictions). */
  readonly partnerHeld: number;
  /** Statements classified above the caller's clearance: counted, not shown (a cleared officer completes the answer). */
  readonly aboveClearance: number;
}

/** Audit entries naming an entity (oldest first). */
async function entriesAbout(gov: Governance, entityId: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const page of auditEntries(gov.store)) for (const e of page) if (e.entityIds.includes(entityId)) out.push(e);
  return out;
}

/** Partners that received data on the entity, from the audit log (recipients of disclosures). */
export async function recipientsOfEntity(gov: Governance, entityId: string): Promise<string[]> {
  return [...(await disclosuresOfEntity(gov, entityId)).keys()].sort();
}

/**
 * Partners that received data on the entity, each with the highest clearance a recorded disclosure
 * gave it (audit `details.clearance`, written by exports and dossiers); the lowest level when no
 * disclosure recorded one (e.g. a federation release).
 */
async function disclosuresOfEntity(gov: Governance, entityId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const lowest = gov.levels[0]!;
  for (const e of await entriesAbout(gov, entityId)) {
    if (e.outcome !== 'allowed') continue;
    const given = typeof e.details.clearance === 'string' && gov.levels.includes(e.details.clearance) ? e.details.clearance : lowest;
    for (const r of recipientsOf(e)) {
      const before = out.get(r);
      if (before === undefined || classificationRank(given, gov.levels) > classificationRank(before, gov.levels)) out.set(r, given);
    }
  }
  return out;
}

/** Everything held on a data subject, with provenance; logged as `subject.export` (counts toward export limits). */
export async function exportSubject(gov: Governance, ctx: QueryContext, entityId: string): Promise<SubjectExport> {
  const principal = await authoriseOversight(gov, ctx, 'subject.export', ['dpo', 'supervisor']);
  const allOwn = await gov.store.statementsOf(entityId);
  const allRefs = (await gov.store.statementsReferencing([entityId])).filter((s) => s.entityId !== entityId);
  if (allOwn.length === 0 && allRefs.length === 0) throw new TesseraError('NOT_FOUND', `nothing is held on ${entityId}`, { record: entityId });
  const cleared = (s: Statement) => classificationRank(s.classification, gov.levels) <= classificationRank(principal.clearance, gov.levels);
  const statements = allOwn.filter(cleared);
  const references = allRefs.filter(cleared);
  const history = await entriesAbout(gov, entityId);
  const disclosures: Disclosure[] = history
    .filter((e) => e.outcome === 'allowed' && recipientsOf(e).length > 0)
    .map((e) => ({ seq: e.seq, at: e.at, userId: e.userId, agency: e.agency, purpose: e.purpose, caseId: e.caseId, action: e.action, recipients: recipientsOf(e) }));
  const consult = new Map<string, { agency: string; purpose: string; count: number; last: string }>();
  for (const e of history) {
    if (e.outcome !== 'allowed' || e.userId.startsWith('system:')) continue;
    const key = `${e.agency}\u0000${e.purpose}`;
    const c = consult.get(key) ?? { agency: e.agency, purpose: e.purpose, count: 0, last: e.at };
    consult.set(key, { ...c, count: c.count + 1, last: e.at });
  }
  const rules = await retentionRules(gov.store);
  const applies = rules.filter((r) =>
    [...statements, ...references].some((s) => (!r.subjectCategories.length || r.subjectCategories.includes(s.subjectCategory)) && (!r.schemas.length || r.schemas.includes(s.schema))),
  );
  const result: SubjectExport = {
    entityId,
    generatedAt: new Date().toISOString(),
    statements,
    references,
    depersonalised: (await depersonalisedOf(gov.store, entityId)).map((d) => ({ statementId: d.statementId, prop: d.prop, ruleId: d.ruleId, at: d.at })),
    disclosures,
    consultations: [...consult.values()],
    retention: applies.map((r) => ({ id: r.id, title: r.title, basis: r.basis, action: r.action, afterDays: r.afterDays })),
    partnerHeld: statements.filter((s) => s.source.agency !== principal.agency).length,
    aboveClearance: allOwn.length + allRefs.length - statements.length - references.length,
  };
  await gov.audit(ctx, principal, 'subject.export', 'allowed', [entityId], { statements: statements.length, references: references.length, disclosures: disclosures.length });
  return result;
}

export interface PropagationResult {
  readonly recipient: string;
  readonly delivered: boolean;
  readonly messageId?: string;
  readonly error?: string;
}

type NoticeBody = Omit<SubjectRightsNotice, 'recipient'>;

async function propagate(gov: Governance, notifier: PartnerNotifier | undefined, recipients: readonly string[], notice: NoticeBody | ((recipient: string) => NoticeBody)): Promise<PropagationResult[]> {
  const out: PropagationResult[] = [];
  for (const recipient of recipients) {
    if (!notifier) {
      out.push({ recipient, delivered: false, error: 'no partner notifier configured' });
      continue;
    }
    try {
      const r = await notifier.notify({ ...(typeof notice === 'function' ? notice(recipient) : notice), recipient });
      out.push({ recipient, ...r });
    } catch (e) {
      out.push({ recipient, delivered: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/**
 * Rectifies one statement's value (only the originating agency rectifies its own data; others ask it).
 * The value is validated like any statement; the change is logged (without the old value) and sent to
 * every partner that received the subject's data.
 */
export async function rectifyStatement(gov: Governance, ctx: QueryContext, statementId: string, newValue: string, options: { notifier?: PartnerNotifier } = {}): Promise<{ statement: Statement; propagated: PropagationResult[] }> {
  const principal = await authoriseOversight(gov, ctx, 'subject.rectify', ['dpo', 'supervisor']);
  const [s] = await gov.store.statementsById([statementId]);
  if (!s) throw new TesseraError('NOT_FOUND', `no statement ${statementId}`, { record: statementId });
  if (s.source.agency !== principal.agency) {
    await gov.audit(ctx, principal, 'refused.subject.rectify', 'refused', [s.entityId], { statementId, reason: 'originator rectifies' });
    throw new TesseraError('FORBIDDEN', `statement ${statementId} originates from ${s.source.agency}: only the originator rectifies it (ask them through federation)`, { record: statementId, field: 'source.agency' });
  }
  const checked = validateStatement({ ...s, value: newValue, original: undefined }, statementId);
  const updated = await gov.store.transaction(async (tx) => {
    await tx.updateStatementValue(statementId, checked.value, checked.original ?? null);
    return tx.appendAudit({
      at: new Date().toISOString(),
      userId: principal.userId,
      agency: principal.agency,
      purpose: ctx.purpose,
      caseId: ctx.caseId,
      action: 'subject.rectify',
      outcome: 'allowed',
      entityIds: [s.entityId],
      details: { statementId, prop: s.prop },
    });
  });
  // The corrected value is itself a disclosure: it goes to a recipient only if the disclosure rule
  // lets this statement go to it (at the clearance it was given); the others are told that the
  // statement changed, without the value, and ask the originator.
  const given = await disclosuresOfEntity(gov, s.entityId);
  const recipients = [...given.keys()].sort();
  const corrected = { ...s, value: checked.value };
  const withoutValue: string[] = [];
  for (const r of recipients) {
    const agency = await gov.agency(r);
    const may = agency && disclosureWithheldReason(corrected, principal.agency, { agency: agency.id, country: agency.country, clearance: given.get(r)! }, gov.levels) === undefined;
    if (!may) withoutValue.push(r);
  }
  const propagated = await propagate(gov, options.notifier, recipients, (recipient) => ({
    kind: 'rectification',
    entityId: s.entityId,
    statementIds: [statementId],
    corrections: withoutValue.includes(recipient) ? [] : [{ statementId, prop: s.prop, value: checked.value }],
    reason: ctx.purpose,
    auditSeq: updated.seq,
  }));
  if (propagated.length) {
    await gov.audit(ctx, principal, 'subject.rectify.notify', 'allowed', [s.entityId], {
      notified: propagated.map((p) => p.recipient),
      delivered: propagated.filter((p) => p.delivered).length,
      ...(withoutValue.length ? { withoutValue } : {}),
    });
  }
  const [after] = await gov.store.statementsById([statementId]);
  return { statement: after ?? { ...s, value: checked.value }, propagated };
}

/**
 * Erases what this node holds on a subject: its own statements and link statements referring to it
 * (partners' statements are erased here too — this node stops holding them — and the originators are
 * notified). Refused while the subject is under an active alert: the alert must be lifted first.
 */
export async function eraseSubject(gov: Governance, ctx: QueryContext, entityId: string, options: { notifier?: PartnerNotifier; alerts?: ActiveAlertLookup } = {}): Promise<{ deleted: number; propagated: PropagationResult[] }> {
  const principal = await authoriseOversight(gov, ctx, 'subject.erase', ['dpo', 'supervisor']);
  const alert = (await (options.alerts ?? recordAlertLookup(gov.store)).activeAlerts([entityId])).get(entityId);
  if (alert) {
    await gov.audit(ctx, principal, 'refused.subject.erase', 'refused', [entityId], { reason: 'active alert', alert: alert.alertId });
    throw new TesseraError('CONFLICT', `${entityId} is under active alert ${alert.alertId}${alert.ownerAgency ? ` (owner ${alert.ownerAgency})` : ''}: lift the alert by re-assessment before erasure`, { record: entityId });
  }
  const own = await gov.store.statementsOf(entityId);
  const refs = (await gov.store.statementsReferencing([entityId])).filter((s) => s.entityId !== entityId);
  const ids = [...own, ...refs].map((s) => s.id);
  if (ids.length === 0) throw new TesseraError('NOT_FOUND', `nothing is held on ${entityId}`, { record: entityId });
  const recipients = new Set(await recipientsOfEntity(gov, entityId));
  for (const s of own) if (s.source.agency !== principal.agency) recipients.add(s.source.agency);
  const entry = await gov.store.transaction(async (tx) => {
    const deleted = await tx.deleteStatements(ids);
    for (const id of ids) await tx.deleteRecord(DEPERSONALISED, id);
    return tx.appendAudit({
      at: new Date().toISOString(),
      userId: principal.userId,
      agency: principal.agency,
      purpose: ctx.purpose,
      caseId: ctx.caseId,
      action: 'subject.erase',
      outcome: 'allowed',
      entityIds: [entityId, ...new Set(refs.map((r) => r.entityId))].slice(0, 5_000),
      details: { deleted, own: own.length, references: refs.length },
    });
  });
  const propagated = await propagate(gov, options.notifier, [...recipients].sort(), { kind: 'erasure', entityId, statementIds: ids, reason: ctx.purpose, auditSeq: entry.seq });
  if (propagated.length) await gov.audit(ctx, principal, 'subject.erase.notify', 'allowed', [entityId], { notified: propagated.map((p) => p.recipient), delivered: propagated.filter((p) => p.delivered).length });
  return { deleted: Number(entry.details.deleted ?? ids.length), propagated };
}
