import type { AnalysisMethod, Governance, QueryContext } from '../governance/index.js';
import { gradingCode, SCHEMA_NAMES, schemaSpec, TesseraError, toEu, type SchemaName, type Statement } from '../model/index.js';
import { DEFAULT_CLUSTER_THRESHOLD, ResolutionService } from '../resolve/index.js';
import { buildNetwork, type GraphEdge, type GraphNode, type Network } from './network.js';
import type { ActivityRecord, CallRecord, CellRecord, HandsetRecord, PhoneUseRecord, RelationRecord } from './patterns.js';

/**
 * Projection from the store to a graph, through governance: only statements the user may read make
 * nodes and edges (DESIGN.md: handling enforced in the graph too). Every edge names the statements
 * it rests on.
 *
 * - Direct links: each link schema's edge (Associate, Family, Membership, PhoneUse, HandsetUse,
 *   Possession, Encounter, Mention); Meeting participants pairwise; Communication aggregated per
 *   (caller, callee) with count and first/last time; TravelEvent traveller → destination.
 * - Selector nodes: entities that are exact selectors (Phone by number, Handset by IMEI, Vehicle by
 *   plate, Firearm by serial, IdentityDocument by number) collapse into one node per value, so the
 *   same number held by three agencies is one node.
 * - Derived links between persons, each explained: shared phone, shared handset, shared address,
 *   co-travel (same service on the same day) and co-location (same place, same day).
 * - Resolved clusters (`clusterOf`) collapse a person's records into one node.
 *
 * Every edge lists the gradings (EU 4x4 codes) of the statements it was built from, so a view can
 * keep only links resting on at least one statement graded at least so well.
 */
export interface Projection {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  /** Pattern inputs (phones as canonical selector node ids). */
  readonly calls: CallRecord[];
  readonly handsets: HandsetRecord[];
  readonly cells: CellRecord[];
  readonly phoneUse: PhoneUseRecord[];
  readonly relations: RelationRecord[];
  readonly activity: ActivityRecord[];
  /** Entity id → node id (selector collapse and clusters applied). */
  readonly nodeOf: ReadonlyMap<string, string>;
  readonly stats: { statements: number; entities: number; nodes: number; edges: number; seconds: number };
}

export interface ProjectionOptions {
  /** Entity id → resolved cluster id (persons of one cluster become one node). */
  readonly clusterOf?: ReadonlyMap<string, string>;
  /** Leave out Communication aggregation and call records (faster, for person-level views). */
  readonly withoutCalls?: boolean;
}

const SELECTOR_KEY: Partial<Record<SchemaName, string>> = {
  Phone: 'number',
  Handset: 'imei',
  Vehicle: 'registrationNumber',
  Firearm: 'serialNumber',
  IdentityDocument: 'number',
};
const EVIDENCE_CAP = 50;

/**
 * The properties the projection reads: every property of entity schemas (any readable statement
 * puts an entity in the graph, with its caption and selector), and of link schemas only the ends
 * and what the projection aggregates or derives from (times, cell sites, handsets, services, places,
 * relationships). Call durations and channels, seats, booking references and the like stay in the
 * store: on the demo store the projection reads 40 % fewer statements.
 */
export const PROJECTED_PROPS: readonly string[] = (() => {
  const props = new Set<string>(['caller', 'callee', 'date', 'startDate', 'departure', 'cellId', 'handset', 'participant', 'place', 'traveller', 'destination', 'serviceNumber', 'relationship']);
  for (const name of SCHEMA_NAMES) {
    const spec = schemaSpec(name);
    if (spec.kind === 'entity') for (const prop of Object.keys(spec.properties)) props.add(prop);
    if (spec.edge) props.add(spec.edge.source).add(spec.edge.target);
  }
  return [...props].sort();
})();

/** Caption properties of each entity schema (labels are assembled from these). */
const CAPTION_PROPS = new Map<string, ReadonlySet<string>>(SCHEMA_NAMES.filter((name) => schemaSpec(name).kind === 'entity').map((name) => [name, new Set(schemaSpec(name).caption)]));

/**
 * How many statement ids of an entity the projection keeps, and whether it tracks their gradings:
 * what its links and derived groups cite (a call cites 2, a trip or a person 3, other links up to
 * EVIDENCE_CAP; phones, handsets, documents… cite nothing themselves). Keeping no more spares
 * memory and garbage collection on large stores.
 */
const KEEP_IDS = new Map<string, number>(
  SCHEMA_NAMES.map((name) => [name, name === 'Communication' ? 2 : name === 'TravelEvent' || name === 'Person' ? 3 : schemaSpec(name).kind === 'entity' ? 0 : EVIDENCE_CAP]),
);
/** The gradings of an entity whose statements nothing cites (shared, never added to). */
const UNTRACKED: Set<string> = new Set();

interface Bag {
  schema: SchemaName;
  props: Map<string, string[]>;
  /** Statement ids kept as evidence (at most `keep`). */
  ids: string[];
  keep: number;
  /** Caption statements (entities only), for the label. */
  captions?: { prop: string; value: string }[];
  /** Distinct EU 4x4 grading codes of the entity's statements. */
  gradings: Set<string>;
}

/**
 * An entity's caption as its profile shows it (`assembleEntity`): the first caption property with a
 * value, its best-supported value (most statements; ties in alphabetical order).
 */
function captionOf(captionProps: readonly string[], statements: readonly { prop: string; value: string }[] | undefined): string | undefined {
  if (!statements) return undefined;
  for (const prop of captionProps) {
    const support = new Map<string, number>();
    for (const s of statements) if (s.prop === prop) support.set(s.value, (support.get(s.value) ?? 0) + 1);
    let best: string | undefined;
    let bestCount = 0;
    for (const [value, count] of support) {
      if (count > bestCount || (count === bestCount && best !== undefined && value.localeCompare(best) < 0)) {
        best = value;
        bestCount = count;
      }
    }
    if (best !== undefined) return best;
  }
  return undefined;
}

/** The first readable value of a property of an entity's bag. */
function first(bag: Bag, prop: string): string | undefined {
  return bag.props.get(prop)?.[0];
}

function day(t: string | undefined): string | undefined {
  return t && t.length >= 10 ? t.slice(0, 10) : undefined;
}

/** Projects what the context's user may read into a graph and pattern inputs. */
export async function projectGraph(gov: Governance, ctx: QueryContext, options: ProjectionOptions = {}): Promise<Projection> {
  const started = performance.now();
  const bags = new Map<string, Bag>();
  let statements = 0;
  // The store shares grading objects between statements: convert each once.
  const euCode = new Map<Statement['grading'], string>();
  for await (const batch of gov.scanReadableCores(ctx, 'link-analysis', { props: PROJECTED_PROPS })) {
    for (const s of batch) {
      statements++;
      let bag = bags.get(s.entityId);
      if (!bag) {
        const keep = KEEP_IDS.get(s.schema) ?? EVIDENCE_CAP;
        bags.set(s.entityId, (bag = { schema: s.schema, props: new Map(), ids: [], keep, gradings: keep > 0 ? new Set() : UNTRACKED }));
      }
      if (bag.keep > 0) {
        let code = euCode.get(s.grading);
        if (code === undefined) euCode.set(s.grading, (code = gradingCode(toEu(s.grading))));
        bag.gradings.add(code);
        if (bag.ids.length < bag.keep) bag.ids.push(s.id);
      }
      const vals = bag.props.get(s.prop);
      if (vals) {
        if (!vals.includes(s.value)) vals.push(s.value);
      } else bag.props.set(s.prop, [s.value]);
      if (CAPTION_PROPS.get(s.schema)?.has(s.prop)) (bag.captions ??= []).push(s);
    }
  }

  // Node identity: selectors by value, persons by cluster, everything else by entity id.
  const nodeOf = new Map<string, string>();
  const nodes = new Map<string, GraphNode>();
  const clusterMembers = new Map<string, string[]>();
  for (const [id, bag] of bags) {
    const spec = schemaSpec(bag.schema);
    if (spec.kind !== 'entity') continue;
    const selectorProp = SELECTOR_KEY[bag.schema];
    const selector = selectorProp ? bag.props.get(selectorProp)?.[0] : undefined;
    const cluster = selector ? undefined : options.clusterOf?.get(id);
    const node = selector ? `${bag.schema.toLowerCase()}:${selector}` : (cluster ?? id);
    nodeOf.set(id, node);
    if (cluster !== undefined) {
      const members = clusterMembers.get(cluster);
      if (members) members.push(id);
      else clusterMembers.set(cluster, [id]);
    }
    if (!nodes.has(node)) {
      const caption = selector ?? captionOf(spec.caption, bag.captions) ?? id;
      nodes.set(node, { id: node, kind: bag.schema, label: caption });
    }
  }
  // A resolved person is one node that names the records it stands for.
  for (const [cluster, members] of clusterMembers) {
    const node = nodes.get(cluster);
    if (node && members.length > 1) nodes.set(cluster, { ...node, members: members.sort() });
  }
  const ref = (id: string | undefined) => (id === undefined ? undefined : nodeOf.get(id));

  const edges = new Map<string, { e: GraphEdge & { evidence: string[]; count: number; weight: number; gradings: string[] }; first?: string; last?: string }>();
  const addEdge = (source: string | undefined, target: string | undefined, kind: string, evidence: readonly string[], time?: string, directed = false, gradings: Iterable<string> = []) => {
    if (!source || !target || source === target) return;
    const [a, b] = directed || source < target ? [source, target] : [target, source];
    const k = `${kind}\u0000${a}\u0000${b}`;
    let cur = edges.get(k);
    if (!cur) {
      cur = { e: { source: a, target: b, kind, weight: 0, count: 0, directed, evidence: [], gradings: [] } };
      edges.set(k, cur);
    }
    cur.e.count++;
    cur.e.weight++;
    for (const id of evidence) if (cur.e.evidence.length < EVIDENCE_CAP) cur.e.evidence.push(id);
    for (const g of gradings) if (!cur.e.gradings.includes(g)) cur.e.gradings.push(g);
    if (time) {
      if (!cur.first || time < cur.first) cur.first = time;
      if (!cur.last || time > cur.last) cur.last = time;
    }
  };

  const calls: CallRecord[] = [];
  const handsets: HandsetRecord[] = [];
  const cells: CellRecord[] = [];
  const phoneUse: PhoneUseRecord[] = [];
  const relations: RelationRecord[] = [];
  const activity: ActivityRecord[] = [];
  const phoneUsers = new Map<string, Set<string>>();
  const handsetPhones = new Map<string, Set<string>>();
  /** Per phone or handset node: the statements tying it to its users, and their gradings (derived-link evidence). */
  const selectorEvidence = new Map<string, { ids: string[]; gradings: Set<string> }>();
  const selectorUse = (selector: string, bag: Bag) => {
    let ev = selectorEvidence.get(selector);
    if (!ev) selectorEvidence.set(selector, (ev = { ids: [], gradings: new Set() }));
    for (const id of bag.ids.slice(0, 3)) if (ev.ids.length < EVIDENCE_CAP) ev.ids.push(id);
    for (const g of bag.gradings) ev.gradings.add(g);
  };
  type Group = { persons: Set<string>; ids: string[]; gradings: Set<string> };
  const travelGroups = new Map<string, Group>();
  const placeGroups = new Map<string, Group>();
  const addresses = new Map<string, Group>();
  const group = (m: Map<string, Group>, key: string, person: string, bag: Bag) => {
    let g = m.get(key);
    if (!g) m.set(key, (g = { persons: new Set(), ids: [], gradings: new Set() }));
    g.persons.add(person);
    for (const id of bag.ids.slice(0, 3)) if (g.ids.length < EVIDENCE_CAP) g.ids.push(id);
    for (const grading of bag.gradings) g.gradings.add(grading);
  };

  for (const [id, bag] of bags) {
    const spec = schemaSpec(bag.schema);
    if (spec.kind === 'entity') {
      if (bag.schema === 'Person') {
        const person = nodeOf.get(id)!;
        const address = first(bag, 'address');
        if (address) group(addresses, address.toLowerCase().replace(/\s+/g, ' '), person, bag);
        // A phone number recorded on the person links to the number's selector node.
        for (const number of bag.props.get('phone') ?? []) {
          const phoneNode = `phone:${number}`;
          if (!nodes.has(phoneNode)) nodes.set(phoneNode, { id: phoneNode, kind: 'Phone', label: number });
          addEdge(person, phoneNode, 'PhoneUse', bag.ids.slice(0, 3), undefined, true, bag.gradings);
          phoneUse.push({ id, person, phone: phoneNode });
          selectorUse(phoneNode, bag);
          let users = phoneUsers.get(phoneNode);
          if (!users) phoneUsers.set(phoneNode, (users = new Set()));
          users.add(person);
        }
      }
      continue;
    }
    const start = first(bag, 'startDate') ?? first(bag, 'date') ?? first(bag, 'departure');
    switch (bag.schema) {
      case 'Communication': {
        if (options.withoutCalls) break;
        const from = ref(first(bag, 'caller'));
        const to = ref(first(bag, 'callee'));
        const date = first(bag, 'date');
        addEdge(from, to, 'Communication', bag.ids.slice(0, 2), date, true, bag.gradings);
        if (from && to && date) calls.push({ id, from, to, time: date });
        const handset = ref(first(bag, 'handset'));
        if (from && handset) handsets.push({ id, phone: from, handset, ...(date ? { time: date } : {}) });
        const cell = first(bag, 'cellId');
        if (from && cell && date) cells.push({ id, phone: from, cell, time: date });
        break;
      }
      case 'Meeting': {
        const participants = (bag.props.get('participant') ?? []).map(ref).filter((x): x is string => !!x);
        for (let i = 0; i < participants.length; i++) for (let j = i + 1; j < participants.length; j++) addEdge(participants[i], participants[j], 'Meeting', bag.ids, first(bag, 'date'), false, bag.gradings);
        const place = ref(first(bag, 'place'));
        const d = day(first(bag, 'date'));
        for (const person of participants) {
          if (place && d) group(placeGroups, `${place}|${d}`, person, bag);
          if (first(bag, 'date')) activity.push({ id, subject: person, time: first(bag, 'date')! });
        }
        break;
      }
      case 'TravelEvent': {
        const traveller = ref(first(bag, 'traveller'));
        addEdge(traveller, ref(first(bag, 'destination')), 'TravelEvent', bag.ids.slice(0, 3), first(bag, 'departure'), true, bag.gradings);
        const service = first(bag, 'serviceNumber');
        const d = day(first(bag, 'departure'));
        if (traveller && service && d) group(travelGroups, `${service}|${d}`, traveller, bag);
        if (traveller && first(bag, 'departure')) activity.push({ id, subject: traveller, time: first(bag, 'departure')! });
        break;
      }
      default: {
        if (!spec.edge) break;
        const source = ref(first(bag, spec.edge.source));
        const target = ref(first(bag, spec.edge.target));
        addEdge(source, target, bag.schema, bag.ids, start, spec.edge.directed, bag.gradings);
        if (bag.schema === 'PhoneUse' && source && target) {
          phoneUse.push({ id, person: source, phone: target });
          selectorUse(target, bag);
          let users = phoneUsers.get(target);
          if (!users) phoneUsers.set(target, (users = new Set()));
          users.add(source);
        }
        if (bag.schema === 'HandsetUse' && source && target) {
          handsets.push({ id, phone: source, handset: target, ...(start ? { time: start } : {}) });
          selectorUse(target, bag);
          let phones = handsetPhones.get(target);
          if (!phones) handsetPhones.set(target, (phones = new Set()));
          phones.add(source);
        }
        if ((bag.schema === 'Family' || bag.schema === 'Associate') && source && target) {
          relations.push({ id, person: source, relative: target, kind: first(bag, 'relationship') ?? bag.schema });
        }
        if (bag.schema === 'Encounter' && source && target && first(bag, 'date')) group(placeGroups, `${target}|${day(first(bag, 'date'))}`, source, bag);
      }
    }
  }

  // Person activity through their phones' calls (for dormancy).
  const personsOfPhone = phoneUsers;
  for (const c of calls) for (const person of personsOfPhone.get(c.from) ?? []) activity.push({ id: c.id, subject: person, time: c.time });

  // Derived person–person edges, each with its evidence.
  // Shared phones and handsets name the selector node first, then the use statements behind it.
  const pairwise = (members: Iterable<string>, kind: string, evidence: readonly string[], gradings: Iterable<string>, time?: string) => {
    const list = [...members];
    if (list.length > 50) return; // a crowd (a whole flight) is no tie
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) addEdge(list[i], list[j], kind, evidence, time, false, gradings);
  };
  const selectorTie = (selector: string) => {
    const ev = selectorEvidence.get(selector);
    return { evidence: [selector, ...(ev?.ids ?? [])].slice(0, EVIDENCE_CAP), gradings: ev?.gradings ?? [] };
  };
  for (const [phone, users] of phoneUsers) {
    const tie = selectorTie(phone);
    pairwise(users, 'shared-phone', tie.evidence, tie.gradings);
  }
  for (const [handset, phones] of handsetPhones) {
    const persons = new Set<string>();
    const gradings = new Set(selectorEvidence.get(handset)?.gradings ?? []);
    for (const ph of phones) {
      for (const u of phoneUsers.get(ph) ?? []) persons.add(u);
      for (const g of selectorEvidence.get(ph)?.gradings ?? []) gradings.add(g);
    }
    pairwise(persons, 'shared-handset', selectorTie(handset).evidence, gradings);
  }
  for (const g of addresses.values()) pairwise(g.persons, 'shared-address', g.ids, g.gradings);
  for (const [key, g] of travelGroups) pairwise(g.persons, 'co-travel', g.ids, g.gradings, key.split('|')[1]);
  for (const [key, g] of placeGroups) pairwise(g.persons, 'co-location', g.ids, g.gradings, key.split('|')[1]);

  const edgeList: GraphEdge[] = [];
  for (const { e, first, last } of edges.values()) {
    edgeList.push({ ...e, ...(first ? { first } : {}), ...(last ? { last } : {}) });
  }
  return {
    nodes: [...nodes.values()],
    edges: edgeList,
    calls,
    handsets,
    cells,
    phoneUse,
    relations,
    activity,
    nodeOf,
    stats: { statements, entities: bags.size, nodes: nodes.size, edges: edgeList.length, seconds: (performance.now() - started) / 1000 },
  };
}

// ---- store-backed graph (CLI and API share these) ----------------------------------------------

/** Whether and how entity resolution merged records into persons for this graph. */
export interface ResolutionUse {
  /** True when the resolution capability's clusters were applied. */
  readonly applied: boolean;
  /** Probability at or above which a machine link joins a cluster (white links always do). */
  readonly threshold: number;
  /** Clusters of two or more readable records, and how many records they hold. */
  readonly clusters: number;
  readonly records: number;
  readonly note?: string;
}

/** A projection of what the caller may read, with the network built over it. */
export interface StoreGraph {
  readonly projection: Projection;
  readonly net: Network;
  readonly resolution: ResolutionUse;
}

export interface StoreGraphOptions extends ProjectionOptions {
  /**
   * `resolved` (default): records that entity resolution put in one cluster (analyst-confirmed
   * white links, and machine links at or above `clusterThreshold`; never green or red) become one
   * node; `none`: every record is its own node.
   */
  readonly clusters?: 'resolved' | 'none';
  /** Default DEFAULT_CLUSTER_THRESHOLD of the resolution service (0.5). */
  readonly clusterThreshold?: number;
}

/** True when the case's legal basis covers entity resolution of persons (checked without a refusal entry). */
async function resolutionAllowed(gov: Governance, ctx: QueryContext): Promise<boolean> {
  const c = ctx.caseId ? await gov.case(ctx.caseId) : undefined;
  const basis = c ? await gov.legalBasis(c.legalBasis) : undefined;
  return basis !== undefined && basis.methods.includes('resolution') && (basis.schemas.length === 0 || basis.schemas.includes('Person'));
}

/**
 * Record → cluster representative (its smallest readable record id) from the resolution service's
 * clusters among the records this user may read (audited there as `resolution.clusters`). Used only
 * when the case's legal basis covers resolution: the graph never merges records the basis does not
 * allow to be matched.
 */
export async function resolvedClusters(gov: Governance, ctx: QueryContext, threshold = DEFAULT_CLUSTER_THRESHOLD): Promise<{ clusterOf?: Map<string, string>; resolution: ResolutionUse }> {
  if (!(await resolutionAllowed(gov, ctx))) {
    return { resolution: { applied: false, threshold, clusters: 0, records: 0, note: `the legal basis of case ${ctx.caseId ?? '(none)'} does not cover entity resolution: records are shown as recorded, unmerged` } };
  }
  const { clusters } = await new ResolutionService(gov).clusters(ctx, threshold);
  const clusterOf = new Map<string, string>();
  let records = 0;
  for (const members of clusters) {
    const representative = [...members].sort()[0]!;
    for (const m of members) clusterOf.set(m, representative);
    records += members.length;
  }
  return { clusterOf, resolution: { applied: true, threshold, clusters: clusters.length, records } };
}

/** Projects the readable store (with resolved clusters unless `clusters: 'none'`) and builds the network; no authorisation. */
export async function projectStoreGraph(gov: Governance, ctx: QueryContext, options: StoreGraphOptions = {}): Promise<StoreGraph> {
  const threshold = options.clusterThreshold ?? DEFAULT_CLUSTER_THRESHOLD;
  let clusterOf = options.clusterOf;
  let resolution: ResolutionUse = { applied: clusterOf !== undefined, threshold, clusters: 0, records: 0 };
  if (clusterOf === undefined && options.clusters !== 'none') ({ clusterOf, resolution } = await resolvedClusters(gov, ctx, threshold));
  const projection = await projectGraph(gov, ctx, { ...(clusterOf ? { clusterOf } : {}), ...(options.withoutCalls ? { withoutCalls: true } : {}) });
  return { projection, net: buildNetwork(projection.nodes, projection.edges), resolution };
}

/**
 * Authorises the method for the caller's case (legal basis, hop limit — BVerfG 1 BvR 1547/19: the
 * basis must cover the method) and projects the readable store into a network, resolved persons as
 * one node. Structure methods ask for `network-analysis`; the projection itself reads under
 * `link-analysis`; both are audited.
 */
export async function storeGraph(
  gov: Governance,
  ctx: QueryContext,
  method: Extract<AnalysisMethod, 'link-analysis' | 'network-analysis'>,
  detail: { hops?: number } = {},
  options: StoreGraphOptions = {},
): Promise<StoreGraph> {
  await gov.authorise(ctx, method, detail);
  return projectStoreGraph(gov, ctx, options);
}

/**
 * Maps the ids users give (entity ids from search/profiles, or node ids such as `phone:+33…`)
 * to node ids through `nodeOf`; an id the caller cannot see is NOT_FOUND, never a hint it exists.
 */
export function nodeIdsOf(projection: Projection, ids: readonly string[]): string[] {
  const known = new Set(projection.nodes.map((n) => n.id));
  return ids.map((id) => {
    const node = projection.nodeOf.get(id) ?? (known.has(id) ? id : undefined);
    if (node === undefined) throw new TesseraError('NOT_FOUND', `unknown entity ${id} (not in the graph, or not visible to you)`, { record: id, field: 'id' });
    return node;
  });
}

/**
 * Refuses (audited, LEGAL_BASIS) a path or chain longer than the case's legal basis allows: the hop
 * limit bounds how far from a subject analysis may reach, whichever query reaches there.
 */
export async function checkHops(gov: Governance, ctx: QueryContext, hops: number): Promise<void> {
  if (hops > 0) await gov.authorise(ctx, 'link-analysis', { hops });
}

/**
 * The readable statements of the given entities and of the link entities (calls, meetings, uses)
 * naming them, for a timeline. Node ids expand to every entity collapsed into them.
 */
export async function timelineStatements(gov: Governance, ctx: QueryContext, ids: readonly string[], projection?: Projection): Promise<Statement[]> {
  const wanted = new Set(ids);
  if (projection) for (const [entity, node] of projection.nodeOf) if (wanted.has(node)) wanted.add(entity);
  const own: Statement[] = [];
  const linked = new Set<string>();
  for await (const batch of gov.scanReadable(ctx, 'link-analysis')) {
    for (const s of batch) {
      if (wanted.has(s.entityId)) own.push(s);
      else if (wanted.has(s.value)) linked.add(s.entityId);
    }
  }
  if (own.length === 0 && linked.size === 0) throw new TesseraError('NOT_FOUND', `no readable statements for ${ids.join(', ')}`, { ...(ids[0] === undefined ? {} : { record: ids[0] }), field: 'id' });
  if (linked.size === 0) return own;
  const links: Statement[] = [];
  for await (const batch of gov.scanReadable(ctx, 'link-analysis')) for (const s of batch) if (linked.has(s.entityId)) links.push(s);
  return [...own, ...links];
}
