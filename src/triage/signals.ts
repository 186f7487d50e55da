import { buildNetwork, burnerSuccession, dormancy, leiden, proxyPhones, type GraphEdge, type Projection } from '../graph/index.js';
import type { ScoringView } from '../model/index.js';

/**
 * Triage signals (issue 11). Each is a number in [0, 1] with a one-line summary and the statement
 * ids (or `hit:` / `alert:` / `decision:` references) it rests on, so a supervisor can check every
 * reason. None reads a protected characteristic: subjects reach this module only as a ScoringView,
 * and the graph projection carries ids and kinds, never person properties.
 */
export const SIGNALS = [
  'conflictTravel',
  'newWatchedContact',
  'burnerSuccession',
  'proxyPhone',
  'firearm',
  'communityCentrality',
  'recentHits',
  'quiet',
  'grading',
  'assessmentAge',
] as const;
export type SignalName = (typeof SIGNALS)[number];

/** What each signal means, shown beside its weight. */
export const SIGNAL_INFO: Readonly<Record<SignalName, { label: string; description: string }>> = {
  conflictTravel: { label: 'travel to a conflict-zone gateway', description: 'trips to a place marked conflictZoneGateway=yes within the travel window; recent trips count more (half-life 180 days)' },
  newWatchedContact: { label: 'new contact with a watched subject', description: 'first call or meeting with a watched subject within the recent window (1 − ½ⁿ for n such contacts)' },
  burnerSuccession: { label: 'burner succession', description: 'a phone of the subject went silent and a successor appeared within the last year (graph.burnerSuccession score)' },
  proxyPhone: { label: 'proxy-phone use', description: 'the subject’s circle reached through a relative’s or partner’s phone (graph.proxyPhones score)' },
  firearm: { label: 'firearm link', description: 'a Possession of a Firearm recorded for the subject' },
  communityCentrality: { label: 'centrality in a detected cell', description: 'weighted degree within a detected community (Leiden) that holds at least two watched subjects, relative to its most connected member' },
  recentHits: { label: 'recent watchlist hits', description: 'hits on the subject’s alerts within the recent window (1 − ½ⁿ)' },
  quiet: { label: 'quiet after activity', description: 'visible activity dropped sharply (graph.dormancy): raises attention, never lowers it' },
  grading: { label: 'grading of the evidence', description: 'mean gradingConfidence of the graded statements behind the subject’s other signals' },
  assessmentAge: { label: 'age of the last assessment', description: 'time since the last assessment (assessment statement, alert review or triage decision), 0 at today and 1 at two years or more' },
};

export type SignalStatus = 'present' | 'absent' | 'unavailable';

/** One signal for one subject. `unavailable` means the data to judge it was missing (it contributes 0 and is listed). */
export interface SignalValue {
  readonly signal: SignalName;
  readonly status: SignalStatus;
  readonly value: number;
  readonly summary: string;
  readonly evidence: readonly string[];
}

/** A subject to rank: a person node of the projection (one record, or one resolved cluster). */
export interface TriageSubject {
  readonly id: string;
  readonly label: string;
  readonly entityIds: readonly string[];
  /** The subject's properties without protected characteristics (the only view scoring may receive). */
  readonly view: ScoringView;
}

/** Everything signal extraction needs, gathered through governance (evidence.ts) or built by tests. */
export interface TriageEvidence {
  /** The reference time, epoch ms. */
  readonly asOf: number;
  readonly subjects: readonly TriageSubject[];
  readonly projection: Pick<Projection, 'nodes' | 'edges' | 'calls' | 'handsets' | 'cells' | 'phoneUse' | 'relations' | 'activity'>;
  /** Place node id → statement ids saying it is a conflict-zone gateway. */
  readonly gateways: ReadonlyMap<string, readonly string[]>;
  /** Watched subjects (node id → why: alert or assessment references). */
  readonly watched: ReadonlyMap<string, readonly string[]>;
  /** Watchlist hits per subject node; undefined when the watch service could not be read. */
  readonly hits: ReadonlyMap<string, readonly { id: string; at: number }[]> | undefined;
  /** The last assessment of each subject node. */
  readonly assessments: ReadonlyMap<string, { at: number; ref: string }>;
  /** Statement id → gradingConfidence, for the statements gathered. */
  readonly grading: ReadonlyMap<string, number>;
}

export interface SignalOptions {
  /** Window for "recent" contacts and hits (default 90 days). */
  readonly recentDays?: number;
  /** Travel older than this is ignored (default 365 days). */
  readonly travelDays?: number;
  /** Evidence ids kept per signal (default 10). */
  readonly maxEvidence?: number;
}

const DAY = 86_400_000;
const PERSON_KINDS = new Set(['Person']);

const ms = (t: string | number | undefined): number => (t === undefined ? Number.NaN : typeof t === 'number' ? t : Date.parse(t));
const isoDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** Mutable per-subject accumulator. */
interface Acc {
  value: number;
  summary: string;
  evidence: string[];
}

/** Extracts every signal for every subject; a subject is never dropped, and missing data is said per signal. */
export function extractSignals(input: TriageEvidence, options: SignalOptions = {}): Map<string, SignalValue[]> {
  const recent = (options.recentDays ?? 90) * DAY;
  const travelWindow = (options.travelDays ?? 365) * DAY;
  const maxEvidence = options.maxEvidence ?? 10;
  const { asOf, projection } = input;
  const subjectIds = new Set(input.subjects.map((s) => s.id));
  const table = new Map<SignalName, Map<string, Acc>>(SIGNALS.map((s) => [s, new Map()]));
  const put = (signal: SignalName, subject: string, value: number, summary: string, evidence: readonly string[]) => {
    if (!subjectIds.has(subject)) return;
    const m = table.get(signal)!;
    const cur = m.get(subject);
    if (cur && cur.value >= value) return;
    m.set(subject, { value: Math.max(0, Math.min(1, value)), summary, evidence: evidence.slice(0, maxEvidence) });
  };
  const nodeKind = new Map(projection.nodes.map((n) => [n.id, n.kind]));

  // Phones of each person, persons of each phone (for calls).
  const personsOfPhone = new Map<string, Set<string>>();
  for (const u of projection.phoneUse) {
    let s = personsOfPhone.get(u.phone);
    if (!s) personsOfPhone.set(u.phone, (s = new Set()));
    s.add(u.person);
  }
  const hasCalls = projection.calls.length > 0;

  // 1. Conflict-zone travel: TravelEvent edges (traveller → destination) to gateway places.
  const trips = new Map<string, { score: number; places: string[]; evidence: string[]; last: number }>();
  for (const e of projection.edges) {
    if (e.kind !== 'TravelEvent') continue;
    const gw = input.gateways.get(e.target);
    if (!gw) continue;
    const last = ms(e.last ?? e.first);
    if (!Number.isFinite(last) || last > asOf || asOf - last > travelWindow) continue;
    // Recency: half-life 180 days (a trip a year ago still counts a quarter).
    const score = Math.pow(0.5, (asOf - last) / (180 * DAY));
    const cur = trips.get(e.source) ?? { score: 0, places: [], evidence: [], last: 0 };
    cur.score = Math.max(cur.score, score);
    cur.places.push(e.target);
    cur.last = Math.max(cur.last, last);
    cur.evidence.push(...e.evidence, ...gw.slice(0, 1));
    trips.set(e.source, cur);
  }
  for (const [s, t] of trips) put('conflictTravel', s, t.score, `travelled to ${t.places.length} conflict-zone gateway(s), latest ${isoDay(t.last)}`, t.evidence);

  // 2. New contacts with watched subjects: first contact (call or meeting) within the recent window.
  const firstContact = new Map<string, { first: number; ids: string[] }>();
  const touch = (a: string, b: string, t: number, id: string | readonly string[]) => {
    if (a === b || !Number.isFinite(t)) return;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    const cur = firstContact.get(key);
    const ids = typeof id === 'string' ? [id] : id;
    if (!cur) firstContact.set(key, { first: t, ids: [...ids.slice(0, 3)] });
    else {
      if (t < cur.first) cur.first = t;
      if (cur.ids.length < 3) cur.ids.push(...ids.slice(0, 3 - cur.ids.length));
    }
  };
  for (const c of projection.calls) {
    const from = personsOfPhone.get(c.from);
    const to = personsOfPhone.get(c.to);
    if (!from || !to) continue;
    const t = ms(c.time);
    for (const a of from) for (const b of to) touch(a, b, t, c.id);
  }
  for (const e of projection.edges) {
    if ((e.kind === 'Meeting' || e.kind === 'co-location') && PERSON_KINDS.has(nodeKind.get(e.source) ?? '') && PERSON_KINDS.has(nodeKind.get(e.target) ?? '')) {
      touch(e.source, e.target, ms(e.first), e.evidence);
    }
  }
  // "New" only between people both visible before the window: a pair is not new because one of
  // them was only recently identified (a phone newly attributed, a record newly received).
  const firstSeen = new Map<string, number>();
  for (const a of projection.activity) {
    const t = ms(a.time);
    if (Number.isFinite(t) && t < (firstSeen.get(a.subject) ?? Number.POSITIVE_INFINITY)) firstSeen.set(a.subject, t);
  }
  const windowStart = asOf - recent;
  const newContacts = new Map<string, { n: number; with: string[]; evidence: string[] }>();
  for (const [key, v] of firstContact) {
    if (v.first > asOf || v.first < windowStart) continue;
    const [a, b] = key.split('\u0000') as [string, string];
    if (!((firstSeen.get(a) ?? Number.POSITIVE_INFINITY) < windowStart && (firstSeen.get(b) ?? Number.POSITIVE_INFINITY) < windowStart)) continue;
    for (const [s, o] of [[a, b], [b, a]] as const) {
      if (!input.watched.has(o)) continue;
      const cur = newContacts.get(s) ?? { n: 0, with: [], evidence: [] };
      cur.n++;
      cur.with.push(o);
      cur.evidence.push(...v.ids);
      newContacts.set(s, cur);
    }
  }
  for (const [s, v] of newContacts) put('newWatchedContact', s, 1 - Math.pow(0.5, v.n), `${v.n} new contact(s) with watched subjects since ${isoDay(asOf - recent)}: ${v.with.slice(0, 3).join(', ')}`, v.evidence);

  // 3. Burner succession (phones of the subject that were replaced within the last year).
  if (hasCalls) {
    for (const c of burnerSuccession({ calls: projection.calls, handsets: projection.handsets, cells: projection.cells }, { asOf })) {
      if (asOf - c.newFirst > 365 * DAY) continue;
      for (const person of new Set([...(personsOfPhone.get(c.oldPhone) ?? []), ...(personsOfPhone.get(c.newPhone) ?? [])])) {
        put('burnerSuccession', person, c.score, `phone ${c.oldPhone} went silent; ${c.newPhone} took over ${isoDay(c.newFirst)} (${c.reasons.slice(0, 2).join('; ')})`, c.evidence);
      }
    }
  }

  // 4. Proxy phones: the watched subject's circle reached through a relative's phone.
  if (hasCalls && input.watched.size > 0) {
    const watched = [...input.watched.keys()].filter((w) => subjectIds.has(w));
    for (const p of proxyPhones({ calls: projection.calls, phoneUse: projection.phoneUse, relations: projection.relations }, watched)) {
      put('proxyPhone', p.watched, p.score, `reaches ${p.sharedContacts.length} of their contacts through ${p.relation} ${p.relative}'s phone ${p.proxyPhone}`, p.evidence);
    }
  }

  // 5. Firearm links: Possession edges whose asset is a Firearm node.
  for (const e of projection.edges) {
    if (e.kind === 'Possession' && nodeKind.get(e.target) === 'Firearm') put('firearm', e.source, 1, `possession of firearm ${e.target}`, e.evidence);
  }

  // 6. Centrality in a detected cell: Leiden communities of the person graph holding ≥ 2 watched subjects.
  communityCentrality(input, personsOfPhone, nodeKind, put);

  // 7. Recent hits on the subject's alerts.
  if (input.hits) {
    for (const [s, list] of input.hits) {
      const recentHits = list.filter((h) => h.at <= asOf && asOf - h.at <= recent);
      if (recentHits.length) put('recentHits', s, 1 - Math.pow(0.5, recentHits.length), `${recentHits.length} watchlist hit(s) since ${isoDay(asOf - recent)}`, recentHits.map((h) => `hit:${h.id}`));
    }
  }

  // 8. Quiet after activity (dormancy: recent 90 days against the 180 before).
  const quietFindings = new Map<string, { status: string; note: string; evidence: readonly string[] }>();
  if (projection.activity.length) {
    for (const f of dormancy(projection.activity, { asOf, recentDays: 90, baselineDays: 180 })) quietFindings.set(f.subject, f);
  }

  // Assemble per subject, in SIGNALS order; grading last (it reads the others' evidence).
  const out = new Map<string, SignalValue[]>();
  for (const subject of input.subjects) {
    const values: SignalValue[] = [];
    for (const signal of SIGNALS) {
      if (signal === 'grading' || signal === 'assessmentAge' || signal === 'quiet') continue;
      const acc = table.get(signal)!.get(subject.id);
      const unavailable = unavailableReason(signal, input, hasCalls);
      if (acc) values.push({ signal, status: 'present', value: acc.value, summary: acc.summary, evidence: acc.evidence });
      else if (unavailable) values.push({ signal, status: 'unavailable', value: 0, summary: unavailable, evidence: [] });
      else values.push({ signal, status: 'absent', value: 0, summary: 'none found', evidence: [] });
    }
    const q = quietFindings.get(subject.id);
    if (q?.status === 'quiet') values.push({ signal: 'quiet', status: 'present', value: 1, summary: q.note, evidence: q.evidence.slice(0, maxEvidence) });
    else if (q?.status === 'active') values.push({ signal: 'quiet', status: 'absent', value: 0, summary: q.note, evidence: [] });
    else values.push({ signal: 'quiet', status: 'unavailable', value: 0, summary: q ? q.note : 'no visible activity to judge dormancy', evidence: [] });
    // Grading: how well-founded the evidence behind the other signals is.
    const graded: number[] = [];
    const gradedIds: string[] = [];
    for (const v of values) {
      if (v.status !== 'present') continue;
      for (const id of v.evidence) {
        const g = input.grading.get(id);
        if (g !== undefined) {
          graded.push(g);
          gradedIds.push(id);
        }
      }
    }
    if (graded.length) {
      const mean = graded.reduce((a, b) => a + b, 0) / graded.length;
      values.push({ signal: 'grading', status: 'present', value: mean, summary: `mean confidence ${mean.toFixed(2)} over ${graded.length} graded statement(s)`, evidence: gradedIds.slice(0, maxEvidence) });
    } else values.push({ signal: 'grading', status: 'unavailable', value: 0, summary: 'no graded evidence behind the other signals', evidence: [] });
    const a = input.assessments.get(subject.id);
    if (a) {
      const days = Math.max(0, (asOf - a.at) / DAY);
      values.push({ signal: 'assessmentAge', status: 'present', value: Math.min(1, days / 730), summary: `last assessed ${isoDay(a.at)} (${Math.round(days)} days ago)`, evidence: [a.ref] });
    } else values.push({ signal: 'assessmentAge', status: 'unavailable', value: 0, summary: 'never assessed', evidence: [] });
    values.sort((x, y) => SIGNALS.indexOf(x.signal) - SIGNALS.indexOf(y.signal));
    out.set(subject.id, values);
  }
  return out;
}

function unavailableReason(signal: SignalName, input: TriageEvidence, hasCalls: boolean): string | undefined {
  if ((signal === 'burnerSuccession' || signal === 'proxyPhone') && !hasCalls) return 'no call records visible';
  if (signal === 'proxyPhone' && input.watched.size === 0) return 'no watched subjects to test';
  if (signal === 'newWatchedContact' && input.watched.size === 0) return 'no watched subjects to test';
  if (signal === 'recentHits' && input.hits === undefined) return 'watchlist hits could not be read';
  if (signal === 'conflictTravel' && input.gateways.size === 0) return 'no conflict-zone gateway places known';
  return undefined;
}

function communityCentrality(
  input: TriageEvidence,
  personsOfPhone: ReadonlyMap<string, ReadonlySet<string>>,
  nodeKind: ReadonlyMap<string, string>,
  put: (signal: SignalName, subject: string, value: number, summary: string, evidence: readonly string[]) => void,
): void {
  const { projection } = input;
  const persons = projection.nodes.filter((n) => n.kind === 'Person');
  if (persons.length < 3) return;
  // Person graph: direct person–person links, plus calls collapsed onto the persons behind the phones.
  const edges = new Map<string, GraphEdge & { weight: number; evidence: string[] }>();
  const add = (a: string, b: string, kind: string, w: number, evidence: readonly string[]) => {
    if (a === b) return;
    const [s, t] = a < b ? [a, b] : [b, a];
    const key = `${s}\u0000${t}`;
    const cur = edges.get(key);
    if (cur) {
      cur.weight += w;
      if (cur.evidence.length < 5) cur.evidence.push(...evidence.slice(0, 5 - cur.evidence.length));
    } else edges.set(key, { source: s, target: t, kind, weight: w, evidence: [...evidence.slice(0, 5)] });
  };
  for (const e of projection.edges) {
    if (nodeKind.get(e.source) === 'Person' && nodeKind.get(e.target) === 'Person') add(e.source, e.target, e.kind, 1, e.evidence);
  }
  for (const c of projection.calls) {
    for (const a of personsOfPhone.get(c.from) ?? []) for (const b of personsOfPhone.get(c.to) ?? []) add(a, b, 'call', 0.2, [c.id]);
  }
  if (edges.size === 0) return;
  const net = buildNetwork(persons, [...edges.values()]);
  const comm = leiden(net.simple, { seed: 11 });
  const members: number[][] = Array.from({ length: comm.count }, () => []);
  for (let v = 0; v < net.simple.n; v++) members[comm.membership[v]!]!.push(v);
  const strength = new Float64Array(net.simple.n);
  const csr = net.simple;
  for (let v = 0; v < csr.n; v++) {
    for (let k = csr.offsets[v]!; k < csr.offsets[v + 1]!; k++) if (comm.membership[csr.targets[k]!] === comm.membership[v]) strength[v]! += csr.weights[k]!;
  }
  members.forEach((list, c) => {
    if (list.length < 3) return;
    const watched = list.filter((v) => input.watched.has(persons[v]!.id)).length;
    if (watched < 2) return;
    let max = 0;
    for (const v of list) max = Math.max(max, strength[v]!);
    if (max <= 0) return;
    const order = [...list].sort((a, b) => strength[b]! - strength[a]!);
    for (const v of list) {
      const id = persons[v]!.id;
      const evidence: string[] = [];
      for (let k = net.adjOffsets[v]!; k < net.adjOffsets[v + 1]! && evidence.length < 10; k++) {
        if (comm.membership[net.adjNode[k]!] === c) evidence.push(...net.edges[net.adjEdge[k]!]!.evidence.slice(0, 2));
      }
      put('communityCentrality', id, strength[v]! / max, `#${order.indexOf(v) + 1} most connected of ${list.length} in a community with ${watched} watched subjects`, evidence);
    }
  });
}
