import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { checkValue, keyedEntityId, normaliseIdentifier, normaliseName, propertySpec, TesseraError, type EntityId, type PropertySpec, type Grading, type Handling, type Nature, type SchemaName, type StatementInput, type SubjectCategory } from '../model/index.js';
import { AGENCY_PROFILES, type AgencyProfile, type DateStyle } from './geo.js';
import { canonicalName, renderName, type RenderedName } from './names.js';
import { digest, Rng } from './rng.js';
import { callsOfMonth, DAY, isoDate, isoTime, MONTHS, pad, SCENARIO_END, SCENARIO_START, type PersonView, type TrueCall, type TruePerson, type TruePhone, type TrueTrip, type World } from './world.js';
import { printIban } from './identifiers.js';

/**
 * Renders the true world into each agency's statements: its own ids, spellings, date formats,
 * grading, handling and classification. A `TruthCollector` records which entity stands for which
 * true object as the statements are produced.
 */

export type EntityKind = 'per' | 'tel' | 'imei' | 'doc' | 'veh' | 'fa' | 'acc' | 'org' | 'plc' | 'case' | 'rep';

/** Records entity → true object as entities are emitted. */
export class TruthCollector {
  readonly entities = new Map<string, string>();
  readonly travel = new Map<string, { person: string; trip: string }>();
  readonly personRecords = new Map<string, string[]>();

  entity(id: string, trueId: string): void {
    if (this.entities.has(id)) return;
    this.entities.set(id, trueId);
    if (trueId.startsWith('P')) {
      const list = this.personRecords.get(trueId) ?? [];
      list.push(id);
      this.personRecords.set(trueId, list);
    }
  }
}

/** The opaque per-agency id of a true object: the same person has unrelated ids in different agencies. */
export function localId(seed: number, agency: string, kind: EntityKind, trueId: string, k = 0): EntityId {
  if (kind === 'plc' || kind === 'case') return keyedEntityId(agency, `${kind}-${trueId}`);
  return keyedEntityId(agency, `${kind}-${digest(seed, agency, kind, trueId, k).slice(0, 16)}`);
}

interface Envelope {
  readonly source: { agency: string; documentId: string; collectedAt: string };
  readonly grading: Grading;
  readonly handling: Handling;
  readonly classification: string;
  readonly caseIds: readonly string[];
}

type DocKind = 'SUBJ' | 'CDR' | 'PNR' | 'BORDER' | 'SURV' | 'SEIZ' | 'FIN' | 'REP' | 'CASE' | 'GEO' | 'ASSESS' | 'TEL';

const H3_CONDITIONS = [
  'Not to be used for immigration or asylum decisions without the originator’s consent',
  'Source protection: do not disclose the interception method',
  'Do not approach the subject; report sightings to the originator only',
  'Release to judicial authorities only with prior written consent of the originator',
];

function dateIn(style: DateStyle, iso: string): string {
  const [y, m, d] = iso.split('-');
  if (!m) return y!;
  if (!d) return style === 'YYYY-MM-DD' ? iso : `${m}/${y}`;
  switch (style) {
    case 'DD/MM/YYYY':
      return `${d}/${m}/${y}`;
    case 'DD.MM.YYYY':
      return `${d}.${m}.${y}`;
    case 'DD-MM-YYYY':
      return `${d}-${m}-${y}`;
    case 'YYYY-MM-DD':
      return iso;
  }
}

/** Formats a date the way an agency writes it (exported for the raw source files). */
export function agencyDate(agency: string, iso: string): string {
  return dateIn(AGENCY_PROFILES.find((a) => a.id === agency)?.dateStyle ?? 'YYYY-MM-DD', iso);
}

/** A phone number as an operator or officer writes it: national format at home, international abroad. */
export function printPhone(e164: string, homeCountry: string, style: number): string {
  if (style % 3 === 0) return e164;
  let formats = PHONE_FORMATS.get(e164);
  if (!formats) {
    const parsed = parsePhoneNumberFromString(e164);
    formats = parsed ? { country: parsed.country ?? '', national: parsed.formatNational(), international: parsed.formatInternational() } : { country: '', national: e164, international: e164 };
    // Bounded: a large scenario has tens of thousands of numbers; start afresh rather than grow without limit.
    if (PHONE_FORMATS.size > 200_000) PHONE_FORMATS.clear();
    PHONE_FORMATS.set(e164, formats);
  }
  return formats.country === homeCountry ? formats.national : formats.international;
}

const PHONE_FORMATS = new Map<string, { country: string; national: string; international: string }>();

/** A PNR-style name: SURNAME/GIVEN MR. */
function pnrName(r: RenderedName, gender: 'male' | 'female'): { value: string; original: string } {
  const first = (r.first ?? r.full).toUpperCase();
  const last = (r.last ?? '').toUpperCase();
  return { value: normaliseName(`${first} ${last}`), original: `${last}/${first} ${gender === 'male' ? 'MR' : 'MS'}` };
}


const SPEC_CACHE = new Map<string, PropertySpec | null>();

/** Emits one agency's statements in batches; the world and the collector are shared. */
class AgencyEmitter {
  private readonly envs = new Map<string, Envelope>();
  private batch: StatementInput[] = [];
  private readonly knownHandsets = new Set<string>();
  private readonly emittedVehicles = new Set<string>();
  private readonly emittedHandsets = new Set<string>();
  private readonly ids = new Map<string, EntityId>();

  constructor(
    private readonly world: World,
    private readonly agency: AgencyProfile,
    private readonly truth: TruthCollector,
    private readonly batchSize: number,
  ) {
    const view = this.world.views.get(agency.id)!;
    for (const phoneId of view.phones) {
      const phone = world.phoneById.get(phoneId)!;
      const viewed = view.persons.has(phone.owner);
      if (hashFloat(world.seed, agency.id, 'handset', phoneId) < (viewed ? 0.85 : 0.4)) this.knownHandsets.add(phoneId);
    }
  }

  private get view() {
    return this.world.views.get(this.agency.id)!;
  }

  id(kind: EntityKind, trueId: string, k = 0): EntityId {
    // Cached: link statements and calls refer to the same entities many times (SHA-1 per id otherwise).
    const key = `${kind}|${trueId}|${k}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = localId(this.world.seed, this.agency.id, kind, trueId, k);
      this.ids.set(key, id);
    }
    return id;
  }

  /** The envelope (provenance, grading, handling, classification, cases) of one source document. */
  env(kind: DocKind, key: string, collected: number, caseIds: readonly string[], sensitivity: 0 | 1 | 2 = 0): Envelope {
    const documentId = `${this.agency.id}/${kind}/${key}`;
    const cacheKey = `${documentId}|${caseIds.join(',')}|${sensitivity}`;
    const hit = this.envs.get(cacheKey);
    if (hit) return hit;
    const rng = new Rng(this.world.seed).fork(`env:${documentId}`);
    const system = rng.chance(0.8) ? this.agency.grading[0]! : (this.agency.grading[1] ?? this.agency.grading[0]!);
    const grading: Grading =
      system === 'EU4x4'
        ? { system, source: rng.weighted([['A', 15], ['B', 45], ['C', 15], ['X', 25]] as const), info: rng.weighted([['1', 15], ['2', 35], ['3', 30], ['4', 20]] as const) }
        : { system, source: rng.weighted([['A', 10], ['B', 35], ['C', 25], ['D', 10], ['E', 5], ['F', 15]] as const), info: rng.weighted([['1', 10], ['2', 30], ['3', 30], ['4', 10], ['5', 5], ['6', 15]] as const) };
    const codeSet = rng.weighted<readonly ('H1' | 'H2' | 'H3')[]>([[[], 45], [['H2'], 25], [['H1'], 15], [['H1', 'H2'], 7], [['H3'], 8]]);
    const others = AGENCY_PROFILES.filter((a) => a.id !== this.agency.id);
    const rel = rng.weighted<'all' | 'some' | 'none'>([['all', 50], ['some', 32], ['none', 18]]);
    const releasableTo = rel === 'all' ? ['*'] : rel === 'none' ? [] : rng.sample(others, rng.int(1, 3)).map((a) => (rng.chance(0.5) ? a.id : a.country));
    const handling: Handling = { codes: [...codeSet], releasableTo, ...(codeSet.includes('H3') ? { conditions: rng.pick(H3_CONDITIONS) } : {}) };
    const levels: readonly (readonly [string, number])[][] = [
      [['UNCLASSIFIED', 50], ['RESTRICTED', 42], ['CONFIDENTIAL', 7], ['SECRET', 1]],
      [['UNCLASSIFIED', 10], ['RESTRICTED', 55], ['CONFIDENTIAL', 28], ['SECRET', 7]],
      [['RESTRICTED', 20], ['CONFIDENTIAL', 50], ['SECRET', 30]],
    ];
    const env: Envelope = {
      source: { agency: this.agency.id, documentId, collectedAt: isoTime(Math.min(collected, SCENARIO_END - 60_000)) },
      grading,
      handling,
      classification: rng.weighted(levels[sensitivity]!),
      caseIds,
    };
    this.envs.set(cacheKey, env);
    return env;
  }

  st(entityId: string, schema: SchemaName, prop: string, raw: string, env: Envelope, category: SubjectCategory, extra: { original?: string; nature?: Nature; firstSeen?: string; lastSeen?: string; reviewBy?: string; classification?: string } = {}): void {
    // Values are emitted in the model's canonical form; the source's own rendering goes to `original`.
    const key = `${schema}.${prop}`;
    let spec = SPEC_CACHE.get(key);
    if (spec === undefined) {
      spec = propertySpec(schema, prop) ?? null;
      SPEC_CACHE.set(key, spec);
    }
    // Entity references are minted by keyedEntityId and already canonical; everything else is checked.
    const checked = spec === null ? undefined : spec.type === 'entity' ? { ok: true as const, value: raw } : checkValue(spec.type, raw, spec.members);
    if (!checked?.ok) throw new TesseraError('INTERNAL', `scenario generated an invalid ${schema}.${prop}: ${checked?.reason ?? 'unknown property'}`, { record: entityId, field: prop });
    const value = checked.value;
    if (extra.original === undefined && value !== raw) extra = { ...extra, original: raw };
    const s: StatementInput = {
      entityId: entityId as EntityId,
      schema,
      prop,
      value,
      ...(extra.original !== undefined && extra.original !== value ? { original: extra.original } : {}),
      source: env.source as StatementInput['source'],
      grading: env.grading,
      handling: env.handling,
      classification: extra.classification ?? env.classification,
      subjectCategory: category,
      nature: extra.nature ?? 'fact',
      ...(extra.firstSeen ? { firstSeen: extra.firstSeen } : {}),
      ...(extra.lastSeen ? { lastSeen: extra.lastSeen } : {}),
      ...(extra.reviewBy ? { reviewBy: extra.reviewBy } : {}),
      caseIds: env.caseIds as StatementInput['caseIds'],
    };
    this.batch.push(s);
  }

  *flush(force = false): Generator<StatementInput[]> {
    if (this.batch.length >= this.batchSize || (force && this.batch.length > 0)) {
      yield this.batch;
      this.batch = [];
    }
  }

  /** Everything but calls. */
  *emitStatic(): Generator<StatementInput[]> {
    const a = this.agency;
    const w = this.world;
    // Cases and places.
    for (const c of w.cases.filter((x) => x.agency === a.id)) {
      const id = this.id('case', c.id);
      this.truth.entity(id, `case:${c.id}`);
      const env = this.env('CASE', c.id, Date.parse(`${c.opened}T09:00:00Z`), [c.id], 1);
      this.st(id, 'Case', 'name', c.name, env, 'other');
      this.st(id, 'Case', 'reference', c.id, env, 'other');
      this.st(id, 'Case', 'description', c.description, env, 'other');
      this.st(id, 'Case', 'startDate', c.opened, env, 'other');
    }
    const intake = this.intakeCase();
    const geo = this.env('GEO', 'places', SCENARIO_START, [intake], 0);
    const geoEnv: Envelope = { ...geo, handling: { codes: [], releasableTo: ['*'] }, classification: 'UNCLASSIFIED' };
    for (const p of [...w.places, ...w.sites]) {
      const id = this.id('plc', p.code);
      this.truth.entity(id, `place:${p.code}`);
      this.st(id, 'Place', 'name', p.name, geoEnv, 'other');
      this.st(id, 'Place', 'code', p.code, geoEnv, 'other');
      this.st(id, 'Place', 'kind', p.kind, geoEnv, 'other');
      this.st(id, 'Place', 'country', p.country, geoEnv, 'other');
      this.st(id, 'Place', 'latitude', String(p.lat), geoEnv, 'other');
      this.st(id, 'Place', 'longitude', String(p.lon), geoEnv, 'other');
      this.st(id, 'Place', 'conflictZoneGateway', p.gateway ? 'yes' : 'no', geoEnv, 'other');
    }
    yield* this.flush();
    // Persons and what hangs on them.
    for (const [pid, pv] of this.view.persons) {
      const p = w.personById.get(pid)!;
      for (let k = 0; k < pv.records; k++) this.person(p, pv, k);
      this.personAssets(p, pv);
      yield* this.flush();
    }
    // Lost documents are reported to the holder's home agency even when it holds nothing else on them.
    for (const f of w.frauds) {
      const victim = w.personById.get(f.rightfulHolder)!;
      if (victim.country !== a.country) continue;
      const docId = this.id('doc', `D:${victim.passport.number}`);
      if (this.truth.entities.has(docId)) continue;
      const env = this.env('SUBJ', `LOST/${victim.passport.number}`, SCENARIO_START + 40 * DAY, [intake], 0);
      this.identityDocument(docId, victim, victim.passport, env, 'victim', this.view.persons.has(victim.id) ? this.id('per', victim.id) : undefined);
    }
    // Phones, handsets, phone use.
    for (const phoneId of this.view.phones) this.phone(w.phoneById.get(phoneId)!);
    yield* this.flush();
    // Cells as organisations, memberships, family and associates.
    for (const cell of w.cells) {
      const known = cell.members.filter((m) => this.view.persons.has(m));
      if (known.length < 2) continue;
      const pv = this.view.persons.get(known[0]!)!;
      const env = this.env('ASSESS', `CELL-${cell.codename}`, cell.start + 90 * DAY, [pv.caseId], 2);
      const org = this.id('org', cell.id);
      this.truth.entity(org, `cell:${cell.id}`);
      const word = { FR: 'Réseau', BE: 'Netwerk', ES: 'Red', DE: 'Gruppe', NL: 'Netwerk', AT: 'Gruppe' }[a.country] ?? 'Network';
      this.st(org, 'Organization', 'name', `${word} ${cell.codename.charAt(0)}${cell.codename.slice(1).toLowerCase()}`, env, 'suspect', { nature: 'assessment' });
      this.st(org, 'Organization', 'type', 'suspected terrorist cell', env, 'suspect', { nature: 'assessment' });
      this.st(org, 'Organization', 'country', cell.country, env, 'suspect', { nature: 'assessment' });
      for (const m of known) {
        const mid = keyedEntityId(a.id, `mem-${digest(w.seed, a.id, cell.id, m).slice(0, 16)}`);
        this.st(mid, 'Membership', 'member', this.id('per', m), env, 'suspect', { nature: 'assessment' });
        this.st(mid, 'Membership', 'organization', org, env, 'suspect', { nature: 'assessment' });
        this.st(mid, 'Membership', 'role', m === cell.leader ? 'leader' : 'member', env, 'suspect', { nature: 'assessment' });
        this.st(mid, 'Membership', 'startDate', isoDate(cell.start), env, 'suspect', { nature: 'assessment' });
      }
    }
    for (const [m, r, rel] of w.family) {
      if (!this.view.persons.has(m) || !this.view.persons.has(r)) continue;
      const pv = this.view.persons.get(m)!;
      const env = this.env('SUBJ', `FAM/${m}`, SCENARIO_START + 30 * DAY, [pv.caseId], 1);
      const id = keyedEntityId(a.id, `fam-${digest(w.seed, a.id, m, r).slice(0, 16)}`);
      this.st(id, 'Family', 'person', this.id('per', m), env, 'contact');
      this.st(id, 'Family', 'relative', this.id('per', r), env, 'contact');
      this.st(id, 'Family', 'relationship', rel, env, 'contact');
    }
    for (const [m, o] of w.associates) {
      if (!this.view.persons.has(m) || !this.view.persons.has(o)) continue;
      const pv = this.view.persons.get(m)!;
      const env = this.env('SURV', `ASSOC/${pv.caseId}`, SCENARIO_START + 120 * DAY, [pv.caseId], 1);
      const id = keyedEntityId(a.id, `ass-${digest(w.seed, a.id, m, o).slice(0, 16)}`);
      this.st(id, 'Associate', 'person', this.id('per', m), env, 'contact');
      this.st(id, 'Associate', 'associate', this.id('per', o), env, 'contact');
      this.st(id, 'Associate', 'relationship', 'frequent contact', env, 'contact', { nature: 'assessment' });
    }
    yield* this.flush();
    // Firearms seized or reported, with the possession chain.
    for (const f of w.firearms) {
      const holder = w.personById.get(f.holder)!;
      if (holder.country !== a.country || !this.view.persons.has(holder.id) || hashFloat(w.seed, a.id, f.id) > 0.75) continue;
      const pv = this.view.persons.get(holder.id)!;
      const env = this.env('SEIZ', `${isoDate(f.acquired).slice(0, 7)}`, f.acquired + 20 * DAY, [pv.caseId], 2);
      const fid = this.id('fa', f.id);
      this.truth.entity(fid, f.id);
      this.st(fid, 'Firearm', 'serialNumber', normaliseIdentifier(f.serial), env, 'suspect', { original: f.serial });
      this.st(fid, 'Firearm', 'make', f.make, env, 'suspect');
      this.st(fid, 'Firearm', 'model', f.model, env, 'suspect');
      this.st(fid, 'Firearm', 'calibre', f.calibre, env, 'suspect');
      this.st(fid, 'Firearm', 'type', f.type, env, 'suspect');
      this.st(fid, 'Firearm', 'originCountry', f.origin, env, 'suspect', { nature: 'assessment' });
      const pos = keyedEntityId(a.id, `pos-${digest(w.seed, a.id, f.id).slice(0, 16)}`);
      this.st(pos, 'Possession', 'owner', this.id('per', holder.id), env, 'suspect');
      this.st(pos, 'Possession', 'asset', fid, env, 'suspect');
      if (this.view.persons.has(f.trafficker)) this.st(pos, 'Possession', 'acquiredFrom', this.id('per', f.trafficker), env, 'suspect', { nature: 'assessment' });
      this.st(pos, 'Possession', 'startDate', isoDate(f.acquired), env, 'suspect');
    }
    // Meetings observed by surveillance teams.
    for (const m of w.meetings) {
      if (m.recorder !== a.id) continue;
      const known = m.participants.filter((p) => this.view.persons.has(p));
      if (known.length === 0) continue;
      const caseId = this.view.persons.get(known[0]!)!.caseId;
      const env = this.env('SURV', `${isoDate(m.time).slice(0, 7)}`, m.time + DAY, [caseId], 2);
      const id = keyedEntityId(a.id, `mtg-${digest(w.seed, a.id, m.id).slice(0, 16)}`);
      this.truth.entity(id, `meeting:${m.id}`);
      for (const p of known) this.st(id, 'Meeting', 'participant', this.id('per', p), env, 'suspect');
      this.st(id, 'Meeting', 'place', this.id('plc', m.place), env, 'suspect');
      this.st(id, 'Meeting', 'date', isoTime(m.time), env, 'suspect');
      if (known.length < m.participants.length) this.st(id, 'Meeting', 'notes', `${m.participants.length - known.length} unidentified participant(s)`, env, 'suspect');
    }
    yield* this.flush();
    // Travel records (PNR, rail bookings, border crossings) and encounters with watched subjects.
    for (const t of w.trips) {
      if (!t.recorders.includes(a.id)) continue;
      this.trip(t);
      yield* this.flush();
    }
    yield* this.flush(true);
  }

  private intakeCase(): string {
    return `${this.agency.country}-OP-${this.agency.caseCodes[2]!}`;
  }

  private person(p: TruePerson, pv: PersonView, k: number): void {
    const a = this.agency;
    const w = this.world;
    const rng = new Rng(w.seed).fork(`rec:${a.id}:${p.id}:${k}`);
    const id = this.id('per', p.id, k);
    this.truth.entity(id, p.id);
    const collected = SCENARIO_START + rng.int(0, MONTHS * 30 - 10) * DAY + rng.int(8, 18) * 3_600_000;
    const year = new Date(collected).getUTCFullYear();
    const sens = pv.category === 'informant' ? 2 : pv.category === 'suspect' || pv.category === 'convicted' ? 1 : 0;
    const env = this.env('SUBJ', `${year}/${pad(Number.parseInt(digest(p.id, a.id).slice(0, 4), 16) % 60, 4)}`, collected, [pv.caseId, ...(this.jointCase(p) ? ['EU-JIT-MERIDIAN'] : [])], sens as 0 | 1 | 2);
    const cat = pv.category;
    const seen = { firstSeen: isoDate(collected - rng.int(0, 400) * DAY), lastSeen: isoDate(collected) };
    const house = Number.parseInt(digest(a.id).slice(0, 2), 16);
    const rendered = renderName(rng, p.name, { house, nativeScript: 0.06, typo: k > 0 ? 0.35 : 0.08, surnameFirst: ['FR', 'BE', 'ES'].includes(a.country) ? 0.5 : 0.3 });
    this.st(id, 'Person', 'name', normaliseName(rendered.full), env, cat, { original: rendered.full, ...seen });
    if (rendered.script === 'latin' && rng.chance(0.6)) {
      this.st(id, 'Person', 'firstName', normaliseName(rendered.first!), env, cat, seen);
      this.st(id, 'Person', 'lastName', normaliseName(rendered.last!), env, cat, seen);
    }
    if (p.alias && rng.chance(0.5)) this.st(id, 'Person', 'alias', p.alias, env, cat, { nature: 'assessment', ...seen });
    if (rng.chance(0.85)) {
      const precision = rng.float();
      let value = precision < 0.9 ? p.birthDate : precision < 0.96 ? p.birthDate.slice(0, 7) : p.birthDate.slice(0, 4);
      // Day and month swapped at keying (only possible when the day is ≤ 12).
      if (value.length === 10 && Number(value.slice(8)) <= 12 && rng.chance(0.03)) value = `${value.slice(0, 4)}-${value.slice(8)}-${value.slice(5, 7)}`;
      this.st(id, 'Person', 'birthDate', value, env, cat, { original: dateIn(a.dateStyle, value), ...seen });
    }
    if (rng.chance(0.8)) this.st(id, 'Person', 'gender', p.gender, env, cat, seen);
    if (rng.chance(0.35)) this.st(id, 'Person', 'birthPlace', p.birthPlace, env, cat, seen);
    if (rng.chance(0.7)) this.st(id, 'Person', 'country', p.country, env, cat, seen);
    if (rng.chance(0.35)) {
      // The household's address: relatives living together and members sharing a flat have the same one.
      const printed = rng.chance(0.2) ? p.address.toUpperCase() : p.address;
      this.st(id, 'Person', 'address', printed, env, cat, seen);
    }
    // Protected characteristics: stored for some records so the privacy tests can vary them.
    if (rng.chance(0.45)) this.st(id, 'Person', 'nationality', p.nationality, env, cat, { ...seen, classification: 'RESTRICTED' });
    if (p.religion && rng.chance(0.6)) this.st(id, 'Person', 'religion', p.religion, env, cat, { ...seen, classification: 'CONFIDENTIAL' });
    if (rng.chance(0.45)) {
      const n = p.passport.number;
      const printed = rng.chance(0.3) ? `${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}` : n;
      this.st(id, 'Person', 'passportNumber', normaliseIdentifier(printed), env, cat, { original: printed, ...seen });
    }
    if (p.idCard && rng.chance(0.25)) this.st(id, 'Person', 'idNumber', p.idCard.number, env, cat, seen);
    if (rng.chance(0.4)) {
      const ph = w.phoneById.get(p.phones[p.phones.length - 1]!)!;
      this.st(id, 'Person', 'phone', ph.number, env, cat, { original: printPhone(ph.number, a.country, rng.int(0, 2)), ...seen });
    }
    if (p.email && rng.chance(0.35)) this.st(id, 'Person', 'email', p.email, env, cat, seen);
    if ((p.role === 'leader' || p.role === 'member') && rng.chance(0.5)) {
      const assess = this.env('ASSESS', `${year}`, collected, env.caseIds, 2);
      const text = rng.pick(['Assessed as a committed member of a violent extremist network.', 'Believed to act as a logistics facilitator for the group.', 'Regular contact with subjects of interest; intent unclear.', 'Reported to have expressed support for attacks in Europe.']);
      this.st(id, 'Person', 'notes', text, assess, cat, { nature: 'assessment', reviewBy: isoDate(collected + 365 * DAY), ...seen });
    }
  }

  private jointCase(p: TruePerson): boolean {
    // The joint investigation team covers the first cell, which spans the most agencies.
    return p.cell === 'C01';
  }

  private identityDocument(docId: EntityId, p: TruePerson, doc: TruePerson['passport'], env: Envelope, cat: SubjectCategory, holder: EntityId | undefined): void {
    this.truth.entity(docId, `D:${doc.number}`);
    this.st(docId, 'IdentityDocument', 'number', doc.number, env, cat);
    this.st(docId, 'IdentityDocument', 'type', doc.type, env, cat);
    this.st(docId, 'IdentityDocument', 'country', doc.country, env, cat);
    if (holder) this.st(docId, 'IdentityDocument', 'holder', holder, env, cat);
    this.st(docId, 'IdentityDocument', 'holderName', canonicalName(p.name).full.toUpperCase(), env, cat);
    this.st(docId, 'IdentityDocument', 'issueDate', doc.issueDate, env, cat, { original: dateIn(this.agency.dateStyle, doc.issueDate) });
    this.st(docId, 'IdentityDocument', 'expiryDate', doc.expiryDate, env, cat, { original: dateIn(this.agency.dateStyle, doc.expiryDate) });
    if (doc.reportedLost) this.st(docId, 'IdentityDocument', 'reportedLost', 'yes', env, cat);
  }

  private personAssets(p: TruePerson, pv: PersonView): void {
    const a = this.agency;
    const w = this.world;
    const rng = new Rng(w.seed).fork(`assets:${a.id}:${p.id}`);
    const owner = this.id('per', p.id);
    const cat = pv.category;
    const env = this.env('SUBJ', `ASSETS/${pad(Number.parseInt(digest(p.id).slice(0, 4), 16) % 40, 4)}`, SCENARIO_START + rng.int(0, 800) * DAY, [pv.caseId], cat === 'suspect' || cat === 'convicted' ? 1 : 0);
    if (rng.chance(0.45)) this.identityDocument(this.id('doc', `D:${p.passport.number}`), p, p.passport, env, cat, owner);
    if (p.iban && rng.chance(p.country === a.country ? 0.55 : 0.15)) {
      const fin = this.env('FIN', `${pad(Number.parseInt(digest(p.id, 'fin').slice(0, 4), 16) % 20, 4)}`, SCENARIO_START + rng.int(100, 800) * DAY, [pv.caseId], 1);
      const acc = this.id('acc', `B:${p.iban}`);
      this.truth.entity(acc, `B:${p.iban}`);
      const printed = rng.chance(0.5) ? printIban(p.iban) : p.iban;
      this.st(acc, 'BankAccount', 'iban', p.iban, fin, cat, { original: printed });
      this.st(acc, 'BankAccount', 'country', p.iban.slice(0, 2), fin, cat);
      this.st(acc, 'BankAccount', 'holder', owner, fin, cat);
    }
    if (p.vehicle && rng.chance(0.6)) {
      const vid = this.vehicle(p.vehicle, env, cat);
      const pos = keyedEntityId(a.id, `pos-${digest(w.seed, a.id, p.vehicle).slice(0, 16)}`);
      this.st(pos, 'Possession', 'owner', owner, env, cat);
      this.st(pos, 'Possession', 'asset', vid, env, cat);
    }
  }

  private vehicle(vehicleId: string, env: Envelope, cat: SubjectCategory): EntityId {
    const v = this.world.vehicleById.get(vehicleId)!;
    const vid = this.id('veh', v.id);
    if (this.emittedVehicles.has(v.id)) return vid;
    this.emittedVehicles.add(v.id);
    this.truth.entity(vid, v.id);
    this.st(vid, 'Vehicle', 'registrationNumber', normaliseIdentifier(v.plate), env, cat, { original: v.plate });
    this.st(vid, 'Vehicle', 'model', v.model, env, cat);
    this.st(vid, 'Vehicle', 'country', v.country, env, cat);
    return vid;
  }

  private phone(ph: TruePhone): void {
    const a = this.agency;
    const w = this.world;
    const pv = this.view.persons.get(ph.owner);
    const cat: SubjectCategory = pv?.category ?? 'contact';
    const caseId = pv?.caseId ?? this.intakeCase();
    const collected = Math.max(ph.start, SCENARIO_START) + 5 * DAY;
    const env = this.env('TEL', `${isoDate(collected).slice(0, 7)}`, collected, [caseId], 1);
    const id = this.id('tel', ph.id);
    this.truth.entity(id, ph.id);
    const style = Number.parseInt(digest(a.id, ph.id).slice(0, 2), 16);
    const seen = { firstSeen: isoDate(Math.max(ph.start, SCENARIO_START)), lastSeen: isoDate(Math.min(ph.end, SCENARIO_END - DAY)) };
    this.st(id, 'Phone', 'number', ph.number, env, cat, { original: printPhone(ph.number, a.country, style), ...seen });
    this.st(id, 'Phone', 'kind', 'mobile', env, cat);
    this.st(id, 'Phone', 'prepaid', ph.prepaid ? 'yes' : 'no', env, cat);
    this.st(id, 'Phone', 'country', ph.country, env, cat);
    if (this.knownHandsets.has(ph.id)) {
      const h = w.handsetById.get(ph.handset)!;
      const hid = this.id('imei', h.id);
      if (!this.emittedHandsets.has(h.id)) {
        this.emittedHandsets.add(h.id);
        this.truth.entity(hid, h.id);
        this.st(hid, 'Handset', 'imei', h.imei, env, cat);
        this.st(hid, 'Handset', 'brand', h.brand, env, cat);
        this.st(hid, 'Handset', 'model', h.model, env, cat);
      }
      const hu = keyedEntityId(a.id, `hu-${digest(w.seed, a.id, ph.id, h.id).slice(0, 16)}`);
      this.st(hu, 'HandsetUse', 'phone', id, env, cat);
      this.st(hu, 'HandsetUse', 'handset', hid, env, cat);
      this.st(hu, 'HandsetUse', 'startDate', isoDate(Math.max(ph.start, SCENARIO_START - 365 * DAY)), env, cat);
      if (ph.end < SCENARIO_END) this.st(hu, 'HandsetUse', 'endDate', isoDate(ph.end), env, cat);
    }
    // Attribution: personal lines are usually attributed; burners much less often (that is the analyst's job).
    if (pv && hashFloat(w.seed, a.id, 'pu', ph.id) < (ph.kind === 'personal' ? 0.9 : 0.5)) {
      const pu = keyedEntityId(a.id, `pu-${digest(w.seed, a.id, ph.id).slice(0, 16)}`);
      this.st(pu, 'PhoneUse', 'person', this.id('per', ph.owner), env, cat);
      this.st(pu, 'PhoneUse', 'phone', id, env, cat);
      this.st(pu, 'PhoneUse', 'role', ph.kind === 'personal' ? 'subscriber' : 'user', env, cat, ph.kind === 'burner' ? { nature: 'assessment' } : {});
      this.st(pu, 'PhoneUse', 'startDate', isoDate(Math.max(ph.start, SCENARIO_START - 365 * DAY)), env, cat);
      if (ph.end < SCENARIO_END) this.st(pu, 'PhoneUse', 'endDate', isoDate(ph.end), env, cat);
    }
  }

  private trip(t: TrueTrip): void {
    const a = this.agency;
    const w = this.world;
    const p = w.personById.get(t.person)!;
    const pv = this.view.persons.get(p.id);
    const kind: DocKind = t.mode === 'border' ? 'BORDER' : 'PNR';
    const caseId = pv?.caseId ?? this.intakeCase();
    const env = this.env(kind, isoDate(t.departure).slice(0, 7), t.departure + 2 * DAY, [caseId], 0);
    const cat: SubjectCategory = pv?.category ?? 'other';
    const id = keyedEntityId(a.id, `trv-${digest(w.seed, a.id, t.id).slice(0, 16)}`);
    this.truth.travel.set(id, { person: p.id, trip: t.id });
    const { name, rng } = bookingName(w, t);
    this.st(id, 'TravelEvent', 'travellerName', name.value, env, cat, { original: name.original });
    if (rng.chance(0.85)) this.st(id, 'TravelEvent', 'travellerBirthDate', t.bookedBirthDate, env, cat, { original: dateIn(a.dateStyle, t.bookedBirthDate) });
    this.st(id, 'TravelEvent', 'documentNumber', t.documentNumber, env, cat);
    this.st(id, 'TravelEvent', 'mode', t.mode, env, cat);
    this.st(id, 'TravelEvent', 'origin', this.id('plc', t.origin), env, cat);
    this.st(id, 'TravelEvent', 'destination', this.id('plc', t.destination), env, cat);
    this.st(id, 'TravelEvent', 'departure', isoTime(t.departure), env, cat);
    if (t.mode !== 'border') this.st(id, 'TravelEvent', 'arrival', isoTime(t.arrival), env, cat);
    this.st(id, 'TravelEvent', 'carrier', t.carrier, env, cat);
    this.st(id, 'TravelEvent', 'serviceNumber', t.service, env, cat);
    this.st(id, 'TravelEvent', 'bookingRef', t.bookingRef, env, cat);
    if (t.seat) this.st(id, 'TravelEvent', 'seat', t.seat, env, cat);
    if (t.vehicle) this.st(id, 'TravelEvent', 'vehicle', this.vehicle(t.vehicle, env, cat), env, cat);
    if (pv && hashFloat(w.seed, a.id, 'trv', t.id) < 0.4) this.st(id, 'TravelEvent', 'traveller', this.id('per', p.id), env, cat, { nature: 'inferred' });
    // A border check on a subject of this agency's own active alert is recorded as an encounter.
    if (t.mode === 'border' && pv) {
      const alert = w.watch.find((x) => x.agency === a.id && x.person === p.id && x.status === 'active' && x.issued <= t.departure);
      if (alert) {
        const enc = keyedEntityId(a.id, `enc-${digest(w.seed, a.id, t.id).slice(0, 16)}`);
        this.st(enc, 'Encounter', 'subject', this.id('per', p.id), env, cat);
        this.st(enc, 'Encounter', 'place', this.id('plc', t.origin), env, cat);
        this.st(enc, 'Encounter', 'date', isoTime(t.departure), env, cat);
        this.st(enc, 'Encounter', 'checkedBy', `${a.country} border police`, env, cat);
        this.st(enc, 'Encounter', 'outcome', alert.action === 'arrest' ? 'subject detained' : 'checked and released; report sent to the issuing unit', env, cat);
        this.st(enc, 'Encounter', 'alertRef', alert.alertId, env, cat);
      }
    }
  }

  /** Communication statements of one intercepted call. */
  call(c: TrueCall, month: number): void {
    const a = this.agency;
    const id = keyedEntityId(a.id, `cdr-${pad(month, 2)}-${c.seq}`);
    const callerOwner = this.world.phoneById.get(c.caller)!.owner;
    const pv = this.view.persons.get(callerOwner) ?? this.view.persons.get(this.world.phoneById.get(c.callee)!.owner);
    const caseId = pv?.caseId ?? this.intakeCase();
    const env = this.env('CDR', isoDate(c.time).slice(0, 7), Date.UTC(2023, month + 1, 3), [caseId], 1);
    const cat: SubjectCategory = pv?.category ?? 'contact';
    this.st(id, 'Communication', 'caller', this.id('tel', c.caller), env, cat);
    this.st(id, 'Communication', 'callee', this.id('tel', c.callee), env, cat);
    this.st(id, 'Communication', 'date', isoTime(c.time), env, cat);
    if (c.channel === 'voice') this.st(id, 'Communication', 'duration', String(c.duration), env, cat);
    this.st(id, 'Communication', 'channel', c.channel, env, cat);
    this.st(id, 'Communication', 'cellId', c.cellId, env, cat);
    if (this.knownHandsets.has(c.caller)) this.st(id, 'Communication', 'handset', this.id('imei', c.handset), env, cat);
  }

  /** Report entity statements (the mention spans are ground truth, not statements). */
  report(r: ReportStatementsSource): void {
    this.truth.entity(r.entityId, `report:${r.reference}`);
    const env = this.env('REP', r.reference, Date.parse(`${r.date}T17:00:00Z`), [r.caseId], 1);
    this.st(r.entityId, 'Report', 'title', r.title, env, r.subjectCategory);
    this.st(r.entityId, 'Report', 'reference', r.reference, env, r.subjectCategory);
    this.st(r.entityId, 'Report', 'date', r.date, env, r.subjectCategory);
    this.st(r.entityId, 'Report', 'author', r.author, env, r.subjectCategory);
    this.st(r.entityId, 'Report', 'language', 'en', env, r.subjectCategory);
    this.st(r.entityId, 'Report', 'bodyText', r.text, env, r.subjectCategory, { classification: r.classification });
  }

  takeBatch(): StatementInput[] {
    const b = this.batch;
    this.batch = [];
    return b;
  }

  pending(): number {
    return this.batch.length;
  }
}

/**
 * The name a booking or crossing was recorded under. The booking is one record shared by the carriers'
 * feeds, so it is spelt once per trip, not per agency. Returns the stream for the trip's later draws.
 */
export function bookingName(world: World, t: TrueTrip): { name: { value: string; original: string }; rng: Rng } {
  const rng = new Rng(world.seed).fork(`trip:${t.id}`);
  const booked = renderName(rng, t.bookedAs, { house: rng.int(0, 5), nativeScript: 0, typo: 0.05, surnameFirst: 0 });
  const gender = world.personById.get(t.person)!.gender;
  return { name: t.mode === 'border' ? { value: normaliseName(booked.full), original: booked.full } : pnrName(booked, gender), rng };
}

/** A deterministic float in [0, 1) from a few labels (for per-object yes/no decisions). */
export function hashFloat(...parts: readonly (string | number)[]): number {
  return Number.parseInt(digest(...parts).slice(0, 8), 16) / 0x1_0000_0000;
}

/** A call event as one agency's CDR feed holds it (for the raw CSV files). */
export interface CallRow {
  readonly agency: string;
  readonly call: TrueCall;
}

/**
 * Streams every agency's statements: first the static part (persons, phones, travel…), then calls month
 * by month. `onCalls` sees each month's calls (used to write the raw CDR files in the same pass).
 */
export function* emitAll(
  world: World,
  truth: TruthCollector,
  opts: { batchSize: number; reports: readonly ReportStatementsSource[]; calls?: boolean; onCalls?: (month: number, calls: readonly TrueCall[]) => void },
): Generator<StatementInput[]> {
  const emitters = new Map(world.agencies.map((a) => [a.id, new AgencyEmitter(world, a, truth, opts.batchSize)]));
  for (const e of emitters.values()) yield* e.emitStatic();
  for (const r of opts.reports) {
    const e = emitters.get(r.agency)!;
    e.report(r);
    yield* e.flush();
  }
  for (const e of emitters.values()) yield* e.flush(true);
  if (opts.calls === false) return;
  for (let m = 0; m < MONTHS; m++) {
    const calls = callsOfMonth(world, m);
    opts.onCalls?.(m, calls);
    for (const c of calls) {
      for (const agency of c.recorders) {
        const e = emitters.get(agency)!;
        e.call(c, m);
        if (e.pending() >= opts.batchSize) yield e.takeBatch();
      }
    }
  }
  for (const e of emitters.values()) yield* e.flush(true);
}

/** What the emitter needs to know of a report. */
export interface ReportStatementsSource {
  readonly agency: string;
  readonly entityId: string;
  readonly reference: string;
  readonly title: string;
  readonly date: string;
  readonly author: string;
  readonly text: string;
  readonly caseId: string;
  readonly classification: string;
  readonly subjectCategory: SubjectCategory;
}

