import { z } from 'zod';
import type { AuditEntryInput } from '../model/index.js';
import type { Store } from '../store/index.js';

/**
 * Volume limits per user and day: a hard ceiling against bulk extraction (the DPO report also flags
 * users far above their peers well below these ceilings). Counted from what governance logs, so
 * every read path is covered; refusals are logged and appear in the DPO report.
 */
export const AccessLimits = z.object({
  /** Subjects returned by reads and searches (entity.read, entity.read-many, search). */
  subjectsPerDay: z.number().int().min(1).default(50_000),
  /** Entities in exports and disclosures (export.*, subject.export). */
  exportSubjectsPerDay: z.number().int().min(1).default(1_000),
  /** Export actions. */
  exportsPerDay: z.number().int().min(1).default(20),
});
export type AccessLimits = z.infer<typeof AccessLimits>;

export const LIMITS_META = 'privacy.limits';
const VOLUME = 'access-volume';
const READ_ACTIONS = new Set(['entity.read', 'entity.read-many', 'search']);

/** The limits in force on this node (defaults unless an administrator or the DPO set them). */
export async function accessLimits(store: Store): Promise<AccessLimits> {
  const raw = await store.getMeta(LIMITS_META);
  return AccessLimits.parse(raw ? JSON.parse(raw) : {});
}

/** Usage of one user on one day. */
export interface AccessVolume {
  readonly userId: string;
  readonly day: string;
  readonly subjects: number;
  readonly exports: number;
  readonly exportSubjects: number;
}

function isExport(action: string): boolean {
  return action.startsWith('export.') || action === 'subject.export';
}

/** Entities an entry concerns (the ids, or the recorded count when the list was capped). */
function subjectCount(entry: AuditEntryInput): number {
  const n = entry.details?.entityCount;
  return typeof n === 'number' ? n : entry.entityIds.length;
}

/** Checks an allowed entry against the limits; returns why it is refused, or records the usage. */
export type VolumeGuard = (entry: AuditEntryInput) => Promise<string | undefined>;

/** The volume guard governance applies before logging an allowed read or export. */
export function volumeGuard(store: Store): VolumeGuard {
  return async (entry) => {
    const reading = READ_ACTIONS.has(entry.action);
    const exporting = isExport(entry.action);
    if ((!reading && !exporting) || entry.userId.startsWith('system:')) return undefined;
    const limits = await accessLimits(store);
    const day = entry.at.slice(0, 10);
    const id = `${entry.userId}|${day}`;
    const n = subjectCount(entry);
    // Read-modify-write under a per-user-day lock: concurrent reads by one user (parallel API
    // requests, several API processes on one PostgreSQL) must not lose each other's counts.
    return store.transaction(async (tx) => {
      await tx.lock(`${VOLUME}:${id}`);
      const cur = (await tx.getRecord<AccessVolume>(VOLUME, id))?.body ?? { userId: entry.userId, day, subjects: 0, exports: 0, exportSubjects: 0 };
      const next: AccessVolume = reading ? { ...cur, subjects: cur.subjects + n } : { ...cur, exports: cur.exports + 1, exportSubjects: cur.exportSubjects + n };
      if (next.subjects > limits.subjectsPerDay) return `daily volume limit: ${entry.userId} would read ${next.subjects} subjects today (limit ${limits.subjectsPerDay})`;
      if (next.exports > limits.exportsPerDay) return `daily export limit: ${entry.userId} would make export ${next.exports} today (limit ${limits.exportsPerDay})`;
      if (next.exportSubjects > limits.exportSubjectsPerDay) return `bulk export refused: ${entry.userId} would export ${next.exportSubjects} subjects today (limit ${limits.exportSubjectsPerDay})`;
      await tx.putRecord(VOLUME, id, next, { user: entry.userId, day });
      return undefined;
    });
  };
}

/** Daily usage records in a date range (YYYY-MM-DD, inclusive). */
export async function accessVolumes(store: Store, fromDay: string, toDay: string): Promise<AccessVolume[]> {
  return (await store.findRecords<AccessVolume>(VOLUME)).map((r) => r.body).filter((v) => v.day >= fromDay && v.day <= toDay);
}
