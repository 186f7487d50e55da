import type { RecordQuery, Store, StoredRecord } from '../../store/index.js';
import type { BloomEncodingSpec, SelectorKind, Urgency } from '../messages.js';
import type { HandlingRefusal } from './handling.js';

/**
 * The federation flows' state, kept in the store through the records API (one collection per kind
 * of record, index keys for the lookups the flows and the inbox make). Nothing here is sent as is:
 * each side keeps its own view — the asker knows what it searched for, the holder what its pointer
 * stands for, and neither record leaves its node.
 */
export const COLLECTIONS = {
  /** Our pointers as published to each partner: opaque pointer id → our entity (never sent). */
  ownPointers: 'fed-own-pointers',
  /** What we last published to each partner (encoding keyId, counts, time). */
  publications: 'fed-publications',
  /** Partners' pointers as they published them: (partner, pointer id) → filter. */
  partnerPointers: 'fed-partner-pointers',
  /** Per partner: the encoding of its pointer set and whether we can match against it. */
  partnerSets: 'fed-partner-sets',
  /** PSI sessions we started or answered, with what each side learnt. */
  psiSessions: 'fed-psi-sessions',
  /** Our started sessions' secret state until the reply is processed (any process of the node may receive it). */
  psiSecrets: 'fed-psi-secrets',
  /** Hits: ours on partners' pointers (asker) and partners' on ours (holder). */
  hits: 'fed-hits',
  /** Follow-up requests, both directions, with their answers. */
  requests: 'fed-requests',
  /** Statements partners released to us, with how they came (one per statement and request). */
  received: 'fed-received',
  /** Statements we released, to whom and when (rectification and erasure notices go to these). */
  released: 'fed-released',
  /** Deconfliction notices sent, received, or waiting for the holder's approval. */
  deconfliction: 'fed-deconfliction',
} as const;

/** One of our pointers published to a partner. */
export interface OwnPointer {
  readonly pointerId: string;
  readonly partner: string;
  readonly entityId: string;
  readonly keyId: string;
  /** SHA-256 of the filter, to publish only what changed. */
  readonly digest: string;
  readonly publishedAt: string;
  readonly withdrawnAt?: string;
}

/** A partner's pointer set as we hold it. */
export interface PartnerSet {
  readonly partner: string;
  readonly keyId: string;
  readonly encoding: BloomEncodingSpec;
  readonly pointers: number;
  readonly updatedAt: string;
  /** False when we hold no linkage secret matching its keyId and encoding: it cannot be matched. */
  readonly usable: boolean;
  readonly problem?: string;
}

export interface PartnerPointer {
  readonly partner: string;
  readonly pointerId: string;
  readonly filter: string;
}

/** What a hit is about on this node: never sent (the asker's subject; the holder's entities). */
export interface LocalSubject {
  /** What it is, for people: "alert fr-ct:wl-01… (Karim Benali)", "entity es-cgi:p7". */
  readonly label: string;
  readonly entityIds: readonly string[];
  readonly alertId?: string;
}

export type HitRole = 'asker' | 'holder';

/** "Agency X may hold something on this; ask" (asker) or "agency Y matched one of our pointers" (holder). */
export interface HitRecord {
  readonly id: string;
  readonly role: HitRole;
  readonly asker: string;
  readonly holder: string;
  readonly matchKind: 'name' | 'selector';
  readonly pointerId?: string;
  readonly psiSessionId?: string;
  readonly selectorKind?: SelectorKind;
  readonly score?: number;
  /** The asker's purpose and case (the holder is told them in the notice). */
  readonly purpose: string;
  readonly caseId: string;
  readonly createdAt: string;
  /** Asker: the user who matched. */
  readonly createdBy?: string;
  /** Local meaning of the hit (asker: the subject searched; holder: the entities the pointer stands for). */
  readonly subject: LocalSubject;
  /** Holder, selector hits: our own canonical selectors the asker also holds (learnt in the PSI session). */
  readonly selectors?: readonly string[];
  readonly noticeId?: string;
}

export type RequestStatus = 'open' | 'released' | 'refused' | 'more-info-needed';

/** One answer to a request, as sent (holder) or received (asker). */
export interface AnswerRecord {
  readonly at: string;
  readonly outcome: 'released' | 'refused' | 'more-info-needed';
  /** Holder: who answered. */
  readonly by?: string;
  readonly reason?: string;
  readonly question?: string;
  /** Statements released (holder: sent; asker: received and kept). */
  readonly statementIds: readonly string[];
  /** Holder: statements asked to be released but refused by the handling rules. */
  readonly withheld?: readonly { statementId: string; reason: HandlingRefusal; message: string }[];
  /** Asker: statements in the answer this node refused to keep (receiver enforcement). */
  readonly refusedOnReceipt?: readonly { statementId: string; reason: HandlingRefusal | 'invalid'; message: string }[];
  readonly envelopeId?: string;
}

/** A follow-up request about a hit, on both sides. */
export interface RequestRecord {
  readonly id: string;
  readonly role: HitRole;
  readonly hitId: string;
  readonly asker: string;
  readonly holder: string;
  readonly purpose: string;
  readonly caseId: string;
  readonly urgency: Urgency;
  readonly requestedAt: string;
  readonly deadline: string;
  readonly question: string;
  readonly requestedBy?: string;
  /** The request envelope's id (answers are sent in reply to it). */
  readonly envelopeId?: string;
  readonly status: RequestStatus;
  /** Highest escalation level sent (asker) or received (holder). */
  readonly escalation: number;
  readonly escalatedAt?: string;
  readonly answers: readonly AnswerRecord[];
}

/** A statement a partner released to us. */
export interface ReceivedRecord {
  readonly statementId: string;
  readonly entityId: string;
  readonly from: string;
  readonly originator: string;
  readonly requestId: string;
  readonly receivedAt: string;
  readonly handling: { readonly codes: readonly string[]; readonly releasableTo: readonly string[]; readonly conditions?: string };
}

/** A statement we released. */
export interface ReleasedRecord {
  readonly statementId: string;
  readonly entityId: string;
  readonly to: string;
  readonly requestId: string;
  readonly at: string;
  readonly by: string;
  /** True when released under an explicit grant of the originator (this node). */
  readonly granted: boolean;
}

export type DeconflictionStatus = 'pending-approval' | 'sent' | 'received' | 'declined';

/** Two agencies work the same subject: the notice as sent, received or awaiting approval. */
export interface DeconflictionRecord {
  readonly id: string;
  readonly status: DeconflictionStatus;
  readonly hitId: string;
  /** The other agency (recipient of a sent notice, sender of a received one). */
  readonly partner: string;
  readonly agencies: readonly string[];
  readonly caseIds: readonly string[];
  readonly contact: { readonly unit: string; readonly channel: string };
  readonly consent: 'holder-approved' | 'standing-agreement';
  /** Why: "hit both ways" or "request on a subject of case ES-OP-SOL". */
  readonly reason: string;
  /** Our entities concerned (local only). */
  readonly entityIds: readonly string[];
  readonly createdAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
}

/** A PSI session as this node saw it. */
export interface PsiSessionRecord {
  readonly id: string;
  readonly role: 'initiator' | 'responder';
  readonly partner: string;
  readonly selectorKind: SelectorKind;
  readonly status: 'offered' | 'replied' | 'done' | 'refused' | 'failed';
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** Initiator: who started it, for which purpose and case, about which subject. */
  readonly purpose?: string;
  readonly caseId?: string;
  readonly startedBy?: string;
  readonly subject?: LocalSubject;
  /** How many distinct selectors we put in, and the other side's set size. */
  readonly ownCount: number;
  readonly otherCount?: number;
  /** Our canonical selectors the partner also holds (what this side learnt). */
  readonly matched?: readonly string[];
  /** Responder: our entities the matched selectors belong to. */
  readonly matchedEntityIds?: readonly string[];
  readonly problem?: string;
}

const PAGE = 10_000;

/** Every record of a collection matching `where`, page by page (findRecords alone stops at its limit). */
export async function allRecords<T>(store: Store, collection: string, where?: RecordQuery['where']): Promise<StoredRecord<T>[]> {
  const out: StoredRecord<T>[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await store.findRecords<T>(collection, { ...(where ? { where } : {}), limit: PAGE, ...(afterId === undefined ? {} : { afterId }) });
    out.push(...page);
    if (page.length < PAGE) return out;
    afterId = page[page.length - 1]!.id;
  }
}
