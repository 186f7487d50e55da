import type { Governance, QueryContext } from '../../governance/index.js';
import type { Envelope } from '../envelope.js';
import { envelopeKey, type LedgerData, type LedgerEntry } from './ledger.js';

/** What an agency held about the subject in its own store (only the local node can say). */
export interface Holding {
  readonly entityId: string;
  readonly schema: string;
  readonly caption: string;
  readonly statements: number;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
}

/** One line of the replay: something an agency did, was told, or refused, and when. */
export interface ReplayEvent {
  /** When it happened in that agency's ledger (queued for `did`, accepted for `told`). */
  readonly at: string;
  /** Whose ledger says so. */
  readonly agency: string;
  readonly kind: 'did' | 'told' | 'refused' | 'held';
  /** The other agency. */
  readonly peer?: string;
  readonly type: string;
  readonly envelopeId?: string;
  readonly summary: string;
  /** For `did`: the peer's signed receipt (when it says it received it, and how). */
  readonly acknowledged?: { readonly at: string; readonly status: string; readonly reason?: string };
  /** For `told`: when the sender signed it. */
  readonly sentAt?: string;
}

export interface ReplayAgency {
  readonly agency: string;
  /** Whether this agency's ledger was available (local, or an export given to the replay). */
  readonly ledger: boolean;
  readonly held: readonly Holding[];
  readonly did: readonly ReplayEvent[];
  readonly told: readonly ReplayEvent[];
}

/** "Who knew what, when" about one subject, reconstructed from one or more ledgers. */
export interface LedgerReplay {
  readonly subject: string;
  /** The ids the subject led to (hits, requests, alerts, notices, envelopes, local entities). */
  readonly related: readonly string[];
  readonly agencies: readonly ReplayAgency[];
  /** Every event of every agency, by time. */
  readonly timeline: readonly ReplayEvent[];
}

/** Entity ids look like `be-ct:…`: the agency prefix, a colon, a local id. */
function isEntityId(id: string): boolean {
  return /^[a-z]{2}-[a-z0-9]{2,12}:/.test(id);
}

/**
 * Replays the ledgers for a subject: starting from an entity, hit, alert, request or case id, it
 * follows every message that names it, then every id those messages carry (a hit leads to the
 * request about it, the request to the answer, an alert to the hit it produced), until nothing new
 * is found. Receipts are folded into what they acknowledge. `holdings` answers, for the local
 * agency, what it held about the entities found (through governance, with the caller's context).
 */
export async function replayLedgers(subject: string, ledgers: readonly LedgerData[], holdings?: (agency: string, entityIds: readonly string[]) => Promise<readonly Holding[]>): Promise<LedgerReplay> {
  const ids = new Set([subject]);
  const included = new Set<LedgerEntry>();
  const all = ledgers.flatMap((l) => l.entries.map((e) => ({ ledger: l, e })));
  // A case names many subjects: its messages are reached when the case is the subject, but the
  // replay never spreads from a case to everything else in it (flows also note the case as a subject).
  const caseIds = new Set(all.flatMap(({ e }) => e.cases));
  for (let grew = true; grew; ) {
    grew = false;
    for (const { e } of all) {
      if (included.has(e)) continue;
      const hit = ids.has(e.envelopeId) || (e.inReplyTo !== undefined && ids.has(e.inReplyTo)) || e.refs.some((r) => ids.has(r)) || e.subjects.some((s) => ids.has(s)) || e.cases.includes(subject);
      if (!hit) continue;
      included.add(e);
      grew = true;
      for (const id of [e.envelopeId, ...e.refs, ...e.subjects]) if (!caseIds.has(id)) ids.add(id);
    }
  }

  const agencies = new Map<string, { ledger: boolean; entities: Set<string>; did: ReplayEvent[]; told: ReplayEvent[] }>();
  const agencyOf = (a: string) => {
    let v = agencies.get(a);
    if (!v) {
      v = { ledger: false, entities: new Set(), did: [], told: [] };
      agencies.set(a, v);
    }
    return v;
  };
  for (const l of ledgers) agencyOf(l.agency).ledger = true;

  for (const { ledger, e } of all) {
    if (!included.has(e)) continue;
    const mine = agencyOf(ledger.agency);
    for (const s of e.subjects) if (isEntityId(s)) mine.entities.add(s);
    const env = ledger.envelopes.get(envelopeKey(e.from, e.envelopeId)) as Envelope | undefined;
    if (e.event === 'sent') {
      const ack = ledger.entries.find((r) => r.event === 'receipt-received' && r.receipt?.of === e.envelopeId);
      const receiptEnv = ack ? (ledger.envelopes.get(envelopeKey(ack.from, ack.envelopeId)) as Envelope<'receipt'> | undefined) : undefined;
      mine.did.push({
        at: e.at,
        agency: ledger.agency,
        kind: 'did',
        peer: e.peer,
        type: e.type,
        envelopeId: e.envelopeId,
        summary: env ? describe(env) : `${e.type} (envelope not available)`,
        ...(ack?.receipt ? { acknowledged: { at: receiptEnv?.body.receivedAt ?? ack.at, status: ack.receipt.status, ...(ack.receipt.reason ? { reason: ack.receipt.reason } : {}) } } : {}),
      });
      agencyOf(e.peer);
    } else if (e.event === 'received') {
      mine.told.push({ at: e.at, agency: ledger.agency, kind: 'told', peer: e.peer, type: e.type, envelopeId: e.envelopeId, sentAt: e.sentAt, summary: env ? describe(env) : `${e.type} (envelope not available)` });
      if (env?.type === 'followup.response') for (const s of env.body.statements) mine.entities.add(s.entityId);
      agencyOf(e.peer);
    } else if (e.event === 'refused') {
      mine.told.push({ at: e.at, agency: ledger.agency, kind: 'refused', peer: e.peer, type: e.type, envelopeId: e.envelopeId, summary: `refused ${e.type} from ${e.peer}: ${e.reason ?? 'no reason'}${e.detail ? ` (${e.detail})` : ''}` });
    }
  }
  if (isEntityId(subject)) for (const l of ledgers) agencyOf(l.agency).entities.add(subject);

  const out: ReplayAgency[] = [];
  for (const [agency, v] of [...agencies].sort(([a], [b]) => a.localeCompare(b))) {
    const own = [...v.entities].filter((id) => id.startsWith(`${agency.toLowerCase()}:`));
    const held = holdings && own.length > 0 ? await holdings(agency, own) : [];
    const byTime = (a: ReplayEvent, b: ReplayEvent) => a.at.localeCompare(b.at);
    out.push({ agency, ledger: v.ledger, held, did: v.did.sort(byTime), told: v.told.sort(byTime) });
  }
  const heldEvents: ReplayEvent[] = out.flatMap((a) =>
    a.held.map((h) => ({ at: h.firstSeen ?? '', agency: a.agency, kind: 'held' as const, type: 'holding', summary: `held ${h.schema} ${h.entityId} "${h.caption}" (${h.statements} statements${h.firstSeen ? `, first seen ${h.firstSeen}` : ''}${h.lastSeen ? `, last seen ${h.lastSeen}` : ''})` })),
  );
  // At the same instant, a message is sent before it is received.
  const rank = { held: 0, did: 1, told: 2, refused: 2 } as const;
  const timeline = [...heldEvents, ...out.flatMap((a) => [...a.did, ...a.told])].sort((a, b) => a.at.localeCompare(b.at) || rank[a.kind] - rank[b.kind] || a.agency.localeCompare(b.agency));
  return { subject, related: [...ids].filter((id) => id !== subject).sort(), agencies: out, timeline };
}

/** A one-line account of a message, without clear names (bodies carry none; statements are counted). */
export function describe(env: Envelope): string {
  switch (env.type) {
    case 'hit.notice': {
      const b = env.body;
      return `hit ${b.hitId}: ${b.matchKind} match${b.score === undefined ? '' : ` (Dice ${b.score.toFixed(2)})`} on ${b.pointerId ? `pointer ${b.pointerId}` : `PSI session ${b.psiSessionId ?? ''}`} held by ${b.holder}; case ${b.caseId}, purpose "${b.purpose}"`;
    }
    case 'followup.request': {
      const b = env.body;
      return `request ${b.requestId} on hit ${b.hitId} (${b.urgency}, deadline ${b.deadline}): "${b.question}"`;
    }
    case 'followup.response': {
      const b = env.body;
      if (b.outcome === 'released') {
        const codes = [...new Set(b.statements.flatMap((s) => s.handling.codes))].sort();
        return `answer to ${b.requestId}: released ${b.statements.length} statement${b.statements.length === 1 ? '' : 's'} about ${[...new Set(b.statements.map((s) => s.entityId))].join(', ')}${codes.length ? ` (handling ${codes.join(', ')})` : ''}`;
      }
      if (b.outcome === 'refused') return `answer to ${b.requestId}: refused — ${b.reason ?? ''}`;
      return `answer to ${b.requestId}: more information needed — "${b.question ?? ''}"`;
    }
    case 'followup.escalation':
      return `escalation level ${env.body.level} of request ${env.body.requestId} (deadline ${env.body.deadline}, ${Math.round(env.body.overdueMs / 3600_000)} h overdue)`;
    case 'alert': {
      const b = env.body;
      return `alert ${b.alertId}: threat ${b.threatLevel}, action ${b.action}, case ${b.caseId}, review by ${b.reviewBy} (${b.subject.filters.length} encodings, ${b.subject.pointerIds.length} pointers)`;
    }
    case 'deconfliction.notice': {
      const b = env.body;
      return `deconfliction ${b.noticeId} on hit ${b.hitId}: ${b.agencies.join(' and ')} work the same subject; contact ${b.contact.unit} via ${b.contact.channel} (${b.consent})`;
    }
    case 'pointer.publish':
      return `${env.body.mode} of ${env.body.pointers.length} name pointers (${env.body.withdrawn.length} withdrawn), key ${env.body.encoding.keyId}`;
    case 'psi.offer':
      return `PSI offer ${env.body.sessionId}: ${env.body.count} blinded ${env.body.selectorKind} selectors`;
    case 'psi.reply':
      return `PSI reply ${env.body.sessionId}: ${env.body.doubledCount} re-blinded, ${env.body.ownCount} own ${env.body.selectorKind} selectors`;
    case 'psi.final':
      return `PSI final ${env.body.sessionId}: ${env.body.count} re-blinded ${env.body.selectorKind} selectors`;
    case 'rectification':
      return `${env.body.action} of ${env.body.statementIds.length} released statements: ${env.body.reason}`;
    case 'receipt':
      return `receipt for ${env.body.of}: ${env.body.status}${env.body.reason ? ` (${env.body.reason})` : ''}`;
  }
}

/**
 * The replay as a user asks for it: authorised through governance (a case whose legal basis allows
 * federation; supervisor, DPO or administrator — "who knew what, when" is oversight), holdings read
 * with the user's context (so only what the user may see), audited. `ledgers` are this node's own
 * ledger first, then any verified partner exports.
 */
export async function replayForUser(gov: Governance, ctx: QueryContext, agency: string, subject: string, ledgers: readonly LedgerData[]): Promise<LedgerReplay> {
  const principal = await gov.authorise(ctx, 'federation');
  gov.requireRole(principal, 'supervisor', 'dpo', 'admin');
  const holdings = async (who: string, entityIds: readonly string[]): Promise<Holding[]> => {
    if (who !== agency) return [];
    const seen = await gov.readEntities(ctx, entityIds);
    return [...seen.values()].map((e) => ({ entityId: e.id, schema: e.schema, caption: e.caption, statements: e.statementCount, ...(e.firstSeen ? { firstSeen: e.firstSeen } : {}), ...(e.lastSeen ? { lastSeen: e.lastSeen } : {}) }));
  };
  const replay = await replayLedgers(subject, ledgers, holdings);
  await gov.audit(ctx, principal, 'federation.ledger.replay', 'allowed', replay.agencies.flatMap((a) => a.held.map((h) => h.entityId)), { subject, ledgers: ledgers.map((l) => l.agency), events: replay.timeline.length });
  return replay;
}
