import { invalid, type StatementInput } from '../model/index.js';
import { emitAll, localId, TruthCollector } from './emit.js';
import { AGENCY_PROFILES, type DateStyle } from './geo.js';
import { canonicalName } from './names.js';
import { buildReports, type MentionTruth, type ScenarioReport } from './reports.js';
import { buildWorld, DAY, isoDate, isoTime, SCENARIO_END, SCENARIO_SIZES, SCENARIO_START, type ScenarioSize, type World } from './world.js';

export interface ScenarioOptions {
  /** `tiny` (tests), `demo` (~5,000 persons), `large` (≥ 1M statements, streamed). Default `tiny`. */
  readonly size?: ScenarioSize;
  /** Any 32-bit integer; the same seed and size give byte-identical output. Default 1. */
  readonly seed?: number;
}

export interface ScenarioAgency {
  readonly id: string;
  readonly country: string;
  readonly name: string;
  readonly dateStyle: DateStyle;
  readonly gradingSystems: readonly ('EU4x4' | 'ADMIRALTY')[];
}

export interface ScenarioCase {
  readonly id: string;
  readonly agency: string;
  readonly name: string;
  readonly description: string;
  readonly opened: string;
  /** True cell ids the case is about (empty for the general-intake case). */
  readonly cells: readonly string[];
  /** The agency's entity id of the Case entity. */
  readonly entityId: string;
}

export type EncounterAction = 'discreet-check' | 'inquiry-check' | 'specific-check' | 'arrest';

/** One watchlist alert as the issuing agency holds it. */
export interface WatchlistEntry {
  readonly alertId: string;
  readonly agency: string;
  /** The issuing agency's own entity for the subject. */
  readonly subjectEntityId: string;
  readonly subjectSchema: 'Person';
  readonly threatLevel: number;
  readonly action: EncounterAction;
  readonly reasons: readonly string[];
  readonly caseId: string;
  readonly issuedAt: string;
  readonly reviewBy: string;
  readonly status: 'active' | 'delisted';
  readonly delistedAt?: string;
}

export interface TruthPerson {
  readonly id: string;
  readonly name: string;
  readonly birthDate: string;
  readonly gender: 'male' | 'female';
  readonly country: string;
  /** Home address, as written in records (households and shared flats share it). */
  readonly address: string;
  readonly role: 'leader' | 'member' | 'trafficker' | 'relative' | 'background';
  readonly cell?: string;
  readonly operational: boolean;
  readonly quiet: boolean;
  /** Entity ids of this person's records, across agencies. */
  readonly records: readonly string[];
}

/** Everything evaluation needs, keyed by true ids (P… persons, T… phones, H… handsets, …). */
export interface ScenarioTruth {
  readonly format: 'tessera-scenario-truth/1';
  readonly seed: number;
  readonly size: ScenarioSize;
  readonly referenceTime: string;
  readonly persons: readonly TruthPerson[];
  /** Every non-link entity id → its true object id (persons P…, phones T…, handsets H…, `D:number`, `B:iban`, vehicles V…, firearms F…, `cell:C…`, `place:CODE`, `case:ID`, `report:REF`, `meeting:M…`). */
  readonly entities: Readonly<Record<string, string>>;
  readonly cells: readonly { id: string; codename: string; country: string; countries: readonly string[]; members: readonly string[]; leader: string; traffickers: readonly string[]; firearms: readonly string[] }[];
  readonly phones: readonly { id: string; number: string; owner: string; kind: 'personal' | 'burner'; start: string; end: string; handset: string }[];
  readonly successions: readonly { person: string; oldPhone: string; newPhone: string; oldNumber: string; newNumber: string; at: string; sameHandset: boolean; burner: boolean }[];
  readonly proxies: readonly { phone: string; number: string; owner: string; user: string; start: string; end: string }[];
  readonly sharedHandsets: readonly { handset: string; imei: string; phones: readonly string[]; persons: readonly string[] }[];
  /** Subjects who were about to act at the reference time (triage ground truth). */
  readonly operational: readonly string[];
  /** Dormant operatives: activity dropped in the last four months. */
  readonly quiet: readonly string[];
  /** Operational subjects whose alert had been removed earlier (post-delisting safety net). */
  readonly delistedThenOperational: readonly string[];
  /** TravelEvent entity id → traveller and trip. */
  readonly travel: Readonly<Record<string, { person: string; trip: string }>>;
  /** Travel records of subjects under an alert at departure time, and which alerts should hit. */
  readonly watchedTravel: readonly { travelEntityId: string; agency: string; person: string; trip: string; alerts: readonly string[]; kind: 'active' | 'post-delisting' }[];
  readonly coTravel: readonly { group: string; service: string; date: string; persons: readonly string[] }[];
  readonly identityFraud: readonly { document: string; rightfulHolder: string; user: string }[];
  readonly firearms: readonly { id: string; serial: string; trafficker: string; holder: string; acquired: string; origin: string }[];
  readonly reports: readonly { entityId: string; agency: string; reference: string; file: string; mentions: readonly MentionTruth[] }[];
}

export interface StatementsOptions {
  /** Statements per batch (default 5,000). */
  readonly batchSize?: number;
  /** Include the call records (default true). */
  readonly calls?: boolean;
}

/** A generated scenario: metadata up front, statements streamed in batches on demand. */
export interface Scenario {
  readonly seed: number;
  readonly size: ScenarioSize;
  /** The scenario's "now": 2025-07-01T00:00:00Z. Review dates, triage and dormancy refer to it. */
  readonly referenceTime: string;
  readonly period: { readonly start: string; readonly end: string };
  /** About how many statements `statements()` yields (measured at seed 1; other seeds vary by a few %), for progress bars. */
  readonly estimatedStatements: number;
  readonly agencies: readonly ScenarioAgency[];
  readonly cases: readonly ScenarioCase[];
  readonly watchlist: readonly WatchlistEntry[];
  readonly reports: readonly ScenarioReport[];
  /** Statement batches in a fixed order; iterating twice gives the same statements. Never holds them all. */
  statements(options?: StatementsOptions): Iterable<StatementInput[]>;
  /** Ground truth (computed on first use; a cheap pass without the call records). */
  truth(): ScenarioTruth;
  /** The underlying world (for the writer and benchmarks; not a stable interface). */
  readonly world: World;
}

const ESTIMATED_STATEMENTS: Readonly<Record<ScenarioSize, number>> = { tiny: 40_000, demo: 420_000, large: 1_550_000 };

/** Builds a deterministic synthetic multi-agency scenario. */
export function generateScenario(options: ScenarioOptions = {}): Scenario {
  const size = options.size ?? 'tiny';
  const seed = options.seed ?? 1;
  if (!SCENARIO_SIZES.includes(size)) throw invalid(`unknown scenario size "${String(size)}" (known: ${SCENARIO_SIZES.join(', ')})`, undefined, 'size');
  if (!Number.isInteger(seed) || seed < -2_147_483_648 || seed > 2_147_483_647) throw invalid(`seed must be an integer in [-2147483648, 2147483647], got ${String(seed)}`, undefined, 'seed');
  const world = buildWorld(seed | 0, size);
  const reports = buildReports(world, world.params.reports);
  const agencies: ScenarioAgency[] = AGENCY_PROFILES.map((a) => ({ id: a.id, country: a.country, name: a.name, dateStyle: a.dateStyle, gradingSystems: a.grading }));
  const cases: ScenarioCase[] = world.cases.map((c) => ({ ...c, entityId: localId(world.seed, c.agency, 'case', c.id) }));
  const watchlist: WatchlistEntry[] = world.watch.map((w) => ({
    alertId: w.alertId,
    agency: w.agency,
    subjectEntityId: localId(world.seed, w.agency, 'per', w.person),
    subjectSchema: 'Person',
    threatLevel: w.threatLevel,
    action: w.action,
    reasons: w.reasons,
    caseId: w.caseId,
    issuedAt: isoDate(w.issued),
    reviewBy: isoDate(w.issued + 365 * DAY),
    status: w.status,
    ...(w.delisted === undefined ? {} : { delistedAt: isoDate(w.delisted) }),
  }));
  let collected: TruthCollector | undefined;
  let truthCache: ScenarioTruth | undefined;
  const scenario: Scenario = {
    seed: world.seed,
    size,
    referenceTime: isoTime(SCENARIO_END),
    period: { start: isoTime(SCENARIO_START), end: isoTime(SCENARIO_END) },
    estimatedStatements: ESTIMATED_STATEMENTS[size],
    agencies,
    cases,
    watchlist,
    reports,
    world,
    *statements(opts: StatementsOptions = {}) {
      const collector = new TruthCollector();
      yield* emitAll(world, collector, { batchSize: opts.batchSize ?? 5000, reports, calls: opts.calls ?? true });
      collected ??= collector;
    },
    truth() {
      if (truthCache) return truthCache;
      if (!collected) {
        const collector = new TruthCollector();
        for (const batch of emitAll(world, collector, { batchSize: 50_000, reports, calls: false })) void batch;
        collected = collector;
      }
      truthCache = assembleTruth(world, collected, watchlist, reports);
      return truthCache;
    },
  };
  return scenario;
}

/** Turns the world and the collected entity mapping into the truth document. */
export function assembleTruth(world: World, collector: TruthCollector, watchlist: readonly WatchlistEntry[], reports: readonly ScenarioReport[]): ScenarioTruth {
  const personsWithAlerts = new Map<string, { w: (typeof world.watch)[number] }[]>();
  for (const w of world.watch) {
    const list = personsWithAlerts.get(w.person) ?? [];
    list.push({ w });
    personsWithAlerts.set(w.person, list);
  }
  const tripById = new Map(world.trips.map((t) => [t.id, t]));
  const watchedTravel: ScenarioTruth['watchedTravel'][number][] = [];
  for (const [entityId, { person, trip }] of collector.travel) {
    const alerts = personsWithAlerts.get(person);
    if (!alerts) continue;
    const t = tripById.get(trip)!;
    const active = alerts.filter(({ w }) => w.status === 'active' && w.issued <= t.departure).map(({ w }) => w.alertId);
    const post = alerts.filter(({ w }) => w.status === 'delisted' && w.delisted !== undefined && w.delisted <= t.departure).map(({ w }) => w.alertId);
    const agency = entityId.slice(0, entityId.indexOf(':')).toUpperCase();
    if (active.length > 0) watchedTravel.push({ travelEntityId: entityId, agency, person, trip, alerts: active, kind: 'active' });
    else if (post.length > 0) watchedTravel.push({ travelEntityId: entityId, agency, person, trip, alerts: post, kind: 'post-delisting' });
  }
  const groups = new Map<string, { service: string; date: string; persons: string[] }>();
  for (const t of world.trips) {
    if (!t.group) continue;
    const g = groups.get(t.group) ?? { service: t.service, date: isoDate(t.departure), persons: [] };
    g.persons.push(t.person);
    groups.set(t.group, g);
  }
  const delisted = new Set(watchlist.filter((w) => w.status === 'delisted').map((w) => world.watch.find((x) => x.alertId === w.alertId)!.person));
  return {
    format: 'tessera-scenario-truth/1',
    seed: world.seed,
    size: world.size,
    referenceTime: isoTime(SCENARIO_END),
    persons: world.persons.map((p) => ({
      id: p.id,
      name: canonicalName(p.name).full,
      birthDate: p.birthDate,
      gender: p.gender,
      country: p.country,
      address: p.address,
      role: p.role,
      ...(p.cell ? { cell: p.cell } : {}),
      operational: p.operational,
      quiet: p.quiet,
      records: collector.personRecords.get(p.id) ?? [],
    })),
    entities: Object.fromEntries(collector.entities),
    cells: world.cells.map((c) => ({ id: c.id, codename: c.codename, country: c.country, countries: c.countries, members: c.members, leader: c.leader, traffickers: c.traffickers, firearms: c.firearms })),
    phones: world.phones.map((p) => ({ id: p.id, number: p.number, owner: p.owner, kind: p.kind, start: isoDate(p.start), end: isoDate(p.end), handset: p.handset })),
    successions: world.successions.map((s) => ({ person: s.person, oldPhone: s.oldPhone, newPhone: s.newPhone, oldNumber: world.phoneById.get(s.oldPhone)!.number, newNumber: world.phoneById.get(s.newPhone)!.number, at: isoDate(s.at), sameHandset: s.sameHandset, burner: s.burner })),
    proxies: world.proxies.map((p) => ({ phone: p.phone, number: world.phoneById.get(p.phone)!.number, owner: p.owner, user: p.user, start: isoDate(p.start), end: isoDate(p.end) })),
    sharedHandsets: world.sharedHandsets.map((s) => ({ handset: s.handset, imei: world.handsetById.get(s.handset)!.imei, phones: s.phones, persons: s.persons })),
    operational: world.persons.filter((p) => p.operational).map((p) => p.id),
    quiet: world.persons.filter((p) => p.quiet).map((p) => p.id),
    delistedThenOperational: world.persons.filter((p) => p.operational && delisted.has(p.id)).map((p) => p.id),
    travel: Object.fromEntries(collector.travel),
    watchedTravel,
    coTravel: [...groups].map(([group, g]) => ({ group, ...g })),
    identityFraud: world.frauds.map((f) => ({ ...f })),
    firearms: world.firearms.map((f) => ({ id: f.id, serial: f.serial, trafficker: f.trafficker, holder: f.holder, acquired: isoDate(f.acquired), origin: f.origin })),
    reports: reports.map((r) => ({ entityId: r.entityId, agency: r.agency, reference: r.reference, file: r.file, mentions: r.mentions })),
  };
}
