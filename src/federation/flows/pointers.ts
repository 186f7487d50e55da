import { createHash, randomBytes } from 'node:crypto';
import { TesseraError } from '../../model/index.js';
import { createDiceIndex, FilterSet, FILTER_BYTES, type DiceIndex } from '../dice.js';
import type { InboundMessage } from '../port.js';
import type { FlowContext } from './context.js';
import { heldPersons } from './holdings.js';
import { allRecords, COLLECTIONS, type OwnPointer, type PartnerPointer, type PartnerSet } from './records.js';

/** Pointers per `pointer.publish` message (well under the 200,000 and 48 MiB limits of the schema and envelope). */
export const POINTERS_PER_MESSAGE = 50_000;

/** What one publication to one partner did. */
export interface PublishSummary {
  readonly partner: string;
  readonly mode: 'snapshot' | 'delta';
  readonly keyId: string;
  readonly added: number;
  readonly withdrawn: number;
  readonly unchanged: number;
  readonly messages: number;
}

/** A partner's pointer set ready for Dice matching. */
export interface PartnerIndex {
  readonly partner: string;
  readonly index: DiceIndex;
  readonly pointerIds: readonly string[];
}

/** An opaque pointer id: random, so it says nothing about the entity, and different per partner. */
function newPointerId(): string {
  return `p_${randomBytes(16).toString('base64url')}`;
}

function digestOf(filter: string): string {
  return createHash('sha256').update(filter).digest('hex');
}

/**
 * The name pointer index (issue 8 item 2): we publish hardened Bloom encodings of our persons'
 * names and dates of birth, under opaque pointer ids, to each partner we share a linkage secret
 * with — and keep the partners' published sets to match our subjects against.
 */
export class PointerFlow {
  readonly #indexes = new Map<string, PartnerIndex | null>();

  constructor(private readonly ctx: FlowContext) {}

  /**
   * Publishes our pointers to the partners we hold a linkage agreement with (all, or one). The first
   * publication under a keyId is a snapshot; later ones send only what changed (delta). A new keyId
   * (secret rotated) or `mode: 'snapshot'` republishes everything under fresh pointer ids, so ids
   * under the old key cannot be linked to the new ones.
   */
  async publish(options: { partner?: string; mode?: 'snapshot' | 'delta' } = {}): Promise<PublishSummary[]> {
    const port = this.ctx.port();
    const partners = (options.partner ? [options.partner] : port.peers()).filter((p) => this.ctx.agreement(p));
    if (options.partner && partners.length === 0) throw new TesseraError('CONFIG', `no linkage agreement with ${options.partner}: pointers are published only to partners holding the matching secret`, { field: 'partner' });
    if (partners.length === 0) return [];
    const persons = await heldPersons(this.ctx, this.ctx.options.maxNamesPerPerson ?? 3);
    const out: PublishSummary[] = [];
    for (const partner of partners) out.push(await this.publishTo(partner, persons, options.mode));
    return out;
  }

  private async publishTo(partner: string, persons: Awaited<ReturnType<typeof heldPersons>>, requested: 'snapshot' | 'delta' | undefined): Promise<PublishSummary> {
    const encoder = this.ctx.encoderFor(partner)!;
    const keyId = encoder.spec.keyId;
    const store = this.ctx.store;
    const now = this.ctx.now().toISOString();
    // Current encodings: (entity, filter) pairs; one person may have several name variants.
    const current: { entityId: string; filter: string; digest: string }[] = [];
    for (const p of persons) {
      const filters = encoder.encodeMany(p.variants).toBase64();
      for (const filter of new Set(filters)) current.push({ entityId: p.entityId, filter, digest: digestOf(filter) });
    }
    const previous = (await allRecords<OwnPointer>(store, COLLECTIONS.ownPointers, { partner, live: 'yes' })).map((r) => r.body);
    const sameKey = previous.length > 0 && previous.every((p) => p.keyId === keyId);
    const mode = requested ?? (sameKey ? 'delta' : 'snapshot');
    const keep = new Map<string, OwnPointer>();
    if (mode === 'delta') for (const p of previous) keep.set(`${p.entityId}|${p.digest}`, p);
    const added: { pointerId: string; filter: string; entityId: string; digest: string }[] = [];
    const stillLive = new Set<string>();
    for (const c of current) {
      const k = `${c.entityId}|${c.digest}`;
      const existing = keep.get(k);
      if (existing) stillLive.add(existing.pointerId);
      else if (!added.some((a) => a.entityId === c.entityId && a.digest === c.digest)) added.push({ ...c, pointerId: newPointerId() });
    }
    const withdrawn = mode === 'delta' ? previous.filter((p) => !stillLive.has(p.pointerId)).map((p) => p.pointerId) : [];
    const spec = encoder.spec;
    let messages = 0;
    const port = this.ctx.port();
    // Snapshot: first chunk replaces the partner's copy, the rest add to it. Delta: every chunk adds.
    const chunks = Math.max(1, Math.ceil(added.length / POINTERS_PER_MESSAGE));
    for (let i = 0; i < chunks; i++) {
      const part = added.slice(i * POINTERS_PER_MESSAGE, (i + 1) * POINTERS_PER_MESSAGE);
      const wd = i === 0 ? withdrawn : [];
      if (mode === 'delta' && part.length === 0 && wd.length === 0) continue;
      await port.send(partner, 'pointer.publish', {
        index: 'names',
        encoding: spec,
        mode: i === 0 ? mode : 'delta',
        pointers: part.map((a) => ({ pointerId: a.pointerId, filter: a.filter })),
        withdrawn: wd,
      });
      messages++;
    }
    await store.transaction(async (tx) => {
      // A snapshot retires every earlier pointer (the partner drops them too).
      const retired = mode === 'snapshot' ? previous : previous.filter((p) => withdrawn.includes(p.pointerId));
      for (const p of retired) await tx.putRecord<OwnPointer>(COLLECTIONS.ownPointers, p.pointerId, { ...p, withdrawnAt: now }, { partner, entity: p.entityId, live: 'no' });
      for (const a of added) {
        const rec: OwnPointer = { pointerId: a.pointerId, partner, entityId: a.entityId, keyId, digest: a.digest, publishedAt: now };
        await tx.putRecord(COLLECTIONS.ownPointers, a.pointerId, rec, { partner, entity: a.entityId, live: 'yes' });
      }
      await tx.putRecord(COLLECTIONS.publications, partner, { partner, keyId, mode, at: now, live: stillLive.size + added.length }, { partner });
    });
    const summary: PublishSummary = { partner, mode, keyId, added: added.length, withdrawn: mode === 'snapshot' ? previous.length : withdrawn.length, unchanged: stillLive.size, messages };
    await this.ctx.systemAudit('federation.pointers.publish', `Publish name pointers (hardened Bloom encodings) to linkage partner ${partner}`, [], { ...summary });
    return summary;
  }

  /** The entity one of our pointers stands for, if we published it to that partner. */
  async ownPointer(partner: string, pointerId: string): Promise<OwnPointer | undefined> {
    const rec = (await this.ctx.store.getRecord<OwnPointer>(COLLECTIONS.ownPointers, pointerId))?.body;
    return rec && rec.partner === partner ? rec : undefined;
  }

  /** Our live pointers for an entity (to a partner or all). */
  async pointersOf(entityId: string): Promise<OwnPointer[]> {
    return (await this.ctx.store.findRecords<OwnPointer>(COLLECTIONS.ownPointers, { where: { entity: entityId, live: 'yes' } })).map((r) => r.body);
  }

  /** Inbound `pointer.publish`: keep the partner's set if we can match against it. */
  async onPublish(message: InboundMessage<'pointer.publish'>): Promise<void> {
    const { from, body } = message.envelope;
    const store = this.ctx.store;
    const usable = this.ctx.sameEncoding(from, body.encoding);
    const problem = usable
      ? undefined
      : this.ctx.agreement(from)
        ? `published under keyId ${body.encoding.keyId} with parameters that differ from our agreement (keyId ${this.ctx.encoderFor(from)!.spec.keyId})`
        : `we hold no linkage agreement with ${from}`;
    const prior = (await store.getRecord<PartnerSet>(COLLECTIONS.partnerSets, from))?.body;
    let count = 0;
    await store.transaction(async (tx) => {
      if (body.mode === 'snapshot' || !usable || (prior && prior.keyId !== body.encoding.keyId)) {
        for (const r of await allRecords<PartnerPointer>(tx, COLLECTIONS.partnerPointers, { partner: from })) await tx.deleteRecord(COLLECTIONS.partnerPointers, r.id);
      }
      if (usable) {
        for (const id of body.withdrawn) await tx.deleteRecord(COLLECTIONS.partnerPointers, `${from}~${id}`);
        for (const p of body.pointers) await tx.putRecord<PartnerPointer>(COLLECTIONS.partnerPointers, `${from}~${p.pointerId}`, { partner: from, pointerId: p.pointerId, filter: p.filter }, { partner: from });
        count = await tx.countRecords(COLLECTIONS.partnerPointers, { partner: from });
      }
      const set: PartnerSet = { partner: from, keyId: body.encoding.keyId, encoding: { ...body.encoding }, pointers: count, updatedAt: message.receivedAt, usable, ...(problem ? { problem } : {}) };
      await tx.putRecord(COLLECTIONS.partnerSets, from, set, { usable: usable ? 'yes' : 'no' });
    });
    this.#indexes.delete(from);
    await this.ctx.systemAudit('federation.pointers.received', `Name pointers published by ${from}`, [], {
      from,
      mode: body.mode,
      added: body.pointers.length,
      withdrawn: body.withdrawn.length,
      held: count,
      usable,
      ...(problem ? { problem } : {}),
    });
  }

  /** Partners whose pointer sets we can match against. */
  async usablePartners(): Promise<PartnerSet[]> {
    return (await this.ctx.store.findRecords<PartnerSet>(COLLECTIONS.partnerSets, { where: { usable: 'yes' } })).map((r) => r.body).filter((s) => this.ctx.sameEncoding(s.partner, s.encoding));
  }

  /** A partner's pointer set as a Dice index (built once, rebuilt after the partner publishes again). */
  async indexOf(partner: string): Promise<PartnerIndex | undefined> {
    const cached = this.#indexes.get(partner);
    if (cached !== undefined) return cached ?? undefined;
    const rows = await allRecords<PartnerPointer>(this.ctx.store, COLLECTIONS.partnerPointers, { partner });
    if (rows.length === 0) {
      this.#indexes.set(partner, null);
      return undefined;
    }
    const set = FilterSet.fromBase64(rows.map((r) => r.body.filter));
    if (set.bytes.byteLength !== rows.length * FILTER_BYTES) throw new TesseraError('INTERNAL', `pointer set of ${partner} is corrupt`);
    const entry: PartnerIndex = { partner, index: createDiceIndex(set), pointerIds: rows.map((r) => r.body.pointerId) };
    this.#indexes.set(partner, entry);
    return entry;
  }
}
