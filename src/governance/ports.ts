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
 * Reads active alerts from a store records collection (default `watch-alerts`, index keys `entity`
 * and `status` = `active`) — the shape the watch capability is asked to keep. Pass another lookup
 * when watch exposes its own.
 */
export function recordAlertLookup(store: Store, collection = 'watch-alerts'): ActiveAlertLookup {
  return {
    async activeAlerts(entityIds) {
      const out = new Map<string, ActiveAlert>();
      const ids = [...new Set(entityIds)];
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        const found = await store.findRecords<{ id?: string; entityId?: string; ownerAgency?: string; owner?: string }>(collection, { where: { entity: part, status: 'active' } });
        for (const r of found) {
          const entityId = r.body.entityId ?? part.find((p) => p === r.id) ?? '';
          if (entityId) out.set(entityId, { alertId: r.body.id ?? r.id, entityId, ...(r.body.ownerAgency ?? r.body.owner ? { ownerAgency: r.body.ownerAgency ?? r.body.owner } : {}) });
        }
      }
      return out;
    },
  };
}

/** A change to data a partner received, to be sent to that partner (rectification or erasure, LED Art. 16(6)). */
export interface SubjectRightsNotice {
  readonly kind: 'rectification' | 'erasure';
  /** Partner agency that received the data. */
  readonly recipient: string;
  readonly entityId: string;
  readonly statementIds: readonly string[];
  /** For rectification: the corrected values by statement id. */
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
