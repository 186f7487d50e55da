import type { Store } from '../store/index.js';

/** An active watchlist alert on an entity (owned by the watch capability). */
export interface ActiveAlert {
  readonly alertId: string;
  readonly entityId: string;
  readonly ownerAgency?: string;
}

/**
 * Which entities are under an active alert. Governance sits below watch (layer rules), so watch
 * provides this port; retention and erasure consult it before deleting anything.
 */
export interface ActiveAlertLookup {
  activeAlerts(entityIds: readonly string[]): Promise<ReadonlyMap<string, ActiveAlert>>;
}

/**
 * Reads active alerts from the watch capability's records collection (`watch-alerts`: alerts indexed
 * by `status`, subjects in `subject.entityIds`, owner in `agency`). An alert pending removal is still
 * in force (removal needs a second person's approval). Governance may not import watch (layer rules),
 * so it reads the stored shape; pass another lookup when watch exposes its own.
 */
export function recordAlertLookup(store: Store, collection = 'watch-alerts'): ActiveAlertLookup {
  return {
    async activeAlerts(entityIds) {
      const wanted = new Set(entityIds);
      const out = new Map<string, ActiveAlert>();
      if (wanted.size === 0) return out;
      const found = await store.findRecords<StoredAlertShape>(collection, { where: { status: ['active', 'removal-pending'] } });
      for (const r of found) {
        const ids = r.body.subject?.entityIds ?? (r.body.entityId ? [r.body.entityId] : []);
        const owner = r.body.agency ?? r.body.ownerAgency;
        for (const id of ids) {
          if (wanted.has(id) && !out.has(id)) out.set(id, { alertId: r.body.id ?? r.id, entityId: id, ...(owner ? { ownerAgency: owner } : {}) });
        }
      }
      return out;
    },
  };
}

/** The parts of a stored watch alert the lookup reads. */
interface StoredAlertShape {
  readonly id?: string;
  readonly agency?: string;
  readonly ownerAgency?: string;
  readonly entityId?: string;
  readonly subject?: { readonly entityIds?: readonly string[] };
}

/** A change to data a partner received, to be sent to that partner (rectification or erasure, LED Art. 16(6)). */
export interface SubjectRightsNotice {
  readonly kind: 'rectification' | 'erasure';
  /** Partner agency that received the data. */
  readonly recipient: string;
  readonly entityId: string;
  readonly statementIds: readonly string[];
  /**
   * For rectification: the corrected values by statement id — only where the disclosure rule
   * (`disclosureWithheldReason`) lets the statement go to this recipient; otherwise empty, and the
   * recipient asks the originator.
   */
  readonly corrections?: readonly { statementId: string; prop: string; value: string }[];
  readonly reason: string;
  /** The audit entry recording the change (seq) — the partner's receipt refers to it. */
  readonly auditSeq: number;
}

/**
 * Sends rectification and erasure notices to partners. Federation implements it with signed messages;
 * governance may not import federation (layer rules), so this is the port.
 */
export interface PartnerNotifier {
  notify(notice: SubjectRightsNotice): Promise<{ delivered: boolean; messageId?: string; error?: string }>;
}

/** A notifier that queues notices in the store (`subject-rights-outbox`) for federation to send later. */
export function outboxNotifier(store: Store): PartnerNotifier {
  return {
    async notify(notice) {
      const id = `${notice.auditSeq}-${notice.recipient}`;
      await store.putRecord('subject-rights-outbox', id, { ...notice, queuedAt: new Date().toISOString(), status: 'queued' }, { recipient: notice.recipient, status: 'queued', entity: notice.entityId });
      return { delivered: false, messageId: id };
    },
  };
}
