import { AGENCY_PROFILES, AIRPORTS, AIR_CARRIERS, BALKAN_CITIES, CROSSINGS, MEETING_SITES, RAIL_CARRIERS, STATIONS, type AgencyProfile, type City, type PlaceDef } from './geo.js';
import { bookingRef, cellId, emailAddress, firearm, iban, idCardNumber, imei, mobileNumber, passportNumber, plate, seat } from './identifiers.js';
import { canonicalName, drawAlias, drawName, type Origin, type TrueName } from './names.js';
import { Rng } from './rng.js';

/**
 * The true world behind the scenario: persons, cells, phones, trips, meetings, weapons. Agencies see
 * only parts of it (see `views`), under their own spellings and ids; the truth is what evaluation
 * compares against. Everything here is decided up front except individual calls, which are drawn
 * month by month from the call channels so that large scenarios stream.
 */

export const DAY = 86_400_000;
/** The scenario covers 1 January 2023 up to the reference time, 1 July 2025 00:00 UTC. */
export const SCENARIO_START = Date.UTC(2023, 0, 1);
export const SCENARIO_END = Date.UTC(2025, 6, 1);
export const MONTHS = 30;

export type ScenarioSize = 'tiny' | 'demo' | 'large';
export const SCENARIO_SIZES: readonly ScenarioSize[] = ['tiny', 'demo', 'large'];

export interface SizeParams {
  readonly background: number;
  readonly cells: number;
  readonly cellSize: readonly [number, number];
  /** Share of the background whose lines some agency intercepts (other investigations: call noise). */
  readonly monitoredShare: number;
  readonly travelShare: number;
  readonly reports: number;
  readonly delisted: number;
  readonly frauds: number;
  /** Scale of call rates (keeps tiny fast and demo loadable in seconds). */
  readonly callScale: number;
}

export const SIZE_PARAMS: Readonly<Record<ScenarioSize, SizeParams>> = {
  tiny: { background: 150, cells: 3, cellSize: [4, 6], monitoredShare: 0.06, travelShare: 0.35, reports: 18, delisted: 1, frauds: 1, callScale: 0.25 },
  demo: { background: 5000, cells: 8, cellSize: [5, 9], monitoredShare: 0.04, travelShare: 0.3, reports: 240, delisted: 3, frauds: 2, callScale: 0.5 },
  large: { background: 12_000, cells: 24, cellSize: [5, 10], monitoredShare: 0.05, travelShare: 0.3, reports: 800, delisted: 6, frauds: 5, callScale: 0.8 },
};

export type Role = 'leader' | 'member' | 'trafficker' | 'relative' | 'background';

export interface TrueDocument {
  readonly number: string;
  readonly type: 'passport' | 'idcard';
  readonly country: string;
  readonly issueDate: string;
  readonly expiryDate: string;
  readonly reportedLost: boolean;
}

export interface TruePerson {
  readonly id: string;
  readonly name: TrueName;
  readonly gender: 'male' | 'female';
  readonly birthDate: string;
  readonly birthPlace: string;
  readonly city: City;
  readonly country: string;
  readonly nationality: string;
  readonly religion?: string;
  /** Home address (shared by a household, and by members who share a flat). */
  address: string;
  readonly role: Role;
  readonly cell?: string;
  readonly alias?: string;
  readonly passport: TrueDocument;
  readonly idCard?: TrueDocument;
  readonly email?: string;
  readonly iban?: string;
  readonly homeCells: readonly string[];
  /** Index of the background social circle, or -1. */
  readonly circle: number;
  operational: boolean;
  quiet: boolean;
  /** Background person whose lines are intercepted in another investigation (call noise). */
  monitored: boolean;
  readonly phones: string[];
  readonly burners: string[];
  vehicle?: string;
}

export interface TruePhone {
  readonly id: string;
  readonly number: string;
  readonly country: string;
  readonly owner: string;
  readonly start: number;
  readonly end: number;
  handset: string;
  readonly kind: 'personal' | 'burner';
  readonly prepaid: boolean;
}

export interface TrueHandset {
  readonly id: string;
  readonly imei: string;
  readonly brand: string;
  readonly model: string;
}

export interface TrueCell {
  readonly id: string;
  readonly codename: string;
  readonly country: string;
  readonly countries: readonly string[];
  readonly members: readonly string[];
  readonly leader: string;
  readonly start: number;
  readonly traffickers: string[];
  readonly firearms: string[];
}

export interface Succession {
  readonly person: string;
  readonly oldPhone: string;
  readonly newPhone: string;
  readonly at: number;
  readonly sameHandset: boolean;
  readonly burner: boolean;
}

export interface ProxyUse {
  readonly phone: string;
  readonly owner: string;
  readonly user: string;
  readonly start: number;
  readonly end: number;
}

export interface SharedHandset {
  readonly handset: string;
  readonly phones: readonly string[];
  readonly persons: readonly string[];
}

export type PhoneKind = 'personal' | 'burner';

/** A relation along which calls happen at a rate (calls per month). */
export interface Channel {
  readonly a: string;
  readonly b: string;
  readonly kindA: PhoneKind;
  readonly kindB: PhoneKind;
  readonly rate: number;
  readonly start: number;
  readonly end: number;
  /** Proxy: a's side of the call goes through this phone (a relative's). */
  readonly via?: string;
  readonly label: 'cell' | 'family' | 'associate' | 'circle' | 'supply' | 'liaison' | 'new-contact' | 'proxy';
  recorders: string[];
}

export interface TrueCall {
  readonly caller: string;
  readonly callee: string;
  readonly callerNumber: string;
  readonly calleeNumber: string;
  readonly imei: string;
  readonly callerPerson: string;
  readonly calleePerson: string;
  readonly time: number;
  readonly duration: number;
  readonly channel: 'voice' | 'sms' | 'messaging';
  readonly cellId: string;
  readonly handset: string;
  readonly recorders: readonly string[];
  readonly seq: number;
}

export interface TrueTrip {
  readonly id: string;
  readonly person: string;
  readonly mode: 'air' | 'rail' | 'border';
  readonly origin: string;
  readonly destination: string;
  readonly departure: number;
  readonly arrival: number;
  readonly carrier: string;
  readonly service: string;
  readonly bookingRef: string;
  readonly seat?: string;
  readonly documentNumber: string;
  /** The name the booking was made under (a variant, or a stolen identity's). */
  readonly bookedAs: TrueName;
  readonly bookedBirthDate: string;
  readonly vehicle?: string;
  readonly group?: string;
  readonly recorders: readonly string[];
}

export interface TrueMeeting {
  readonly id: string;
  readonly cell: string;
  readonly participants: readonly string[];
  readonly place: string;
  readonly time: number;
  readonly recorder?: string;
}

export interface TrueFirearm {
  readonly id: string;
  readonly serial: string;
  readonly make: string;
  readonly model: string;
  readonly calibre: string;
  readonly type: 'rifle' | 'pistol' | 'submachine-gun';
  readonly origin: string;
  readonly trafficker: string;
  readonly holder: string;
  readonly acquired: number;
}

export interface TrueVehicle {
  readonly id: string;
  readonly plate: string;
  readonly country: string;
  readonly model: string;
  readonly owner: string;
}

export interface IdentityFraud {
  readonly document: string;
  readonly rightfulHolder: string;
  readonly user: string;
}

export interface AgencyView {
  /** Person id → how this agency knows them. */
  readonly persons: Map<string, PersonView>;
  /** Phones this agency has a Phone entity for. */
  readonly phones: Set<string>;
}

export interface PersonView {
  readonly records: number;
  readonly category: 'suspect' | 'convicted' | 'contact' | 'witness' | 'victim' | 'informant' | 'other';
  readonly caseId: string;
}

export interface WatchPlan {
  readonly alertId: string;
  readonly agency: string;
  readonly person: string;
  readonly threatLevel: number;
  readonly action: 'discreet-check' | 'inquiry-check' | 'specific-check' | 'arrest';
  readonly reasons: readonly string[];
  readonly issued: number;
  readonly status: 'active' | 'delisted';
  readonly delisted?: number;
  readonly caseId: string;
}

export interface CaseDef {
  readonly id: string;
  readonly agency: string;
  readonly name: string;
  readonly description: string;
  readonly opened: string;
  readonly cells: readonly string[];
}

export interface World {
  readonly seed: number;
  readonly size: ScenarioSize;
  readonly params: SizeParams;
  readonly agencies: readonly AgencyProfile[];
  readonly persons: readonly TruePerson[];
  readonly personById: ReadonlyMap<string, TruePerson>;
  readonly phones: readonly TruePhone[];
  readonly phoneById: ReadonlyMap<string, TruePhone>;
  readonly handsets: readonly TrueHandset[];
  readonly handsetById: ReadonlyMap<string, TrueHandset>;
  readonly cells: readonly TrueCell[];
  readonly channels: readonly Channel[];
  readonly successions: readonly Succession[];
  readonly proxies: readonly ProxyUse[];
  readonly sharedHandsets: readonly SharedHandset[];
  readonly trips: readonly TrueTrip[];
  readonly meetings: readonly TrueMeeting[];
  readonly firearms: readonly TrueFirearm[];
  readonly vehicles: readonly TrueVehicle[];
  readonly vehicleById: ReadonlyMap<string, TrueVehicle>;
  readonly frauds: readonly IdentityFraud[];
  readonly family: readonly (readonly [string, string, string])[];
  readonly associates: readonly (readonly [string, string])[];
  readonly views: ReadonlyMap<string, AgencyView>;
  readonly watch: readonly WatchPlan[];
  readonly cases: readonly CaseDef[];
  readonly places: readonly PlaceDef[];
  readonly placeByCode: ReadonlyMap<string, PlaceDef>;
  readonly sites: readonly PlaceDef[];
  readonly rng: Rng;
}

/** ISO date-time without milliseconds (the model's canonical datetime). */
export function isoTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** ISO calendar date. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function birthDate(rng: Rng, fromYear: number, toYear: number): string {
  const y = rng.int(fromYear, toYear);
  const m = rng.int(1, 12);
  const d = rng.int(1, new Date(Date.UTC(y, m, 0)).getUTCDate());
  return `${y}-${pad(m, 2)}-${pad(d, 2)}`;
}

const NATIONALITY_OF_ORIGIN: Readonly<Record<Origin, readonly string[]>> = {
  arabic: ['MA', 'DZ', 'TN', 'MA', 'SY', 'IQ'],
  turkish: ['TR'],
  bosniak: ['BA'],
  albanian: ['XK', 'AL', 'MK'],
  serbian: ['RS'],
  caucasus: ['RU'],
  french: ['FR'],
  flemish: ['BE'],
  spanish: ['ES'],
  german: ['DE', 'AT'],
  dutch: ['NL'],
};
const STREETS: Readonly<Record<string, readonly string[]>> = {
  FR: ['rue des Lilas', 'avenue Jean-Jaurès', 'rue de la République', 'boulevard Voltaire', 'rue du Moulin'],
  BE: ['Rue de la Station', 'Kerkstraat', 'Chaussée de Gand', 'Stationsstraat', 'Rue Haute'],
  ES: ['Calle Mayor', 'Calle del Sol', 'Avenida de la Constitución', 'Calle Real'],
  DE: ['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Schillerstraße', 'Lindenallee'],
  NL: ['Dorpsstraat', 'Kerkstraat', 'Stationsweg', 'Molenweg'],
  AT: ['Hauptplatz', 'Bahnhofstraße', 'Kirchengasse', 'Wiener Straße'],
};

/** A street address in the city's national style. */
function streetAddress(rng: Rng, city: City): string {
  const street = rng.pick(STREETS[city.country] ?? ['Main Street']);
  const digits = ['FR', 'ES', 'DE'].includes(city.country) ? 5 : 4;
  const postcode = `${rng.int(10 ** (digits - 1), 10 ** digits - 1)}${city.country === 'NL' ? ` ${rng.chars('ABCDEFGHJKLMNPRSTVWXZ', 2)}` : ''}`;
  return city.country === 'FR' || city.country === 'BE' ? `${rng.int(1, 180)} ${street}, ${postcode} ${city.name}` : `${street} ${rng.int(1, 180)}, ${postcode} ${city.name}`;
}

const RELIGIONS = ['Muslim', 'Christian', 'None stated', 'Catholic', 'Orthodox', 'Protestant'];
const CODENAMES = ['KESTREL', 'HARRIER', 'MERLIN', 'OSPREY', 'SHRIKE', 'BITTERN', 'CORMORANT', 'LAPWING', 'PLOVER', 'CURLEW', 'GANNET', 'PETREL', 'SISKIN', 'LINNET', 'DUNLIN', 'AVOCET', 'EGRET', 'HOOPOE', 'WRYNECK', 'TWITE'];

interface Ctx {
  readonly persons: TruePerson[];
  readonly phones: TruePhone[];
  readonly handsets: TrueHandset[];
  readonly cellSites: Map<string, string[]>;
}

function agencyOf(country: string): AgencyProfile | undefined {
  return AGENCY_PROFILES.find((a) => a.country === country);
}

function citySites(ctx: Ctx, city: City): string[] {
  const key = `${city.country}/${city.name}`;
  let sites = ctx.cellSites.get(key);
  if (!sites) {
    const agency = agencyOf(city.country);
    const idx = agency ? agency.cities.indexOf(city) : BALKAN_CITIES.indexOf(city) + 20;
    sites = Array.from({ length: 40 }, (_, i) => cellId(agency?.mcc ?? '218', idx, i * 97 + 11));
    ctx.cellSites.set(key, sites);
  }
  return sites;
}

function newHandset(ctx: Ctx, rng: Rng, cheap: boolean): TrueHandset {
  const h = imei(rng, cheap);
  const handset: TrueHandset = { id: `H${pad(ctx.handsets.length + 1, 6)}`, imei: h.imei, brand: h.brand, model: h.model };
  ctx.handsets.push(handset);
  return handset;
}

function newPhone(ctx: Ctx, rng: Rng, owner: TruePerson, start: number, end: number, kind: PhoneKind, handset: TrueHandset): TruePhone {
  // Some burners are foreign prepaid SIMs bought across the border.
  const country = kind === 'burner' && rng.chance(0.15) ? rng.pick(['FR', 'BE', 'NL', 'DE']) : owner.country;
  const phone: TruePhone = {
    id: `T${pad(ctx.phones.length + 1, 6)}`,
    number: mobileNumber(rng, country),
    country,
    owner: owner.id,
    start,
    end,
    handset: handset.id,
    kind,
    prepaid: kind === 'burner' || rng.chance(0.25),
  };
  ctx.phones.push(phone);
  (kind === 'burner' ? owner.burners : owner.phones).push(phone.id);
  return phone;
}

function makePerson(ctx: Ctx, rng: Rng, opts: { role: Role; origin: Origin; gender: 'male' | 'female'; city: City; years: readonly [number, number]; cell?: string; surname?: number }): TruePerson {
  const name0 = drawName(rng, opts.origin, opts.gender);
  const name: TrueName = opts.surname === undefined ? name0 : { ...name0, surname: opts.surname };
  const dob = birthDate(rng, opts.years[0], opts.years[1]);
  const country = opts.city.country;
  const natList = NATIONALITY_OF_ORIGIN[opts.origin];
  const nationality = agencyOf(country) && (rng.chance(0.6) || natList.includes(country)) ? country : rng.pick(natList);
  const passCountry = agencyOf(nationality) || ['TR', 'MA', 'BA', 'RS', 'XK', 'AL'].includes(nationality) ? nationality : country;
  const issue = SCENARIO_START - rng.int(0, 9 * 365) * DAY;
  const passport: TrueDocument = { number: passportNumber(rng, passCountry), type: 'passport', country: passCountry, issueDate: isoDate(issue), expiryDate: isoDate(issue + 10 * 365 * DAY), reportedLost: false };
  const idCard: TrueDocument | undefined = agencyOf(country) && rng.chance(0.6) ? { number: idCardNumber(rng, country), type: 'idcard', country, issueDate: isoDate(issue + 30 * DAY), expiryDate: isoDate(issue + 3680 * DAY), reportedLost: false } : undefined;
  const canon = canonicalName(name);
  const isCell = opts.role === 'leader' || opts.role === 'member';
  const person: TruePerson = {
    id: `P${pad(ctx.persons.length + 1, 6)}`,
    name,
    gender: opts.gender,
    birthDate: dob,
    birthPlace: rng.chance(0.7) ? opts.city.name : rng.pick([...BALKAN_CITIES.map((c) => c.name), 'Casablanca', 'Oran', 'Tunis', 'Istanbul', 'Grozny', opts.city.name]),
    city: opts.city,
    country,
    nationality,
    ...(rng.chance(0.12) ? { religion: rng.pick(RELIGIONS) } : {}),
    address: streetAddress(rng, opts.city),
    role: opts.role,
    ...(opts.cell ? { cell: opts.cell } : {}),
    ...(isCell && rng.chance(0.4) ? { alias: drawAlias(rng) } : {}),
    passport,
    ...(idCard ? { idCard } : {}),
    ...(rng.chance(isCell ? 0.8 : 0.45) ? { email: emailAddress(rng, canon.first.split(' ')[0]!, canon.last, Number(dob.slice(0, 4))) } : {}),
    ...(rng.chance(isCell ? 0.8 : 0.3) ? { iban: iban(rng, agencyOf(country) ? country : 'DE') } : {}),
    homeCells: [],
    circle: -1,
    operational: false,
    quiet: false,
    monitored: false,
    phones: [],
    burners: [],
  };
  const sites = citySites(ctx, opts.city);
  (person.homeCells as string[]).push(...rng.sample(sites, rng.int(2, 3)));
  ctx.persons.push(person);
  return person;
}

function personalPhones(ctx: Ctx, rng: Rng, p: TruePerson, allowChange: boolean): Succession | undefined {
  const h = newHandset(ctx, rng, false);
  const start = SCENARIO_START - rng.int(30, 1500) * DAY;
  if (allowChange && rng.chance(0.08)) {
    const switchAt = SCENARIO_START + rng.int(60, MONTHS * 30 - 60) * DAY;
    const first = newPhone(ctx, rng, p, start, switchAt, 'personal', h);
    const same = rng.chance(0.5);
    const second = newPhone(ctx, rng, p, switchAt + rng.int(0, 3) * DAY, SCENARIO_END, 'personal', same ? h : newHandset(ctx, rng, false));
    return { person: p.id, oldPhone: first.id, newPhone: second.id, at: second.start, sameHandset: same, burner: false };
  }
  newPhone(ctx, rng, p, start, SCENARIO_END, 'personal', h);
  return undefined;
}

function burnerChain(ctx: Ctx, rng: Rng, p: TruePerson, from: number, out: Succession[]): void {
  let t = from;
  let handset = newHandset(ctx, rng, true);
  let prev: TruePhone | undefined;
  while (t < SCENARIO_END) {
    let len = rng.int(60, 150) * DAY;
    // Operational subjects switch to a fresh line shortly before acting.
    if (p.operational && t + len > SCENARIO_END - 45 * DAY && t < SCENARIO_END - 75 * DAY) len = SCENARIO_END - 45 * DAY - t;
    const end = Math.min(SCENARIO_END, t + len);
    const phone = newPhone(ctx, rng, p, t, end, 'burner', handset);
    if (prev) out.push({ person: p.id, oldPhone: prev.id, newPhone: phone.id, at: phone.start, sameHandset: prev.handset === phone.handset, burner: true });
    prev = phone;
    t = end + rng.int(0, 4) * DAY;
    if (!rng.chance(0.45)) handset = newHandset(ctx, rng, true);
  }
}

/** Phone of a person of a kind active at time t (burners fall back to the personal line). */
export function phoneAt(world: Pick<World, 'phoneById'>, p: TruePerson, kind: PhoneKind, t: number): TruePhone | undefined {
  const lists = kind === 'burner' && p.burners.length > 0 ? [p.burners, p.phones] : [p.phones];
  for (const list of lists) {
    for (const id of list) {
      const ph = world.phoneById.get(id)!;
      if (ph.start <= t && t < ph.end) return ph;
    }
  }
  return undefined;
}

function travelMinutes(a: PlaceDef, b: PlaceDef, mode: 'air' | 'rail' | 'border'): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  const km = 2 * 6371 * Math.asin(Math.sqrt(h));
  if (mode === 'air') return Math.round(45 + (km / 780) * 60);
  if (mode === 'rail') return Math.round(20 + (km / 190) * 60);
  return Math.round(10 + (km / 90) * 60);
}

function recordersOfTrip(origin: PlaceDef, destination: PlaceDef, mode: 'air' | 'rail' | 'border'): string[] {
  if (mode === 'border') {
    const a = agencyOf(origin.country);
    return a ? [a.id] : [];
  }
  const out: string[] = [];
  for (const c of [origin.country, destination.country]) {
    const a = agencyOf(c);
    if (a && !out.includes(a.id)) out.push(a.id);
  }
  return out;
}

/** Builds the whole true world for a seed and size. */
export function buildWorld(seed: number, size: ScenarioSize): World {
  const params = SIZE_PARAMS[size];
  const root = new Rng(seed);
  const ctx: Ctx = { persons: [], phones: [], handsets: [], cellSites: new Map() };
  const successions: Succession[] = [];
  const proxies: ProxyUse[] = [];
  const sharedHandsets: SharedHandset[] = [];
  const channels: Channel[] = [];
  const family: [string, string, string][] = [];
  const associates: [string, string][] = [];

  // 1. Background population, grouped into social circles by city.
  const rb = root.fork('background');
  const popWeights = AGENCY_PROFILES.map((a) => [a, { FR: 25, DE: 25, ES: 15, NL: 12, BE: 12, AT: 11 }[a.country] ?? 10] as const);
  const background: TruePerson[] = [];
  for (let i = 0; i < params.background; i++) {
    const agency = rb.weighted(popWeights);
    const origin = rb.weighted(agency.origins);
    const p = makePerson(ctx, rb, { role: 'background', origin, gender: rb.chance(0.5) ? 'male' : 'female', city: rb.pick(agency.cities), years: [1950, 2005] });
    background.push(p);
  }
  const byCity = new Map<string, TruePerson[]>();
  for (const p of background) {
    const k = `${p.country}/${p.city.name}`;
    const list = byCity.get(k) ?? [];
    list.push(p);
    byCity.set(k, list);
  }
  const circles: TruePerson[][] = [];
  for (const list of byCity.values()) {
    for (let i = 0; i < list.length; ) {
      const n = rb.int(4, 12);
      const circle = list.slice(i, i + n);
      for (const p of circle) (p as { circle: number }).circle = circles.length;
      // Some circles contain a household: two persons at one address (innocent shared addresses).
      if (circle.length >= 2 && rb.chance(0.3)) circle[1]!.address = circle[0]!.address;
      circles.push(circle);
      i += n;
    }
  }
  for (const p of background) {
    const s = personalPhones(ctx, rb, p, true);
    if (s) successions.push(s);
  }
  // Background targets of other investigations: their circles' calls are the noise in the CDRs.
  for (const circle of circles) {
    if (!rb.chance(params.monitoredShare * 2)) continue;
    const target = rb.pick(circle);
    target.monitored = true;
    for (const q of circle) {
      if (q === target) continue;
      channels.push({ a: target.id, b: q.id, kindA: 'personal', kindB: 'personal', rate: rb.float() * 0.9 + 0.2, start: SCENARIO_START, end: SCENARIO_END, label: 'circle', recorders: [] });
    }
    for (const q of circle) {
      if (q === target || !rb.chance(0.3)) continue;
      const r = rb.pick(circle);
      if (r !== q) channels.push({ a: q.id, b: r.id, kindA: 'personal', kindB: 'personal', rate: 0.3, start: SCENARIO_START, end: SCENARIO_END, label: 'circle', recorders: [] });
    }
  }

  // 2. Cells: members in two or three countries, relatives, associates, Balkan traffickers.
  const rc = root.fork('cells');
  const cells: TrueCell[] = [];
  const traffickers: TruePerson[] = [];
  for (let t = 0; t < Math.max(1, Math.ceil(params.cells / 2)); t++) {
    const city = rc.pick(BALKAN_CITIES);
    const origin: Origin = city.country === 'RS' ? rc.pick(['serbian', 'bosniak'] as const) : city.country === 'BA' ? 'bosniak' : 'albanian';
    const p = makePerson(ctx, rc, { role: 'trafficker', origin, gender: 'male', city, years: [1965, 1990] });
    personalPhones(ctx, rc, p, false);
    burnerChain(ctx, rc, p, SCENARIO_START + rc.int(0, 120) * DAY, successions);
    traffickers.push(p);
  }
  // Home countries rotate so that even a tiny scenario gives most agencies a cell of their own.
  const homeOffset = rc.int(0, AGENCY_PROFILES.length - 1);
  for (let c = 0; c < params.cells; c++) {
    const home = AGENCY_PROFILES[(homeOffset + c) % AGENCY_PROFILES.length]!;
    const others = rc.sample(AGENCY_PROFILES.filter((a) => a !== home), rc.int(1, 2));
    const countries = [home.country, ...others.map((a) => a.country)];
    const n = rc.int(params.cellSize[0], params.cellSize[1]);
    const id = `C${pad(c + 1, 2)}`;
    const start = SCENARIO_START + rc.int(0, 200) * DAY;
    const members: TruePerson[] = [];
    for (let i = 0; i < n; i++) {
      const agency = i === 0 || rc.chance(0.6) ? home : rc.pick(others);
      const origin = rc.weighted<Origin>([['arabic', 55], ['turkish', 10], ['bosniak', 8], ['caucasus', 10], ['albanian', 5], [agency.origins[0]![0], 12]]);
      const gender = rc.chance(0.9) ? 'male' : 'female';
      members.push(makePerson(ctx, rc, { role: i === 0 ? 'leader' : 'member', origin, gender, city: i === 0 || rc.chance(0.5) ? agency.cities[0]! : rc.pick(agency.cities), years: [1984, 2004], cell: id }));
    }
    // Operational subjects: one or two per cell; one dormant ("quiet") member per cell.
    const ops = rc.sample(members, rc.int(1, 2));
    for (const m of ops) m.operational = true;
    const quiet = rc.pick(members);
    quiet.quiet = true;
    const cell: TrueCell = { id, codename: CODENAMES[c % CODENAMES.length]! + (c >= CODENAMES.length ? `-${Math.floor(c / CODENAMES.length) + 1}` : ''), country: home.country, countries, members: members.map((m) => m.id), leader: members[0]!.id, start, traffickers: [], firearms: [] };
    cells.push(cell);
    for (const m of members) {
      personalPhones(ctx, rc, m, false);
      burnerChain(ctx, rc, m, start + rc.int(0, 30) * DAY, successions);
    }
    // A shared flat: two members of the same city live at one address.
    const flatmates = members.filter((m) => m.city === members[0]!.city);
    if (flatmates.length >= 2 && rc.chance(0.5)) flatmates[1]!.address = flatmates[0]!.address;
    // Calls within the cell, on burners.
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        if (i === 0 || rc.chance(0.6)) {
          channels.push({ a: members[i]!.id, b: members[j]!.id, kindA: 'burner', kindB: 'burner', rate: 1.5 + rc.float() * 3, start, end: SCENARIO_END, label: 'cell', recorders: [] });
        }
      }
    }
    // Relatives (same surname for blood relatives) and associates from the background.
    for (const m of members) {
      const nRel = rc.int(1, 3);
      for (let k = 0; k < nRel; k++) {
        const rel = rc.pick(['brother', 'sister', 'mother', 'father', 'spouse', 'cousin'] as const);
        const gender = ['sister', 'mother', 'spouse'].includes(rel) ? (m.gender === 'female' && rel === 'spouse' ? 'male' : 'female') : 'male';
        const years: [number, number] = rel === 'mother' || rel === 'father' ? [1950, 1970] : [1980, 2005];
        const r = makePerson(ctx, rc, { role: 'relative', origin: m.name.origin, gender, city: m.city, years, ...(rel === 'spouse' || rel === 'cousin' ? {} : { surname: m.name.surname }) });
        personalPhones(ctx, rc, r, false);
        if (rel === 'spouse' || ((rel === 'mother' || rel === 'father' || rel === 'brother' || rel === 'sister') && rc.chance(0.5))) r.address = m.address;
        family.push([m.id, r.id, rel]);
        channels.push({ a: m.id, b: r.id, kindA: 'personal', kindB: 'personal', rate: 1 + rc.float() * 2, start: SCENARIO_START, end: SCENARIO_END, label: 'family', recorders: [] });
      }
      const local = byCity.get(`${m.country}/${m.city.name}`) ?? background;
      for (const a of rc.sample(local, rc.int(1, 2))) {
        associates.push([m.id, a.id]);
        channels.push({ a: m.id, b: a.id, kindA: 'personal', kindB: 'personal', rate: 0.4 + rc.float(), start: SCENARIO_START, end: SCENARIO_END, label: 'associate', recorders: [] });
      }
    }
    // Shared handset: a later burner of one member sits in a handset another member used before.
    if (members.length >= 2 && rc.chance(0.7)) {
      const [a, b] = rc.sample(members, 2) as [TruePerson, TruePerson];
      const aPhone = ctx.phones.find((ph) => ph.id === a.burners[0]);
      const bLater = b.burners.map((id) => ctx.phones.find((ph) => ph.id === id)!).find((ph) => aPhone && ph.start > aPhone.end + 3 * DAY && ph.handset !== aPhone.handset);
      if (aPhone && bLater) {
        bLater.handset = aPhone.handset;
        sharedHandsets.push({ handset: aPhone.handset, phones: [aPhone.id, bLater.id], persons: [a.id, b.id] });
        // The successor of bLater's predecessor no longer shares its handset.
        const idx = successions.findIndex((s) => s.newPhone === bLater.id);
        if (idx >= 0) successions[idx] = { ...successions[idx]!, sameHandset: false };
        const nextIdx = successions.findIndex((s) => s.oldPhone === bLater.id);
        if (nextIdx >= 0) {
          const next = ctx.phones.find((ph) => ph.id === successions[nextIdx]!.newPhone)!;
          successions[nextIdx] = { ...successions[nextIdx]!, sameHandset: next.handset === bLater.handset };
        }
      }
    }
    // Proxy phone: a member calls the cell through a relative's line for a few weeks.
    if (rc.chance(0.6)) {
      const m = rc.pick(members);
      const relLink = family.find(([p]) => p === m.id);
      if (relLink) {
        const rel = ctx.persons.find((p) => p.id === relLink[1])!;
        const relPhone = ctx.phones.find((ph) => ph.id === rel.phones[0])!;
        const pStart = SCENARIO_END - rc.int(60, 240) * DAY;
        const pEnd = pStart + rc.int(25, 60) * DAY;
        proxies.push({ phone: relPhone.id, owner: rel.id, user: m.id, start: pStart, end: pEnd });
        for (const o of members) {
          if (o !== m && rc.chance(0.8)) channels.push({ a: m.id, b: o.id, kindA: 'personal', kindB: 'burner', rate: 4, start: pStart, end: pEnd, via: relPhone.id, label: 'proxy', recorders: [] });
        }
      }
    }
    // Liaison with the previous cell.
    if (c > 0 && rc.chance(0.5)) {
      const prev = cells[c - 1]!;
      channels.push({ a: rc.pick(members).id, b: rc.pick(prev.members), kindA: 'burner', kindB: 'burner', rate: 0.8, start: Math.max(start, prev.start), end: SCENARIO_END, label: 'liaison', recorders: [] });
    }
  }
  // New contacts with watched subjects of another cell shortly before acting (a triage signal).
  for (const cell of cells) {
    const other = cells.find((c) => c !== cell && c.countries.some((k) => cell.countries.includes(k))) ?? cells.find((c) => c !== cell);
    if (!other) continue;
    for (const m of cell.members.map((id) => ctx.persons.find((p) => p.id === id)!).filter((p) => p.operational)) {
      channels.push({ a: m.id, b: other.leader, kindA: 'burner', kindB: 'burner', rate: 2.5, start: SCENARIO_END - 90 * DAY, end: SCENARIO_END, label: 'new-contact', recorders: [] });
    }
  }

  const personById = new Map(ctx.persons.map((p) => [p.id, p]));
  const phoneById = new Map(ctx.phones.map((p) => [p.id, p]));
  const handsetById = new Map(ctx.handsets.map((h) => [h.id, h]));

  // 3. Firearms from the Balkans: each trafficker supplies two cells; weapons reach members.
  const rf = root.fork('firearms');
  const firearms: TrueFirearm[] = [];
  const vehicles: TrueVehicle[] = [];
  const trips: TrueTrip[] = [];
  const placeByCode = new Map<string, PlaceDef>([...AIRPORTS, ...STATIONS, ...CROSSINGS].map((p) => [p.code, p]));
  const cityPlaces: PlaceDef[] = [];
  for (const a of AGENCY_PROFILES) for (const city of a.cities) cityPlaces.push({ code: `CITY-${a.country}-${city.name.normalize('NFKD').replace(/[^A-Za-z]/g, '').toUpperCase()}`, name: city.name, kind: 'city', country: a.country, lat: city.lat, lon: city.lon, gateway: false });
  for (const p of cityPlaces) placeByCode.set(p.code, p);
  const cityPlace = (city: City) => cityPlaces.find((p) => p.name === city.name && p.country === city.country);
  const addVehicle = (owner: TruePerson, rng: Rng): TrueVehicle => {
    const v: TrueVehicle = { id: `V${pad(vehicles.length + 1, 6)}`, plate: plate(rng, owner.country), country: owner.country, model: rng.pick(['VW Golf', 'Renault Clio', 'Peugeot 308', 'Opel Astra', 'BMW 320d', 'Audi A4', 'Mercedes Sprinter', 'Ford Transit', 'Škoda Octavia', 'Dacia Logan']), owner: owner.id };
    vehicles.push(v);
    owner.vehicle = v.id;
    return v;
  };
  const tripId = () => `J${pad(trips.length + 1, 7)}`;
  const pushTrip = (t: Omit<TrueTrip, 'id' | 'recorders' | 'arrival'> & { arrival?: number }) => {
    const o = placeByCode.get(t.origin)!;
    const d = placeByCode.get(t.destination)!;
    const recorders = recordersOfTrip(o, d, t.mode);
    const trip: TrueTrip = { ...t, id: tripId(), arrival: t.arrival ?? t.departure + travelMinutes(o, d, t.mode) * 60_000, recorders };
    trips.push(trip);
    return trip;
  };
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const trafficker = traffickers[Math.floor(i / 2) % traffickers.length]!;
    cell.traffickers.push(trafficker.id);
    const van = trafficker.vehicle ? vehicles.find((v) => v.id === trafficker.vehicle)! : addVehicle(trafficker, rf);
    const members = cell.members.map((id) => personById.get(id)!);
    const contact = rf.pick(members);
    const supplyStart = Math.max(cell.start, SCENARIO_END - rf.int(120, 400) * DAY);
    channels.push({ a: trafficker.id, b: contact.id, kindA: 'burner', kindB: 'burner', rate: 1.5, start: supplyStart, end: Math.min(SCENARIO_END, supplyStart + 200 * DAY), label: 'supply', recorders: [] });
    const deliveries = rf.int(1, 3);
    for (let k = 0; k < deliveries; k++) {
      const when = supplyStart + rf.int(20, 180) * DAY;
      if (when >= SCENARIO_END - DAY) continue;
      // The Balkan route by road: Bregana into Schengen, Spielfeld into Austria, Kufstein into Germany, Kehl into France.
      const route = ['HR-BREGANA', 'AT-SPIELFELD', ...(contact.country === 'AT' ? [] : ['AT-KUFSTEIN']), ...(['FR', 'BE', 'ES', 'NL'].includes(contact.country) ? ['DE-KEHL'] : [])];
      let t = when;
      const dest = cityPlace(contact.city)!;
      for (const code of route) {
        pushTrip({ person: trafficker.id, mode: 'border', origin: code, destination: dest.code, departure: t, carrier: 'road', service: code, bookingRef: `${code.replace(/-/g, '')}${isoDate(t).replace(/-/g, '')}`, documentNumber: trafficker.passport.number, bookedAs: trafficker.name, bookedBirthDate: trafficker.birthDate, vehicle: van.id });
        t += rf.int(3, 7) * 3_600_000;
      }
      const nArms = rf.int(1, 3);
      for (let a = 0; a < nArms; a++) {
        const f = firearm(rf);
        const holder = rf.chance(0.6) ? contact : rf.pick(members);
        const arm: TrueFirearm = { id: `F${pad(firearms.length + 1, 5)}`, serial: f.serial, make: f.make, model: f.model, calibre: f.calibre, type: f.type, origin: f.origin, trafficker: trafficker.id, holder: holder.id, acquired: t + rf.int(1, 3) * DAY };
        firearms.push(arm);
        cell.firearms.push(arm.id);
      }
    }
  }

  // 4. Travel: background holidays and city trips; cell members' co-travel and gateway trips.
  const rt = root.fork('travel');
  const agencyAirports = AIRPORTS.filter((a) => agencyOf(a.country));
  const holiday = ['AYT', 'ADB', 'TUN', 'RAK', 'CMN', 'IST', 'CAI', 'BCN', 'AGP', 'NCE', 'TIA', 'SJJ', 'BEG', 'PRN', 'ALG'];
  const airTrip = (p: TruePerson, from: string, to: string, when: number, group?: string, doc?: { number: string; as: TrueName; dob: string }) => {
    const o = placeByCode.get(from)!;
    const carrier = rt.pick(AIR_CARRIERS[o.country] ?? ['FR']);
    const num = (Number.parseInt(`${from}${to}`.split('').map((c) => c.charCodeAt(0) % 10).join('').slice(0, 6), 10) % 8900) + 100;
    const departure = Math.floor(when / DAY) * DAY + (6 + (num % 15)) * 3_600_000 + (num % 4) * 15 * 60_000;
    const useId = !doc && p.idCard && agencyOf(o.country) && agencyOf(placeByCode.get(to)!.country) && rt.chance(0.5);
    return pushTrip({
      person: p.id,
      mode: 'air',
      origin: from,
      destination: to,
      departure,
      carrier,
      service: `${carrier}${num}`,
      bookingRef: bookingRef(rt),
      seat: seat(rt),
      documentNumber: doc?.number ?? (useId ? p.idCard!.number : p.passport.number),
      bookedAs: doc?.as ?? p.name,
      bookedBirthDate: doc?.dob ?? p.birthDate,
      ...(group ? { group } : {}),
    });
  };
  const railTrip = (p: TruePerson, from: string, to: string, when: number, group?: string) => {
    const [carrier, code] = rt.pick(RAIL_CARRIERS);
    const num = ((from.charCodeAt(2) * 31 + to.charCodeAt(3) * 17) % 900) + 9000;
    const departure = Math.floor(when / DAY) * DAY + (7 + (num % 12)) * 3_600_000;
    return pushTrip({ person: p.id, mode: 'rail', origin: from, destination: to, departure, carrier, service: `${code}${num}`, bookingRef: bookingRef(rt), seat: seat(rt), documentNumber: p.idCard?.number ?? p.passport.number, bookedAs: p.name, bookedBirthDate: p.birthDate, ...(group ? { group } : {}) });
  };
  for (const p of background) {
    if (!rt.chance(params.travelShare)) continue;
    const home = p.city.airport ?? agencyAirports.find((a) => a.country === p.country)?.code;
    if (!home) continue;
    const n = rt.int(1, 2);
    for (let k = 0; k < n; k++) {
      const dest = rt.chance(0.6) ? rt.pick(holiday) : rt.pick(agencyAirports).code;
      if (dest === home) continue;
      const when = SCENARIO_START + rt.int(0, MONTHS * 30 - 20) * DAY;
      airTrip(p, home, dest, when);
      airTrip(p, dest, home, when + rt.int(3, 14) * DAY);
    }
  }
  const gateways = ['IST', 'SAW', 'GZT', 'HTY', 'AMM', 'BEY', 'CAI', 'TUN'];
  let groupSeq = 0;
  for (const cell of cells) {
    const members = cell.members.map((id) => personById.get(id)!);
    const nJoint = rt.int(1, 3);
    for (let k = 0; k < nJoint; k++) {
      // Co-travel: two to three members on the same flight or train.
      const party = rt.sample(members, rt.int(2, 3));
      const lead = party[0]!;
      const when = cell.start + rt.int(10, Math.max(11, Math.floor((SCENARIO_END - cell.start) / DAY) - 20)) * DAY;
      const group = `G${pad(++groupSeq, 5)}`;
      const rail = rt.chance(0.4) && lead.city.station;
      const stationTargets = STATIONS.filter((s) => s.code !== lead.city.station);
      const from = rail ? lead.city.station! : (lead.city.airport ?? agencyAirports.find((a) => a.country === lead.country)!.code);
      const to = rail ? rt.pick(stationTargets).code : rt.pick(agencyAirports.filter((a) => a.code !== from)).code;
      for (const m of party) {
        if (rail) railTrip(m, from, to, when, group);
        else airTrip(m, from, to, when, group);
      }
      for (const m of party) {
        if (rail) railTrip(m, to, from, when + 2 * DAY, `${group}R`);
        else airTrip(m, to, from, when + 2 * DAY, `${group}R`);
      }
    }
    for (const m of members) {
      const home = m.city.airport ?? agencyAirports.find((a) => a.country === m.country)!.code;
      if (m.operational || rt.chance(0.35)) {
        const latest = SCENARIO_END - 20 * DAY;
        const when = m.operational ? SCENARIO_END - rt.int(60, 170) * DAY : rt.int(Math.floor(cell.start / DAY), Math.floor(latest / DAY)) * DAY;
        const gw = rt.pick(gateways);
        // Return through another Schengen airport: a classic way to break the travel pattern.
        const back = rt.pick(agencyAirports.filter((a) => a.code !== home)).code;
        airTrip(m, home, gw, when);
        airTrip(m, gw, back, when + rt.int(7, 40) * DAY);
      }
      if (rt.chance(0.5)) {
        const dest = rt.pick(agencyAirports.filter((a) => a.code !== home)).code;
        const when = cell.start + rt.int(5, 400) * DAY;
        if (when < SCENARIO_END - 10 * DAY) {
          airTrip(m, home, dest, when);
          airTrip(m, dest, home, when + rt.int(1, 6) * DAY);
        }
      }
    }
  }

  // 5. Identity fraud: a member flies on a passport reported lost by a background person.
  const frauds: IdentityFraud[] = [];
  const cellMembers = ctx.persons.filter((p) => p.role === 'member' || p.role === 'leader');
  for (let k = 0; k < params.frauds && k < cellMembers.length; k++) {
    const user = cellMembers[(k * 7) % cellMembers.length]!;
    const victim = background.find((b) => b.gender === user.gender && b.name.origin === user.name.origin && !frauds.some((f) => f.rightfulHolder === b.id) && Math.abs(Number(b.birthDate.slice(0, 4)) - Number(user.birthDate.slice(0, 4))) < 12);
    if (!victim) continue;
    (victim.passport as { reportedLost: boolean }).reportedLost = true;
    frauds.push({ document: victim.passport.number, rightfulHolder: victim.id, user: user.id });
    const home = user.city.airport ?? agencyAirports.find((a) => a.country === user.country)!.code;
    const when = SCENARIO_END - rt.int(30, 200) * DAY;
    const gw = rt.pick(gateways);
    airTrip(user, home, gw, when, undefined, { number: victim.passport.number, as: victim.name, dob: victim.birthDate });
    airTrip(user, gw, home, when + rt.int(5, 20) * DAY, undefined, { number: victim.passport.number, as: victim.name, dob: victim.birthDate });
  }

  // 6. Vehicles of members and some background persons.
  const rv = root.fork('vehicles');
  for (const p of ctx.persons) {
    if (p.vehicle) continue;
    if (rv.chance(p.role === 'leader' || p.role === 'member' ? 0.35 : 0.12)) addVehicle(p, rv);
  }

  // 7. Meetings: cells meet in cafés and car parks; operational members meet shortly before acting.
  const rm = root.fork('meetings');
  const sites: PlaceDef[] = [];
  const meetings: TrueMeeting[] = [];
  for (const cell of cells) {
    const members = cell.members.map((id) => personById.get(id)!);
    const n = rm.int(3, 8);
    for (let k = 0; k < n; k++) {
      const host = rm.pick(members);
      const site: PlaceDef = { code: `SITE-${host.country}-${pad(sites.length + 1, 4)}`, name: `${host.city.name} ${rm.pick(MEETING_SITES)} (site ${sites.length + 1})`, kind: 'site', country: host.country, lat: host.city.lat + (rm.float() - 0.5) * 0.05, lon: host.city.lon + (rm.float() - 0.5) * 0.08, gateway: false };
      sites.push(site);
      placeByCode.set(site.code, site);
      const last = k === n - 1;
      const participants = last ? [host, ...members.filter((m) => m.operational && m !== host)] : [host, ...rm.sample(members.filter((m) => m !== host), rm.int(1, 3))];
      if (participants.length < 2) participants.push(rm.pick(members.filter((m) => m !== host)));
      const time = last ? SCENARIO_END - rm.int(5, 30) * DAY + rm.int(9, 21) * 3_600_000 : cell.start + rm.int(0, Math.floor((SCENARIO_END - cell.start) / DAY) - 1) * DAY + rm.int(9, 22) * 3_600_000;
      const recorder = agencyOf(site.country)?.id;
      meetings.push({ id: `M${pad(meetings.length + 1, 5)}`, cell: cell.id, participants: [...new Set(participants.map((p) => p.id))], place: site.code, time, ...(recorder ? { recorder } : {}) });
    }
  }

  // 8. Who knows whom: each agency's partial, overlapping view.
  const rw = root.fork('views');
  const views = new Map<string, AgencyView>(AGENCY_PROFILES.map((a) => [a.id, { persons: new Map(), phones: new Set() }]));
  const cases: CaseDef[] = [];
  const caseOf = new Map<string, string[]>();
  for (const a of AGENCY_PROFILES) {
    const ids = a.caseCodes.map((code) => `${a.country}-OP-${code}`);
    caseOf.set(a.id, ids);
    ids.forEach((id, i) => {
      const cellsHere = i < 2 ? cells.filter((c, ci) => c.countries.includes(a.country) && ci % 2 === i).map((c) => c.id) : [];
      cases.push({
        id,
        agency: a.id,
        name: `Operation ${a.caseCodes[i]!.charAt(0)}${a.caseCodes[i]!.slice(1).toLowerCase()}`,
        description: i < 2 ? `Investigation into a suspected terrorist network (${cellsHere.length} cell(s) in view).` : 'General intake: subjects, contacts and travel records outside an operation.',
        opened: isoDate(SCENARIO_START - rw.int(30, 400) * DAY),
        cells: cellsHere,
      });
    });
  }
  // A joint investigation team on the first cell, whose network spans the most agencies.
  cases.push({ id: 'EU-JIT-MERIDIAN', agency: 'FR-CT', name: 'Joint investigation team Meridian', description: 'Joint investigation team of the agencies holding network KESTREL.', opened: isoDate(SCENARIO_START + 60 * DAY), cells: ['C01'] });
  const see = (agency: string, p: TruePerson, category: PersonView['category'], caseIdx: number) => {
    const v = views.get(agency)!;
    if (v.persons.has(p.id)) return;
    v.persons.set(p.id, { records: rw.chance(0.04) ? 2 : 1, category, caseId: caseOf.get(agency)![caseIdx]! });
  };
  const cellIndex = new Map(cells.map((c, i) => [c.id, i]));
  for (const p of ctx.persons) {
    const home = agencyOf(p.country);
    if (p.role === 'background') {
      const cat = (): PersonView['category'] => rw.weighted<PersonView['category']>([['other', 80], ['witness', 10], ['victim', 5], ['contact', 4], ['informant', 1]]);
      if (home && rw.chance(0.85)) see(home.id, p, p.monitored ? 'suspect' : cat(), 2);
      if (rw.chance(0.12)) see(rw.pick(AGENCY_PROFILES).id, p, cat(), 2);
    } else if (p.role === 'leader' || p.role === 'member') {
      const cell = cells[cellIndex.get(p.cell!)!]!;
      const caseIdx = cellIndex.get(p.cell!)! % 2;
      const cat = (): PersonView['category'] => (rw.chance(0.15) ? 'convicted' : 'suspect');
      if (home && rw.chance(0.92)) see(home.id, p, cat(), caseIdx);
      for (const c of cell.countries) if (c !== p.country && rw.chance(0.65)) see(agencyOf(c)!.id, p, cat(), caseIdx);
      if (rw.chance(0.15)) see(rw.pick(AGENCY_PROFILES).id, p, cat(), caseIdx);
    } else if (p.role === 'relative') {
      const link = family.find(([, r]) => r === p.id)!;
      const member = personById.get(link[0])!;
      const cell = cells[cellIndex.get(member.cell!)!]!;
      if (home && rw.chance(0.75)) see(home.id, p, 'contact', cellIndex.get(member.cell!)! % 2);
      for (const c of cell.countries) if (c !== p.country && rw.chance(0.25)) see(agencyOf(c)!.id, p, 'contact', cellIndex.get(member.cell!)! % 2);
    } else if (p.role === 'trafficker') {
      if (rw.chance(0.85)) see('AT-CT', p, 'suspect', 0);
      if (rw.chance(0.5)) see('DE-CT', p, 'suspect', 0);
      const supplied = cells.filter((c) => c.traffickers.includes(p.id));
      for (const c of supplied) if (rw.chance(0.5)) see(agencyOf(c.country)!.id, p, 'suspect', cellIndex.get(c.id)! % 2);
    }
  }
  // Associates are known as contacts to the agencies that watch the member.
  for (const [m, a] of associates) {
    for (const [agency, v] of views) if (v.persons.has(m) && !v.persons.has(a) && rw.chance(0.5)) see(agency, personById.get(a)!, 'contact', v.persons.get(m)!.caseId.endsWith(AGENCY_PROFILES.find((x) => x.id === agency)!.caseCodes[1]!) ? 1 : 0);
  }

  // 9. Call recorders and the phones each agency registers.
  for (const ch of channels) {
    const viaOwner = ch.via ? phoneById.get(ch.via)!.owner : undefined;
    const rec: string[] = [];
    for (const [agency, v] of views) if (v.persons.has(ch.a) || v.persons.has(ch.b) || (viaOwner && v.persons.has(viaOwner))) rec.push(agency);
    ch.recorders = rec;
    for (const agency of rec) {
      const set = views.get(agency)!.phones;
      for (const [pid, kind] of [[ch.a, ch.kindA], [ch.b, ch.kindB]] as const) {
        const p = personById.get(pid)!;
        const list = kind === 'burner' && p.burners.length ? p.burners : p.phones;
        // Burner calls fall back to the personal line when no burner is active: register both.
        for (const id of kind === 'burner' ? [...list, ...p.phones] : list) {
          const ph = phoneById.get(id)!;
          if (ph.start < ch.end && ph.end > ch.start) set.add(id);
        }
      }
      if (ch.via) set.add(ch.via);
    }
  }
  for (const [, v] of views) for (const pid of v.persons.keys()) for (const id of personById.get(pid)!.phones) v.phones.add(id);

  // 10. Watchlists: active alerts on known cell members and traffickers, a few low-level alerts on the
  // background, and delisted subjects — some of whom become operational later.
  const rwl = root.fork('watchlist');
  const watch: WatchPlan[] = [];
  let alertSeq = 0;
  const actions = [['discreet-check', 35], ['inquiry-check', 30], ['specific-check', 25], ['arrest', 10]] as const;
  const operational = ctx.persons.filter((p) => p.operational);
  const delistedTargets = new Set(rwl.sample(operational, Math.min(params.delisted, operational.length)).map((p) => p.id));
  for (const a of AGENCY_PROFILES) {
    const v = views.get(a.id)!;
    for (const [pid, pv] of v.persons) {
      const p = personById.get(pid)!;
      const isCell = p.role === 'leader' || p.role === 'member';
      let level = 0;
      if (isCell && rwl.chance(0.7)) level = p.role === 'leader' ? rwl.int(11, 16) : rwl.int(6, 13);
      else if (p.role === 'trafficker' && rwl.chance(0.8)) level = rwl.int(8, 12);
      else if (p.role === 'background' && rwl.chance(0.012)) level = rwl.int(1, 6);
      else if (p.role === 'relative' && rwl.chance(0.05)) level = rwl.int(2, 5);
      const delist = delistedTargets.has(pid) && pv.category !== 'contact';
      if (level === 0 && !delist) continue;
      if (level === 0) level = rwl.int(5, 9);
      const issued = SCENARIO_START - rwl.int(0, 500) * DAY + (isCell ? rwl.int(0, 200) * DAY : 0);
      const reasons = isCell ? rwl.sample(['association with a terrorist network', 'travel to a conflict-zone gateway', 'possession of firearms', 'radical propaganda online', 'contact with a convicted offender', 'financing suspected'], rwl.int(1, 3)) : p.role === 'trafficker' ? ['firearms trafficking on the Balkan route'] : ['contact of a subject of interest'];
      const plan: WatchPlan = delist
        ? { alertId: `${a.id}-AL-${pad(++alertSeq, 5)}`, agency: a.id, person: pid, threatLevel: level, action: 'discreet-check', reasons, issued: SCENARIO_START - rwl.int(200, 700) * DAY, status: 'delisted', delisted: SCENARIO_END - rwl.int(200, 450) * DAY, caseId: pv.caseId }
        : { alertId: `${a.id}-AL-${pad(++alertSeq, 5)}`, agency: a.id, person: pid, threatLevel: level, action: rwl.weighted(actions), reasons, issued, status: 'active', caseId: pv.caseId };
      watch.push(plan);
      if (delist) delistedTargets.delete(pid);
    }
  }

  const places = [...AIRPORTS, ...STATIONS, ...CROSSINGS, ...cityPlaces];
  return {
    seed,
    size,
    params,
    agencies: AGENCY_PROFILES,
    persons: ctx.persons,
    personById,
    phones: ctx.phones,
    phoneById,
    handsets: ctx.handsets,
    handsetById,
    cells,
    channels,
    successions,
    proxies,
    sharedHandsets,
    trips,
    meetings,
    firearms,
    vehicles,
    vehicleById: new Map(vehicles.map((v) => [v.id, v])),
    frauds,
    family,
    associates,
    views,
    watch,
    cases,
    places,
    placeByCode,
    sites,
    rng: root,
  };
}

/** Calls of one month (0-based from the scenario start), drawn from the channels with their own stream. */
export function callsOfMonth(world: World, month: number): TrueCall[] {
  const rng = world.rng.fork(`calls:${month}`);
  const from = Date.UTC(2023, month, 1);
  const to = Date.UTC(2023, month + 1, 1);
  const calls: TrueCall[] = [];
  let seq = 0;
  for (const ch of world.channels) {
    if (ch.recorders.length === 0) continue;
    const s = Math.max(from, ch.start);
    const e = Math.min(to, ch.end);
    if (e <= s) continue;
    const a = world.personById.get(ch.a)!;
    const b = world.personById.get(ch.b)!;
    let rate = (world.params.callScale * ch.rate * (e - s)) / (to - from);
    // Dormancy: a quiet operative's traffic falls to a tenth in the last four months.
    if ((a.quiet || b.quiet) && e > SCENARIO_END - 120 * DAY && ch.label !== 'new-contact') rate *= 0.1;
    if ((a.operational || b.operational) && ch.label === 'cell' && s >= SCENARIO_END - 60 * DAY) rate *= 1.8;
    const n = rng.poisson(rate);
    for (let k = 0; k < n; k++) {
      const t = s + Math.floor(rng.float() * (e - s));
      const aFirst = ch.via ? true : rng.chance(0.5);
      const [x, kx, y, ky] = aFirst ? [a, ch.kindA, b, ch.kindB] : [b, ch.kindB, a, ch.kindA];
      const px = ch.via && x === a ? world.phoneById.get(ch.via) : phoneAt(world, x, kx, t);
      const py = ch.via && y === a ? world.phoneById.get(ch.via) : phoneAt(world, y, ky, t);
      if (!px || !py || px.id === py.id) continue;
      const callerPerson = ch.via && x === a ? world.personById.get(px.owner)! : x;
      const channel = rng.weighted<'voice' | 'sms' | 'messaging'>([['voice', 65], ['sms', 25], ['messaging', 10]]);
      calls.push({
        caller: px.id,
        callee: py.id,
        callerNumber: px.number,
        calleeNumber: py.number,
        imei: world.handsetById.get(px.handset)!.imei,
        callerPerson: x.id,
        calleePerson: y.id,
        time: t,
        duration: channel === 'voice' ? Math.max(3, Math.round(Math.exp(3.5 + rng.normal() * 1.1))) : 0,
        channel,
        cellId: rng.pick(callerPerson.homeCells),
        handset: px.handset,
        recorders: ch.recorders,
        seq: seq++,
      });
    }
  }
  calls.sort((p, q) => p.time - q.time || p.seq - q.seq);
  return calls;
}

export { pad };
