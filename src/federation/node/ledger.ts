import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../../store/index.js';
import { canonicalJson } from '../canonical.js';
import { envelopeDigest, openEnvelope, type Envelope } from '../envelope.js';
import { PeerDirectory, keyIdOf, signBytes, type NodeIdentity } from '../identity.js';
import { MessageTypeSchema, RejectionReason } from '../messages.js';
import { messageRefs } from './refs.js';

/**
 * The who-knew-what-when ledger of one node: every envelope it sent or received, every receipt it
 * issued or was given, and every authenticated message it refused, appended to a hash chain in the
 * node's own store. The scheme is the audit log's (src/model/audit.ts): each entry's hash is
 * SHA-256 over the previous hash, a newline and the entry's canonical JSON, so an edited, deleted
 * or reordered entry breaks the chain where `verifyLedger` can name it.
 *
 * The chain alone cannot stop a node that rewrites its whole ledger (it holds its own signing key).
 * What does is the other side: every delivered envelope is acknowledged by a `receipt` the receiver
 * signs, citing the envelope's digest. The sender keeps that receipt, the receiver keeps the
 * sender's signed envelope, so a rewritten entry on one side disagrees with a signature only the
 * other side could have made (`verifyLedger` checks the receipts held locally, `crossCheckLedgers`
 * an export of the peer's ledger).
 */
export const LEDGER_COLLECTION = 'fed-ledger';
/** Sent and received envelopes, by `${from}/${id}` (receipts included). */
export const ENVELOPE_COLLECTION = 'fed-envelopes';
const HEAD_KEY = 'fed.ledger.head';
export const LEDGER_GENESIS = '0'.repeat(64);
export const LEDGER_FORMAT = 'tessera-ledger/1';

export const LEDGER_EVENTS = ['sent', 'received', 'refused', 'receipt-sent', 'receipt-received'] as const;
export type LedgerEvent = (typeof LEDGER_EVENTS)[number];

const ReceiptRef = z.object({ of: z.string(), status: z.enum(['accepted', 'duplicate', 'rejected']), reason: RejectionReason.optional(), digest: z.string() }).strict();

export const LedgerEntry = z
  .object({
    seq: z.number().int().min(1),
    at: z.iso.datetime({ offset: true }),
    /** The agency whose ledger this is. */
    node: z.string(),
    event: z.enum(LEDGER_EVENTS),
    envelopeId: z.string(),
    type: MessageTypeSchema,
    from: z.string(),
    to: z.string(),
    /** The other party: `to` for what this node sent, `from` for what it received. */
    peer: z.string(),
    /** The envelope's per-(from, to) sequence number. */
    envelopeSeq: z.number().int().min(0),
    sentAt: z.string(),
    inReplyTo: z.string().optional(),
    /** SHA-256 of the envelope's canonical JSON (for `refused`: of the bytes received). */
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    /** For receipt events: what the receipt says about which envelope. */
    receipt: ReceiptRef.optional(),
    /** For `refused`: why. */
    reason: RejectionReason.optional(),
    detail: z.string().optional(),
    refs: z.array(z.string()),
    cases: z.array(z.string()),
    /** Local entity (or hit/alert/case) ids the flows said the message concerns; never sent. */
    subjects: z.array(z.string()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .strict();
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const LedgerHead = z.object({ seq: z.number().int().min(0), hash: z.string() }).strict();
export type LedgerHead = z.infer<typeof LedgerHead>;

/** A ledger as exported by `tessera ledger export`: entries, the envelopes they cite, a signed head. */
export const LedgerExport = z
  .object({
    format: z.literal(LEDGER_FORMAT),
    agency: z.string(),
    publicKey: z.string(),
    exportedAt: z.iso.datetime({ offset: true }),
    head: LedgerHead,
    /** Ed25519 over canonical JSON of { format, agency, exportedAt, head }, by the exporting node. */
    headSig: z.string(),
    entries: z.array(LedgerEntry),
    envelopes: z.array(z.record(z.string(), z.unknown())),
  })
  .strict();
export type LedgerExport = z.infer<typeof LedgerExport>;

/** What an append records; the ledger fills seq, hashes, refs and cases. */
export type LedgerAppend =
  | { event: 'sent' | 'received' | 'receipt-sent' | 'receipt-received'; at: string; envelope: Envelope; digest?: string; subjects?: readonly string[] }
  | { event: 'refused'; at: string; id: string; from: string; to: string; type: string; digest: string; reason: RejectionReason; detail: string };

export function envelopeKey(from: string, id: string): string {
  return `${from}/${id}`;
}

function entryHash(prevHash: string, entry: Omit<LedgerEntry, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(entry)).digest('hex');
}

function withoutHashes(e: LedgerEntry): Omit<LedgerEntry, 'hash' | 'prevHash'> {
  const { hash: _h, prevHash: _p, ...rest } = e;
  return rest;
}

/** The ledger of this node in its store. */
export class Ledger {
  constructor(
    readonly store: Store,
    readonly agency: string,
  ) {}

  /**
   * Appends one entry (and stores the envelope it cites) as part of the caller's transaction, so an
   * envelope is never in the outbox without its ledger entry, nor applied without it.
   */
  async append(tx: Store, input: LedgerAppend): Promise<LedgerEntry> {
    await tx.lock(HEAD_KEY);
    const head = await readHead(tx);
    const seq = head.seq + 1;
    let content: Omit<LedgerEntry, 'hash' | 'prevHash'>;
    if (input.event === 'refused') {
      const type = MessageTypeSchema.safeParse(input.type);
      content = {
        seq,
        at: input.at,
        node: this.agency,
        event: 'refused',
        envelopeId: input.id,
        type: type.success ? type.data : 'receipt',
        from: input.from,
        to: input.to,
        peer: input.from,
        envelopeSeq: 0,
        sentAt: '',
        digest: input.digest,
        reason: input.reason,
        detail: input.detail.slice(0, 500),
        refs: [input.id],
        cases: [],
        subjects: [],
      };
    } else {
      const env = input.envelope;
      const { refs, cases } = messageRefs(env);
      const outgoing = env.from === this.agency;
      content = {
        seq,
        at: input.at,
        node: this.agency,
        event: input.event,
        envelopeId: env.id,
        type: env.type,
        from: env.from,
        to: env.to,
        peer: outgoing ? env.to : env.from,
        envelopeSeq: env.seq,
        sentAt: env.sentAt,
        ...(env.inReplyTo === undefined ? {} : { inReplyTo: env.inReplyTo }),
        digest: input.digest ?? envelopeDigest(env),
        ...(env.type === 'receipt' ? { receipt: { of: env.body.of, status: env.body.status, digest: env.body.digest, ...(env.body.reason === undefined ? {} : { reason: env.body.reason }) } } : {}),
        refs,
        cases,
        subjects: [...new Set(input.subjects ?? [])],
      };
      await tx.putRecord(ENVELOPE_COLLECTION, envelopeKey(env.from, env.id), env, { id: env.id, peer: content.peer, type: env.type });
    }
    const entry: LedgerEntry = { ...content, prevHash: head.hash, hash: entryHash(head.hash, content) };
    await tx.putRecord(LEDGER_COLLECTION, seqKey(seq), entry, {
      envelope: entry.envelopeId,
      peer: entry.peer,
      event: entry.event,
      ref: [...new Set([entry.envelopeId, ...(entry.inReplyTo ? [entry.inReplyTo] : []), ...entry.refs, ...entry.subjects, ...entry.cases])],
    });
    await tx.setMeta(HEAD_KEY, JSON.stringify({ seq, hash: entry.hash }));
    return entry;
  }

  async head(): Promise<LedgerHead> {
    return readHead(this.store);
  }

  /** Entries in order from `fromSeq`. */
  async entries(fromSeq = 1, limit = 1_000_000): Promise<LedgerEntry[]> {
    const rows = await this.store.findRecords<LedgerEntry>(LEDGER_COLLECTION, { ...(fromSeq > 1 ? { afterId: seqKey(fromSeq - 1) } : {}), limit });
    return rows.map((r) => r.body);
  }

  /** Entries whose envelope, references, cases or subjects include any of `ids`. */
  async entriesReferencing(ids: readonly string[]): Promise<LedgerEntry[]> {
    if (ids.length === 0) return [];
    return (await this.store.findRecords<LedgerEntry>(LEDGER_COLLECTION, { where: { ref: ids } })).map((r) => r.body);
  }

  async envelope(from: string, id: string): Promise<Envelope | undefined> {
    return (await this.store.getRecord<Envelope>(ENVELOPE_COLLECTION, envelopeKey(from, id)))?.body;
  }

  /** Everything the ledger holds, for verification, replay and export. */
  async load(): Promise<LedgerData> {
    const entries = await this.entries();
    const envelopes = new Map<string, Record<string, unknown>>();
    for (const r of await this.store.findRecords<Record<string, unknown>>(ENVELOPE_COLLECTION, { limit: 1_000_000 })) envelopes.set(r.id, r.body);
    return { agency: this.agency, head: await this.head(), entries, envelopes };
  }

  /** The signed export a partner or an inquiry cross-checks against its own ledger. */
  async export(identity: NodeIdentity, now: Date = new Date()): Promise<LedgerExport> {
    const data = await this.load();
    const exportedAt = now.toISOString();
    const headSig = signBytes(identity, Buffer.from(canonicalJson({ format: LEDGER_FORMAT, agency: identity.agency, exportedAt, head: data.head }), 'utf8'));
    return { format: LEDGER_FORMAT, agency: identity.agency, publicKey: identity.publicKey, exportedAt, head: data.head, headSig, entries: [...data.entries], envelopes: [...data.envelopes.values()] };
  }
}

function seqKey(seq: number): string {
  return String(seq).padStart(12, '0');
}

async function readHead(store: Store): Promise<LedgerHead> {
  const raw = await store.getMeta(HEAD_KEY);
  return raw ? LedgerHead.parse(JSON.parse(raw)) : { seq: 0, hash: LEDGER_GENESIS };
}

/** A ledger's content, from a store or an export. */
export interface LedgerData {
  readonly agency: string;
  readonly head: LedgerHead;
  readonly entries: readonly LedgerEntry[];
  /** Envelopes by `${from}/${id}`. */
  readonly envelopes: ReadonlyMap<string, Record<string, unknown>>;
}

/** Reads an export (after checking its signed head against the key the reader has for that agency). */
export function ledgerDataOf(exp: LedgerExport): LedgerData {
  const envelopes = new Map<string, Record<string, unknown>>();
  for (const e of exp.envelopes) envelopes.set(envelopeKey(String(e['from']), String(e['id'])), e);
  return { agency: exp.agency, head: exp.head, entries: exp.entries, envelopes };
}

/** Checks an export's head signature with the public key the reader has configured for its agency. */
export function exportSignatureValid(exp: LedgerExport, peers: PeerDirectory): boolean {
  const peer = peers.get(exp.agency);
  if (!peer || peer.publicKey !== exp.publicKey) return false;
  const body = Buffer.from(canonicalJson({ format: LEDGER_FORMAT, agency: exp.agency, exportedAt: exp.exportedAt, head: exp.head }), 'utf8');
  const dir = new PeerDirectory([peer]);
  return dir.verify(exp.agency, keyIdOf(peer.publicKey), body, exp.headSig) === 'ok';
}

/** One problem found by verification, named by the ledger and entry where it shows. */
export interface LedgerProblem {
  /** Whose ledger the problem is in. */
  readonly ledger: string;
  readonly seq: number;
  readonly kind: 'edited' | 'missing' | 'reordered' | 'link-broken' | 'truncated' | 'envelope-missing' | 'envelope-altered' | 'bad-signature' | 'receipt-mismatch' | 'receipt-orphan' | 'peer-disagrees';
  readonly message: string;
}

export interface LedgerReport {
  readonly agency: string;
  readonly entries: number;
  readonly head: LedgerHead;
  /** Receipts signed by peers that were checked against this ledger's sent entries. */
  readonly receiptsChecked: number;
  readonly problems: LedgerProblem[];
}

/**
 * Verifies one ledger: the hash chain (edits, gaps, reordering, a truncated tail against the
 * recorded head), each cited envelope against its digest and its signature (own key or the peer's),
 * and every receipt a peer signed against the sent entry it acknowledges.
 */
export function verifyLedger(data: LedgerData, selfPublicKey: string, peers: PeerDirectory): LedgerReport {
  const problems: LedgerProblem[] = [];
  const problem = (seq: number, kind: LedgerProblem['kind'], message: string) => problems.push({ ledger: data.agency, seq, kind, message });
  let prev = LEDGER_GENESIS;
  let next = 1;
  for (const e of data.entries) {
    if (e.seq < next) problem(e.seq, 'reordered', `entry ${e.seq} appears after entry ${next - 1}`);
    else if (e.seq > next) problem(next, 'missing', `entries ${next}–${e.seq - 1} are missing (deleted)`);
    if (entryHash(e.prevHash, withoutHashes(e)) !== e.hash) problem(e.seq, 'edited', `entry ${e.seq} (${e.event} ${e.type} ${e.envelopeId}) was edited: its content no longer matches its hash`);
    else if (e.prevHash !== prev) problem(e.seq, 'link-broken', `entry ${e.seq} does not link to the entry before it`);
    prev = e.hash;
    next = Math.max(next, e.seq + 1);
  }
  const last = data.entries[data.entries.length - 1];
  if ((last?.seq ?? 0) !== data.head.seq || (last?.hash ?? LEDGER_GENESIS) !== data.head.hash) {
    problem(data.head.seq, 'truncated', `the recorded head is entry ${data.head.seq}, the chain ends at ${last?.seq ?? 0} (entries removed from the end, or the head was altered)`);
  }

  const directory = new PeerDirectory(peers.list());
  if (!directory.has(data.agency)) directory.add({ agency: data.agency, publicKey: selfPublicKey });
  const sentDigest = new Map<string, string>();
  for (const e of data.entries) {
    if (e.event === 'refused') continue;
    const env = data.envelopes.get(envelopeKey(e.from, e.envelopeId));
    if (!env) {
      problem(e.seq, 'envelope-missing', `entry ${e.seq} cites envelope ${e.envelopeId} from ${e.from}, which is not in the store`);
      continue;
    }
    if (envelopeDigest(env) !== e.digest) problem(e.seq, 'envelope-altered', `envelope ${e.envelopeId} (${e.type}) no longer has the digest entry ${e.seq} recorded`);
    const opened = openEnvelope(env, { self: e.to, peers: directory, now: new Date(e.sentAt || e.at), acceptForOthers: true });
    if (!opened.ok) problem(e.seq, 'bad-signature', `envelope ${e.envelopeId} from ${e.from} does not verify: ${opened.reason} (${opened.detail})`);
    if (e.event === 'sent') sentDigest.set(e.envelopeId, e.digest);
  }
  let receiptsChecked = 0;
  for (const e of data.entries) {
    if (e.event !== 'receipt-received' || !e.receipt) continue;
    receiptsChecked++;
    const sent = sentDigest.get(e.receipt.of);
    if (sent === undefined) problem(e.seq, 'receipt-orphan', `${e.from} signed a receipt for envelope ${e.receipt.of}, but this ledger has no such sent entry (deleted?)`);
    else if (e.receipt.status !== 'rejected' && sent !== e.receipt.digest) {
      problem(e.seq, 'receipt-mismatch', `${e.from} signed that it received envelope ${e.receipt.of} with digest ${e.receipt.digest.slice(0, 12)}…, this ledger says ${sent.slice(0, 12)}… was sent (the entry or envelope was rewritten)`);
    }
  }
  return { agency: data.agency, entries: data.entries.length, head: data.head, receiptsChecked, problems };
}

/**
 * Cross-checks this node's ledger against a partner's (an export): every envelope the partner
 * signed a receipt for must be in our sent entries with the same digest, every receipt we signed
 * that the partner holds must match a received entry of ours, and every envelope of ours the
 * partner received must be in our sent entries. A side that deleted or rewrote entries is caught by
 * signatures only the other side could have made.
 */
export function crossCheckLedgers(own: LedgerData, ownPublicKey: string, other: LedgerData, peers: PeerDirectory): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  const ownBy = (event: LedgerEvent) => new Map(own.entries.filter((e) => e.event === event && e.peer === other.agency).map((e) => [e.envelopeId, e] as const));
  const ownSent = ownBy('sent');
  const ownReceived = ownBy('received');
  const directory = new PeerDirectory(peers.list().filter((p) => p.agency !== own.agency));
  directory.add({ agency: own.agency, publicKey: ownPublicKey });
  for (const e of other.entries) {
    if (e.peer !== own.agency) continue;
    const env = other.envelopes.get(envelopeKey(e.from, e.envelopeId));
    const authentic = env !== undefined && envelopeDigest(env) === e.digest && openEnvelope(env, { self: e.to, peers: directory, now: new Date(e.sentAt || e.at), acceptForOthers: true }).ok;
    if (!authentic) continue; // unverifiable entries of the other ledger prove nothing about ours
    if (e.event === 'received') {
      const mine = ownSent.get(e.envelopeId);
      if (!mine) problems.push({ ledger: own.agency, seq: 0, kind: 'peer-disagrees', message: `${other.agency} received envelope ${e.envelopeId} (${e.type}, signed by ${own.agency}) at ${e.at}, but ${own.agency}'s ledger has no such sent entry` });
      else if (mine.digest !== e.digest) problems.push({ ledger: own.agency, seq: mine.seq, kind: 'peer-disagrees', message: `${own.agency} entry ${mine.seq} differs from the signed envelope ${other.agency} received (${e.envelopeId})` });
    }
    if (e.event === 'receipt-received' && e.receipt && e.from === own.agency && e.receipt.status !== 'rejected') {
      const mine = ownReceived.get(e.receipt.of);
      if (!mine) problems.push({ ledger: own.agency, seq: 0, kind: 'peer-disagrees', message: `${other.agency} holds ${own.agency}'s signed receipt for envelope ${e.receipt.of}, but ${own.agency}'s ledger has no such received entry` });
      else if (mine.digest !== e.receipt.digest) problems.push({ ledger: own.agency, seq: mine.seq, kind: 'peer-disagrees', message: `${own.agency} entry ${mine.seq} differs from what its own signed receipt to ${other.agency} says it received (${e.receipt.of})` });
    }
  }
  // What the partner sent that we never acknowledged may simply not have arrived yet: not a problem.
  return problems;
}
