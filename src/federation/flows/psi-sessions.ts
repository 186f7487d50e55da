import type { Principal, QueryContext } from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import type { Store } from '../../store/index.js';
import { DEFAULT_LIMITS } from '../envelope.js';
import type { SelectorKind } from '../messages.js';
import type { InboundMessage } from '../port.js';
import { PsiEngine, PsiInitiator, PsiResponder, type PsiInitiatorState } from '../psi.js';
import type { FlowContext } from './context.js';
import { heldSelectors } from './holdings.js';
import type { HitFlow } from './hits.js';
import { COLLECTIONS, type LocalSubject, type PsiSessionRecord } from './records.js';

const DEFAULT_MAX_OFFER = 200_000;
/** How long a started session waits for its reply: the envelope replay window (DEFAULT_LIMITS.maxAgeMs). */
const REPLY_WINDOW_MS = DEFAULT_LIMITS.maxAgeMs;

/**
 * Exact selectors by private set intersection (issue 8 item 2), one session per partner and
 * selector kind, on demand. We (initiator) put the subject's selectors in; the partner (responder)
 * puts its whole set of that kind. Both learn which of their own selectors the other holds, nothing
 * else (docs/federation.md, PSI). A match makes the asker's hit; the holder records what matched so
 * the hit notice that follows points at its own entities.
 *
 * The initiator's session state (its secret scalar and offered set) is saved in the store with the
 * offer, so whichever process of the node receives the reply — the node's inbox, not the CLI or API
 * process that started the session — or the node after a restart finishes it; it is deleted once
 * the reply is processed. The responder answers and concludes in the receiving process; its state is
 * in memory, and a responder restarted between reply and final records the session as failed.
 */
export class PsiFlow {
  #engine: PsiEngine | undefined;
  readonly #initiators = new Map<string, PsiInitiator>();
  readonly #responders = new Map<string, { responder: PsiResponder; entities: Map<string, string[]> }>();

  constructor(
    private readonly ctx: FlowContext,
    private readonly hits: HitFlow,
  ) {}

  private engine(): PsiEngine {
    this.#engine ??= PsiEngine.create(this.ctx.options.psiWorkers ?? 2);
    return this.#engine;
  }

  private async save(s: PsiSessionRecord, tx: Store = this.ctx.store): Promise<void> {
    await tx.putRecord(COLLECTIONS.psiSessions, s.id, s, { role: s.role, partner: s.partner, status: s.status, kind: s.selectorKind });
  }

  private async get(id: string): Promise<PsiSessionRecord | undefined> {
    return (await this.ctx.store.getRecord<PsiSessionRecord>(COLLECTIONS.psiSessions, id))?.body;
  }

  /** Starts a session with a partner for selectors of one kind (the offer is sent; the reply comes later). */
  async start(ctx: QueryContext, principal: Principal, partner: string, kind: SelectorKind, selectors: readonly string[], subject: LocalSubject): Promise<PsiSessionRecord> {
    if (!this.ctx.port().peers().includes(partner)) throw new TesseraError('VALIDATION', `${partner} is not a peer of this node`, { field: 'partner' });
    await this.expire();
    const initiator = new PsiInitiator(this.engine(), kind, selectors);
    const offer = await initiator.offer();
    if (offer.count === 0) throw new TesseraError('VALIDATION', `none of the ${kind} selectors is valid (${selectors.join(', ')})`, { field: 'selectors' });
    this.#initiators.set(initiator.sessionId, initiator);
    const secret = initiator.exportState();
    const record: PsiSessionRecord = {
      id: initiator.sessionId,
      role: 'initiator',
      partner,
      selectorKind: kind,
      status: 'offered',
      startedAt: this.ctx.now().toISOString(),
      purpose: ctx.purpose,
      ...(ctx.caseId ? { caseId: ctx.caseId } : {}),
      startedBy: principal.userId,
      subject,
      ownCount: offer.count,
    };
    await this.ctx.store.transaction(async (tx) => {
      await tx.putRecord<PsiInitiatorState>(COLLECTIONS.psiSecrets, record.id, secret, { partner });
      await this.save(record, tx);
      await this.ctx.port().send(partner, 'psi.offer', offer, { subjects: [record.id, ...subject.entityIds], tx });
    });
    return record;
  }

  /** Inbound `psi.offer`: answer with our set of that kind (unless the offer is larger than we answer). */
  async onOffer(message: InboundMessage<'psi.offer'>): Promise<void> {
    const { from, body } = message.envelope;
    const base = { id: body.sessionId, role: 'responder' as const, partner: from, selectorKind: body.selectorKind, startedAt: message.receivedAt, otherCount: body.count };
    const max = this.ctx.options.psiMaxOffer ?? DEFAULT_MAX_OFFER;
    if (body.count > max) {
      await this.save({ ...base, status: 'refused', ownCount: 0, problem: `offer of ${body.count} selectors is above the ${max} this node answers` });
      await this.ctx.systemAudit('refused.federation.psi.reply', `PSI offer from ${from} refused: too large`, [], { sessionId: body.sessionId, kind: body.selectorKind, offered: body.count, max });
      return;
    }
    const held = await heldSelectors(this.ctx, body.selectorKind);
    const responder = new PsiResponder(this.engine(), body.selectorKind, [...held.keys()]);
    let reply;
    try {
      reply = await responder.reply(body);
    } catch (e) {
      // A partner answering garbage (points that are not ristretto255 encodings): recorded, not retried.
      await this.save({ ...base, status: 'failed', ownCount: held.size, problem: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.#responders.set(body.sessionId, { responder, entities: held });
    await this.save({ ...base, status: 'replied', ownCount: reply.ownCount });
    await this.ctx.systemAudit('federation.psi.reply', `PSI session with ${from} on ${body.selectorKind} selectors`, [], { sessionId: body.sessionId, kind: body.selectorKind, ours: reply.ownCount, theirs: body.count });
    message.concerns?.([body.sessionId]);
    await this.ctx.port().send(from, 'psi.reply', reply, { inReplyTo: message.envelope.id, subjects: [body.sessionId] });
  }

  /** Inbound `psi.reply`: learn our matches, send `psi.final`, and record the hit if any matched. */
  async onReply(message: InboundMessage<'psi.reply'>): Promise<void> {
    const { from, body } = message.envelope;
    const record = await this.get(body.sessionId);
    if (!record || record.role !== 'initiator' || record.partner !== from) return;
    let initiator = this.#initiators.get(body.sessionId);
    if (!initiator) {
      const saved = (await this.ctx.store.getRecord<PsiInitiatorState>(COLLECTIONS.psiSecrets, body.sessionId))?.body;
      if (saved) initiator = PsiInitiator.restore(this.engine(), saved);
    }
    if (!initiator || record.status !== 'offered') {
      await this.save({ ...record, status: 'failed', problem: record.status === 'offered' ? 'session state lost; start a new session' : `a reply for a session already ${record.status}` });
      return;
    }
    this.#initiators.delete(body.sessionId);
    let result;
    try {
      result = await initiator.finish(body);
    } catch (e) {
      await this.save({ ...record, status: 'failed', problem: e instanceof Error ? e.message : String(e) });
      await this.ctx.store.deleteRecord(COLLECTIONS.psiSecrets, body.sessionId);
      return;
    }
    message.concerns?.([record.id, ...(record.subject?.entityIds ?? [])]);
    const done: PsiSessionRecord = { ...record, status: 'done', finishedAt: this.ctx.now().toISOString(), otherCount: result.outcome.otherSetSize, matched: result.outcome.matched };
    // The final, the session's outcome and the end of its secret commit together.
    await this.ctx.store.transaction(async (tx) => {
      await this.ctx.port().send(from, 'psi.final', result.final, { inReplyTo: message.envelope.id, subjects: [record.id, ...(record.subject?.entityIds ?? [])], tx });
      await this.save(done, tx);
      await tx.deleteRecord(COLLECTIONS.psiSecrets, body.sessionId);
    });
    if (result.outcome.matched.length > 0) await this.hits.recordSelectorHit(done, result.outcome.matchedOriginals);
  }

  /** Inbound `psi.final`: learn which of our selectors the initiator holds. */
  async onFinal(message: InboundMessage<'psi.final'>): Promise<void> {
    const { from, body } = message.envelope;
    const record = await this.get(body.sessionId);
    const state = this.#responders.get(body.sessionId);
    if (!record || record.role !== 'responder' || record.partner !== from) return;
    if (!state) {
      await this.save({ ...record, status: 'failed', problem: 'session state lost (node restarted)' });
      return;
    }
    this.#responders.delete(body.sessionId);
    let outcome;
    try {
      outcome = state.responder.conclude(body);
    } catch (e) {
      await this.save({ ...record, status: 'failed', problem: e instanceof Error ? e.message : String(e) });
      return;
    }
    const entityIds = [...new Set(outcome.matched.flatMap((c) => state.entities.get(c) ?? []))];
    const done: PsiSessionRecord = { ...record, status: 'done', finishedAt: this.ctx.now().toISOString(), matched: outcome.matched, matchedEntityIds: entityIds };
    await this.save(done);
    message.concerns?.([record.id, ...entityIds]);
    await this.ctx.systemAudit('federation.psi.concluded', `PSI session with ${from} on ${record.selectorKind} selectors`, entityIds, { sessionId: body.sessionId, matched: outcome.matched.length });
    await this.hits.onSessionConcluded(done);
  }

  /**
   * Drops the saved state of our sessions that can no longer get a reply (older than the replay
   * window, after which a reply would be refused as expired) and records them as failed. Runs before
   * each new session; returns how many were dropped.
   */
  async expire(now: Date = this.ctx.now()): Promise<number> {
    const cutoff = now.getTime() - REPLY_WINDOW_MS;
    let dropped = 0;
    for (const r of await this.ctx.store.findRecords<PsiSessionRecord>(COLLECTIONS.psiSessions, { where: { role: 'initiator', status: 'offered' }, limit: 10_000 })) {
      if (Date.parse(r.body.startedAt) > cutoff) continue;
      await this.ctx.store.transaction(async (tx) => {
        await tx.deleteRecord(COLLECTIONS.psiSecrets, r.id);
        await this.save({ ...r.body, status: 'failed', finishedAt: now.toISOString(), problem: `no reply from ${r.body.partner} within ${REPLY_WINDOW_MS / 86_400_000} days` }, tx);
      });
      dropped++;
    }
    return dropped;
  }

  /** Sessions, newest first. */
  async list(limit = 200): Promise<PsiSessionRecord[]> {
    return (await this.ctx.store.findRecords<PsiSessionRecord>(COLLECTIONS.psiSessions, { order: 'desc', limit })).map((r) => r.body);
  }

  /** Stops the PSI worker threads. */
  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    this.#initiators.clear();
    this.#responders.clear();
    if (engine) await engine.close();
  }
}
