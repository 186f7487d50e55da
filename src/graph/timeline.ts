import { propertySpec, type Statement } from '../model/index.js';

/** One dated happening on a timeline, with the statements and sources behind it. */
export interface TimelineEvent {
  /** Start (ISO text as stated: a date, a partial date or a date-time). */
  readonly time: string;
  readonly end?: string;
  /** The entity the event is (a Communication, Meeting, TravelEvent…) or is about. */
  readonly entityId: string;
  readonly schema: string;
  /** Which property dated it: `date`, `startDate`, `departure`, `birthDate`, or `firstSeen`. */
  readonly dated: string;
  /** The other values of the entity, prop → values (e.g. caller, callee, place). */
  readonly facts: Readonly<Record<string, readonly string[]>>;
  /** Agencies and documents the event rests on. */
  readonly sources: readonly { readonly agency: string; readonly documentId?: string }[];
  readonly statementIds: readonly string[];
}

const START_PROPS = ['date', 'startDate', 'departure', 'issueDate', 'birthDate'];
const END_PROPS = ['endDate', 'arrival', 'expiryDate', 'deathDate'];

/** Sort key for partial dates and date-times alike ("2024" < "2024-03" < "2024-03-02T…"). */
function key(time: string): string {
  return time.length === 4 ? `${time}-00` : time;
}

/**
 * The timeline of an entity or a network: every dated statement and event, in order, with its
 * sources. The caller passes the statements the user may read (the entities of interest and the
 * link entities that touch them); an entity with a date property (a call, a meeting, a trip, a
 * phone use) becomes one event carrying all its facts; other statements with `firstSeen` become
 * "seen" events of their own.
 */
export function timeline(statements: readonly Statement[]): TimelineEvent[] {
  const byEntity = new Map<string, Statement[]>();
  for (const s of statements) {
    const list = byEntity.get(s.entityId);
    if (list === undefined) byEntity.set(s.entityId, [s]);
    else list.push(s);
  }
  const events: TimelineEvent[] = [];
  for (const [entityId, list] of byEntity) {
    const schema = list[0]!.schema;
    const dateOf = (props: readonly string[]): { prop: string; value: string } | undefined => {
      for (const prop of props) {
        const s = list.find((x) => x.prop === prop && ['date', 'datetime'].includes(propertySpec(x.schema, x.prop)?.type ?? ''));
        if (s !== undefined) return { prop, value: s.value };
      }
      return undefined;
    };
    const start = dateOf(START_PROPS);
    const sourcesOf = (items: readonly Statement[]): TimelineEvent['sources'] => {
      const seen = new Map<string, { agency: string; documentId?: string }>();
      for (const s of items) {
        const k = `${s.source.agency}\u0000${s.source.documentId ?? ''}`;
        if (!seen.has(k)) seen.set(k, s.source.documentId === undefined ? { agency: s.source.agency } : { agency: s.source.agency, documentId: s.source.documentId });
      }
      return [...seen.values()];
    };
    if (start !== undefined) {
      const end = dateOf(END_PROPS);
      const facts: Record<string, string[]> = {};
      for (const s of list) {
        if (s.prop === start.prop || s.prop === end?.prop) continue;
        const values = (facts[s.prop] ??= []);
        if (!values.includes(s.value)) values.push(s.value);
      }
      events.push({
        time: start.value,
        ...(end === undefined ? {} : { end: end.value }),
        entityId,
        schema,
        dated: start.prop,
        facts,
        sources: sourcesOf(list),
        statementIds: list.map((s) => s.id),
      });
      continue;
    }
    for (const s of list) {
      if (s.firstSeen === undefined) continue;
      events.push({
        time: s.firstSeen,
        ...(s.lastSeen === undefined ? {} : { end: s.lastSeen }),
        entityId,
        schema,
        dated: 'firstSeen',
        facts: { [s.prop]: [s.value] },
        sources: sourcesOf([s]),
        statementIds: [s.id],
      });
    }
  }
  return events.sort((a, b) => (key(a.time) < key(b.time) ? -1 : key(a.time) > key(b.time) ? 1 : a.entityId.localeCompare(b.entityId)));
}
