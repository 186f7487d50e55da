import { monotonicFactory } from 'ulidx';
import { recordAlertLookup, type CaseRecord, type Principal, type QueryContext } from '../../governance/index.js';
import { TesseraError, invalid } from '../../model/index.js';
import type { Store } from '../../store/index.js';
import type { InboundMessage } from '../port.js';
import { requireRole, type FlowContext } from './context.js';
import { COLLECTIONS, type DeconflictionRecord, type HitRecord, type RequestRecord } from './records.js';

const ulid = monotonicFactory();

/** Governance's collection of cases (read for the holder's open cases on a subject). */
const CASES = 'cases';

/** An overlap found: two agencies work the same subject. */
interface Overlap {
  readonly partner: string;
  readonly hitId: string;
  readonly reason: string;
  readonly entityIds: readonly string[];
  readonly caseIds: readonly string[];
}

/**
 * Deconfliction (issue 8 item 4): when two agencies work the same subject — a hit both ways, or a
 * request about a subject the holder has an open case or an active alert on — both are told, so
 * they do not run blind operations against each other. The holder's consent rule decides whether
 * the notice goes at once (`standing-agreement`) or after a supervisor approves it (`holder-approved`).
 */
export class DeconflictionFlow {
  constructor(private readonly ctx: FlowContext) {}

  get consent(): 'holder-approved' | 'standing-agreement' {
    return this.ctx.options.deconflictionConsent ?? 'holder-approved';
  }

  /**
   * A hit both ways: the hit just stored and a hit in the other direction with the same partner
   * concern the same local entities (our subject matched their pointer, and their subject ours).
   */
  async checkHitBothWays(hit: HitRecord): Promise<void> {
    const ours = hit.subject.entityIds;
    if (ours.length === 0) return;
    const partner = hit.role === 'holder' ? hit.asker : hit.holder;
    const other = await this.ctx.store.findRecords<HitRecord>(COLLECTIONS.hits, {
      where: hit.role === 'holder' ? { role: 'asker', holder: partner, entity: [...ours] } : { role: 'holder', asker: partner, entity: [...ours] },
      limit: 20,
    });
    if (other.length === 0) return;
    const asker = hit.role === 'asker' ? hit : other[0]!.body;
    const held = hit.role === 'holder' ? hit : other[0]!.body;
    const shared = held.subject.entityIds.filter((e) => asker.subject.entityIds.includes(e));
    await this.raise({ partner, hitId: held.id, reason: `hit both ways: ${partner} matched our pointer and we matched theirs on the same subject`, entityIds: shared, caseIds: [held.caseId, asker.caseId] });
  }

  /** A request about a subject of one of our open cases or active alerts. */
  async checkActiveCase(request: RequestRecord, hit: HitRecord | undefined): Promise<void> {
    const entities = hit?.subject.entityIds ?? [];
    if (entities.length === 0) return;
    const cases = (await this.ctx.store.findRecords<CaseRecord>(CASES, { where: { agency: this.ctx.self.agency, status: 'open' } }))
      .map((r) => r.body)
      .filter((c) => c.subjects.some((s) => entities.includes(s)));
    const alerts = [...(await recordAlertLookup(this.ctx.store).activeAlerts(entities)).values()].filter((a) => a.ownerAgency === undefined || a.ownerAgency === this.ctx.self.agency);
    if (cases.length === 0 && alerts.length === 0) return;
    const why = [...cases.map((c) => `case ${c.id}`), ...alerts.map((a) => `alert ${a.alertId}`)].join(', ');
    await this.raise({
      partner: request.asker,
      hitId: request.hitId,
      reason: `request ${request.id} concerns a subject of our ${why}`,
      entityIds: [...new Set([...cases.flatMap((c) => c.subjects.filter((s) => entities.includes(s))), ...alerts.map((a) => a.entityId)])],
      caseIds: [request.caseId, ...cases.map((c) => c.id)],
    });
  }

  private async raise(o: Overlap): Promise<void> {
    const existing = await this.ctx.store.findRecords<DeconflictionRecord>(COLLECTIONS.deconfliction, { where: { hit: o.hitId, partner: o.partner }, limit: 1 });
    if (existing.length > 0) return;
    const contact = this.ctx.options.contact ?? { unit: `${this.ctx.self.agency} duty officer`, channel: 'federation liaison' };
    const record: DeconflictionRecord = {
      id: ulid(this.ctx.now().getTime()),
      status: 'pending-approval',
      hitId: o.hitId,
      partner: o.partner,
      agencies: [this.ctx.self.agency, o.partner],
      caseIds: [...new Set(o.caseIds)].slice(0, 20),
      contact,
      consent: this.consent,
      reason: o.reason,
      entityIds: o.entityIds,
      createdAt: this.ctx.now().toISOString(),
    };
    await this.save(record);
    await this.ctx.systemAudit('federation.deconfliction.detected', `Deconfliction with ${o.partner}: ${o.reason}`, o.entityIds, { noticeId: record.id, hitId: o.hitId, consent: this.consent });
    if (this.consent === 'standing-agreement') await this.send(record, undefined);
  }

  private async save(r: DeconflictionRecord, tx: Store = this.ctx.store): Promise<void> {
    await tx.putRecord(COLLECTIONS.deconfliction, r.id, r, { hit: r.hitId, partner: r.partner, status: r.status, entity: [...r.entityIds] });
  }

  private async send(record: DeconflictionRecord, by: { principal: Principal; at: string } | undefined): Promise<DeconflictionRecord> {
    const sent: DeconflictionRecord = { ...record, status: 'sent', ...(by ? { decidedBy: by.principal.userId, decidedAt: by.at } : {}) };
    await this.ctx.store.transaction(async (tx) => {
      const body = { noticeId: record.id, hitId: record.hitId, agencies: [...record.agencies], caseIds: [...record.caseIds], contact: { ...record.contact }, consent: record.consent };
      await this.ctx.port().send(record.partner, 'deconfliction.notice', body, { subjects: [record.id, record.hitId, ...record.entityIds], tx });
      await this.save(sent, tx);
    });
    return sent;
  }

  /** A supervisor of the holder approves (sends) or declines a pending notice. */
  async decide(ctx: QueryContext, id: string, approve: boolean, note: string): Promise<DeconflictionRecord> {
    const principal = await this.ctx.authorise(ctx);
    requireRole(principal, ['supervisor', 'admin'], 'approving a deconfliction notice');
    const rec = (await this.ctx.store.getRecord<DeconflictionRecord>(COLLECTIONS.deconfliction, id))?.body;
    if (!rec) throw new TesseraError('NOT_FOUND', `no deconfliction notice ${id}`, { record: id });
    if (rec.status !== 'pending-approval') throw new TesseraError('CONFLICT', `deconfliction notice ${id} is ${rec.status}, not waiting for approval`, { record: id });
    if (note.trim().length < 5) throw invalid('say why (kept with the decision)', id, 'note');
    const at = this.ctx.now().toISOString();
    const next = approve ? await this.send(rec, { principal, at }) : { ...rec, status: 'declined' as const, decidedBy: principal.userId, decidedAt: at };
    if (!approve) await this.save(next);
    await this.ctx.gov.audit(ctx, principal, approve ? 'federation.deconfliction.approve' : 'federation.deconfliction.decline', 'allowed', rec.entityIds, { noticeId: id, partner: rec.partner, note: note.trim() });
    return next;
  }

  /** Inbound `deconfliction.notice`: a partner tells us it works the same subject. */
  async onNotice(message: InboundMessage<'deconfliction.notice'>): Promise<void> {
    const { from, body } = message.envelope;
    // Our own entities behind the hit, when the hit is one of ours.
    const hit = (await this.ctx.store.getRecord<HitRecord>(COLLECTIONS.hits, body.hitId))?.body;
    const entityIds = hit && (hit.asker === from || hit.holder === from) ? hit.subject.entityIds : [];
    const record: DeconflictionRecord = {
      id: body.noticeId,
      status: 'received',
      hitId: body.hitId,
      partner: from,
      agencies: body.agencies,
      caseIds: body.caseIds,
      contact: body.contact,
      consent: body.consent,
      reason: (body.agencies as readonly string[]).includes(this.ctx.self.agency) ? `${from} works the same subject` : `${from} names agencies ${body.agencies.join(', ')} (not us)`,
      entityIds,
      createdAt: message.receivedAt,
    };
    await this.save(record);
    message.concerns?.([body.noticeId, body.hitId, ...entityIds]);
    await this.ctx.systemAudit('federation.deconfliction.received', `Deconfliction notice from ${from}`, entityIds, { noticeId: body.noticeId, hitId: body.hitId, caseIds: body.caseIds });
  }

  /** Notices sent, received and pending, newest first. */
  async list(): Promise<DeconflictionRecord[]> {
    return (await this.ctx.store.findRecords<DeconflictionRecord>(COLLECTIONS.deconfliction, { order: 'desc', limit: 500 })).map((r) => r.body);
  }
}
