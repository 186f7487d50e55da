import { createHash } from 'node:crypto';
import type { Governance, Principal, QueryContext } from '../governance/index.js';
import type { ScreeningPort } from '../ingest/index.js';
import { invalid, isSchemaName, newEntityId, scoringView, TesseraError, values, type Entity, type SchemaName, type Statement } from '../model/index.js';
import type { Store } from '../store/index.js';
import { dedupeSelectors, featureDigest, featuresOf, type ScreeningFeatures } from './features.js';
import { AlertInput, AlertSubject, EncounterAction, HitDecision, Selector, type Alert, type AlertEvent, type Encountered, type HitReport, type WatchConfig } from './model.js';
import { ScreeningIndex, type AlertWindow, type ScreeningMatch } from './screening-index.js';

export const ALERTS = 'watch-alerts';
export const HITS = 'watch-hits';
/** False-positive decisions, keyed by the fingerprint (alert version + record data) they suppress. */
export const SUPPRESSED = 'watch-suppressed';
/** Screening work that failed and waits for a retry. */
export const PENDING = 'watch-pending';

const DAY = 86_400_000;

/** Adds months to a date in UTC (end-of-month clamps: 31 Jan + 1 month → 28/29 Feb). */
export function addMonths(d: Date, months: number): Date {
  const out = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(d.getUTCDate(), last));
  return out;
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** End of a YYYY-MM-DD day in ms (an alert is valid through its review date). */
function endOfDay(day: string): number {
  return Date.parse(`${day}T23:59:59.999Z`);
}

/** A record to screen: its features, what it is (for the hit report) and the entity ids it is. */
export interface ScreeningSubject {
  readonly features: ScreeningFeatures;
  readonly encountered: Encountered;
  /** Entity ids of the record itself (an alert's own subject entity is not screened against it). */
  readonly selfIds?: readonly string[];
  /**
   * The record's handling, when it comes from statements: which agencies may see its content. A hit
   * for an issuer outside it is filed without the content (the originator is named; ask it).
   */
  readonly handling?: readonly { readonly originator: string; readonly releasableTo: readonly string[] }[];
}

/** True when every statement behind a record may be shown to the agency (handling codes, DESIGN.md). */
export function releasableTo(handling: ScreeningSubject['handling'], agency: string): boolean {
  if (!handling) return true;
  const country = agency.slice(0, 2);
  return handling.every((h) => h.originator === agency || h.releasableTo.includes('*') || h.releasableTo.includes(agency) || h.releasableTo.includes(country));
}

/** What one screening run did. */
export interface ScreeningSummary {
  readonly records: number;
  readonly hits: number;
  readonly notices: number;
  /** Matches not raised again because a person decided the same pair was a false positive. */
  readonly suppressed: number;
  /** Matches already reported (same alert, record and data). */
  readonly duplicates: number;
  readonly hitIds: readonly string[];
}

/** An alert as listed in the due-for-review queue. */
export interface DueAlert {
  readonly alert: Alert;
  readonly daysLeft: number;
  readonly overdue: boolean;
}

/** A request for a new alert (validated with `AlertInput`; the owner is the issuing principal's agency). */
export interface NewAlert {
  readonly agency?: string;
  readonly caseId?: string;
  readonly subject: { readonly entityIds?: readonly string[]; readonly names?: readonly string[]; readonly birthDates?: readonly string[]; readonly selectors?: readonly { readonly kind: string; readonly value: string }[] };
  readonly threatLevel: string;
  readonly reasons: string;
  readonly grading: { readonly system: string; readonly source: string; readonly info: string };
  readonly action: string;
  readonly reviewBy?: string;
}

/** An existing alert as a bootstrap load (demo scenario, migration) brings it. */
export interface ImportedAlert {
  readonly id: string;
  readonly agency: string;
  readonly caseId: string;
  readonly subjectEntityIds: readonly string[];
  readonly names?: readonly string[];
  readonly birthDates?: readonly string[];
  readonly selectors?: readonly Selector[];
  readonly threatLevel: string;
  readonly reasons: string;
  readonly grading: Alert['grading'];
  readonly action: string;
  readonly issuedAt: string;
  readonly reviewBy: string;
  readonly status: 'active' | 'delisted';
  readonly delistedAt?: string;
}

/** Statements grouped per entity into (schema, property map) pairs. */
function groupStatements(statements: readonly Statement[]): [SchemaName, Record<string, string[]>][] {
  const by = new Map<string, { schema: SchemaName; props: Record<string, string[]> }>();
  for (const st of statements) {
    let e = by.get(st.entityId);
    if (!e) by.set(st.entityId, (e = { schema: st.schema, props: {} }));
    (e.props[st.prop] ??= []).push(st.value);
  }
  return [...by.values()].map((e) => [e.schema, e.props]);
}

/** An entity handed over by ingest (structurally the `IngestedEntity` of src/ingest/ports.ts). */
export interface ScreenableEntity {
  readonly id: string;
  readonly schema: SchemaName;
  readonly statements: readonly Statement[];
}

export interface WatchServiceOptions {
  readonly config: WatchConfig;
  /** This node's agency: the automated screening actor is recorded under it. */
  readonly nodeAgency: string;
  readonly now?: () => Date;
}

/** The audit identity of automated screening (ingest hand-over): a system actor, not a user. */
export const SCREENING_ACTOR_CTX: QueryContext = { userId: 'system:screening', purpose: 'Automated watchlist screening of newly ingested records', caseId: null };

/**
 * Watchlists and screening. Alerts live in the store (`watch-alerts`), hits in the issuer's inbox
 * (`watch-hits`); an in-memory `ScreeningIndex` mirrors the alerts for real-time screening. Every
 * change and every screening run is written to the audit chain through Governance.
 */
export class WatchService {
  readonly index = new ScreeningIndex();
  private readonly store: Store;
  private readonly config: WatchConfig;
  private readonly now: () => Date;
  private loaded = false;

  constructor(
    private readonly gov: Governance,
    private readonly options: WatchServiceOptions,
  ) {
    this.store = gov.store;
    this.config = options.config;
    this.now = options.now ?? (() => new Date());
  }

  // ---- index ----------------------------------------------------------------------------------

  /** The window in which an alert is screened fully, then quietly (post-delisting safety net). */
  windowOf(alert: Alert): AlertWindow {
    const expiry = endOfDay(alert.reviewBy);
    const quietYears = this.config.quietYears;
    if (alert.status === 'delisted') {
      const quietUntil = alert.quietUntil ? Date.parse(alert.quietUntil) : Date.parse(alert.delistedAt ?? alert.createdAt) + quietYears * 365.25 * DAY;
      return { activeUntil: Number.NEGATIVE_INFINITY, quietUntil };
    }
    // A lapsed alert that nobody extended is treated as delisted on its expiry date: the subject
    // drops to the quiet watch rather than out of sight (the fiche S lesson of issue 6).
    return { activeUntil: expiry, quietUntil: addMonths(new Date(expiry), Math.round(quietYears * 12)).getTime() };
  }

  /** (Re)builds the screening index from the store. */
  async loadIndex(): Promise<number> {
    let after: string | undefined;
    for (;;) {
      const page = await this.store.findRecords<Alert>(ALERTS, { limit: 5_000, ...(after ? { afterId: after } : {}) });
      for (const r of page) this.index.upsert(r.body, this.windowOf(r.body));
      if (page.length < 5_000) break;
      after = page[page.length - 1]!.id;
    }
    this.loaded = true;
    return this.index.size;
  }

  private async ensureIndex(): Promise<void> {
    if (!this.loaded) await this.loadIndex();
  }

  // ---- alerts ---------------------------------------------------------------------------------

  private async saveAlert(alert: Alert, tx: Store = this.store): Promise<void> {
    await tx.putRecord(ALERTS, alert.id, alert, { agency: alert.agency, status: alert.status, case: alert.caseId, review: alert.reviewBy });
  }

  private async principalFor(ctx: QueryContext): Promise<Principal> {
    return this.gov.authorise(ctx, 'screening');
  }

  private checkThreatLevel(level: string, record: string): void {
    if (!this.config.threatLevels.includes(level)) throw invalid(`unknown threat level "${level}" (scale, lowest first: ${this.config.threatLevels.join(', ')})`, record, 'threatLevel');
  }

  private checkAssessment(text: string | undefined, record: string): string {
    const t = (text ?? '').trim();
    if (t.length < this.config.minAssessment) {
      throw invalid(`a documented re-assessment is required (at least ${this.config.minAssessment} characters stating why)`, record, 'assessment');
    }
    return t;
  }

  /** Names, dates of birth and selectors of the subject entities, read as the principal may see them. */
  private async enrichSubject(ctx: QueryContext, subject: AlertSubject): Promise<AlertSubject> {
    if (subject.entityIds.length === 0) return subject;
    const entities = await this.gov.readEntities(ctx, subject.entityIds, 'screening');
    const missing = subject.entityIds.filter((id) => !entities.has(id));
    if (missing.length) throw invalid(`subject entity ${missing.join(', ')} does not exist or is not readable by you`, 'alert', 'subject.entityIds');
    const names = [...subject.names];
    const birthDates = [...subject.birthDates];
    const selectors: Selector[] = [...subject.selectors];
    for (const e of entities.values()) {
      const f = featuresOf(e.schema, viewOf(e));
      names.push(...f.names);
      birthDates.push(...f.birthDates.map((d) => d.raw));
      selectors.push(...f.selectors.filter((s) => s.kind !== 'entity'));
    }
    // The resolved subject's own objects: documents it holds, phones it uses, vehicles, handsets and
    // firearms it possesses. Their numbers become selectors (an alert on a person then meets the
    // person's passport or phone in a booking even under another name).
    for (const e of (await this.linkedObjects(ctx, subject.entityIds)).values()) {
      selectors.push(...featuresOf(e.schema, viewOf(e)).selectors.filter((s) => s.kind !== 'entity'));
    }
    return { entityIds: subject.entityIds, names: [...new Set(names)], birthDates: [...new Set(birthDates)], selectors: dedupeSelectors(selectors) };
  }

  /** Objects linked to the subject entities (readable by the principal): held documents, used phones, possessions. */
  private async linkedObjects(ctx: QueryContext, ids: readonly string[]): Promise<Map<string, Entity>> {
    const refs = await this.gov.readReferencing(ctx, 'screening', ids);
    const direct = new Set<string>();
    const links = new Set<string>();
    for (const s of refs) {
      if (s.schema === 'IdentityDocument' && s.prop === 'holder') direct.add(s.entityId);
      else if ((s.schema === 'PhoneUse' && s.prop === 'person') || (s.schema === 'Possession' && s.prop === 'owner')) links.add(s.entityId);
    }
    if (links.size) {
      const linkEntities = await this.gov.readEntities(ctx, [...links], 'screening');
      for (const l of linkEntities.values()) for (const v of [...values(l, 'phone'), ...values(l, 'asset')]) direct.add(v);
    }
    for (const id of ids) direct.delete(id);
    return direct.size ? this.gov.readEntities(ctx, [...direct].slice(0, 200), 'screening') : new Map();
  }

  /** Issues a new alert for the principal's agency (the owner). */
  async addAlert(ctx: QueryContext, input: NewAlert): Promise<Alert> {
    const principal = await this.principalFor(ctx);
    if (input.agency !== undefined && input.agency !== principal.agency) {
      await this.gov.audit(ctx, principal, 'watch.alert.add', 'refused', [], { reason: `cannot issue for ${input.agency}` });
      throw new TesseraError('FORBIDDEN', `user ${principal.userId} of ${principal.agency} cannot issue an alert owned by ${input.agency}`, { field: 'agency' });
    }
    const parsed = AlertInput.safeParse({ ...input, agency: principal.agency, caseId: input.caseId ?? ctx.caseId ?? undefined });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(issue.message, 'alert', issue.path.join('.') || undefined);
    }
    const a = parsed.data;
    if (!principal.cases.includes(a.caseId)) throw new TesseraError('FORBIDDEN', `user ${principal.userId} is not a member of case ${a.caseId}`, { field: 'caseId' });
    this.checkThreatLevel(a.threatLevel, 'alert');
    const now = this.now();
    const reviewBy = a.reviewBy ?? isoDay(addMonths(now, this.config.reviewMonths));
    if (reviewBy <= isoDay(now)) throw invalid(`review date ${reviewBy} is not in the future`, 'alert', 'reviewBy');
    const subject = await this.enrichSubject(ctx, a.subject);
    if (subject.names.length === 0 && subject.selectors.length === 0 && subject.entityIds.length === 0) {
      throw invalid('the subject needs at least a name, a selector or a resolved entity', 'alert', 'subject');
    }
    const alert: Alert = {
      id: newEntityId(principal.agency, now.getTime()).replace(':', ':wl-'),
      agency: principal.agency,
      caseId: a.caseId,
      subject,
      threatLevel: a.threatLevel,
      reasons: a.reasons,
      grading: a.grading,
      action: a.action,
      createdBy: principal.userId,
      createdAt: now.toISOString(),
      reviewBy,
      status: 'active',
      version: 1,
      history: [{ at: now.toISOString(), by: principal.userId, kind: 'created' }],
    };
    await this.store.transaction(async (tx) => {
      await this.saveAlert(alert, tx);
      await tx.appendAudit(auditEntry(now, ctx, principal, 'watch.alert.add', subject.entityIds, { alertId: alert.id, threatLevel: alert.threatLevel, action: alert.action, reviewBy }));
    });
    if (this.loaded) this.index.upsert(alert, this.windowOf(alert));
    return alert;
  }

  /** An alert of the principal's agency (others' alerts are not visible: they hold their own). */
  private async ownAlert(ctx: QueryContext, principal: Principal, id: string, action: string): Promise<Alert> {
    const rec = await this.store.getRecord<Alert>(ALERTS, id);
    if (!rec) throw new TesseraError('NOT_FOUND', `no alert ${id}`, { record: id });
    if (rec.body.agency !== principal.agency) {
      await this.gov.audit(ctx, principal, action, 'refused', [], { alertId: id, reason: 'not the issuing agency' });
      throw new TesseraError('FORBIDDEN', `alert ${id} belongs to ${rec.body.agency}; only the issuing agency may change it`, { record: id });
    }
    return rec.body;
  }

  private async commit(ctx: QueryContext, principal: Principal, alert: Alert, action: string, details: Record<string, unknown>): Promise<Alert> {
    const now = this.now();
    await this.store.transaction(async (tx) => {
      await this.saveAlert(alert, tx);
      await tx.appendAudit(auditEntry(now, ctx, principal, action, alert.subject.entityIds, { alertId: alert.id, ...details }));
    });
    if (this.loaded) this.index.upsert(alert, this.windowOf(alert));
    return alert;
  }

  /** Reads one alert of the principal's agency (audited). */
  async getAlert(ctx: QueryContext, id: string): Promise<Alert> {
    const principal = await this.principalFor(ctx);
    const alert = await this.ownAlert(ctx, principal, id, 'watch.alert.read');
    await this.gov.audit(ctx, principal, 'watch.alert.read', 'allowed', alert.subject.entityIds, { alertId: id });
    return alert;
  }

  /**
   * Documented re-assessment of an alert: extends its validity (by the configured period, or to a
   * given date) and may change the threat level, the action or add names and selectors.
   */
  async reviewAlert(
    ctx: QueryContext,
    id: string,
    change: { assessment: string; extend?: boolean; reviewBy?: string; threatLevel?: string; action?: string; addNames?: readonly string[]; addSelectors?: readonly Selector[] },
  ): Promise<Alert> {
    const principal = await this.principalFor(ctx);
    const alert = await this.ownAlert(ctx, principal, id, 'watch.alert.review');
    const assessment = this.checkAssessment(change.assessment, id);
    if (alert.status === 'delisted') throw new TesseraError('CONFLICT', `alert ${id} was removed on ${alert.delistedAt?.slice(0, 10)}; issue a new alert instead`, { record: id });
    const now = this.now();
    const changes: Record<string, unknown> = {};
    let next: Alert = alert;
    if (change.threatLevel !== undefined && change.threatLevel !== alert.threatLevel) {
      this.checkThreatLevel(change.threatLevel, id);
      changes.threatLevel = { from: alert.threatLevel, to: change.threatLevel };
      next = { ...next, threatLevel: change.threatLevel };
    }
    if (change.action !== undefined && change.action !== alert.action) {
      const action = EncounterAction.safeParse(change.action);
      if (!action.success) throw invalid(`unknown action "${change.action}" (one of ${EncounterAction.options.join(', ')})`, id, 'action');
      changes.action = { from: alert.action, to: action.data };
      next = { ...next, action: action.data };
    }
    if (change.addNames?.length || change.addSelectors?.length) {
      const selectors = (change.addSelectors ?? []).map((s) => {
        const p = Selector.safeParse(s);
        if (!p.success) throw invalid(p.error.issues[0]!.message, id, 'selectors');
        return p.data;
      });
      const subject = AlertSubject.parse({ ...alert.subject, names: [...new Set([...alert.subject.names, ...(change.addNames ?? [])])], selectors: dedupeSelectors([...alert.subject.selectors, ...selectors]) });
      changes.subject = { addedNames: change.addNames?.length ?? 0, addedSelectors: selectors.length };
      next = { ...next, subject, version: alert.version + 1 };
    }
    if (change.extend || change.reviewBy) {
      const reviewBy = change.reviewBy ?? isoDay(addMonths(now, this.config.reviewMonths));
      if (!/^\d{4}-\d{2}-\d{2}$/.test(reviewBy) || Number.isNaN(Date.parse(reviewBy))) throw invalid(`not a date: "${reviewBy}"`, id, 'reviewBy');
      if (reviewBy <= isoDay(now)) throw invalid(`review date ${reviewBy} is not in the future`, id, 'reviewBy');
      changes.reviewBy = { from: alert.reviewBy, to: reviewBy };
      next = { ...next, reviewBy };
    }
    if (Object.keys(changes).length === 0) throw invalid('nothing to change: extend the alert or change its level, action or subject', id, undefined);
    const event: AlertEvent = { at: now.toISOString(), by: principal.userId, kind: changes.reviewBy ? 'extended' : 'reassessed', assessment, changes };
    next = { ...next, history: [...alert.history, event] };
    return this.commit(ctx, principal, next, 'watch.alert.review', changes);
  }

  /** Asks for removal with a documented re-assessment; a second person must approve it. */
  async requestRemoval(ctx: QueryContext, id: string, assessment: string): Promise<Alert> {
    const principal = await this.principalFor(ctx);
    const alert = await this.ownAlert(ctx, principal, id, 'watch.alert.remove');
    const text = this.checkAssessment(assessment, id);
    if (alert.status !== 'active') throw new TesseraError('CONFLICT', `alert ${id} is ${alert.status}; only an active alert can be put up for removal`, { record: id });
    const now = this.now().toISOString();
    const next: Alert = {
      ...alert,
      status: 'removal-pending',
      removal: { requestedBy: principal.userId, requestedAt: now, assessment: text },
      history: [...alert.history, { at: now, by: principal.userId, kind: 'removal-requested', assessment: text }],
    };
    return this.commit(ctx, principal, next, 'watch.alert.remove-request', {});
  }

  /**
   * Four-eyes decision on a pending removal: a second person of the issuing agency, with the
   * supervisor (or admin) role, approves or rejects. Approval delists the subject onto the quiet watch.
   */
  async decideRemoval(ctx: QueryContext, id: string, approve: boolean, note: string): Promise<Alert> {
    const principal = await this.principalFor(ctx);
    const alert = await this.ownAlert(ctx, principal, id, 'watch.alert.approve');
    if (alert.status !== 'removal-pending' || !alert.removal) throw new TesseraError('CONFLICT', `alert ${id} has no pending removal (status ${alert.status})`, { record: id });
    if (alert.removal.requestedBy === principal.userId) {
      await this.gov.audit(ctx, principal, 'watch.alert.approve', 'refused', alert.subject.entityIds, { alertId: id, reason: 'four eyes: requester cannot approve' });
      throw new TesseraError('FORBIDDEN', `four-eyes rule: ${principal.userId} asked for the removal of ${id} and cannot also approve it`, { record: id });
    }
    if (!principal.roles.some((r) => r === 'supervisor' || r === 'admin')) {
      await this.gov.audit(ctx, principal, 'watch.alert.approve', 'refused', alert.subject.entityIds, { alertId: id, reason: 'role' });
      throw new TesseraError('FORBIDDEN', `removal of ${id} must be approved by a supervisor (user ${principal.userId} has ${principal.roles.join(', ')})`, { record: id, field: 'role' });
    }
    const text = note.trim();
    if (text.length < 5) throw invalid('say why the removal is approved or rejected', id, 'note');
    const now = this.now();
    let next: Alert;
    if (approve) {
      const quietUntil = addMonths(now, Math.round(this.config.quietYears * 12)).toISOString();
      const { removal: _removal, ...rest } = alert;
      next = { ...rest, status: 'delisted', delistedAt: now.toISOString(), quietUntil, history: [...alert.history, { at: now.toISOString(), by: principal.userId, kind: 'removal-approved', assessment: text }] };
    } else {
      const { removal: _removal, ...rest } = alert;
      next = { ...rest, status: 'active', history: [...alert.history, { at: now.toISOString(), by: principal.userId, kind: 'removal-rejected', assessment: text }] };
    }
    return this.commit(ctx, principal, next, approve ? 'watch.alert.removal-approved' : 'watch.alert.removal-rejected', { requestedBy: alert.removal.requestedBy });
  }

  /** Alerts of the principal's agency, newest first. */
  async listAlerts(ctx: QueryContext, filter: { status?: string; limit?: number } = {}): Promise<Alert[]> {
    const principal = await this.principalFor(ctx);
    const rows = await this.store.findRecords<Alert>(ALERTS, { where: { agency: principal.agency, ...(filter.status ? { status: filter.status } : {}) }, order: 'desc', limit: filter.limit ?? 1_000 });
    await this.gov.audit(ctx, principal, 'watch.alert.list', 'allowed', [], { count: rows.length, ...(filter.status ? { status: filter.status } : {}) });
    return rows.map((r) => r.body);
  }

  /** The due-for-review queue: alerts of the agency expiring within the warning period (or lapsed). */
  async dueForReview(ctx: QueryContext): Promise<DueAlert[]> {
    const principal = await this.principalFor(ctx);
    const now = this.now();
    const horizon = isoDay(addMonths(now, this.config.warnMonths));
    const rows = await this.store.findRecords<Alert>(ALERTS, { where: { agency: principal.agency, status: ['active', 'removal-pending'] } });
    const due = rows
      .map((r) => r.body)
      .filter((a) => a.reviewBy <= horizon)
      .map((alert) => {
        const daysLeft = Math.floor((endOfDay(alert.reviewBy) - now.getTime()) / DAY);
        return { alert, daysLeft, overdue: daysLeft < 0 };
      })
      .sort((a, b) => a.daysLeft - b.daysLeft);
    await this.gov.audit(ctx, principal, 'watch.alert.due', 'allowed', [], { count: due.length });
    return due;
  }

  /**
   * Bootstrap import of existing alerts (a demo or migration load, like `Governance.systemWrite`):
   * alerts keep their own dates and status, subjects are completed from the store (the subject
   * entities and the documents, phones and possessions linked to them), one system audit entry.
   */
  async importAlerts(actor: string, justification: string, input: readonly ImportedAlert[]): Promise<number> {
    const alerts: Alert[] = [];
    for (const a of input) {
      this.checkThreatLevel(a.threatLevel, a.id);
      const action = EncounterAction.safeParse(a.action);
      if (!action.success) throw invalid(`unknown action "${a.action}"`, a.id, 'action');
      if (!/^[A-Z]{2}-[A-Z0-9]{2,12}$/.test(a.agency)) throw invalid('an alert needs its issuing agency (owner)', a.id, 'agency');
      const subject = await this.subjectFromStore({ entityIds: [...a.subjectEntityIds], names: [...(a.names ?? [])], birthDates: [...(a.birthDates ?? [])], selectors: [...(a.selectors ?? [])] });
      const delisted = a.status === 'delisted';
      const delistedAt = delisted ? new Date(a.delistedAt ?? a.reviewBy).toISOString() : undefined;
      alerts.push({
        id: a.id,
        agency: a.agency,
        caseId: a.caseId,
        subject,
        threatLevel: a.threatLevel,
        reasons: a.reasons,
        grading: a.grading,
        action: action.data,
        createdBy: `system:${actor}`,
        createdAt: new Date(a.issuedAt).toISOString(),
        reviewBy: a.reviewBy,
        status: delisted ? 'delisted' : 'active',
        ...(delistedAt ? { delistedAt, quietUntil: addMonths(new Date(delistedAt), Math.round(this.config.quietYears * 12)).toISOString() } : {}),
        version: 1,
        history: [{ at: this.now().toISOString(), by: `system:${actor}`, kind: 'created', assessment: justification }],
      });
    }
    await this.store.transaction(async (tx) => {
      for (const a of alerts) await this.saveAlert(a, tx);
      await tx.appendAudit(auditEntry(this.now(), { userId: `system:${actor}`, purpose: justification, caseId: null }, this.systemPrincipal(), 'watch.alert.import', alerts.flatMap((a) => a.subject.entityIds), { alerts: alerts.length }));
    });
    if (this.loaded) for (const a of alerts) this.index.upsert(a, this.windowOf(a));
    return alerts.length;
  }

  /** Completes a subject from the store without a user (bootstrap): subject entities and linked objects. */
  private async subjectFromStore(subject: AlertSubject): Promise<AlertSubject> {
    if (subject.entityIds.length === 0) return subject;
    const own = groupStatements(await this.store.statementsOfMany(subject.entityIds));
    const refs = await this.store.statementsReferencing(subject.entityIds);
    const direct = new Set<string>();
    const links = new Set<string>();
    for (const st of refs) {
      if (st.schema === 'IdentityDocument' && st.prop === 'holder') direct.add(st.entityId);
      else if ((st.schema === 'PhoneUse' && st.prop === 'person') || (st.schema === 'Possession' && st.prop === 'owner')) links.add(st.entityId);
    }
    for (const st of links.size ? await this.store.statementsOfMany([...links]) : []) if (st.prop === 'phone' || st.prop === 'asset') direct.add(st.value);
    for (const id of subject.entityIds) direct.delete(id);
    const linked = groupStatements(direct.size ? await this.store.statementsOfMany([...direct].slice(0, 200)) : []);
    const names = [...subject.names];
    const birthDates = [...subject.birthDates];
    const selectors: Selector[] = [...subject.selectors];
    for (const [schema, props] of own) {
      const f = featuresOf(schema, scoringView(schema, props));
      names.push(...f.names);
      birthDates.push(...f.birthDates.map((d) => d.raw));
      selectors.push(...f.selectors.filter((x) => x.kind !== 'entity'));
    }
    for (const [schema, props] of linked) selectors.push(...featuresOf(schema, scoringView(schema, props)).selectors.filter((x) => x.kind !== 'entity'));
    return { entityIds: subject.entityIds, names: [...new Set(names)], birthDates: [...new Set(birthDates)], selectors: dedupeSelectors(selectors) };
  }

  // ---- screening ------------------------------------------------------------------------------

  /**
   * Screens prepared records against every alert in force and files hit reports (or post-delisting
   * notices) in the issuers' inboxes. False-positive decisions suppress the same (alert version,
   * record data) pair; a report already filed for the same record is not filed twice.
   */
  async screenSubjects(subjects: readonly ScreeningSubject[], audit: { ctx: QueryContext; principal: Principal | undefined; action: string; details?: Record<string, unknown> }): Promise<ScreeningSummary> {
    await this.ensureIndex();
    const now = this.now();
    const options = { now: now.getTime(), threshold: this.config.hitThreshold };
    const found: { subject: ScreeningSubject; match: ScreeningMatch; fingerprint: string; hitId: string }[] = [];
    for (const subject of subjects) {
      const matches = this.index.screen(subject.features, options, subject.selfIds ?? []);
      if (matches.length === 0) continue;
      const digest = featureDigest(subject.features);
      for (const match of matches) {
        const fingerprint = sha(`${match.alertId}|${match.alertVersion}|${digest}`);
        found.push({ subject, match, fingerprint, hitId: `hit-${sha(`${fingerprint}|${subject.encountered.ref}`).slice(0, 26)}` });
      }
    }
    let suppressed = 0;
    let duplicates = 0;
    let hits = 0;
    let notices = 0;
    const hitIds: string[] = [];
    if (found.length) {
      const alerts = new Map<string, Alert>();
      for (const id of new Set(found.map((f) => f.match.alertId))) {
        const a = await this.store.getRecord<Alert>(ALERTS, id);
        if (a) alerts.set(id, a.body);
      }
      await this.store.transaction(async (tx) => {
        for (const f of found) {
          const alert = alerts.get(f.match.alertId);
          if (!alert) continue;
          if (await tx.getRecord(SUPPRESSED, f.fingerprint)) {
            suppressed++;
            continue;
          }
          if (await tx.getRecord(HITS, f.hitId)) {
            duplicates++;
            continue;
          }
          const quiet = f.match.mode === 'quiet';
          // Handling is enforced on hits too: an issuer the record is not released to learns that
          // the originator holds a matching record, which fields matched and how well — not the values.
          const open = releasableTo(f.subject.handling, alert.agency);
          const originators = [...new Set((f.subject.handling ?? []).map((h) => h.originator))].join(', ');
          const encountered = open ? f.subject.encountered : { ref: f.subject.encountered.ref, schema: f.subject.encountered.schema, what: `a ${f.subject.encountered.schema} record held by ${originators}, not released to ${alert.agency}: ask the originator`, by: f.subject.encountered.by };
          const matched = open ? f.match.matched : f.match.matched.map((m) => ({ ...m, recordValue: '(withheld by handling)' }));
          const explanation = open ? f.match.explanation : [`${f.match.matched.map((m) => m.field).join(', ')} matched (values withheld: handling of ${originators})`];
          const report: HitReport = {
            id: f.hitId,
            kind: quiet ? 'notice' : 'hit',
            priority: quiet ? 'low' : f.match.exact || this.isHighThreat(alert.threatLevel) ? 'high' : 'normal',
            alertId: alert.id,
            agency: alert.agency,
            caseId: alert.caseId,
            threatLevel: alert.threatLevel,
            recommendedAction: quiet ? 'none (post-delisting notice)' : alert.action,
            encountered,
            score: f.match.score,
            matched,
            explanation: quiet ? [`subject was delisted on ${alert.delistedAt?.slice(0, 10) ?? alert.reviewBy} and is on the post-delisting quiet watch`, ...explanation] : explanation,
            fingerprint: f.fingerprint,
            createdAt: now.toISOString(),
            status: 'open',
            decisions: [],
          };
          await tx.putRecord(HITS, report.id, report, { agency: report.agency, alert: report.alertId, status: report.status, kind: report.kind, fingerprint: report.fingerprint });
          hitIds.push(report.id);
          if (quiet) notices++;
          else hits++;
        }
        await tx.appendAudit(
          auditEntry(now, audit.ctx, audit.principal, audit.action, found.map((f) => f.subject.encountered.ref), {
            ...audit.details,
            records: subjects.length,
            hits,
            notices,
            suppressed,
            duplicates,
            hitIds: hitIds.slice(0, 200),
          }),
        );
      });
    } else {
      await this.gov.audit(audit.ctx, audit.principal, audit.action, 'allowed', [], { ...audit.details, records: subjects.length, hits: 0, notices: 0 });
    }
    return { records: subjects.length, hits, notices, suppressed, duplicates, hitIds };
  }

  private isHighThreat(level: string): boolean {
    const scale = this.config.threatLevels;
    return scale.indexOf(level) >= Math.floor((scale.length * 3) / 4);
  }

  /** Screens records a user submits (batch files, API), under the user's context. */
  async screenRecords(ctx: QueryContext, subjects: readonly ScreeningSubject[], details: Record<string, unknown> = {}): Promise<ScreeningSummary> {
    const principal = await this.principalFor(ctx);
    return this.screenSubjects(subjects, { ctx, principal, action: 'watch.screen', details });
  }

  /** Screens entities as ingest wrote them (system actor). Only ScoringView properties are used. */
  async screenEntities(entities: readonly ScreenableEntity[], source: { sourceId: string; file: string }): Promise<ScreeningSummary> {
    const subjects = entities.map((e) => subjectOfEntity(e, source));
    return this.screenSubjects(subjects, { ctx: SCREENING_ACTOR_CTX, principal: this.systemPrincipal(), action: 'watch.screen.ingest', details: { sourceId: source.sourceId, file: source.file } });
  }

  /**
   * Back-check: screens the travel records already in the store whose departure falls in
   * [`from`, `to`] (ISO dates or datetimes) against the alerts in force now, in departure order and in
   * batches, as the screening actor (the same path as ingest's hand-over; each batch audited as
   * `watch.screen.ingest` with `sourceId`). A PNR or border feed screened after the fact (retained
   * PNR data may be re-screened: Directive (EU) 2016/681 Art. 6(2)(b)); reports already filed for a
   * record are not filed twice, so a repeated back-check adds nothing.
   */
  async backCheckTravel(options: { from: string; to: string; sourceId: string; file: string; batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<ScreeningSummary> {
    const from = Date.parse(options.from);
    const to = Date.parse(options.to);
    if (!Number.isFinite(from)) throw invalid(`not a date: ${options.from}`, undefined, 'from');
    if (!Number.isFinite(to) || to < from) throw invalid(`not a date on or after ${options.from}: ${options.to}`, undefined, 'to');
    const batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw invalid('batchSize must be a positive integer', undefined, 'batchSize');
    const byEntity = new Map<string, Statement[]>();
    for await (const batch of this.store.scanStatements({ schemas: ['TravelEvent'] })) {
      for (const st of batch) {
        const list = byEntity.get(st.entityId);
        if (list) list.push(st);
        else byEntity.set(st.entityId, [st]);
      }
    }
    const trips: { id: string; at: number; statements: Statement[] }[] = [];
    for (const [id, statements] of byEntity) {
      const at = Math.min(...statements.filter((s) => s.prop === 'departure').map((s) => Date.parse(s.value)).filter(Number.isFinite));
      if (at >= from && at <= to) trips.push({ id, at, statements });
    }
    trips.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let hits = 0;
    let notices = 0;
    let suppressed = 0;
    let duplicates = 0;
    const hitIds: string[] = [];
    for (let i = 0; i < trips.length; i += batchSize) {
      const part = trips.slice(i, i + batchSize);
      const r = await this.screenEntities(part.map((t) => ({ id: t.id, schema: 'TravelEvent' as const, statements: t.statements })), { sourceId: options.sourceId, file: options.file });
      hits += r.hits;
      notices += r.notices;
      suppressed += r.suppressed;
      duplicates += r.duplicates;
      hitIds.push(...r.hitIds);
      options.onProgress?.(i + part.length, trips.length);
    }
    return { records: trips.length, hits, notices, suppressed, duplicates, hitIds };
  }

  private systemPrincipal(): Principal {
    return { userId: SCREENING_ACTOR_CTX.userId, agency: this.options.nodeAgency, country: this.options.nodeAgency.slice(0, 2), roles: [], clearance: this.gov.levels[this.gov.levels.length - 1] ?? 'UNCLASSIFIED', cases: [] };
  }

  /**
   * The `ScreeningPort` ingest calls after each batch. A failing screen never blocks ingest: the work
   * is queued in the store (`watch-pending`) for `retryPending`, and only a failure to queue it is
   * thrown (ingest then counts and reports it).
   */
  screeningPort(): ScreeningPort {
    return {
      screen: async (entities, context) => {
        try {
          await this.screenEntities(entities, context);
        } catch (e) {
          const id = `pending-${Date.now().toString(36)}-${sha(entities.map((x) => x.id).join(',')).slice(0, 12)}`;
          await this.store.putRecord(PENDING, id, { entityIds: entities.map((x) => x.id), context, error: e instanceof Error ? e.message : String(e), at: this.now().toISOString(), attempts: 1 }, { source: context.sourceId });
        }
      },
    };
  }

  /** Pending screening work (failed earlier). */
  async pendingCount(): Promise<number> {
    return this.store.countRecords(PENDING);
  }

  /** Retries queued screening work from the store; returns what succeeded and what is still pending. */
  async retryPending(): Promise<{ retried: number; stillPending: number; summary: ScreeningSummary[] }> {
    const rows = await this.store.findRecords<{ entityIds: string[]; context: { sourceId: string; file: string }; attempts: number }>(PENDING, { limit: 1_000 });
    const summary: ScreeningSummary[] = [];
    let retried = 0;
    for (const r of rows) {
      try {
        const statements = await this.store.statementsOfMany(r.body.entityIds);
        const byEntity = new Map<string, Statement[]>();
        for (const s of statements) byEntity.set(s.entityId, [...(byEntity.get(s.entityId) ?? []), s]);
        const entities = [...byEntity.entries()].map(([id, list]) => ({ id, schema: list[0]!.schema, statements: list }));
        summary.push(await this.screenEntities(entities, r.body.context));
        await this.store.deleteRecord(PENDING, r.id);
        retried++;
      } catch (e) {
        await this.store.putRecord(PENDING, r.id, { ...r.body, attempts: r.body.attempts + 1, error: e instanceof Error ? e.message : String(e) }, { source: r.body.context.sourceId });
      }
    }
    return { retried, stillPending: await this.pendingCount(), summary };
  }

  // ---- hits -----------------------------------------------------------------------------------

  /** The principal's agency inbox: hits and notices on its alerts, highest priority first. */
  async listHits(ctx: QueryContext, filter: { status?: string; kind?: string; alertId?: string; limit?: number } = {}): Promise<HitReport[]> {
    const principal = await this.principalFor(ctx);
    const where: Record<string, string> = { agency: principal.agency };
    if (filter.status) where.status = filter.status;
    if (filter.kind) where.kind = filter.kind;
    if (filter.alertId) where.alert = filter.alertId;
    const rows = await this.store.findRecords<HitReport>(HITS, { where, order: 'desc', limit: filter.limit ?? 500 });
    const rank = { high: 0, normal: 1, low: 2 } as const;
    const hits = rows.map((r) => r.body).sort((a, b) => rank[a.priority] - rank[b.priority] || b.score - a.score || b.createdAt.localeCompare(a.createdAt));
    await this.gov.audit(ctx, principal, 'watch.hit.list', 'allowed', hits.map((h) => h.encountered.ref), { count: hits.length });
    return hits;
  }

  /** One hit report of the principal's agency inbox (audited; another agency's hit is refused). */
  async getHit(ctx: QueryContext, hitId: string): Promise<HitReport> {
    const principal = await this.principalFor(ctx);
    const rec = await this.store.getRecord<HitReport>(HITS, hitId);
    if (!rec) throw new TesseraError('NOT_FOUND', `no hit ${hitId}`, { record: hitId });
    if (rec.body.agency !== principal.agency) {
      await this.gov.audit(ctx, principal, 'watch.hit.read', 'refused', [], { hitId, reason: 'not the issuing agency' });
      throw new TesseraError('FORBIDDEN', `hit ${hitId} is in the inbox of ${rec.body.agency}`, { record: hitId });
    }
    await this.gov.audit(ctx, principal, 'watch.hit.read', 'allowed', [rec.body.encountered.ref], { hitId, alertId: rec.body.alertId });
    return rec.body;
  }

  /**
   * A person's decision on a hit; a false positive suppresses the same pair until its data change.
   * `escalated` hands the decision to the agency's supervisors (the note is the reason they see in
   * their queue, `listHits` with status `escalated`); while a hit is escalated only a supervisor (or
   * admin) decides it, and their decision closes the escalation. Refusals are audited.
   */
  async decideHit(ctx: QueryContext, hitId: string, decisionInput: string, note: string): Promise<HitReport> {
    const principal = await this.principalFor(ctx);
    const decision = HitDecision.safeParse(decisionInput);
    if (!decision.success) throw invalid(`unknown decision "${decisionInput}" (one of ${HitDecision.options.join(', ')})`, hitId, 'decision');
    const rec = await this.store.getRecord<HitReport>(HITS, hitId);
    if (!rec) throw new TesseraError('NOT_FOUND', `no hit ${hitId}`, { record: hitId });
    const hit = rec.body;
    const action = decision.data === 'escalated' ? 'watch.hit.escalate' : 'watch.hit.decide';
    if (hit.agency !== principal.agency) {
      await this.gov.audit(ctx, principal, action, 'refused', [], { hitId, reason: 'not the issuing agency' });
      throw new TesseraError('FORBIDDEN', `hit ${hitId} is in the inbox of ${hit.agency}; only that agency decides it`, { record: hitId });
    }
    const text = note.trim();
    if (decision.data === 'escalated') {
      if (text.length < 10) throw invalid('say why a supervisor must decide (at least 10 characters; the supervisors see it in their queue)', hitId, 'note');
      if (hit.status === 'escalated') throw new TesseraError('CONFLICT', `hit ${hitId} is already waiting for a supervisor`, { record: hitId, field: 'decision' });
    } else if (text.length < 5) throw invalid('say why (a short note is kept with the decision)', hitId, 'note');
    const escalation = hit.status === 'escalated' ? hit.decisions.findLast((d) => d.decision === 'escalated') : undefined;
    if (hit.status === 'escalated' && !principal.roles.some((r) => r === 'supervisor' || r === 'admin')) {
      await this.gov.audit(ctx, principal, 'watch.hit.decide', 'refused', [hit.encountered.ref], { hitId, alertId: hit.alertId, decision: decision.data, reason: 'escalated: a supervisor decides' });
      throw new TesseraError('FORBIDDEN', `hit ${hitId} was escalated to the supervisors of ${hit.agency}${escalation ? ` by ${escalation.by}` : ''}; a supervisor decides it (user ${principal.userId} has ${principal.roles.join(', ')})`, {
        record: hitId,
        field: 'role',
      });
    }
    const now = this.now().toISOString();
    const next: HitReport = { ...hit, status: decision.data, decisions: [...hit.decisions, { at: now, by: principal.userId, decision: decision.data, note: text }] };
    await this.store.transaction(async (tx) => {
      await tx.putRecord(HITS, next.id, next, { agency: next.agency, alert: next.alertId, status: next.status, kind: next.kind, fingerprint: next.fingerprint });
      if (decision.data === 'false-positive') await tx.putRecord(SUPPRESSED, hit.fingerprint, { fingerprint: hit.fingerprint, alertId: hit.alertId, hitId, by: principal.userId, at: now, note: text }, { alert: hit.alertId });
      else await tx.deleteRecord(SUPPRESSED, hit.fingerprint);
      await tx.appendAudit(
        auditEntry(this.now(), ctx, principal, action, [hit.encountered.ref], {
          hitId,
          alertId: hit.alertId,
          decision: decision.data,
          ...(decision.data === 'escalated' ? { queue: 'supervisors', from: hit.status } : {}),
          ...(escalation ? { escalatedBy: escalation.by, escalatedAt: escalation.at } : {}),
        }),
      );
    });
    return next;
  }
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function auditEntry(now: Date, ctx: QueryContext, principal: Principal | undefined, action: string, entityIds: readonly string[], details: Record<string, unknown>) {
  const ids = [...new Set(entityIds)];
  return {
    at: now.toISOString(),
    userId: ctx.userId,
    agency: principal?.agency ?? 'UNKNOWN',
    purpose: ctx.purpose,
    caseId: ctx.caseId,
    action,
    outcome: 'allowed' as const,
    entityIds: ids.slice(0, 5_000),
    details: ids.length > 5_000 ? { ...details, entityCount: ids.length } : details,
  };
}

/** The property map of an assembled entity, as a ScoringView (protected characteristics removed). */
function viewOf(e: Entity) {
  const props: Record<string, string[]> = {};
  for (const p of Object.keys(e.properties)) props[p] = values(e, p);
  return scoringView(e.schema, props);
}

/** Screening subject of an ingested entity: features from its ScoringView, an encounter description. */
export function subjectOfEntity(e: ScreenableEntity, source: { sourceId: string; file: string }): ScreeningSubject {
  const props: Record<string, string[]> = {};
  for (const s of e.statements) (props[s.prop] ??= []).push(s.value);
  const schema = isSchemaName(e.schema) ? e.schema : 'Person';
  const view = scoringView(schema, props);
  const features = featuresOf(schema, view);
  const first = (p: string) => view[p]?.[0];
  const agencies = [...new Set(e.statements.map((s) => s.source.agency))];
  const docs = [...new Set(e.statements.map((s) => s.source.documentId).filter((d): d is string => d !== undefined))];
  const where = schema === 'TravelEvent' ? [first('origin'), first('destination')].filter(Boolean).join(' → ') : undefined;
  const when = first('departure') ?? first('date') ?? e.statements.find((s) => s.firstSeen)?.firstSeen;
  const handling = [...new Map(e.statements.map((s) => [`${s.source.agency}|${s.handling.releasableTo.join(',')}`, { originator: s.source.agency, releasableTo: s.handling.releasableTo }])).values()];
  return {
    features,
    selfIds: [e.id],
    handling,
    encountered: {
      ref: e.id,
      schema,
      what: describe(schema, features, view),
      ...(where ? { where } : {}),
      ...(when ? { when } : {}),
      by: `${agencies.join(', ')} via ${source.sourceId}${docs.length ? ` (${docs.slice(0, 3).join(', ')})` : ''}`,
    },
  };
}

/** A one-line description of a screened record for the hit report. */
export function describe(schema: string, f: ScreeningFeatures, view: Readonly<Record<string, readonly string[]>>): string {
  const parts: string[] = [];
  if (schema === 'TravelEvent') {
    const mode = view.mode?.[0];
    parts.push(`${mode ? `${mode} ` : ''}travel${view.serviceNumber?.[0] ? ` ${view.serviceNumber[0]}` : ''}${view.carrier?.[0] ? ` (${view.carrier[0]})` : ''}`);
  } else parts.push(schema);
  if (f.names.length) parts.push(`of ${f.names[0]}`);
  if (f.birthDates.length) parts.push(`born ${f.birthDates[0]!.raw}`);
  const sel = f.selectors.filter((s) => s.kind !== 'entity').slice(0, 3);
  if (sel.length) parts.push(sel.map((s) => `${s.kind} ${s.value}`).join(', '));
  return parts.join(' ');
}
