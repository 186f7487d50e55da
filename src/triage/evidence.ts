import type { Governance, QueryContext } from '../governance/index.js';
import { projectGraph, type Projection } from '../graph/index.js';
import { gradingConfidence, isProtected, isTesseraError, scoringView, type Statement } from '../model/index.js';
import type { Alert, HitReport } from '../watch/index.js';
import type { TriageEvidence, TriageSubject } from './signals.js';

/** What triage reads from the watch service (WatchService satisfies it). */
export interface WatchReader {
  listAlerts(ctx: QueryContext, filter?: { status?: string; limit?: number }): Promise<Alert[]>;
  listHits(ctx: QueryContext, filter?: { status?: string; kind?: string; alertId?: string; limit?: number }): Promise<HitReport[]>;
}

/**
 * What triage reads from entity resolution (ResolutionService satisfies it): the clusters of records
 * resolution says are one person, among the records the user may read.
 */
export interface ClusterReader {
  clusters(ctx: QueryContext): Promise<{ readonly clusters: readonly (readonly string[])[]; readonly warnings: readonly string[] }>;
}

/**
 * Where the link projection comes from (default: projected afresh with `projectGraph`). The API
 * passes one backed by the projection cache it shares with /api/graph, so a second ranking over an
 * unchanged store does not project again. A source must return exactly what `projectGraph` would for
 * the caller with these clusters, and authorise and audit the read as a `link-analysis` scan.
 */
export interface ProjectionSource {
  projection(
    ctx: QueryContext,
    request: {
      /** Entity id → resolved cluster id (persons of one cluster become one node). */
      readonly clusterOf?: ReadonlyMap<string, string>;
      /**
       * True when `clusterOf` is the resolution service's clustering at its default threshold (what
       * /api/graph shows by default): a source may answer with that shared projection once it has
       * checked the clusters agree.
       */
      readonly resolved: boolean;
    },
  ): Promise<Projection>;
}

export interface GatherOptions {
  readonly asOf: number;
  /** Entity id → resolved cluster id (a person's records ranked as one subject). */
  readonly clusterOf?: ReadonlyMap<string, string>;
  /** `clusterOf` is the resolution service's clustering (see ProjectionSource). */
  readonly resolved?: boolean;
  /** Where the projection comes from (default: projected afresh). */
  readonly projections?: ProjectionSource;
  readonly watch?: WatchReader;
  /** Subject entity/node id → time and reference of the last triage decision about it. */
  readonly decisions?: ReadonlyMap<string, { at: number; ref: string }>;
}

/** Schemas triage reads beside the graph projection (grading, gateways, assessments, watched status). */
const TRIAGE_SCHEMAS = ['Person', 'Place', 'Membership', 'TravelEvent', 'Possession'] as const;
const WATCHED_CATEGORIES = new Set(['suspect', 'convicted']);

/**
 * The checks the scans of `gatherEvidence` make (the projection's `link-analysis` read and the
 * triage scan's data classes), for a caller answered from evidence gathered earlier: a legal basis
 * withdrawn since is refused (and audited) exactly as a fresh gathering would be.
 */
export async function authoriseEvidence(gov: Governance, ctx: QueryContext): Promise<void> {
  await gov.authorise(ctx, 'link-analysis');
  await gov.authorise(ctx, 'triage', { schemas: TRIAGE_SCHEMAS });
}

/**
 * Gathers the evidence for triage through governance: the link projection (as the user may read it),
 * one scan of the schemas above, and the agency's alerts and hits. Protected characteristics are
 * dropped at the scan, before anything else sees them.
 */
export async function gatherEvidence(gov: Governance, ctx: QueryContext, options: GatherOptions): Promise<TriageEvidence & { notes: string[] }> {
  const notes: string[] = [];
  const projection = options.projections
    ? await options.projections.projection(ctx, { ...(options.clusterOf ? { clusterOf: options.clusterOf } : {}), resolved: options.resolved ?? false })
    : await projectGraph(gov, ctx, options.clusterOf ? { clusterOf: options.clusterOf } : {});
  const node = (entityId: string) => projection.nodeOf.get(entityId) ?? entityId;
  const props = new Map<string, Map<string, string[]>>();
  const gateways = new Map<string, string[]>();
  const watched = new Map<string, string[]>();
  const assessments = new Map<string, { at: number; ref: string }>();
  const grading = new Map<string, number>();
  const memberships = new Map<string, string>();
  const noteAssessment = (subject: string, at: number, ref: string) => {
    // Only what existed at the reference time: a later assessment was not there to be seen.
    if (!Number.isFinite(at) || at > options.asOf) return;
    const cur = assessments.get(subject);
    if (!cur || at > cur.at) assessments.set(subject, { at, ref });
  };
  const markWatched = (subject: string, why: string) => {
    const list = watched.get(subject);
    if (!list) watched.set(subject, [why]);
    else if (list.length < 5) list.push(why);
  };
  const pendingMembers: Statement[] = [];
  for await (const batch of gov.scanReadable(ctx, 'triage', { schemas: TRIAGE_SCHEMAS })) {
    for (const s of batch) {
      if (isProtected(s.schema, s.prop)) continue; // never reaches scoring (LED Art. 11(3))
      grading.set(s.id, gradingConfidence(s.grading));
      const at = Date.parse(s.source.collectedAt);
      if (s.schema === 'Person') {
        const subject = node(s.entityId);
        let m = props.get(subject);
        if (!m) props.set(subject, (m = new Map()));
        const vals = m.get(s.prop);
        if (!vals) m.set(s.prop, [s.value]);
        else if (!vals.includes(s.value)) vals.push(s.value);
        if (WATCHED_CATEGORIES.has(s.subjectCategory)) markWatched(subject, s.id);
        if (s.nature === 'assessment') noteAssessment(subject, at, s.id);
      } else if (s.schema === 'Place' && s.prop === 'conflictZoneGateway' && s.value === 'yes') {
        const place = node(s.entityId);
        gateways.set(place, [...(gateways.get(place) ?? []), s.id]);
      } else if (s.schema === 'Membership') {
        if (s.prop === 'member') memberships.set(s.entityId, s.value);
        pendingMembers.push(s);
      }
    }
  }
  // A recorded membership of an organisation is an assessment of the member (and makes them watched).
  for (const s of pendingMembers) {
    const member = memberships.get(s.entityId);
    if (!member) continue;
    const subject = node(member);
    if (s.prop === 'member') markWatched(subject, s.id);
    if (s.nature === 'assessment') noteAssessment(subject, Date.parse(s.source.collectedAt), s.id);
  }

  // Alerts and hits of the agency (watch). Without them the recent-hits signal is "unavailable".
  let hits: Map<string, { id: string; at: number }[]> | undefined;
  if (options.watch) {
    try {
      const alerts = await options.watch.listAlerts(ctx, { limit: 5_000 });
      const subjectsOf = new Map<string, string[]>();
      for (const a of alerts) {
        const subjects = a.subject.entityIds.filter((id) => projection.nodeOf.has(id)).map(node);
        subjectsOf.set(a.id, subjects);
        if (a.status === 'delisted') continue;
        for (const s of subjects) {
          markWatched(s, `alert:${a.id}`);
          const last = a.history.filter((h) => h.kind === 'created' || h.kind === 'reassessed' || h.kind === 'extended').at(-1);
          if (last) noteAssessment(s, Date.parse(last.at), `alert:${a.id}`);
        }
      }
      hits = new Map();
      for (const h of await options.watch.listHits(ctx, { limit: 5_000 })) {
        if (h.status === 'false-positive') continue;
        const targets = new Set(subjectsOf.get(h.alertId) ?? []);
        if (projection.nodeOf.has(h.encountered.ref)) targets.add(node(h.encountered.ref));
        // A hit counts at the time of the encounter it reports (a batch screened later still dates
        // from the crossing), else when it was raised.
        const encountered = h.encountered.when === undefined ? Number.NaN : Date.parse(h.encountered.when);
        const at = Number.isFinite(encountered) ? encountered : Date.parse(h.createdAt);
        for (const t of targets) hits.set(t, [...(hits.get(t) ?? []), { id: h.id, at }]);
      }
    } catch (e) {
      if (!isTesseraError(e)) throw e;
      notes.push(`watchlist not read (${e.code}: ${e.message}); the recent-hits signal is unavailable`);
      hits = undefined;
    }
  } else notes.push('no watch service given; the recent-hits signal is unavailable');
  for (const [subject, d] of options.decisions ?? []) noteAssessment(node(subject), d.at, d.ref);

  const entitiesOf = new Map<string, string[]>();
  for (const [entity, n] of projection.nodeOf) {
    const list = entitiesOf.get(n);
    if (list) list.push(entity);
    else entitiesOf.set(n, [entity]);
  }
  const subjects: TriageSubject[] = projection.nodes
    .filter((n) => n.kind === 'Person')
    .map((n) => ({
      id: n.id,
      label: n.label ?? n.id,
      entityIds: entitiesOf.get(n.id) ?? [n.id],
      view: scoringView('Person', Object.fromEntries(props.get(n.id) ?? [])),
    }));
  return { asOf: options.asOf, subjects, projection, gateways, watched, hits, assessments, grading, notes };
}
