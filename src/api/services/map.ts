import type { Governance, QueryContext } from '../../governance/index.js';
import {
  airportPoint,
  firstValue,
  geocodeAddress,
  lookupCity,
  propertySpec,
  statedPoint,
  TesseraError,
  values,
  type Entity,
  type GeoPoint,
  type GeoPrecision,
  type Grading,
  type Handling,
  type PropertyValue,
  type Provenance,
} from '../../model/index.js';

/**
 * The map of an entity, its network or a case, as GeoJSON. Every position comes from statements the
 * user may read, fetched through governance with the request's context (and audited there): an
 * address, a place's stated coordinates, or — when the data name a place without coordinates — the
 * offline gazetteer (airport codes, city names), marked with its precision so nobody mistakes a city
 * centre for a doorstep. Each feature carries the provenance of the records it rests on (agency,
 * grading, handling), so the popup can say who reported it and under which conditions.
 */

export const MAP_FEATURE_KINDS = ['address', 'place', 'travel', 'crossing', 'encounter', 'meeting', 'co-location'] as const;
export type MapFeatureKind = (typeof MAP_FEATURE_KINDS)[number];

/** Where a feature's records come from (one entry per agency, document, grading and handling). */
export interface MapSource {
  readonly agency: string;
  readonly documentId?: string;
  readonly collectedAt: string;
  readonly grading: Grading;
  readonly handling: Handling;
  readonly classification: string;
  readonly nature: string;
}

export interface MapSubjectRef {
  readonly id: string;
  readonly caption: string;
}

export interface MapFeatureProperties {
  /** Stable feature id (also the GeoJSON feature's `id`). */
  readonly fid: string;
  readonly kind: MapFeatureKind;
  readonly label: string;
  readonly subjects: readonly MapSubjectRef[];
  readonly time?: string;
  readonly endTime?: string;
  readonly mode?: string;
  /** How precise the position is, and what it was taken from. */
  readonly precision: GeoPrecision;
  readonly basis: string;
  /** Entity ids of the records shown (link records, addresses' persons, places). */
  readonly refs: readonly string[];
  readonly sources: readonly MapSource[];
  readonly details: readonly { readonly label: string; readonly value: string }[];
}

export type MapGeometry = { readonly type: 'Point'; readonly coordinates: readonly [number, number] } | { readonly type: 'LineString'; readonly coordinates: readonly (readonly [number, number])[] };

export interface MapFeature {
  readonly type: 'Feature';
  readonly id: string;
  readonly geometry: MapGeometry;
  readonly properties: MapFeatureProperties;
}

export interface MapSubject {
  readonly id: string;
  readonly schema: string;
  readonly caption: string;
  /** `subject`: the entity asked for (or a case subject); `network`: reached over one link; `linked`: named by a record shown. */
  readonly role: 'subject' | 'network' | 'linked';
  readonly via?: string;
}

export interface MapData {
  readonly type: 'FeatureCollection';
  readonly scope: { readonly kind: 'entity' | 'case'; readonly id: string; readonly network: boolean; readonly from?: string; readonly to?: string };
  readonly features: MapFeature[];
  readonly subjects: MapSubject[];
  /** [west, south, east, north] of all features; absent when nothing could be placed. */
  readonly bbox?: readonly [number, number, number, number];
  readonly counts: Readonly<Record<MapFeatureKind, number>>;
  /** Records that name a location the map could not place (no coordinates, unknown place). */
  readonly unlocated: readonly { readonly ref: string; readonly schema: string; readonly reason: string }[];
  /** Counts of statements about the entity withheld from the user (entity maps only). */
  readonly withheld?: Readonly<Record<string, number>>;
  readonly truncated: boolean;
}

export interface MapOptions {
  /** Add the persons and organisations one link away (Associate, Family, Membership, Meeting, Possession). */
  readonly network?: boolean;
  /** Only dated events from this day (YYYY-MM-DD) … */
  readonly from?: string;
  /** … up to this day, inclusive. */
  readonly to?: string;
}

/** Link schemas whose other ends join an entity's network on the map. */
const NETWORK_LINKS = new Set(['Associate', 'Family', 'Membership', 'Meeting', 'Possession']);
/** Link schemas placed on the map, and the properties naming the persons in them. */
const EVENT_PROPS: Readonly<Record<string, readonly string[]>> = { TravelEvent: ['traveller'], Encounter: ['subject'], Meeting: ['participant'] };
const EVENT_SCHEMAS = new Set(Object.keys(EVENT_PROPS));
const LOCATED_SCHEMAS = new Set(['Person', 'Organization', 'Address', 'Place']);
/** Caps keep a map of a huge case responsive; `truncated` says when they bit. */
const MAX_NETWORK = 200;
const MAX_EVENTS = 5_000;
const MAX_CASE_ENTITIES = 20_000;
/** The located facts: an entity is on the case map when one of these statements is recorded under the case. */
const CASE_MAP_PROPS = ['address', 'full', 'city', 'latitude', 'longitude', 'origin', 'destination', 'departure', 'place', 'date'];

// ---- geometry ---------------------------------------------------------------------------------

const RAD = Math.PI / 180;

/**
 * Points along the great circle from a to b (spherical linear interpolation), so a flight from Paris to
 * Istanbul is drawn along its real route on the Web Mercator map rather than as a straight chord.
 */
export function greatCircle(a: readonly [number, number], b: readonly [number, number], segments = 32): [number, number][] {
  const [lon1, lat1] = [a[0] * RAD, a[1] * RAD];
  const [lon2, lat2] = [b[0] * RAD, b[1] * RAD];
  const d = 2 * Math.asin(Math.sqrt(Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2));
  if (d < 1e-9) return [[a[0], a[1]], [b[0], b[1]]];
  const n = d < 0.01 ? 1 : segments; // under ~60 km the chord is the route
  const out: [number, number][] = [];
  for (let i = 0; i <= n; i++) {
    const f = i / n;
    const A = Math.sin((1 - f) * d) / Math.sin(d);
    const B = Math.sin(f * d) / Math.sin(d);
    const x = A * Math.cos(lat1) * Math.cos(lon1) + B * Math.cos(lat2) * Math.cos(lon2);
    const y = A * Math.cos(lat1) * Math.sin(lon1) + B * Math.cos(lat2) * Math.sin(lon2);
    const z = A * Math.sin(lat1) + B * Math.sin(lat2);
    out.push([round(Math.atan2(y, x) / RAD), round(Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD)]);
  }
  return out;
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}

function bboxOf(features: readonly MapFeature[]): [number, number, number, number] | undefined {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of features) {
    const coords = f.geometry.type === 'Point' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const [x, y] of coords) {
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    }
  }
  return Number.isFinite(w) ? [w, s, e, n] : undefined;
}

// ---- provenance -------------------------------------------------------------------------------

function sourceOf(p: Provenance): MapSource {
  return {
    agency: p.agency,
    ...(p.documentId ? { documentId: p.documentId } : {}),
    collectedAt: p.collectedAt,
    grading: p.grading,
    handling: { codes: [...p.handling.codes], ...(p.handling.conditions ? { conditions: p.handling.conditions } : {}), releasableTo: [...p.handling.releasableTo] },
    classification: p.classification,
    nature: p.nature,
  };
}

/** One source per agency, document, grading, handling and classification. */
function mergeSources(...lists: readonly (readonly MapSource[])[]): MapSource[] {
  const out = new Map<string, MapSource>();
  for (const list of lists) {
    for (const s of list) {
      const key = [s.agency, s.documentId ?? '', s.grading.system, s.grading.source, s.grading.info, s.handling.codes.join('+'), s.handling.releasableTo.join(','), s.classification].join('|');
      if (!out.has(key)) out.set(key, s);
    }
  }
  return [...out.values()].sort((a, b) => a.agency.localeCompare(b.agency) || a.collectedAt.localeCompare(b.collectedAt));
}

function sourcesOfValues(vs: readonly PropertyValue[]): MapSource[] {
  return mergeSources(vs.flatMap((v) => v.provenance.map(sourceOf)));
}

function sourcesOfEntity(e: Entity): MapSource[] {
  return sourcesOfValues(Object.values(e.properties).flat());
}

// ---- positions --------------------------------------------------------------------------------

interface Located {
  readonly point: GeoPoint;
  /** Same place across agencies' records: the place code, or the rounded position. */
  readonly key: string;
  readonly name: string;
}

/** Where a Place or Address entity is: stated coordinates first, then its code or city in the gazetteer. */
function locate(e: Entity): Located | undefined {
  const stated = statedPoint(firstValue(e, 'latitude'), firstValue(e, 'longitude'));
  const code = firstValue(e, 'code');
  const country = firstValue(e, 'country');
  const name = e.caption;
  const point =
    stated ??
    (code ? airportPoint(code) : undefined) ??
    (e.schema === 'Address'
      ? geocodeAddress([firstValue(e, 'full'), firstValue(e, 'city')].filter(Boolean).join(', '), country)
      : (() => {
          const city = lookupCity(firstValue(e, 'name') ?? '', country);
          return city ? { lat: city.lat, lon: city.lon, precision: 'city' as const, basis: `${city.name} (${city.country}), city centre` } : undefined;
        })());
  if (!point) return undefined;
  return { point, key: code ? `code:${code.toUpperCase()}` : `pos:${point.lat.toFixed(4)},${point.lon.toFixed(4)}`, name: code && !name.includes(code) ? `${name} (${code})` : name };
}

function pointGeometry(p: GeoPoint): MapGeometry {
  return { type: 'Point', coordinates: [round(p.lon), round(p.lat)] };
}

function day(t: string | undefined): string | undefined {
  return t && t.length >= 10 ? t.slice(0, 10) : undefined;
}

function inWindow(t: string | undefined, from: string | undefined, to: string | undefined): boolean {
  const d = day(t);
  if (!d) return !from && !to; // an undated event cannot be shown inside a chosen window
  return (!from || d >= from) && (!to || d <= to);
}

/** An address value counts in the window when its statements' seen dates overlap it (or carry none). */
function addressInWindow(v: PropertyValue, from: string | undefined, to: string | undefined): boolean {
  if (!from && !to) return true;
  return v.provenance.some((p) => (!from || !p.lastSeen || p.lastSeen.slice(0, 10) >= from) && (!to || !p.firstSeen || p.firstSeen.slice(0, 10) <= to));
}

// ---- building the map -------------------------------------------------------------------------

interface Presence {
  readonly subject: string;
  readonly key: string;
  readonly day?: string;
  readonly fid: string;
}

class MapBuilder {
  readonly features = new Map<string, MapFeature>();
  readonly unlocated: { ref: string; schema: string; reason: string }[] = [];
  readonly presences: Presence[] = [];
  private readonly places = new Map<string, { located: Located; refs: Set<string>; sources: MapSource[]; legs: number }>();
  truncated = false;

  constructor(
    private readonly subjects: ReadonlyMap<string, MapSubject>,
    private readonly captions: ReadonlyMap<string, string>,
  ) {}

  private ref(id: string): MapSubjectRef {
    return { id, caption: this.subjects.get(id)?.caption ?? this.captions.get(id) ?? id };
  }

  /** Adds a feature, or merges it into one already there with the same id (the same trip held by two agencies). */
  private put(f: MapFeature): void {
    const cur = this.features.get(f.id);
    if (!cur) {
      this.features.set(f.id, f);
      return;
    }
    const subjects = new Map([...cur.properties.subjects, ...f.properties.subjects].map((s) => [s.id, s]));
    this.features.set(f.id, {
      ...cur,
      properties: {
        ...cur.properties,
        subjects: [...subjects.values()],
        refs: [...new Set([...cur.properties.refs, ...f.properties.refs])],
        sources: mergeSources(cur.properties.sources, f.properties.sources),
      },
    });
  }

  /** The addresses of a person or organisation, and the position of an Address or Place entity. */
  addOwnLocations(e: Entity, from: string | undefined, to: string | undefined): void {
    if (e.schema === 'Place' || e.schema === 'Address') {
      const located = locate(e);
      if (!located) {
        this.unlocated.push({ ref: e.id, schema: e.schema, reason: 'no coordinates and not in the gazetteer' });
        return;
      }
      this.put({
        type: 'Feature',
        id: `place:${located.key}`,
        geometry: pointGeometry(located.point),
        properties: { fid: `place:${located.key}`, kind: 'place', label: located.name, subjects: [], precision: located.point.precision, basis: located.point.basis, refs: [e.id], sources: sourcesOfEntity(e), details: [] },
      });
      return;
    }
    const country = firstValue(e, 'country');
    for (const v of e.properties.address ?? []) {
      if (!addressInWindow(v, from, to)) continue;
      const point = geocodeAddress(v.value, country) ?? geocodeAddress(v.value);
      if (!point) {
        this.unlocated.push({ ref: e.id, schema: e.schema, reason: `address "${v.value}" is not in the gazetteer` });
        continue;
      }
      const key = `addr:${v.value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()}`;
      const fid = `address:${key.slice(5)}`;
      const seen = v.provenance.map((p) => [p.firstSeen, p.lastSeen] as const);
      const first = seen.map((s) => s[0]).filter((x): x is string => !!x).sort()[0];
      const last = seen.map((s) => s[1]).filter((x): x is string => !!x).sort().at(-1);
      this.put({
        type: 'Feature',
        id: fid,
        geometry: pointGeometry(point),
        properties: {
          fid,
          kind: 'address',
          label: v.value,
          subjects: [this.ref(e.id)],
          ...(first ? { time: first } : {}),
          ...(last ? { endTime: last } : {}),
          precision: point.precision,
          basis: point.basis,
          refs: [e.id],
          sources: sourcesOfValues([v]),
          details: [],
        },
      });
      this.presences.push({ subject: e.id, key, fid });
    }
  }

  private place(id: string | undefined, places: ReadonlyMap<string, Entity>): Located | undefined {
    const e = id ? places.get(id) : undefined;
    return e ? locate(e) : undefined;
  }

  /** Remembers a travel end point, shown as a small place marker with how many legs touch it. */
  private endpoint(located: Located, placeId: string, places: ReadonlyMap<string, Entity>): void {
    const cur = this.places.get(located.key);
    const e = places.get(placeId);
    if (cur) {
      cur.refs.add(placeId);
      cur.legs += 1;
    } else this.places.set(located.key, { located, refs: new Set([placeId]), sources: e ? sourcesOfEntity(e) : [], legs: 1 });
  }

  /** A travel record as a leg from origin to destination (a border crossing also as a point). */
  addTravel(e: Entity, places: ReadonlyMap<string, Entity>): void {
    const originId = firstValue(e, 'origin');
    const destId = firstValue(e, 'destination');
    const origin = this.place(originId, places);
    const dest = this.place(destId, places);
    const travellers = values(e, 'traveller');
    const mode = firstValue(e, 'mode') ?? 'air';
    const departure = firstValue(e, 'departure');
    const arrival = firstValue(e, 'arrival');
    const service = firstValue(e, 'serviceNumber');
    const booked = firstValue(e, 'travellerName');
    const sources = sourcesOfEntity(e);
    const details = [
      ...(booked ? [{ label: 'Name as booked', value: booked }] : []),
      ...(firstValue(e, 'carrier') ? [{ label: 'Carrier', value: firstValue(e, 'carrier')! }] : []),
      ...(service ? [{ label: mode === 'air' ? 'Flight' : mode === 'rail' ? 'Train' : 'Service', value: service }] : []),
      ...(firstValue(e, 'bookingRef') ? [{ label: 'Booking', value: firstValue(e, 'bookingRef')! }] : []),
      ...(firstValue(e, 'documentNumber') ? [{ label: 'Document', value: firstValue(e, 'documentNumber')! }] : []),
    ];
    // The same trip recorded by several agencies (PNR at both ends) is one leg with all its sources.
    const who = travellers.length ? travellers.slice().sort().join('+') : (booked ?? e.id).toLowerCase();
    const tripKey = `${who}|${service ?? ''}|${departure ?? ''}|${origin?.key ?? originId}|${dest?.key ?? destId}`;
    const subjects = travellers.map((t) => this.ref(t));
    if (mode === 'border' && origin) {
      const fid = `crossing:${tripKey}`;
      this.put({
        type: 'Feature',
        id: fid,
        geometry: pointGeometry(origin.point),
        properties: {
          fid,
          kind: 'crossing',
          label: `Border crossing at ${origin.name}`,
          subjects,
          ...(departure ? { time: departure } : {}),
          mode,
          precision: origin.point.precision,
          basis: origin.point.basis,
          refs: [e.id],
          sources,
          details,
        },
      });
      for (const t of travellers) this.presences.push({ subject: t, key: origin.key, ...(day(departure) ? { day: day(departure)! } : {}), fid });
    }
    if (!origin || !dest) {
      this.unlocated.push({ ref: e.id, schema: e.schema, reason: `${!origin ? 'origin' : 'destination'} ${(!origin ? originId : destId) ?? '(none)'} has no known position` });
      return;
    }
    const fid = `travel:${tripKey}`;
    const verb = mode === 'air' ? 'Flight' : mode === 'rail' ? 'Train' : mode === 'border' ? 'Road' : 'Travel';
    this.put({
      type: 'Feature',
      id: fid,
      geometry: { type: 'LineString', coordinates: greatCircle([origin.point.lon, origin.point.lat], [dest.point.lon, dest.point.lat]) },
      properties: {
        fid,
        kind: 'travel',
        // A road crossing's "service" is the crossing itself: no need to name it twice.
        label: `${verb}${service && mode !== 'border' ? ` ${service}` : ''}: ${origin.name} → ${dest.name}`,
        subjects,
        ...(departure ? { time: departure } : {}),
        ...(arrival ? { endTime: arrival } : {}),
        mode,
        precision: origin.point.precision === 'city' || dest.point.precision === 'city' ? 'city' : origin.point.precision === 'exact' && dest.point.precision === 'exact' ? 'exact' : 'airport',
        basis: `${origin.point.basis} → ${dest.point.basis}`,
        refs: [e.id],
        sources,
        details,
      },
    });
    this.endpoint(origin, originId!, places);
    this.endpoint(dest, destId!, places);
    for (const t of travellers) {
      if (day(departure)) this.presences.push({ subject: t, key: origin.key, day: day(departure)!, fid });
      if (day(arrival ?? departure)) this.presences.push({ subject: t, key: dest.key, day: day(arrival ?? departure)!, fid });
    }
  }

  /** An encounter (a check on a watched subject) or a meeting, at its place. */
  addEvent(e: Entity, places: ReadonlyMap<string, Entity>): void {
    const placeId = firstValue(e, 'place');
    const at = this.place(placeId, places);
    if (!at) {
      this.unlocated.push({ ref: e.id, schema: e.schema, reason: `place ${placeId ?? '(none)'} has no known position` });
      return;
    }
    const date = firstValue(e, 'date');
    const people = e.schema === 'Encounter' ? values(e, 'subject') : values(e, 'participant');
    const kind: MapFeatureKind = e.schema === 'Encounter' ? 'encounter' : 'meeting';
    const details =
      e.schema === 'Encounter'
        ? [
            ...(firstValue(e, 'checkedBy') ? [{ label: 'Checked by', value: firstValue(e, 'checkedBy')! }] : []),
            ...(firstValue(e, 'outcome') ? [{ label: 'Outcome', value: firstValue(e, 'outcome')! }] : []),
            ...(firstValue(e, 'alertRef') ? [{ label: 'Alert', value: firstValue(e, 'alertRef')! }] : []),
          ]
        : firstValue(e, 'notes')
          ? [{ label: 'Notes', value: firstValue(e, 'notes')! }]
          : [];
    const fid = `${kind}:${e.id}`;
    this.put({
      type: 'Feature',
      id: fid,
      geometry: pointGeometry(at.point),
      properties: {
        fid,
        kind,
        label: `${kind === 'encounter' ? 'Encounter' : 'Meeting'} at ${at.name}`,
        subjects: people.map((p) => this.ref(p)),
        ...(date ? { time: date } : {}),
        precision: at.point.precision,
        basis: at.point.basis,
        refs: [e.id],
        sources: sourcesOfEntity(e),
        details,
      },
    });
    for (const p of people) this.presences.push({ subject: p, key: at.key, ...(day(date) ? { day: day(date)! } : {}), fid });
  }

  /**
   * Co-locations: two or more persons named on this map at one address, or at one place on the same
   * day (the same flight, a border post, a meeting and a trip). Only records on the map count: the map
   * does not look for strangers who passed the same airport that day.
   */
  addCoLocations(): void {
    const groups = new Map<string, Presence[]>();
    for (const p of this.presences) {
      const k = `${p.key}|${p.day ?? ''}`;
      const g = groups.get(k);
      if (g) g.push(p);
      else groups.set(k, [p]);
    }
    for (const [k, group] of groups) {
      const subjects = [...new Set(group.map((p) => p.subject))].sort();
      if (subjects.length < 2) continue;
      const contributing = [...new Set(group.map((p) => p.fid))].map((fid) => this.features.get(fid)).filter((f): f is MapFeature => f !== undefined);
      // A meeting or a joint check already shows its people together; a co-location adds a second record.
      if (contributing.length === 1 && (contributing[0]!.properties.kind === 'meeting' || contributing[0]!.properties.kind === 'encounter')) continue;
      const anchor = contributing.find((f) => f.properties.kind !== 'travel') ?? contributing[0];
      if (!anchor) continue;
      const day0 = group[0]!.day;
      const coords: [number, number] =
        anchor.geometry.type === 'Point'
          ? [anchor.geometry.coordinates[0], anchor.geometry.coordinates[1]]
          : this.travelEnd(anchor, group[0]!.key);
      const placeName = anchor.properties.kind === 'address' ? anchor.properties.label : (this.placeName(group[0]!.key) ?? anchor.properties.label);
      const fid = `co-location:${k}`;
      this.put({
        type: 'Feature',
        id: fid,
        geometry: { type: 'Point', coordinates: coords },
        properties: {
          fid,
          kind: 'co-location',
          label: day0 ? `Same place, same day: ${placeName}` : `Shared address: ${placeName}`,
          subjects: subjects.map((s) => this.ref(s)),
          ...(day0 ? { time: day0 } : {}),
          precision: anchor.properties.precision,
          basis: anchor.properties.basis,
          refs: [...new Set(contributing.flatMap((f) => f.properties.refs))],
          sources: mergeSources(...contributing.map((f) => f.properties.sources)),
          details: contributing.map((f) => ({ label: f.properties.kind, value: f.properties.label })),
        },
      });
    }
  }

  private placeName(key: string): string | undefined {
    return this.places.get(key)?.located.name;
  }

  /** The end of a travel leg at a place key (co-travel is anchored where the travellers were together). */
  private travelEnd(f: MapFeature, key: string): [number, number] {
    const coords = f.geometry.coordinates as readonly (readonly [number, number])[];
    const p = this.places.get(key)?.located.point;
    if (p) return [round(p.lon), round(p.lat)];
    const c0 = coords[0]!;
    return [c0[0], c0[1]];
  }

  /** Travel end points as place markers. */
  addEndpoints(): void {
    for (const [key, p] of this.places) {
      const fid = `place:${key}`;
      this.put({
        type: 'Feature',
        id: fid,
        geometry: pointGeometry(p.located.point),
        properties: {
          fid,
          kind: 'place',
          label: p.located.name,
          subjects: [],
          precision: p.located.point.precision,
          basis: p.located.point.basis,
          refs: [...p.refs],
          sources: p.sources,
          details: [{ label: 'Travel legs', value: String(p.legs) }],
        },
      });
    }
  }

  result(scope: MapData['scope'], subjects: MapSubject[], extra: { withheld?: Readonly<Record<string, number>>; truncated?: boolean }): MapData {
    this.addEndpoints();
    this.addCoLocations();
    // Lines under points, co-locations last (drawn on top).
    const order: Record<MapFeatureKind, number> = { travel: 0, place: 1, address: 2, crossing: 3, encounter: 4, meeting: 5, 'co-location': 6 };
    const features = [...this.features.values()].sort((a, b) => order[a.properties.kind] - order[b.properties.kind] || (a.properties.time ?? '').localeCompare(b.properties.time ?? '') || a.id.localeCompare(b.id));
    const counts = Object.fromEntries(MAP_FEATURE_KINDS.map((k) => [k, 0])) as Record<MapFeatureKind, number>;
    for (const f of features) counts[f.properties.kind] += 1;
    const bbox = bboxOf(features);
    return {
      type: 'FeatureCollection',
      scope,
      features,
      subjects,
      ...(bbox ? { bbox } : {}),
      counts,
      unlocated: this.unlocated,
      ...(extra.withheld ? { withheld: extra.withheld } : {}),
      truncated: this.truncated || (extra.truncated ?? false),
    };
  }
}

/** The entity ids an entity's entity-valued properties point at. */
function referenced(e: Entity, props?: readonly string[]): string[] {
  const out: string[] = [];
  for (const [prop, vs] of Object.entries(e.properties)) {
    if (props && !props.includes(prop)) continue;
    if (propertySpec(e.schema, prop)?.type === 'entity') for (const v of vs) out.push(v.value);
  }
  return out;
}

function checkWindow(options: MapOptions): void {
  if (options.from && options.to && options.from > options.to) throw new TesseraError('VALIDATION', `from ${options.from} is after to ${options.to}`, { field: 'from' });
}

/** Reads the events (travel, encounters, meetings) naming these subjects, through governance. */
async function eventsOf(gov: Governance, ctx: QueryContext, ids: readonly string[]): Promise<Map<string, Entity>> {
  if (ids.length === 0) return new Map();
  const refs = await gov.readReferencing(ctx, 'read', ids, [...new Set(Object.values(EVENT_PROPS).flat())]);
  const eventIds = [...new Set(refs.filter((s) => EVENT_SCHEMAS.has(s.schema)).map((s) => s.entityId))];
  return eventIds.length ? gov.readEntities(ctx, eventIds.slice(0, MAX_EVENTS)) : new Map();
}

/** Places the events happen at (Place or Address entities), read through governance. */
async function placesOf(gov: Governance, ctx: QueryContext, events: Iterable<Entity>): Promise<Map<string, Entity>> {
  const ids = new Set<string>();
  for (const e of events) for (const id of referenced(e, ['origin', 'destination', 'place'])) ids.add(id);
  return ids.size ? gov.readEntities(ctx, [...ids]) : new Map();
}

function build(builder: MapBuilder, located: Iterable<Entity>, events: Iterable<Entity>, places: ReadonlyMap<string, Entity>, options: MapOptions): void {
  for (const e of located) builder.addOwnLocations(e, options.from, options.to);
  let n = 0;
  for (const e of events) {
    const t = e.schema === 'TravelEvent' ? firstValue(e, 'departure') : firstValue(e, 'date');
    if ((options.from || options.to) && !inWindow(t, options.from, options.to)) continue;
    if (++n > MAX_EVENTS) {
      builder.truncated = true;
      break;
    }
    if (e.schema === 'TravelEvent') builder.addTravel(e, places);
    else builder.addEvent(e, places);
  }
}

/**
 * The map of one entity: its addresses (or its own position for a place), the travel, encounters
 * and meetings that name it and, with `network`, the same for the persons and organisations one link
 * away. Following links is link analysis: the case's legal basis must allow it.
 */
export async function entityMap(gov: Governance, ctx: QueryContext, entityId: string, options: MapOptions = {}): Promise<MapData> {
  checkWindow(options);
  const view = await gov.readEntity(ctx, entityId);
  const scope = { kind: 'entity' as const, id: entityId, network: options.network ?? false, ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
  const subjects = new Map<string, MapSubject>();
  const entity = view.entity;
  if (!entity) return new MapBuilder(subjects, new Map()).result(scope, [], { withheld: view.withheld });
  subjects.set(entity.id, { id: entity.id, schema: entity.schema, caption: entity.caption, role: 'subject' });
  let truncated = false;
  const located = new Map<string, Entity>([[entity.id, entity]]);
  if (options.network) {
    const links = await gov.readReferencing(ctx, 'link-analysis', [entity.id]);
    const linkIds = [...new Set(links.filter((s) => NETWORK_LINKS.has(s.schema)).map((s) => s.entityId))];
    const linkEntities = linkIds.length ? await gov.readEntities(ctx, linkIds, 'link-analysis') : new Map<string, Entity>();
    const via = new Map<string, string>();
    for (const l of linkEntities.values()) for (const other of referenced(l)) if (other !== entity.id && !via.has(other)) via.set(other, l.schema);
    let others = [...via.keys()];
    if (others.length > MAX_NETWORK) {
      others = others.slice(0, MAX_NETWORK);
      truncated = true;
    }
    const neighbours = others.length ? await gov.readEntities(ctx, others, 'link-analysis') : new Map<string, Entity>();
    for (const n of neighbours.values()) {
      if (n.schema !== 'Person' && n.schema !== 'Organization') continue;
      subjects.set(n.id, { id: n.id, schema: n.schema, caption: n.caption, role: 'network', via: via.get(n.id)! });
      located.set(n.id, n);
    }
  }
  const events = await eventsOf(gov, ctx, [...subjects.keys()]);
  if (EVENT_SCHEMAS.has(entity.schema)) events.set(entity.id, entity);
  // A place's map: the travel, checks and meetings that happened there.
  if (entity.schema === 'Place' || entity.schema === 'Address') {
    const at = await gov.readReferencing(ctx, 'read', [entity.id], ['origin', 'destination', 'place']);
    const ids = [...new Set(at.filter((st) => EVENT_SCHEMAS.has(st.schema)).map((st) => st.entityId))].filter((id) => !events.has(id));
    if (ids.length > MAX_EVENTS) truncated = true;
    if (ids.length) for (const [id, e] of await gov.readEntities(ctx, ids.slice(0, MAX_EVENTS))) events.set(id, e);
  }
  const captions = await linkedCaptions(gov, ctx, events.values(), subjects);
  const places = await placesOf(gov, ctx, events.values());
  const builder = new MapBuilder(subjects, captions);
  build(builder, [...located.values()].filter((e) => LOCATED_SCHEMAS.has(e.schema)), events.values(), places, options);
  return builder.result(scope, [...subjects.values(), ...linkedSubjects(captions, subjects)], { withheld: view.withheld, truncated });
}

/** Captions of the persons named by the events shown who are not subjects of the map. */
async function linkedCaptions(gov: Governance, ctx: QueryContext, events: Iterable<Entity>, subjects: ReadonlyMap<string, MapSubject>): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const e of events) for (const id of referenced(e, ['traveller', 'subject', 'participant'])) if (!subjects.has(id)) ids.add(id);
  const out = new Map<string, string>();
  if (ids.size === 0) return out;
  for (const [id, e] of await gov.readEntities(ctx, [...ids])) out.set(id, e.caption);
  return out;
}

function linkedSubjects(captions: ReadonlyMap<string, string>, subjects: ReadonlyMap<string, MapSubject>): MapSubject[] {
  return [...captions].filter(([id]) => !subjects.has(id)).map(([id, caption]) => ({ id, schema: 'Person', caption, role: 'linked' as const }));
}

/**
 * The map of the session's case: every address, travel record, encounter and meeting the user may
 * read whose located facts (address, route, place, time) are recorded under the case. One governed
 * scan of those properties finds them; the entities are then read whole (still through governance).
 */
export async function caseMap(gov: Governance, ctx: QueryContext, options: MapOptions = {}): Promise<MapData> {
  checkWindow(options);
  const caseId = ctx.caseId;
  const ids = new Set<string>();
  let truncated = false;
  // Places are shared reference data (tagged with an intake case): they are read where events happen.
  const schemas = [...LOCATED_SCHEMAS, ...EVENT_SCHEMAS].filter((s) => s !== 'Place');
  // Only the statements that place something (an address, a route, a time at a place) decide what the
  // case map shows; scanning just those reads a fraction of the rows.
  for await (const batch of gov.scanReadable(ctx, 'read', { schemas, props: CASE_MAP_PROPS })) {
    for (const s of batch) {
      if (!caseId || !(s.caseIds as readonly string[]).includes(caseId)) continue;
      if (ids.size >= MAX_CASE_ENTITIES && !ids.has(s.entityId)) {
        truncated = true;
        continue;
      }
      ids.add(s.entityId);
    }
  }
  const scope = { kind: 'case' as const, id: caseId ?? '', network: false, ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
  const entities = ids.size ? await gov.readEntities(ctx, [...ids]) : new Map<string, Entity>();
  const subjects = new Map<string, MapSubject>();
  const located: Entity[] = [];
  const events = new Map<string, Entity>();
  for (const e of entities.values()) {
    if (EVENT_SCHEMAS.has(e.schema)) events.set(e.id, e);
    else if (LOCATED_SCHEMAS.has(e.schema)) {
      located.push(e);
      if (e.schema === 'Person' || e.schema === 'Organization') subjects.set(e.id, { id: e.id, schema: e.schema, caption: e.caption, role: 'subject' });
    }
  }
  const captions = await linkedCaptions(gov, ctx, events.values(), subjects);
  const places = await placesOf(gov, ctx, events.values());
  const builder = new MapBuilder(subjects, captions);
  build(builder, located, events.values(), places, options);
  return builder.result(scope, [...subjects.values(), ...linkedSubjects(captions, subjects)], { truncated });
}
