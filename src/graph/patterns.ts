import { invalid } from '../model/index.js';
import { type GraphTime, toEpochMs } from './network.js';

/**
 * Behavioural patterns over communication, handset and cell-site records. Pure functions: the
 * caller (projection through the access layer) decides which records a user may see; every answer
 * names the records (statement ids) it rests on, and nothing here concludes guilt or innocence.
 */

/** One communication event between two phones (phone entity ids or normalised numbers). */
export interface CallRecord {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly time: GraphTime;
}

/** A phone seen in a handset (IMEI), at a time or over [time, until] (HandsetUse start/end). */
export interface HandsetRecord {
  readonly id: string;
  readonly phone: string;
  readonly handset: string;
  readonly time?: GraphTime;
  readonly until?: GraphTime;
}

/** A phone seen at a cell site. */
export interface CellRecord {
  readonly id: string;
  readonly phone: string;
  readonly cell: string;
  readonly time: GraphTime;
}

const DAY = 86_400_000;
const HANDOVER_WEIGHT = 0.3;
const HANDOVER_WINDOW = 7 * DAY;

interface PhoneActivity {
  first: number;
  last: number;
  contacts: Map<string, string[]>;
  handsets: Map<string, string[]>;
  cells: Map<string, string[]>;
}

function activityOf(calls: readonly CallRecord[], handsets: readonly HandsetRecord[], cells: readonly CellRecord[]): Map<string, PhoneActivity> {
  const phones = new Map<string, PhoneActivity>();
  const get = (phone: string): PhoneActivity => {
    let a = phones.get(phone);
    if (a === undefined) {
      a = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY, contacts: new Map(), handsets: new Map(), cells: new Map() };
      phones.set(phone, a);
    }
    return a;
  };
  const seen = (a: PhoneActivity, t: number): void => {
    if (t < a.first) a.first = t;
    if (t > a.last) a.last = t;
  };
  const push = (m: Map<string, string[]>, key: string, id: string): void => {
    const list = m.get(key);
    if (list === undefined) m.set(key, [id]);
    else list.push(id);
  };
  for (const c of calls) {
    if (c.from === c.to) continue;
    const t = toEpochMs(c.time, c.id, 'time');
    for (const [me, other] of [
      [c.from, c.to],
      [c.to, c.from],
    ] as const) {
      const a = get(me);
      seen(a, t);
      push(a.contacts, other, c.id);
    }
  }
  for (const c of cells) {
    const a = get(c.phone);
    seen(a, toEpochMs(c.time, c.id, 'time'));
    push(a.cells, c.cell, c.id);
  }
  for (const h of handsets) {
    const a = get(h.phone);
    for (const t of [toEpochMs(h.time, h.id, 'time'), toEpochMs(h.until, h.id, 'until')]) if (!Number.isNaN(t)) seen(a, t);
    push(a.handsets, h.handset, h.id);
  }
  return phones;
}

function jaccard(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>, exclude: readonly string[]): { score: number; shared: string[] } {
  const shared: string[] = [];
  let union = 0;
  for (const k of a.keys()) {
    if (exclude.includes(k)) continue;
    union++;
    if (b.has(k)) shared.push(k);
  }
  for (const k of b.keys()) if (!exclude.includes(k) && !a.has(k)) union++;
  return { score: union === 0 ? 0 : shared.length / union, shared: shared.sort() };
}

export interface SuccessionOptions {
  /** The reference time ("now"); default: the latest record. */
  readonly asOf?: GraphTime;
  /** The old phone must have been silent this long before asOf (default 14 days). */
  readonly minSilenceDays?: number;
  /** The new phone must first appear at most this long after the old one's last activity (default 30 days). */
  readonly maxGapDays?: number;
  /** ...and at most this long before it (hand-over overlap, default 3 days). */
  readonly maxOverlapDays?: number;
  /** Candidates scoring below this are dropped (default 0.4). */
  readonly minScore?: number;
  /** Candidates kept per old phone (default 3). */
  readonly perPhone?: number;
  /** Evidence ids listed per signal (default 20). */
  readonly maxEvidence?: number;
}

export interface SuccessionCandidate {
  readonly oldPhone: string;
  readonly newPhone: string;
  /**
   * 1 − Π(1 − signal), signals: shared handset 0.95, contact Jaccard, 0.8 × cell-site Jaccard, and
   * (only alongside another signal) 0.3 × hand-over tightness, 1 − |gap| / 7 days.
   */
  readonly score: number;
  readonly oldLast: number;
  readonly newFirst: number;
  readonly gapDays: number;
  readonly sharedHandsets: readonly string[];
  readonly contactJaccard: number;
  readonly sharedContacts: readonly string[];
  readonly cellJaccard: number;
  readonly sharedCells: readonly string[];
  /** Record ids behind the signals. */
  readonly evidence: readonly string[];
  readonly reasons: readonly string[];
}

/**
 * Burner succession: phones that went silent, each paired with phones that appeared around the
 * time it stopped and that share its handset, a strongly overlapping set of contacts (Jaccard), or
 * its cell sites. Candidates are ranked by a noisy-or of the signals, with the evidence records.
 */
export function burnerSuccession(
  records: { readonly calls: readonly CallRecord[]; readonly handsets?: readonly HandsetRecord[]; readonly cells?: readonly CellRecord[] },
  options: SuccessionOptions = {},
): SuccessionCandidate[] {
  const minSilence = (options.minSilenceDays ?? 14) * DAY;
  const maxGap = (options.maxGapDays ?? 30) * DAY;
  const maxOverlap = (options.maxOverlapDays ?? 3) * DAY;
  const minScore = options.minScore ?? 0.4;
  const perPhone = options.perPhone ?? 3;
  const maxEvidence = options.maxEvidence ?? 20;
  for (const [field, v] of Object.entries({ minSilence, maxGap, maxOverlap, minScore, perPhone, maxEvidence })) {
    if (!(Number.isFinite(v) && v >= 0)) throw invalid('must be a non-negative number', 'options', field);
  }
  const phones = activityOf(records.calls, records.handsets ?? [], records.cells ?? []);
  let asOf = toEpochMs(options.asOf, 'options', 'asOf');
  if (Number.isNaN(asOf)) {
    asOf = Number.NEGATIVE_INFINITY;
    for (const a of phones.values()) asOf = Math.max(asOf, a.last);
  }
  // Inverted indexes: who shares a contact, handset or cell with whom.
  const index = (pick: (a: PhoneActivity) => Map<string, string[]>): Map<string, string[]> => {
    const inv = new Map<string, string[]>();
    for (const [phone, a] of phones) {
      for (const key of pick(a).keys()) {
        const list = inv.get(key);
        if (list === undefined) inv.set(key, [phone]);
        else list.push(phone);
      }
    }
    return inv;
  };
  const byContact = index((a) => a.contacts);
  const byHandset = index((a) => a.handsets);
  const byCell = index((a) => a.cells);
  const out: SuccessionCandidate[] = [];
  for (const [oldPhone, old] of phones) {
    if (!Number.isFinite(old.last) || old.last > asOf - minSilence) continue;
    const candidates = new Set<string>();
    for (const [inv, keys] of [
      [byContact, old.contacts],
      [byHandset, old.handsets],
      [byCell, old.cells],
    ] as const) {
      for (const key of keys.keys()) for (const p of inv.get(key) ?? []) if (p !== oldPhone) candidates.add(p);
    }
    const ranked: SuccessionCandidate[] = [];
    for (const newPhone of candidates) {
      const next = phones.get(newPhone)!;
      if (!(next.first > old.first && next.first >= old.last - maxOverlap && next.first <= old.last + maxGap)) continue;
      // Phones that talk to each other are two people, not one person's old and new phone.
      if (old.contacts.has(newPhone)) continue;
      const sharedHandsets = [...old.handsets.keys()].filter((h) => next.handsets.has(h)).sort();
      const contacts = jaccard(old.contacts, next.contacts, [oldPhone, newPhone]);
      const cells = jaccard(old.cells, next.cells, []);
      const signals = [sharedHandsets.length > 0 ? 0.95 : 0, contacts.score, 0.8 * cells.score];
      // A tight hand-over (new phone within days of the old one's last use) strengthens other
      // evidence but never stands alone: phones start and stop all the time.
      const gap = Math.abs(next.first - old.last);
      const handover = signals.some((x) => x > 0) ? HANDOVER_WEIGHT * Math.max(0, 1 - gap / HANDOVER_WINDOW) : 0;
      const score = 1 - [...signals, handover].reduce((p, s) => p * (1 - s), 1);
      if (score < minScore) continue;
      const evidence = new Set<string>();
      const reasons: string[] = [];
      if (sharedHandsets.length > 0) {
        reasons.push(`same handset ${sharedHandsets.join(', ')}`);
        for (const h of sharedHandsets) for (const id of [...old.handsets.get(h)!, ...next.handsets.get(h)!].slice(0, maxEvidence)) evidence.add(id);
      }
      if (contacts.shared.length > 0) {
        reasons.push(`${contacts.shared.length} shared contacts (Jaccard ${contacts.score.toFixed(2)})`);
        const ids = contacts.shared.flatMap((c) => [old.contacts.get(c)![0]!, next.contacts.get(c)![0]!]);
        ids.slice(0, maxEvidence).forEach((id) => evidence.add(id));
      }
      if (handover > 0) reasons.push(`appeared ${((next.first - old.last) / DAY).toFixed(1)} days after the old phone's last use`);
      if (cells.shared.length > 0) {
        reasons.push(`${cells.shared.length} shared cell sites (Jaccard ${cells.score.toFixed(2)})`);
        const ids = cells.shared.flatMap((c) => [old.cells.get(c)![0]!, next.cells.get(c)![0]!]);
        ids.slice(0, maxEvidence).forEach((id) => evidence.add(id));
      }
      ranked.push({
        oldPhone,
        newPhone,
        score,
        oldLast: old.last,
        newFirst: next.first,
        gapDays: (next.first - old.last) / DAY,
        sharedHandsets,
        contactJaccard: contacts.score,
        sharedContacts: contacts.shared,
        cellJaccard: cells.score,
        sharedCells: cells.shared,
        evidence: [...evidence],
        reasons,
      });
    }
    ranked.sort((a, b) => b.score - a.score || a.newPhone.localeCompare(b.newPhone));
    out.push(...ranked.slice(0, perPhone));
  }
  return out.sort((a, b) => b.score - a.score || a.oldPhone.localeCompare(b.oldPhone) || a.newPhone.localeCompare(b.newPhone));
}

/** A person using a phone (PhoneUse). */
export interface PhoneUseRecord {
  readonly id: string;
  readonly person: string;
  readonly phone: string;
}

/** A family / partner / associate tie between two persons. */
export interface RelationRecord {
  readonly id: string;
  readonly person: string;
  readonly relative: string;
  readonly kind: string;
}

export interface ProxyCandidate {
  readonly watched: string;
  readonly relative: string;
  readonly relation: string;
  readonly proxyPhone: string;
  /** Share of the watched person's contacts this phone reaches. */
  readonly coverage: number;
  /** Share of this phone's contacts that belong to the watched person's circle. */
  readonly focus: number;
  readonly sharedContacts: readonly string[];
  /** Shared contacts first reached by the proxy phone while the watched person's own phones were silent. */
  readonly afterSilence: readonly string[];
  readonly score: number;
  readonly evidence: readonly string[];
}

export interface ProxyOptions {
  /** Minimum shared contacts (default 2). */
  readonly minShared?: number;
  /** No own call within this many days counts as silent (default 3). */
  readonly quietDays?: number;
  readonly maxEvidence?: number;
}

/**
 * Proxy phones: a watched person's contacts reached through a relative's or partner's phone.
 * For each watched person, the phones of people tied to them are scored by how much of the phone's
 * own contact set belongs to the watched person's circle (a proxy phone is used to reach *their*
 * people), weighted up for circle contacts first reached while the watched person's own phones were
 * silent (no own call within ±`quietDays`) — the typical switch to a proxy.
 */
export function proxyPhones(
  records: { readonly calls: readonly CallRecord[]; readonly phoneUse: readonly PhoneUseRecord[]; readonly relations: readonly RelationRecord[] },
  watched: readonly string[],
  options: ProxyOptions = {},
): ProxyCandidate[] {
  const minShared = options.minShared ?? 2;
  const maxEvidence = options.maxEvidence ?? 20;
  const quiet = (options.quietDays ?? 3) * DAY;
  const phonesOf = new Map<string, Map<string, string>>();
  for (const u of records.phoneUse) {
    let m = phonesOf.get(u.person);
    if (m === undefined) phonesOf.set(u.person, (m = new Map()));
    if (!m.has(u.phone)) m.set(u.phone, u.id);
  }
  // A contact is the person behind the other phone when exactly one user is known, so that the
  // circle survives its members changing phones; otherwise the phone itself.
  const usersOf = new Map<string, Set<string>>();
  for (const u of records.phoneUse) {
    const set = usersOf.get(u.phone);
    if (set === undefined) usersOf.set(u.phone, new Set([u.person]));
    else set.add(u.person);
  }
  const contactOf = (phone: string): string => {
    const users = usersOf.get(phone);
    return users !== undefined && users.size === 1 ? `person:${[...users][0]!}` : phone;
  };
  // Per phone: contact → earliest call (time, id); and the sorted times of its calls.
  const contacts = new Map<string, Map<string, { t: number; id: string }>>();
  const times = new Map<string, number[]>();
  for (const c of records.calls) {
    const t = toEpochMs(c.time, c.id, 'time');
    for (const [me, other] of [
      [c.from, contactOf(c.to)],
      [c.to, contactOf(c.from)],
    ] as const) {
      let m = contacts.get(me);
      if (m === undefined) contacts.set(me, (m = new Map()));
      const cur = m.get(other);
      if (cur === undefined || t < cur.t) m.set(other, { t, id: c.id });
      const list = times.get(me);
      if (list === undefined) times.set(me, [t]);
      else list.push(t);
    }
  }
  const out = new Map<string, ProxyCandidate>();
  for (const person of new Set(watched)) {
    const ownPhones = phonesOf.get(person) ?? new Map<string, string>();
    const isOwn = (contact: string): boolean => ownPhones.has(contact) || contact === `person:${person}`;
    const known = new Map<string, string>();
    const ownTimes: number[] = [];
    for (const phone of ownPhones.keys()) {
      for (const [contact, first] of contacts.get(phone) ?? []) if (!isOwn(contact) && !known.has(contact)) known.set(contact, first.id);
      ownTimes.push(...(times.get(phone) ?? []));
    }
    if (known.size === 0) continue;
    ownTimes.sort((x, y) => x - y);
    const silentAt = (t: number): boolean => {
      // Binary search for the nearest own call.
      let lo = 0;
      let hi = ownTimes.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ownTimes[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      const near = Math.min(lo < ownTimes.length ? ownTimes[lo]! - t : Number.POSITIVE_INFINITY, lo > 0 ? t - ownTimes[lo - 1]! : Number.POSITIVE_INFINITY);
      return near > quiet;
    };
    for (const rel of records.relations) {
      const relative = rel.person === person ? rel.relative : rel.relative === person ? rel.person : undefined;
      if (relative === undefined || relative === person) continue;
      for (const [proxyPhone, useId] of phonesOf.get(relative) ?? []) {
        if (ownPhones.has(proxyPhone) || out.has(`${person}\u0000${proxyPhone}`)) continue;
        const reach = contacts.get(proxyPhone);
        if (reach === undefined) continue;
        const shared: string[] = [];
        const afterSilence: string[] = [];
        const evidence = new Set<string>([rel.id, useId]);
        for (const [contact, first] of reach) {
          if (!known.has(contact) || isOwn(contact)) continue;
          shared.push(contact);
          if (silentAt(first.t)) afterSilence.push(contact);
          if (evidence.size < maxEvidence) {
            evidence.add(first.id);
            evidence.add(known.get(contact)!);
          }
        }
        if (shared.length < minShared) continue;
        const others = [...reach.keys()].filter((c) => !isOwn(c)).length;
        const coverage = shared.length / known.size;
        const focus = shared.length / Math.max(1, others);
        const score = focus * (0.5 + 0.5 * (afterSilence.length / shared.length));
        out.set(`${person}\u0000${proxyPhone}`, {
          watched: person,
          relative,
          relation: rel.kind,
          proxyPhone,
          coverage,
          focus,
          sharedContacts: shared.map((c) => c.replace(/^person:/, '')).sort(),
          afterSilence: afterSilence.map((c) => c.replace(/^person:/, '')).sort(),
          score,
          evidence: [...evidence],
        });
      }
    }
  }
  return [...out.values()].sort((a, b) => b.score - a.score || a.proxyPhone.localeCompare(b.proxyPhone));
}

/** One dated piece of activity by a subject (a call, a sighting, a travel event). */
export interface ActivityRecord {
  readonly id: string;
  readonly subject: string;
  readonly time: GraphTime;
}

/** Dormancy never says a subject is "cleared": only that their visible activity changed. */
export type DormancyStatus = 'quiet' | 'active' | 'insufficient-data';

export interface DormancyFinding {
  readonly subject: string;
  readonly status: DormancyStatus;
  /** Events per 30 days in the baseline and the recent window. */
  readonly baselineRate: number;
  readonly recentRate: number;
  readonly lastActivity: number;
  readonly note: string;
  readonly evidence: readonly string[];
}

export interface DormancyOptions {
  readonly asOf?: GraphTime;
  readonly recentDays?: number;
  readonly baselineDays?: number;
  /** Quiet when the recent rate is below this fraction of the baseline rate (default 0.25). */
  readonly dropRatio?: number;
  /** Fewer baseline events than this → insufficient data (default 5). */
  readonly minBaselineEvents?: number;
}

/**
 * Dormancy: compares each subject's activity in the recent window with the baseline window before
 * it. A sharp drop is flagged "quiet" — a reason to look again (a new phone, a proxy, preparation),
 * never a reason to stand down.
 */
export function dormancy(activity: readonly ActivityRecord[], options: DormancyOptions = {}): DormancyFinding[] {
  const recentDays = options.recentDays ?? 30;
  const baselineDays = options.baselineDays ?? 90;
  const dropRatio = options.dropRatio ?? 0.25;
  const minBaseline = options.minBaselineEvents ?? 5;
  if (!(recentDays > 0 && baselineDays > 0)) throw invalid('windows must be positive', 'options', 'recentDays');
  const bySubject = new Map<string, { t: number; id: string }[]>();
  let latest = Number.NEGATIVE_INFINITY;
  for (const a of activity) {
    const t = toEpochMs(a.time, a.id, 'time');
    latest = Math.max(latest, t);
    const list = bySubject.get(a.subject);
    if (list === undefined) bySubject.set(a.subject, [{ t, id: a.id }]);
    else list.push({ t, id: a.id });
  }
  const asOfRaw = toEpochMs(options.asOf, 'options', 'asOf');
  const asOf = Number.isNaN(asOfRaw) ? latest : asOfRaw;
  const recentStart = asOf - recentDays * DAY;
  const baselineStart = recentStart - baselineDays * DAY;
  const out: DormancyFinding[] = [];
  for (const [subject, events] of bySubject) {
    events.sort((a, b) => a.t - b.t);
    const baseline = events.filter((e) => e.t >= baselineStart && e.t < recentStart);
    const recent = events.filter((e) => e.t >= recentStart && e.t <= asOf);
    const baselineRate = (baseline.length / baselineDays) * 30;
    const recentRate = (recent.length / recentDays) * 30;
    const lastActivity = events[events.length - 1]!.t;
    let status: DormancyStatus;
    let note: string;
    if (baseline.length < minBaseline) {
      status = 'insufficient-data';
      note = `only ${baseline.length} events in the baseline window; no judgement`;
    } else if (recentRate < dropRatio * baselineRate) {
      status = 'quiet';
      note = `quiet: visible activity fell from ${baselineRate.toFixed(1)} to ${recentRate.toFixed(1)} per 30 days — look for a new phone or a proxy; this does not indicate disengagement`;
    } else {
      status = 'active';
      note = `activity ${recentRate.toFixed(1)} per 30 days (baseline ${baselineRate.toFixed(1)})`;
    }
    out.push({
      subject,
      status,
      baselineRate,
      recentRate,
      lastActivity,
      note,
      evidence: [...baseline.slice(-5), ...recent.slice(-5)].map((e) => e.id),
    });
  }
  const rank: Record<DormancyStatus, number> = { quiet: 0, active: 1, 'insufficient-data': 2 };
  return out.sort((a, b) => rank[a.status] - rank[b.status] || b.baselineRate - a.baselineRate || a.subject.localeCompare(b.subject));
}
