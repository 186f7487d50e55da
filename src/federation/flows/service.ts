import type { Governance, Principal, QueryContext } from '../../governance/index.js';
import { invalid, TesseraError, values, type Entity, type Statement } from '../../model/index.js';
import type { WatchService } from '../../watch/index.js';
import { SELECTOR_KINDS, type MessageType, type SelectorKind } from '../messages.js';
import type { FederationPort, InboundHandler } from '../port.js';
import { FlowContext, requireRole, type FederationOptions } from './context.js';
import { DeconflictionFlow } from './deconfliction.js';
import { HitFlow, type ResolvedSubject } from './hits.js';
import { PointerFlow, type PublishSummary } from './pointers.js';
import { PsiFlow } from './psi-sessions.js';
import { COLLECTIONS, type AnswerRecord, type DeconflictionRecord, type HitRecord, type PartnerSet, type PsiSessionRecord, type RequestRecord } from './records.js';
import { RequestFlow, type ReleaseResult, type RequestView } from './requests.js';

export interface FederationServiceOptions extends FederationOptions {
  /** Reads alerts to match (`match({ alertId })`); without it, alert subjects cannot be matched. */
  readonly watch?: WatchService;
}

/** What to match against partners: an entity, an alert, or names/dates/selectors as typed. */
export interface SubjectInput {
  readonly entityId?: string;
  readonly alertId?: string;
  readonly names?: readonly string[];
  readonly birthDates?: readonly string[];
  readonly selectors?: readonly { readonly kind: SelectorKind; readonly value: string }[];
  /** Only these partners (default: every partner we can match against). */
  readonly partners?: readonly string[];
}

export interface MatchResult {
  readonly subject: string;
  /** Name hits: "agency X may hold something on this; ask". */
  readonly hits: readonly HitRecord[];
  /** PSI sessions started for the subject's selectors (their hits arrive with the partners' replies). */
  readonly psiSessions: readonly PsiSessionRecord[];
  /** Partners whose pointer sets were searched. */
  readonly searched: readonly string[];
}

/** An answer to one of our requests, with the released statements the user may read. */
export interface AnswerView extends AnswerRecord {
  readonly requestId: string;
  readonly hitId: string;
  readonly holder: string;
  readonly caseId: string;
  readonly statements: readonly Statement[];
}

/** The federation inbox of a principal's agency. */
export interface FederationInbox {
  readonly agency: string;
  readonly now: string;
  /** Hits we made (asker, cases the user belongs to) and partners' hits on our pointers (holder). */
  readonly hits: { readonly asked: readonly HitRecord[]; readonly held: readonly HitRecord[] };
  /** Requests we sent (with the answers' state) and requests we must answer, with deadlines and escalation. */
  readonly requests: { readonly outgoing: readonly RequestView[]; readonly incoming: readonly RequestView[] };
  readonly answers: readonly AnswerView[];
  readonly deconfliction: readonly DeconflictionRecord[];
}

/** Federation message types the flows handle (the node layer handles receipts itself). */
export const FLOW_MESSAGE_TYPES = ['pointer.publish', 'psi.offer', 'psi.reply', 'psi.final', 'hit.notice', 'followup.request', 'followup.response', 'followup.escalation', 'deconfliction.notice'] as const;
export type FlowMessageType = (typeof FLOW_MESSAGE_TYPES)[number];

/** Federation selector kinds of an alert's watch selectors (a document number may be either kind). */
const WATCH_KINDS: Readonly<Record<string, readonly SelectorKind[]>> = { document: ['passport', 'idcard'], phone: ['phone'], imei: ['imei'], plate: ['plate'], email: ['email'] };

/** Selector properties of entities, by schema. */
const ENTITY_SELECTORS: Readonly<Record<string, readonly [string, SelectorKind][]>> = {
  Person: [
    ['passportNumber', 'passport'],
    ['idNumber', 'idcard'],
    ['phone', 'phone'],
    ['email', 'email'],
  ],
  Organization: [
    ['phone', 'phone'],
    ['email', 'email'],
  ],
  Phone: [['number', 'phone']],
  Handset: [['imei', 'imei']],
  Email: [['address', 'email']],
  Vehicle: [['registrationNumber', 'plate']],
};

/**
 * The federation flows behind one facade (issue 8 items 2–4): pointers, PSI, hits, follow-up
 * requests and deconfliction. User calls take a QueryContext and are authorised through Governance
 * (the case's legal basis must allow `federation`) and audited; inbound messages are applied by the
 * handlers `wireFlows` registers on the node's FederationPort. State lives in the store (records).
 */
export class FederationService {
  readonly context: FlowContext;
  readonly pointers: PointerFlow;
  readonly deconfliction: DeconflictionFlow;
  readonly hitFlow: HitFlow;
  readonly psi: PsiFlow;
  readonly requests: RequestFlow;
  private readonly watch: WatchService | undefined;

  constructor(
    readonly gov: Governance,
    options: FederationServiceOptions,
  ) {
    this.context = new FlowContext(gov, options);
    this.pointers = new PointerFlow(this.context);
    this.deconfliction = new DeconflictionFlow(this.context);
    this.hitFlow = new HitFlow(this.context, this.pointers, this.deconfliction);
    this.psi = new PsiFlow(this.context, this.hitFlow);
    this.requests = new RequestFlow(this.context, this.hitFlow, this.deconfliction);
    this.watch = options.watch;
  }

  get agency(): string {
    return this.context.self.agency;
  }

  /** True once a node's port is attached (messages can be sent). */
  get wired(): boolean {
    return this.context.wired;
  }

  /** Attaches the node's port (wireFlows does this and registers the handlers). */
  attach(port: FederationPort): void {
    this.context.attach(port);
  }

  /** The inbound handlers, by message type. */
  handlers(): { [T in FlowMessageType]: InboundHandler<T> } {
    return {
      'pointer.publish': (m) => this.pointers.onPublish(m),
      'psi.offer': (m) => this.psi.onOffer(m),
      'psi.reply': (m) => this.psi.onReply(m),
      'psi.final': (m) => this.psi.onFinal(m),
      'hit.notice': (m) => this.hitFlow.onNotice(m),
      'followup.request': (m) => this.requests.onRequest(m),
      'followup.response': (m) => this.requests.onResponse(m),
      'followup.escalation': (m) => this.requests.onEscalation(m),
      'deconfliction.notice': (m) => this.deconfliction.onNotice(m),
    };
  }

  // ---- pointers -----------------------------------------------------------------------------

  /** Publishes our name pointers (a supervisor or administrator, under a case allowing federation). */
  async publishPointers(ctx: QueryContext, options: { partner?: string; mode?: 'snapshot' | 'delta' } = {}): Promise<PublishSummary[]> {
    const principal = await this.context.authorise(ctx);
    requireRole(principal, ['supervisor', 'admin'], 'publishing pointers');
    const out = await this.pointers.publish(options);
    await this.gov.audit(ctx, principal, 'federation.pointers.publish', 'allowed', [], { partners: out.map((o) => o.partner), added: out.reduce((n, o) => n + o.added, 0) });
    return out;
  }

  /** Publishes our name pointers as the node's scheduled job (system actor, audited by the flow). */
  publishPointersAsSystem(options: { partner?: string; mode?: 'snapshot' | 'delta' } = {}): Promise<PublishSummary[]> {
    return this.pointers.publish(options);
  }

  /** Partners' pointer sets we hold (counts, encoding, whether we can match). */
  async partnerSets(ctx: QueryContext): Promise<PartnerSet[]> {
    const principal = await this.context.authorise(ctx);
    const sets = (await this.context.store.findRecords<PartnerSet>(COLLECTIONS.partnerSets)).map((r) => r.body);
    await this.gov.audit(ctx, principal, 'federation.partners', 'allowed', [], { count: sets.length });
    return sets;
  }

  // ---- hits ---------------------------------------------------------------------------------

  /**
   * Matches a subject against partners: names and dates of birth against their pointer sets (hits
   * at once), selectors by PSI sessions with each peer (hits when the partners reply).
   */
  async match(ctx: QueryContext, input: SubjectInput): Promise<MatchResult> {
    const principal = await this.context.authorise(ctx);
    requireRole(principal, ['analyst', 'supervisor', 'admin'], 'matching against partners');
    const subject = await this.resolveSubject(ctx, input);
    if (subject.names.length === 0 && subject.selectors.length === 0) throw invalid('the subject needs a name or a selector to match', input.entityId ?? input.alertId, 'subject');
    const { hits, searched } = await this.hitFlow.matchNames(ctx, principal, subject, input.partners);
    const sessions: PsiSessionRecord[] = [];
    const byKind = new Map<SelectorKind, string[]>();
    for (const s of subject.selectors) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s.value]);
    if (byKind.size > 0) {
      const peers = this.context.port().peers().filter((p) => !input.partners || input.partners.includes(p));
      for (const partner of peers) for (const [kind, list] of byKind) sessions.push(await this.psi.start(ctx, principal, partner, kind, list, { label: subject.label, entityIds: subject.entityIds, ...(subject.alertId ? { alertId: subject.alertId } : {}) }));
    }
    await this.gov.audit(ctx, principal, 'federation.match', 'allowed', subject.entityIds, {
      subject: subject.label,
      searched,
      hits: hits.map((h) => ({ hitId: h.id, holder: h.holder, score: h.score })),
      psiSessions: sessions.map((s) => ({ sessionId: s.id, partner: s.partner, kind: s.selectorKind })),
    });
    return { subject: subject.label, hits, psiSessions: sessions, searched };
  }

  private async resolveSubject(ctx: QueryContext, input: SubjectInput): Promise<ResolvedSubject> {
    const names = [...(input.names ?? [])];
    const birthDates = [...(input.birthDates ?? [])];
    const selectors = [...(input.selectors ?? [])];
    const entityIds: string[] = [];
    let label = names[0] ?? selectors[0]?.value ?? '';
    let alertId: string | undefined;
    for (const s of selectors) if (!SELECTOR_KINDS.includes(s.kind)) throw invalid(`unknown selector kind "${s.kind}"`, undefined, 'selectors');
    if (input.entityId) {
      const view = await this.gov.readEntity(ctx, input.entityId);
      if (!view.entity) throw new TesseraError('NOT_FOUND', `no entity ${input.entityId} you may read`, { record: input.entityId });
      const e = view.entity;
      entityIds.push(e.id);
      names.push(...namesOf(e));
      if (e.schema === 'Person') birthDates.push(...values(e, 'birthDate'));
      selectors.push(...selectorsOf(e));
      label = `${e.schema} ${e.id} (${e.caption})`;
    }
    if (input.alertId) {
      if (!this.watch) throw new TesseraError('CONFIG', 'alerts cannot be matched here: the federation service has no watch service', { field: 'alertId' });
      const alert = await this.watch.getAlert(ctx, input.alertId);
      alertId = alert.id;
      entityIds.push(...alert.subject.entityIds);
      names.push(...alert.subject.names);
      birthDates.push(...alert.subject.birthDates);
      for (const s of alert.subject.selectors) for (const kind of WATCH_KINDS[s.kind] ?? []) selectors.push({ kind, value: s.value });
      label = `alert ${alert.id} (${alert.subject.names[0] ?? alert.subject.selectors[0]?.value ?? alert.subject.entityIds[0] ?? ''})`;
    }
    const uniqueSelectors = [...new Map(selectors.map((s) => [`${s.kind}:${s.value}`, s])).values()];
    return { label, entityIds: [...new Set(entityIds)], names: [...new Set(names)], birthDates: [...new Set(birthDates)], selectors: uniqueSelectors, ...(alertId ? { alertId } : {}) };
  }

  /** Hits the principal may see (asker: of its cases; holder: all on our pointers). */
  async hits(ctx: QueryContext, filter: { role?: 'asker' | 'holder'; limit?: number } = {}): Promise<HitRecord[]> {
    const principal = await this.context.authorise(ctx);
    const hits = await this.hitFlow.visibleTo(principal, filter);
    await this.gov.audit(ctx, principal, 'federation.hits', 'allowed', hits.flatMap((h) => h.subject.entityIds), { count: hits.length });
    return hits;
  }

  // ---- requests -----------------------------------------------------------------------------

  /** Asks the holder of a hit (urgency sets the deadline: urgent 8 h, normal 3 days, routine 14 days). */
  async request(ctx: QueryContext, hitId: string, input: { urgency: string; question: string }): Promise<RequestView> {
    const principal = await this.context.authorise(ctx);
    return this.requests.view(await this.requests.request(ctx, principal, hitId, input));
  }

  /** Releases statements in answer to a partner's request (handling codes enforced; see RequestFlow.release). */
  async answer(ctx: QueryContext, requestId: string, input: { statementIds: readonly string[]; grant?: boolean }): Promise<ReleaseResult> {
    const principal = await this.context.authorise(ctx);
    return this.requests.release(ctx, principal, requestId, input.statementIds, input.grant === undefined ? {} : { grant: input.grant });
  }

  async refuse(ctx: QueryContext, requestId: string, reason: string): Promise<RequestView> {
    const principal = await this.context.authorise(ctx);
    return this.requests.view(await this.requests.refuse(ctx, principal, requestId, reason));
  }

  async askMore(ctx: QueryContext, requestId: string, question: string): Promise<RequestView> {
    const principal = await this.context.authorise(ctx);
    return this.requests.view(await this.requests.askMore(ctx, principal, requestId, question));
  }

  /** Sends escalations for our overdue requests (the node runs this periodically). */
  sweepEscalations(now?: Date): Promise<RequestRecord[]> {
    return this.requests.sweep(now);
  }

  /** A supervisor approves or declines a pending deconfliction notice. */
  decideDeconfliction(ctx: QueryContext, noticeId: string, approve: boolean, note: string): Promise<DeconflictionRecord> {
    return this.deconfliction.decide(ctx, noticeId, approve, note);
  }

  /** The inbox: hits, requests both ways with deadlines and escalation, answers received, deconfliction. */
  async inbox(ctx: QueryContext, options: { limit?: number } = {}): Promise<FederationInbox> {
    const principal = await this.context.authorise(ctx);
    const now = this.context.now();
    const limit = options.limit ?? 200;
    const hits = await this.hitFlow.visibleTo(principal, { limit: limit * 2 });
    const requests = await this.requests.visibleTo(principal, { limit: limit * 2 });
    const outgoing = requests.filter((r) => r.role === 'asker').slice(0, limit);
    const incoming = requests.filter((r) => r.role === 'holder').slice(0, limit);
    const answers: AnswerView[] = [];
    for (const r of outgoing) {
      if (r.answers.length === 0) continue;
      const readable = await this.requests.receivedStatements(principal, r);
      for (const a of r.answers) {
        answers.push({ ...a, requestId: r.id, hitId: r.hitId, holder: r.holder, caseId: r.caseId, statements: readable.filter((s) => a.statementIds.includes(s.id)) });
      }
    }
    answers.sort((a, b) => b.at.localeCompare(a.at));
    const deconfliction = (await this.deconfliction.list()).slice(0, limit);
    const byDeadline = (a: RequestView, b: RequestView) => Number(b.status === 'open') - Number(a.status === 'open') || a.deadline.localeCompare(b.deadline);
    const inbox: FederationInbox = {
      agency: principal.agency,
      now: now.toISOString(),
      hits: { asked: hits.filter((h) => h.role === 'asker').slice(0, limit), held: hits.filter((h) => h.role === 'holder').slice(0, limit) },
      requests: { outgoing: outgoing.map((r) => this.requests.view(r, now)).sort(byDeadline), incoming: incoming.map((r) => this.requests.view(r, now)).sort(byDeadline) },
      answers,
      deconfliction,
    };
    await this.gov.audit(ctx, principal, 'federation.inbox', 'allowed', answers.flatMap((a) => a.statements.map((s) => s.entityId)), {
      hits: hits.length,
      outgoing: outgoing.length,
      incoming: incoming.length,
      answers: answers.length,
      deconfliction: deconfliction.length,
    });
    return inbox;
  }

  /** The principal of a context (authorised for federation). */
  principal(ctx: QueryContext): Promise<Principal> {
    return this.context.authorise(ctx);
  }

  /** Stops background work (PSI worker threads). */
  close(): Promise<void> {
    return this.psi.close();
  }
}

/**
 * Attaches the flows to a node's port: every flow message type gets its handler. Returns the
 * service, now able to send. Call once per port.
 */
export function wireFlows(port: FederationPort, service: FederationService): FederationService {
  service.attach(port);
  const handlers = service.handlers();
  for (const type of FLOW_MESSAGE_TYPES) port.on(type, handlers[type] as InboundHandler<MessageType>);
  return service;
}

function namesOf(e: Entity): string[] {
  const names = [...values(e, 'name'), ...values(e, 'alias')];
  const first = values(e, 'firstName')[0];
  const last = values(e, 'lastName')[0];
  if (first || last) names.push([first, last].filter(Boolean).join(' '));
  if (e.schema === 'IdentityDocument') names.push(...values(e, 'holderName'));
  return names;
}

function selectorsOf(e: Entity): { kind: SelectorKind; value: string }[] {
  const out: { kind: SelectorKind; value: string }[] = [];
  for (const [prop, kind] of ENTITY_SELECTORS[e.schema] ?? []) for (const v of values(e, prop)) out.push({ kind, value: v });
  if (e.schema === 'IdentityDocument') {
    const type = values(e, 'type')[0];
    const kinds: SelectorKind[] = type === 'passport' ? ['passport'] : type === 'idcard' || type === 'residence-permit' ? ['idcard'] : ['passport', 'idcard'];
    for (const v of values(e, 'number')) for (const kind of kinds) out.push({ kind, value: v });
  }
  return out;
}
