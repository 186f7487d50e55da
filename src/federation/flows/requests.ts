import { monotonicFactory } from 'ulidx';
import { partitionReadable, type Principal, type QueryContext } from '../../governance/index.js';
import { invalid, isTesseraError, TesseraError, validateStatement, type Statement } from '../../model/index.js';
import type { Store } from '../../store/index.js';
import { escalationLevel, followUpDeadline, Urgency, type MessageBodyInput, type MessageType } from '../messages.js';
import type { InboundMessage, SendOptions } from '../port.js';
import { requireRole, type FlowContext } from './context.js';
import type { DeconflictionFlow } from './deconfliction.js';
import { admits, partitionByVerdict, receiptVerdict, releaseVerdict, type HandlingRefusal } from './handling.js';
import type { HitFlow } from './hits.js';
import { COLLECTIONS, type AnswerRecord, type ReceivedRecord, type ReleasedRecord, type RequestRecord } from './records.js';

const ulid = monotonicFactory();

/** Roles that may ask partners, and answer them. */
const WORKERS = ['analyst', 'supervisor', 'admin'];

/** Index keys of a request record. */
function requestKeys(r: RequestRecord) {
  return { role: r.role, asker: r.asker, holder: r.holder, status: r.status, case: r.caseId, hit: r.hitId };
}

/** A request as the inbox shows it: with its escalation level and whether it is overdue now. */
export interface RequestView extends RequestRecord {
  readonly level: number;
  readonly overdue: boolean;
}

/** The outcome of a release: what went, and what the handling rules kept back. */
export interface ReleaseResult {
  readonly request: RequestRecord;
  readonly released: readonly string[];
  readonly withheld: NonNullable<AnswerRecord['withheld']>;
}

/**
 * Follow-up requests (issue 8 item 3). The asker asks the holder about a hit, naming purpose, case
 * and urgency; the deadline follows from the urgency (8 h / 3 days / 14 days) and an unanswered
 * request escalates once per deadline-length overdue. The holder releases selected statements (their
 * handling travels with them), refuses with a reason, or asks for more. Handling codes are enforced
 * twice: by the holder before a release, and by the receiver before it keeps anything.
 */
export class RequestFlow {
  constructor(
    private readonly ctx: FlowContext,
    private readonly hits: HitFlow,
    private readonly deconfliction: DeconflictionFlow,
  ) {}

  async save(r: RequestRecord, tx: Store = this.ctx.store): Promise<void> {
    await tx.putRecord(COLLECTIONS.requests, r.id, r, requestKeys(r));
  }

  /**
   * Queues a message and writes the record it changes in one transaction: with the node's outbox in
   * the same store, either both are there or neither (the port's `tx`).
   */
  private async sendAndSave<T extends MessageType>(to: string, type: T, body: MessageBodyInput<T>, options: SendOptions, record: (envelopeId: string) => RequestRecord, extra?: (tx: Store, envelopeId: string) => Promise<void>): Promise<RequestRecord> {
    return this.ctx.store.transaction(async (tx) => {
      const envelopeId = await this.ctx.port().send(to, type, body, { ...options, tx });
      const next = record(envelopeId);
      await this.save(next, tx);
      if (extra) await extra(tx, envelopeId);
      return next;
    });
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    return (await this.ctx.store.getRecord<RequestRecord>(COLLECTIONS.requests, id))?.body;
  }

  view(r: RequestRecord, now: Date = this.ctx.now()): RequestView {
    const waiting = r.status === 'open';
    const level = waiting ? Math.max(r.escalation, escalationLevel(r, now)) : r.escalation;
    return { ...r, level, overdue: waiting && now.getTime() >= Date.parse(r.deadline) };
  }

  // ---- asker --------------------------------------------------------------------------------

  /** Asks the holder of one of our hits, under the hit's case. */
  async request(ctx: QueryContext, principal: Principal, hitId: string, input: { urgency: string; question: string }): Promise<RequestRecord> {
    requireRole(principal, WORKERS, 'a follow-up request');
    const urgency = Urgency.safeParse(input.urgency);
    if (!urgency.success) throw invalid(`urgency must be one of ${Urgency.options.join(', ')}`, hitId, 'urgency');
    const question = input.question.trim();
    if (question.length < 5) throw invalid('state the question (at least 5 characters)', hitId, 'question');
    const hit = await this.hits.get(hitId);
    if (!hit || hit.role !== 'asker' || hit.asker !== this.ctx.self.agency) throw new TesseraError('NOT_FOUND', `no hit ${hitId} of ${this.ctx.self.agency}`, { record: hitId });
    if (hit.caseId !== ctx.caseId) {
      await this.ctx.gov.audit(ctx, principal, 'federation.request', 'refused', hit.subject.entityIds, { hitId, reason: `hit of case ${hit.caseId}` });
      throw new TesseraError('FORBIDDEN', `hit ${hitId} was found for case ${hit.caseId}; follow it up under that case`, { record: hitId, field: 'caseId' });
    }
    const requestedAt = this.ctx.now();
    const deadline = followUpDeadline(urgency.data, requestedAt);
    const id = ulid(requestedAt.getTime());
    const body = { requestId: id, hitId, purpose: ctx.purpose, caseId: hit.caseId, urgency: urgency.data, requestedAt: requestedAt.toISOString(), deadline: deadline.toISOString(), question };
    const record = await this.sendAndSave(hit.holder, 'followup.request', body, { subjects: [id, hitId, hit.caseId, ...hit.subject.entityIds] }, (envelopeId) => ({
      id,
      role: 'asker',
      hitId,
      asker: this.ctx.self.agency,
      holder: hit.holder,
      purpose: ctx.purpose,
      caseId: hit.caseId,
      urgency: urgency.data,
      requestedAt: requestedAt.toISOString(),
      deadline: deadline.toISOString(),
      question,
      requestedBy: principal.userId,
      envelopeId,
      status: 'open',
      escalation: 0,
      answers: [],
    }));
    await this.ctx.gov.audit(ctx, principal, 'federation.request', 'allowed', hit.subject.entityIds, { requestId: id, hitId, holder: hit.holder, urgency: urgency.data, deadline: record.deadline });
    return record;
  }

  /**
   * Escalation sweep: every open request of ours whose escalation level rose since the last sweep
   * is escalated to its holder (`followup.escalation`). Returns the requests escalated.
   */
  async sweep(now: Date = this.ctx.now()): Promise<RequestRecord[]> {
    const open = (await this.ctx.store.findRecords<RequestRecord>(COLLECTIONS.requests, { where: { role: 'asker', status: 'open' }, limit: 10_000 })).map((r) => r.body);
    const out: RequestRecord[] = [];
    for (const r of open) {
      const level = escalationLevel(r, now);
      if (level <= r.escalation) continue;
      const overdueMs = Math.max(0, now.getTime() - Date.parse(r.deadline));
      const next = await this.sendAndSave(r.holder, 'followup.escalation', { requestId: r.id, deadline: r.deadline, overdueMs, level }, { subjects: [r.id, r.hitId], ...(r.envelopeId ? { inReplyTo: r.envelopeId } : {}) }, () => ({
        ...r,
        escalation: level,
        escalatedAt: now.toISOString(),
      }));
      await this.ctx.systemAudit('federation.request.escalate', `Request ${r.id} to ${r.holder} overdue (case ${r.caseId})`, [], { requestId: r.id, level, overdueMs });
      out.push(next);
    }
    return out;
  }

  /** Inbound `followup.response`: keep what the handling rules let us keep, and record the answer. */
  async onResponse(message: InboundMessage<'followup.response'>): Promise<void> {
    const { from, body, id: envelopeId } = message.envelope;
    const request = await this.get(body.requestId);
    if (!request || request.role !== 'asker' || request.holder !== from) {
      await this.ctx.systemAudit('refused.federation.response', `Answer from ${from} to an unknown request`, [], { requestId: body.requestId, from });
      return;
    }
    if (request.answers.some((a) => a.envelopeId === envelopeId)) return;
    message.concerns?.([request.id, request.hitId, ...new Set(body.statements.map((s) => s.entityId))]);
    const at = message.receivedAt;
    let answer: AnswerRecord = { at, outcome: body.outcome, statementIds: [], envelopeId, ...(body.reason ? { reason: body.reason } : {}), ...(body.question ? { question: body.question } : {}) };
    if (body.outcome === 'released') {
      const self = this.ctx.self;
      const sender = await this.ctx.partyOf(from);
      const { genuine, forged } = checkContentIds(body.statements as Statement[]);
      const verdicts = partitionByVerdict(genuine, (s) => receiptVerdict(s, { self, sender }));
      const passed = verdicts.passed;
      const refused = [...forged, ...verdicts.refused];
      if (passed.length) {
        await this.ctx.gov.systemWrite('federation', `Statements released by ${from} in answer to request ${request.id} (case ${request.caseId})`, passed);
        await this.ctx.store.transaction(async (tx) => {
          for (const s of passed) {
            const rec: ReceivedRecord = { statementId: s.id, entityId: s.entityId, from, originator: s.source.agency, requestId: request.id, receivedAt: at, handling: { codes: [...s.handling.codes], releasableTo: [...s.handling.releasableTo], ...(s.handling.conditions ? { conditions: s.handling.conditions } : {}) } };
            await tx.putRecord(COLLECTIONS.received, `${s.id}~${request.id}`, rec, { from, originator: s.source.agency, entity: s.entityId, request: request.id, statement: s.id });
          }
        });
      }
      if (refused.length) {
        await this.ctx.systemAudit('refused.federation.receive', `Statements from ${from} refused on receipt (handling codes)`, [], { requestId: request.id, refused });
      }
      answer = { ...answer, statementIds: passed.map((s) => s.id), ...(refused.length ? { refusedOnReceipt: refused } : {}) };
    }
    await this.save({ ...request, status: body.outcome, answers: [...request.answers, answer] });
  }

  // ---- holder -------------------------------------------------------------------------------

  /** Inbound `followup.request`: file it in the holder's inbox, and see whether we work the same subject. */
  async onRequest(message: InboundMessage<'followup.request'>): Promise<void> {
    const { from, body, id: envelopeId } = message.envelope;
    const existing = await this.get(body.requestId);
    if (existing) return;
    const hit = await this.hits.get(body.hitId);
    const known = hit && hit.role === 'holder' && hit.asker === from;
    const record: RequestRecord = {
      id: body.requestId,
      role: 'holder',
      hitId: body.hitId,
      asker: from,
      holder: this.ctx.self.agency,
      purpose: body.purpose,
      caseId: body.caseId,
      urgency: body.urgency,
      requestedAt: body.requestedAt,
      deadline: body.deadline,
      question: body.question,
      envelopeId,
      status: 'open',
      escalation: 0,
      answers: [],
    };
    await this.save(record);
    message.concerns?.([body.requestId, body.hitId, ...(known ? hit.subject.entityIds : [])]);
    await this.ctx.systemAudit('federation.request.received', `Request from ${from}: ${body.purpose} (their case ${body.caseId})`, known ? hit.subject.entityIds : [], {
      requestId: body.requestId,
      hitId: body.hitId,
      urgency: body.urgency,
      deadline: body.deadline,
      ...(known ? {} : { problem: 'no hit of this partner with that id' }),
    });
    if (known) await this.deconfliction.checkActiveCase(record, hit);
  }

  /** Inbound `followup.escalation`: the asker says our answer is overdue. */
  async onEscalation(message: InboundMessage<'followup.escalation'>): Promise<void> {
    const { from, body } = message.envelope;
    const r = await this.get(body.requestId);
    if (!r || r.role !== 'holder' || r.asker !== from) return;
    if (body.level <= r.escalation) return;
    await this.save({ ...r, escalation: body.level, escalatedAt: message.receivedAt });
    message.concerns?.([r.id, r.hitId]);
    await this.ctx.systemAudit('federation.request.escalated', `Request ${r.id} from ${from} escalated to level ${body.level}`, [], { requestId: r.id, level: body.level, overdueMs: body.overdueMs });
  }

  private async holderRequest(ctx: QueryContext, principal: Principal, requestId: string, action: string): Promise<RequestRecord> {
    requireRole(principal, WORKERS, 'answering a partner');
    const r = await this.get(requestId);
    if (!r || r.role !== 'holder') throw new TesseraError('NOT_FOUND', `no request ${requestId} addressed to ${this.ctx.self.agency}`, { record: requestId });
    if (r.status !== 'open') {
      await this.ctx.gov.audit(ctx, principal, action, 'refused', [], { requestId, reason: `already ${r.status}` });
      throw new TesseraError('CONFLICT', `request ${requestId} was already answered (${r.status})`, { record: requestId });
    }
    return r;
  }

  /**
   * Releases statements in answer to a request. Each must be readable by the user who releases it
   * and releasable to the requester under its handling (handling.ts: releaseVerdict); the ones that
   * are not are kept back and reported. At least one must go, or nothing is sent.
   */
  async release(ctx: QueryContext, principal: Principal, requestId: string, statementIds: readonly string[], options: { grant?: boolean } = {}): Promise<ReleaseResult> {
    const r = await this.holderRequest(ctx, principal, requestId, 'export.federation.release');
    const ids = [...new Set(statementIds)];
    if (ids.length === 0) throw invalid('name the statements to release', requestId, 'statementIds');
    const found = await this.ctx.store.statementsById(ids);
    const missing = ids.filter((id) => !found.some((s) => s.id === id));
    if (missing.length) throw new TesseraError('NOT_FOUND', `no statement ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}`, { record: missing[0]!, field: 'statementIds' });
    const { readable } = partitionReadable(principal, found, this.ctx.gov.levels);
    if (readable.length < found.length) {
      const hidden = found.filter((s) => !readable.includes(s)).map((s) => s.id);
      await this.ctx.gov.audit(ctx, principal, 'export.federation.release', 'refused', [], { requestId, reason: 'statements the user may not read', statements: hidden.length });
      throw new TesseraError('FORBIDDEN', `${hidden.length} of the statements are not readable by ${principal.userId}; only what you may read can be released`, { record: hidden[0]!, field: 'statementIds' });
    }
    const holder = this.ctx.self;
    const requester = await this.ctx.partyOf(r.asker);
    const grant = options.grant === true;
    const needsGrant = new Set(readable.filter((s) => s.source.agency === holder.agency && s.source.agency !== requester.agency && !admits(s.handling.releasableTo, requester)).map((s) => s.id));
    const { passed, refused } = partitionByVerdict(readable, (s) => releaseVerdict(s, { holder, requester, grant }));
    if (passed.length === 0) {
      await this.ctx.gov.audit(ctx, principal, 'export.federation.release', 'refused', [], { requestId, reason: 'handling codes', withheld: refused });
      throw new TesseraError('FORBIDDEN', `none of the statements may be released to ${r.asker}: ${refused.map((w) => w.message).slice(0, 3).join('; ')}`, { record: requestId, field: 'statementIds', context: { withheld: refused } });
    }
    const entityIds = [...new Set(passed.map((s) => s.entityId))];
    // Logged as a disclosure (LED Art. 25: recipients) and counted against the export limits.
    await this.ctx.gov.audit(ctx, principal, 'export.federation.release', 'allowed', entityIds, { requestId, recipients: [r.asker], statements: passed.length, withheld: refused.length, granted: grant });
    const at = this.ctx.now().toISOString();
    const granted = new Set(passed.filter((s) => needsGrant.has(s.id)).map((s) => s.id));
    const next = await this.sendAndSave(
      r.asker,
      'followup.response',
      { requestId, outcome: 'released', statements: passed },
      { subjects: [requestId, r.hitId, ...entityIds], ...(r.envelopeId ? { inReplyTo: r.envelopeId } : {}) },
      (envelopeId) => ({ ...r, status: 'released', answers: [...r.answers, { at, outcome: 'released', by: principal.userId, statementIds: passed.map((s) => s.id), ...(refused.length ? { withheld: refused } : {}), envelopeId }] }),
      async (tx) => {
        for (const s of passed) {
          const rec: ReleasedRecord = { statementId: s.id, entityId: s.entityId, to: r.asker, requestId, at, by: principal.userId, granted: granted.has(s.id) };
          await tx.putRecord(COLLECTIONS.released, `${s.id}~${requestId}`, rec, { to: r.asker, entity: s.entityId, statement: s.id, request: requestId });
        }
      },
    );
    return { request: next, released: passed.map((s) => s.id), withheld: refused };
  }

  /** Refuses a request, with the reason the asker is given. */
  async refuse(ctx: QueryContext, principal: Principal, requestId: string, reason: string): Promise<RequestRecord> {
    const r = await this.holderRequest(ctx, principal, requestId, 'federation.request.refuse');
    const text = reason.trim();
    if (text.length < 5) throw invalid('state the reason for the refusal (at least 5 characters)', requestId, 'reason');
    const next = await this.sendAndSave(r.asker, 'followup.response', { requestId, outcome: 'refused', reason: text }, { subjects: [requestId, r.hitId], ...(r.envelopeId ? { inReplyTo: r.envelopeId } : {}) }, (envelopeId) => ({
      ...r,
      status: 'refused',
      answers: [...r.answers, { at: this.ctx.now().toISOString(), outcome: 'refused', by: principal.userId, reason: text, statementIds: [], envelopeId }],
    }));
    await this.ctx.gov.audit(ctx, principal, 'federation.request.refuse', 'allowed', [], { requestId, asker: r.asker, reason: text });
    return next;
  }

  /** Answers a request with a question of our own (the asker follows up with a new request). */
  async askMore(ctx: QueryContext, principal: Principal, requestId: string, question: string): Promise<RequestRecord> {
    const r = await this.holderRequest(ctx, principal, requestId, 'federation.request.more-info');
    const text = question.trim();
    if (text.length < 5) throw invalid('state the question (at least 5 characters)', requestId, 'question');
    const next = await this.sendAndSave(r.asker, 'followup.response', { requestId, outcome: 'more-info-needed', question: text }, { subjects: [requestId, r.hitId], ...(r.envelopeId ? { inReplyTo: r.envelopeId } : {}) }, (envelopeId) => ({
      ...r,
      status: 'more-info-needed',
      answers: [...r.answers, { at: this.ctx.now().toISOString(), outcome: 'more-info-needed', by: principal.userId, question: text, statementIds: [], envelopeId }],
    }));
    await this.ctx.gov.audit(ctx, principal, 'federation.request.more-info', 'allowed', [], { requestId, asker: r.asker });
    return next;
  }

  /**
   * Requests a principal may see: ours of cases the principal belongs to (need-to-know), and every
   * request addressed to this agency (the holder's desk), newest first.
   */
  async visibleTo(principal: Principal, filter: { role?: 'asker' | 'holder'; status?: string; limit?: number } = {}): Promise<RequestRecord[]> {
    const where: Record<string, string> = {};
    if (filter.role) where.role = filter.role;
    if (filter.status) where.status = filter.status;
    const rows = await this.ctx.store.findRecords<RequestRecord>(COLLECTIONS.requests, { where, order: 'desc', limit: filter.limit ?? 500 });
    return rows.map((x) => x.body).filter((x) => x.role === 'holder' || principal.cases.includes(x.caseId));
  }

  /** Received statements of a request, as the principal may read them (governance read rule). */
  async receivedStatements(principal: Principal, request: RequestRecord): Promise<Statement[]> {
    const ids = request.answers.flatMap((a) => (a.outcome === 'released' && request.role === 'asker' ? a.statementIds : []));
    if (ids.length === 0) return [];
    return partitionReadable(principal, await this.ctx.store.statementsById(ids), this.ctx.gov.levels).readable;
  }
}

/**
 * Statement ids are content hashes (model/ids.ts): a received statement whose id does not match its
 * content would be skipped as a duplicate of whatever we hold under that id, or shadow it — refused.
 */
function checkContentIds(statements: readonly Statement[]): { genuine: Statement[]; forged: { statementId: string; reason: HandlingRefusal | 'invalid'; message: string }[] } {
  const genuine: Statement[] = [];
  const forged: { statementId: string; reason: HandlingRefusal | 'invalid'; message: string }[] = [];
  for (const s of statements) {
    const { id, recordedAt: _recordedAt, ...input } = s;
    let recomputed: string | undefined;
    try {
      recomputed = validateStatement(input).id;
    } catch (e) {
      forged.push({ statementId: id, reason: 'invalid', message: isTesseraError(e) ? e.message : 'invalid statement' });
      continue;
    }
    if (recomputed !== id) forged.push({ statementId: id, reason: 'invalid', message: `id does not match the statement's content (expected ${recomputed})` });
    else genuine.push(s);
  }
  return { genuine, forged };
}
