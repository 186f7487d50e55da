import { monotonicFactory } from 'ulidx';
import type { Principal, QueryContext } from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import type { LinkagePerson } from '../bloom.js';
import type { Store } from '../../store/index.js';
import type { MessageBodyInput, SelectorKind } from '../messages.js';
import type { InboundMessage } from '../port.js';
import type { FlowContext } from './context.js';
import type { DeconflictionFlow } from './deconfliction.js';
import type { PointerFlow } from './pointers.js';
import { COLLECTIONS, type HitRecord, type LocalSubject, type PsiSessionRecord } from './records.js';

const ulid = monotonicFactory();

/** Name × date-of-birth combinations encoded per subject (aliases and uncertain dates multiply). */
const MAX_QUERIES = 24;

/** A subject resolved to what the linkage compares: names, dates of birth, selectors. */
export interface ResolvedSubject extends LocalSubject {
  readonly names: readonly string[];
  readonly birthDates: readonly string[];
  readonly selectors: readonly { readonly kind: SelectorKind; readonly value: string }[];
}

/** Index keys of a hit record. */
function hitKeys(h: HitRecord) {
  return {
    role: h.role,
    asker: h.asker,
    holder: h.holder,
    case: h.caseId,
    entity: [...h.subject.entityIds],
    ...(h.pointerId ? { pointer: h.pointerId } : {}),
    ...(h.psiSessionId ? { session: h.psiSessionId } : {}),
  };
}

/**
 * Hits (issue 8 item 2): our subject against partners' pointers. A hit gives the asker only
 * "agency X may hold something on this; ask" — the holder's pointer id and the score — and tells
 * the holder (`hit.notice`) that its pointer matched, for which purpose and case. Each side keeps
 * its own hit record; what the subject is stays with the asker, what the pointer stands for with
 * the holder.
 */
export class HitFlow {
  constructor(
    private readonly ctx: FlowContext,
    private readonly pointers: PointerFlow,
    private readonly deconfliction: DeconflictionFlow,
  ) {}

  async save(hit: HitRecord, tx: Store = this.ctx.store): Promise<void> {
    await tx.putRecord(COLLECTIONS.hits, hit.id, hit, hitKeys(hit));
  }

  /** Records an asker hit and queues its notice to the holder in one transaction (the node's outbox is in the same store). */
  private async notify(hit: HitRecord, body: MessageBodyInput<'hit.notice'>, subjects: readonly string[]): Promise<HitRecord> {
    return this.ctx.store.transaction(async (tx) => {
      const noticeId = await this.ctx.port().send(hit.holder, 'hit.notice', body, { subjects, tx });
      const sent = { ...hit, noticeId };
      await this.save(sent, tx);
      return sent;
    });
  }

  async get(id: string): Promise<HitRecord | undefined> {
    return (await this.ctx.store.getRecord<HitRecord>(COLLECTIONS.hits, id))?.body;
  }

  /**
   * Matches a subject's names and dates of birth against every usable partner pointer set (or the
   * ones named), records a hit per matched pointer and notifies each holder. A pointer already hit
   * for the same case is not hit (nor notified) again.
   */
  async matchNames(ctx: QueryContext, principal: Principal, subject: ResolvedSubject, only?: readonly string[]): Promise<{ hits: HitRecord[]; searched: string[] }> {
    if (!ctx.caseId) throw new TesseraError('CASE_REQUIRED', 'a hit serves a case', { field: 'caseId' });
    const caseId = ctx.caseId;
    const queries = queriesOf(subject);
    const partners = (await this.pointers.usablePartners()).map((s) => s.partner).filter((p) => !only || only.includes(p));
    const hits: HitRecord[] = [];
    if (queries.length === 0) return { hits, searched: [] };
    for (const partner of partners) {
      const idx = await this.pointers.indexOf(partner);
      const encoder = this.ctx.encoderFor(partner);
      if (!idx || !encoder) continue;
      const threshold = this.ctx.threshold(partner);
      const best = new Map<number, number>();
      const encoded = encoder.encodeMany(queries);
      for (let q = 0; q < encoded.count; q++) {
        const m = idx.index.above(encoded.get(q), threshold);
        for (let i = 0; i < m.indices.length; i++) {
          const at = m.indices[i]!;
          best.set(at, Math.max(best.get(at) ?? 0, m.scores[i]!));
        }
      }
      for (const [at, score] of best) {
        const pointerId = idx.pointerIds[at]!;
        const existing = await this.ctx.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: { role: 'asker', holder: partner, pointer: pointerId, case: caseId }, limit: 1 });
        if (existing[0]) {
          hits.push(existing[0].body);
          continue;
        }
        const rounded = Math.round(score * 10_000) / 10_000;
        const hitId = ulid(this.ctx.now().getTime());
        const draft: HitRecord = {
          id: hitId,
          role: 'asker',
          asker: this.ctx.self.agency,
          holder: partner,
          matchKind: 'name',
          pointerId,
          score: rounded,
          purpose: ctx.purpose,
          caseId,
          createdAt: this.ctx.now().toISOString(),
          createdBy: principal.userId,
          subject: { label: subject.label, entityIds: subject.entityIds, ...(subject.alertId ? { alertId: subject.alertId } : {}) },
        };
        const hit = await this.notify(draft, { hitId, pointerId, matchKind: 'name', score: rounded, holder: partner, purpose: ctx.purpose, caseId }, [hitId, caseId, ...subject.entityIds, ...(subject.alertId ? [subject.alertId] : [])]);
        hits.push(hit);
        await this.deconfliction.checkHitBothWays(hit);
      }
    }
    return { hits, searched: partners };
  }

  /** The asker's hit from a PSI session in which the partner holds some of our selectors. */
  async recordSelectorHit(session: PsiSessionRecord, matchedOriginals: readonly string[]): Promise<HitRecord> {
    const existing = await this.ctx.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: { role: 'asker', session: session.id }, limit: 1 });
    if (existing[0]) return existing[0].body;
    const hitId = ulid(this.ctx.now().getTime());
    const purpose = session.purpose ?? 'federation selector check';
    const caseId = session.caseId ?? '';
    const subject = session.subject ?? { label: `${session.selectorKind} selectors`, entityIds: [] };
    const draft: HitRecord = {
      id: hitId,
      role: 'asker',
      asker: this.ctx.self.agency,
      holder: session.partner,
      matchKind: 'selector',
      psiSessionId: session.id,
      selectorKind: session.selectorKind,
      purpose,
      caseId,
      createdAt: this.ctx.now().toISOString(),
      ...(session.startedBy ? { createdBy: session.startedBy } : {}),
      subject: { ...subject, label: `${subject.label} — ${session.selectorKind} ${matchedOriginals.join(', ')}` },
      selectors: matchedOriginals,
    };
    const hit = await this.notify(
      draft,
      { hitId, psiSessionId: session.id, matchKind: 'selector', selectorKind: session.selectorKind, holder: session.partner, purpose, caseId },
      [hitId, session.id, caseId, ...subject.entityIds, ...(subject.alertId ? [subject.alertId] : [])],
    );
    await this.ctx.systemAudit('federation.hit.selector', purpose, hit.subject.entityIds, { hitId, holder: session.partner, psiSessionId: session.id, selectorKind: session.selectorKind, matched: matchedOriginals.length, caseId });
    await this.deconfliction.checkHitBothWays(hit);
    return hit;
  }

  /** Inbound `hit.notice`: a partner matched one of our pointers (or selectors in a PSI session). */
  async onNotice(message: InboundMessage<'hit.notice'>): Promise<void> {
    const { from, body } = message.envelope;
    let subject: LocalSubject = { label: 'unknown pointer', entityIds: [] };
    let selectors: readonly string[] | undefined;
    if (body.holder !== this.ctx.self.agency) {
      subject = { label: `notice addressed to ${body.holder}, not us`, entityIds: [] };
    } else if (body.matchKind === 'name' && body.pointerId) {
      const p = await this.pointers.ownPointer(from, body.pointerId);
      if (p) subject = { label: `entity ${p.entityId}${p.withdrawnAt ? ' (pointer since withdrawn)' : ''}`, entityIds: [p.entityId] };
      else subject = { label: `pointer ${body.pointerId} was not published to ${from}`, entityIds: [] };
    } else if (body.psiSessionId) {
      const s = (await this.ctx.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, body.psiSessionId))?.body;
      if (s && s.role === 'responder' && s.partner === from) {
        subject = s.matchedEntityIds ? { label: `${s.selectorKind} ${(s.matched ?? []).join(', ')}`, entityIds: s.matchedEntityIds } : { label: `${s.selectorKind} selectors (PSI session not concluded yet)`, entityIds: [] };
        selectors = s.matched;
      } else subject = { label: `PSI session ${body.psiSessionId} unknown here`, entityIds: [] };
    }
    const hit: HitRecord = {
      id: body.hitId,
      role: 'holder',
      asker: from,
      holder: this.ctx.self.agency,
      matchKind: body.matchKind,
      ...(body.pointerId ? { pointerId: body.pointerId } : {}),
      ...(body.psiSessionId ? { psiSessionId: body.psiSessionId } : {}),
      ...(body.selectorKind ? { selectorKind: body.selectorKind } : {}),
      ...(body.score === undefined ? {} : { score: body.score }),
      purpose: body.purpose,
      caseId: body.caseId,
      createdAt: message.receivedAt,
      subject,
      ...(selectors ? { selectors } : {}),
      noticeId: message.envelope.id,
    };
    await this.save(hit);
    message.concerns?.([body.hitId, ...subject.entityIds]);
    await this.ctx.systemAudit('federation.hit.received', `Hit notice from ${from}: ${body.purpose} (their case ${body.caseId})`, subject.entityIds, {
      hitId: body.hitId,
      from,
      matchKind: body.matchKind,
      ...(body.score === undefined ? {} : { score: body.score }),
    });
    await this.deconfliction.checkHitBothWays(hit);
  }

  /** Fills in the holder's hits of a PSI session once the session concluded on our side. */
  async onSessionConcluded(session: PsiSessionRecord): Promise<void> {
    const rows = await this.ctx.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: { role: 'holder', session: session.id } });
    for (const r of rows) {
      const hit: HitRecord = { ...r.body, subject: { label: `${session.selectorKind} ${(session.matched ?? []).join(', ')}`, entityIds: session.matchedEntityIds ?? [] }, selectors: session.matched ?? [] };
      await this.save(hit);
      await this.deconfliction.checkHitBothWays(hit);
    }
  }

  /**
   * Hits a principal may see: the asker's hits of cases the principal belongs to (need-to-know)
   * and every hit partners made on this agency's pointers (the holder's desk).
   */
  async visibleTo(principal: Principal, filter: { role?: 'asker' | 'holder'; limit?: number } = {}): Promise<HitRecord[]> {
    const rows = await this.ctx.store.findRecords<HitRecord>(COLLECTIONS.hits, { where: filter.role ? { role: filter.role } : {}, order: 'desc', limit: filter.limit ?? 500 });
    return rows.map((r) => r.body).filter((h) => h.role === 'holder' || principal.cases.includes(h.caseId));
  }
}

/** Name × date-of-birth combinations of a subject (each name is a full name or alias). */
function queriesOf(subject: ResolvedSubject): LinkagePerson[] {
  const names = [...new Set(subject.names.map((n) => n.trim()).filter((n) => n.length > 0))];
  const dobs = subject.birthDates.length ? [...new Set(subject.birthDates)] : [undefined];
  const out: LinkagePerson[] = [];
  for (const n of names) for (const d of dobs) if (out.length < MAX_QUERIES) out.push({ names: n, birthDate: d });
  return out;
}
