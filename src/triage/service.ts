import { monotonicFactory } from 'ulidx';
import { z } from 'zod';
import { partitionReadable, type Governance, type Principal, type QueryContext } from '../governance/index.js';
import { invalid, isTesseraError, TesseraError } from '../model/index.js';
import { EvidenceCache, evidenceKey, type GatheredSignals } from './cache.js';
import { authoriseEvidence, gatherEvidence, type ClusterReader, type ProjectionSource, type WatchReader } from './evidence.js';
import { Capacity, coverageCurve, measuresOf, planCapacity, type CapacityInput, type CurvePoint, type PlanResult } from './plan.js';
import { DEFAULT_WEIGHTS, scoreSubject, TriageWeights, type Contribution, type ScoredSubject } from './score.js';
import { extractSignals, SIGNAL_INFO, SIGNALS, type SignalName, type SignalOptions } from './signals.js';

const WEIGHTS = 'triage-weights';
const CAPACITY = 'triage-capacity';
const PLANS = 'triage-plans';
const DECISIONS = 'triage-decisions';
/** A rise since the last decision is flagged when the odds grew e-fold (log-odds +1) or the risk by 0.05. */
const RISE_LOGIT = 1;
const RISE_ABS = 0.05;
const logit = (p: number) => Math.log(Math.max(p, 1e-9) / Math.max(1 - p, 1e-9));
const MIN_REASON = 20;
const ulid = monotonicFactory();

export interface TriageServiceOptions {
  /** Watchlist alerts and hits (the recent-hits signal, watched subjects, alert reviews). */
  readonly watch?: WatchReader;
  /** Entity resolution: a person's records across agencies are ranked as one subject. */
  readonly resolution?: ClusterReader;
  readonly now?: () => Date;
  readonly signals?: SignalOptions;
  /** Where the link projection comes from (default: projected afresh on every ranking). */
  readonly projections?: ProjectionSource;
  /**
   * Gathered signals kept between rankings over an unchanged store (`evidenceKey`), per service
   * instance; 0 turns it off. Default 4. Scoring, weights and "rose" are recomputed on every call.
   */
  readonly cachedRankings?: number;
}

/** Weights as stored for an agency, with who set them and why. */
export interface WeightsRecord extends TriageWeights {
  readonly agency: string;
  readonly version: number;
  readonly source: 'default' | 'agency';
  readonly setBy?: string;
  readonly setAt?: string;
  readonly reason?: string;
}

export interface CapacityRecord extends Capacity {
  readonly agency: string;
  readonly setBy: string;
  readonly setAt: string;
  readonly reason: string;
}

/** One ranked subject as shown to a supervisor (and stored in the plan snapshot). */
export interface RankedSubject {
  readonly rank: number;
  readonly subject: string;
  readonly label: string;
  readonly entityIds: readonly string[];
  readonly risk: number;
  readonly contributions: readonly Contribution[];
  readonly missing: readonly { signal: SignalName; reason: string }[];
  /** Set when the risk rose markedly (odds ×e or +0.05) since the agency's last decision. */
  readonly rose?: { readonly from: number; readonly decision: string };
}

/** How subjects were formed: records as they are, or records joined by a resolution. */
export interface ResolutionUsed {
  readonly source: 'none' | 'given' | 'resolution';
  /** Subjects made of more than one record. */
  readonly clusters: number;
  /** Records inside those clusters. */
  readonly records: number;
  readonly warnings: readonly string[];
}

export interface Ranking {
  readonly asOf: string;
  readonly agency: string;
  readonly weights: WeightsRecord;
  readonly subjects: readonly RankedSubject[];
  readonly notes: readonly string[];
  readonly resolution: ResolutionUsed;
  readonly lastDecision?: string;
}

export interface RankOptions {
  /** Reference time (default now). */
  readonly asOf?: string;
  /** An explicit resolution (entity id → cluster id); wins over the resolution service. */
  readonly clusterOf?: ReadonlyMap<string, string>;
  /** With a resolution service: rank resolved persons (default true) or single records (false). */
  readonly resolved?: boolean;
}

/** What a statement cited as evidence is, for links to the entity's profile. */
export interface EvidenceRef {
  readonly statementId: string;
  readonly entityId: string;
  readonly schema: string;
  readonly prop: string;
}

/** A stored plan: exactly what the system showed, for replay at review. */
export interface PlanSnapshot {
  readonly id: string;
  readonly agency: string;
  readonly caseId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly asOf: string;
  readonly weights: WeightsRecord;
  readonly capacity: Capacity;
  readonly ranking: readonly RankedSubject[];
  readonly plan: PlanResult;
  /** Covered risk against capacity (team counts), the declared point marked; absent in plans stored before the chart existed. */
  readonly curve?: readonly CurvePoint[];
  readonly resolution?: ResolutionUsed;
  readonly notes: readonly string[];
  readonly lastDecision?: string;
}

export const DecisionChange = z.object({
  subject: z.string().min(1),
  /** A measure id of the capacity, or "none" to leave the subject uncovered. */
  measure: z.string().min(1),
  team: z.string().min(1).optional(),
});
export type DecisionChange = z.infer<typeof DecisionChange>;

export const DecisionInput = z.object({
  planId: z.string().min(1),
  action: z.enum(['accept', 'change']),
  changes: z.array(DecisionChange).max(10_000).default([]),
  reason: z.string(),
  /** Replace an earlier decision on this plan, or decide on a plan older than the last decision. */
  supersede: z.boolean().default(false),
});
export type DecisionInput = z.input<typeof DecisionInput>;

export interface Decision {
  readonly id: string;
  readonly planId: string;
  readonly agency: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
  readonly action: 'accept' | 'change';
  readonly reason: string;
  readonly changes: readonly DecisionChange[];
  readonly allocation: readonly { subject: string; measure: string; team: string; agents: number; risk: number }[];
  /** Each subject's risk as shown at decision time (for "risk rose since" flags). */
  readonly risks: Readonly<Record<string, number>>;
  readonly supersedes?: string;
}

/**
 * Capacity-aware triage (issue 11): rank subjects by a logistic score of explainable signals, plan
 * the agency's surveillance capacity over them, and record a supervisor's decision with a snapshot
 * of what the system showed. Every step is authorised for the `triage` method and audited.
 */
export class TriageService {
  private readonly now: () => Date;
  private readonly cache: EvidenceCache;

  constructor(
    private readonly gov: Governance,
    private readonly options: TriageServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.cache = new EvidenceCache(options.cachedRankings ?? 4);
  }

  /** How often rankings were answered from gathered signals (tests, metrics). */
  cacheStats(): { hits: number; misses: number; entries: number } {
    return this.cache.stats();
  }

  /** The weights in force for the caller's agency (defaults when none were set). */
  async weights(ctx: QueryContext): Promise<WeightsRecord> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const w = await this.weightsOf(principal.agency);
    await this.gov.audit(ctx, principal, 'triage.weights.read', 'allowed', [], { version: w.version });
    return w;
  }

  /** A supervisor sets the agency's weights, with a reason. */
  async setWeights(ctx: QueryContext, input: unknown, reason: string): Promise<WeightsRecord> {
    const principal = await this.gov.authorise(ctx, 'triage');
    await this.requireSupervisor(ctx, principal, 'triage.weights.set');
    const why = checkReason(reason, 'weights');
    const parsed = TriageWeights.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(`${issue.message} (weights are ≥ 0: no signal may lower attention)`, 'weights', issue.path.map(String).join('.'));
    }
    const prev = await this.weightsOf(principal.agency);
    const rec: WeightsRecord = { ...parsed.data, agency: principal.agency, version: prev.version + 1, source: 'agency', setBy: principal.userId, setAt: this.now().toISOString(), reason: why };
    await this.gov.store.putRecord(WEIGHTS, principal.agency, rec, { agency: principal.agency });
    await this.gov.audit(ctx, principal, 'triage.weights.set', 'allowed', [], { version: rec.version, previous: { bias: prev.bias, weights: prev.weights }, bias: rec.bias, weights: rec.weights, reason: why });
    return rec;
  }

  /** The agency's declared capacity, or undefined. */
  async capacity(ctx: QueryContext): Promise<CapacityRecord | undefined> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const rec = await this.gov.store.getRecord<CapacityRecord>(CAPACITY, principal.agency);
    await this.gov.audit(ctx, principal, 'triage.capacity.read', 'allowed', []);
    return rec?.body;
  }

  /** A supervisor declares the agency's capacity (teams, agents per target, partial measures). */
  async setCapacity(ctx: QueryContext, input: CapacityInput, reason: string): Promise<CapacityRecord> {
    const principal = await this.gov.authorise(ctx, 'triage');
    await this.requireSupervisor(ctx, principal, 'triage.capacity.set');
    const why = checkReason(reason, 'capacity');
    const capacity = parseCapacity(input);
    const rec: CapacityRecord = { ...capacity, agency: principal.agency, setBy: principal.userId, setAt: this.now().toISOString(), reason: why };
    await this.gov.store.putRecord(CAPACITY, principal.agency, rec, { agency: principal.agency });
    await this.gov.audit(ctx, principal, 'triage.capacity.set', 'allowed', [], { teams: capacity.teams.length, agents: capacity.teams.reduce((a, t) => a + t.agents, 0), agentsPerTarget: capacity.agentsPerTarget, reason: why });
    return rec;
  }

  /** Ranks every person the caller may see; none is dropped, missing signals are listed per subject. */
  async rank(ctx: QueryContext, options: RankOptions = {}): Promise<Ranking> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const ranking = await this.rankFor(ctx, principal, options);
    await this.gov.audit(ctx, principal, 'triage.rank', 'allowed', ranking.subjects.slice(0, 100).flatMap((s) => s.entityIds.slice(0, 3)), { subjects: ranking.subjects.length, asOf: ranking.asOf, weightsVersion: ranking.weights.version, resolution: ranking.resolution.source, clusters: ranking.resolution.clusters });
    return ranking;
  }

  /**
   * Ranks, then plans the capacity (the declared one, or `capacity` given for a what-if), and stores
   * the snapshot a decision will refer to.
   */
  async plan(ctx: QueryContext, options: RankOptions & { capacity?: CapacityInput } = {}): Promise<PlanSnapshot> {
    const principal = await this.gov.authorise(ctx, 'triage');
    let capacity: Capacity;
    if (options.capacity) capacity = parseCapacity(options.capacity);
    else {
      const rec = await this.gov.store.getRecord<CapacityRecord>(CAPACITY, principal.agency);
      if (!rec) throw new TesseraError('NOT_FOUND', `agency ${principal.agency} has declared no capacity: a supervisor declares it first (tessera triage capacity)`, { field: 'capacity' });
      capacity = parseCapacity(rec.body);
    }
    const ranking = await this.rankFor(ctx, principal, options);
    const inputs = ranking.subjects.map((s) => ({ subject: s.subject, risk: s.risk }));
    const plan = planCapacity(inputs, capacity);
    const snapshot: PlanSnapshot = {
      id: `plan-${ulid()}`,
      agency: principal.agency,
      caseId: ctx.caseId ?? null,
      createdBy: principal.userId,
      createdAt: this.now().toISOString(),
      asOf: ranking.asOf,
      weights: ranking.weights,
      capacity,
      ranking: ranking.subjects,
      plan,
      curve: coverageCurve(inputs, capacity),
      resolution: ranking.resolution,
      notes: ranking.notes,
      ...(ranking.lastDecision ? { lastDecision: ranking.lastDecision } : {}),
    };
    await this.gov.store.putRecord(PLANS, snapshot.id, snapshot, { agency: principal.agency });
    await this.gov.audit(ctx, principal, 'triage.plan', 'allowed', plan.assignments.map((a) => a.subject), {
      plan: snapshot.id,
      subjects: ranking.subjects.length,
      assigned: plan.assignments.length,
      uncovered: plan.uncovered.length,
      coveredRisk: plan.coveredRisk,
      totalRisk: plan.totalRisk,
    });
    return snapshot;
  }

  /**
   * A supervisor accepts or changes a plan, with a written reason. Contradictions are refused, never
   * resolved silently: the same subject changed twice, an unknown subject, measure or team, a team
   * over its agents, a plan already decided or older than the last decision (unless `supersede`).
   */
  async decide(ctx: QueryContext, input: DecisionInput): Promise<Decision> {
    const principal = await this.gov.authorise(ctx, 'triage');
    await this.requireSupervisor(ctx, principal, 'triage.decide', { plan: (input as { planId?: unknown }).planId });
    const parsed = DecisionInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(issue.message, 'decision', issue.path.map(String).join('.'));
    }
    const d = parsed.data;
    const reason = checkReason(d.reason, 'decision');
    const rec = await this.gov.store.getRecord<PlanSnapshot>(PLANS, d.planId);
    if (!rec || rec.body.agency !== principal.agency) throw new TesseraError('NOT_FOUND', `no plan ${d.planId} of agency ${principal.agency}`, { record: d.planId, field: 'planId' });
    const plan = rec.body;
    if (d.action === 'accept' && d.changes.length) throw invalid('"accept" takes the plan as proposed; use action "change" to change it', d.planId, 'changes');
    if (d.action === 'change' && !d.changes.length) throw invalid('"change" needs at least one change (subject, measure, team)', d.planId, 'changes');
    const earlier = await this.gov.store.findRecords<Decision>(DECISIONS, { where: { plan: plan.id }, order: 'desc', limit: 1 });
    const latest = await this.latestDecision(principal.agency);
    let supersedes: string | undefined;
    if (earlier[0]) {
      if (!d.supersede) throw new TesseraError('CONFLICT', `plan ${plan.id} was already decided (${earlier[0].id} by ${earlier[0].body.decidedBy}); pass supersede to replace that decision`, { record: plan.id, field: 'planId' });
      supersedes = earlier[0].id;
    }
    if (latest && latest.decidedAt > plan.createdAt && latest.planId !== plan.id && !d.supersede) {
      throw new TesseraError('CONFLICT', `decision ${latest.id} (${latest.decidedAt}) was made after plan ${plan.id} was drawn up; plan again, or pass supersede`, { record: plan.id, field: 'planId' });
    }
    const measures = new Map(measuresOf(plan.capacity).map((m) => [m.id, m]));
    const teams = new Map(plan.capacity.teams.map((t) => [t.id, t.agents]));
    const risks = new Map(plan.ranking.map((r) => [r.subject, r.risk]));
    const allocation = new Map(plan.plan.assignments.map((a) => [a.subject, { subject: a.subject, measure: a.measure, team: a.team, agents: a.agents, risk: a.risk }]));
    const seen = new Set<string>();
    for (const c of d.changes) {
      if (seen.has(c.subject)) throw invalid(`subject ${c.subject} is changed twice in one decision (contradictory)`, c.subject, 'changes');
      seen.add(c.subject);
      const risk = risks.get(c.subject);
      if (risk === undefined) throw invalid(`subject ${c.subject} is not in plan ${plan.id}`, c.subject, 'subject');
      if (c.measure === 'none') {
        allocation.delete(c.subject);
        continue;
      }
      const m = measures.get(c.measure);
      if (!m) throw invalid(`unknown measure "${c.measure}" (known: none, ${[...measures.keys()].join(', ')})`, c.subject, 'measure');
      const team = c.team ?? allocation.get(c.subject)?.team;
      if (!team) throw invalid(`subject ${c.subject} has no team in the plan: name one (teams: ${[...teams.keys()].join(', ')})`, c.subject, 'team');
      if (!teams.has(team)) throw invalid(`unknown team "${team}"`, c.subject, 'team');
      allocation.set(c.subject, { subject: c.subject, measure: m.id, team, agents: m.agents, risk });
    }
    const used = new Map<string, number>();
    for (const a of allocation.values()) used.set(a.team, (used.get(a.team) ?? 0) + a.agents);
    const over = [...used].filter(([t, n]) => n > (teams.get(t) ?? 0));
    if (over.length) {
      throw new TesseraError('CONFLICT', `the allocation exceeds capacity: ${over.map(([t, n]) => `team ${t} needs ${n} of ${teams.get(t) ?? 0} agents`).join('; ')}`, { record: plan.id, field: 'changes', context: { over: Object.fromEntries(over) } });
    }
    const decision: Decision = {
      id: `decision-${ulid()}`,
      planId: plan.id,
      agency: principal.agency,
      decidedBy: principal.userId,
      decidedAt: this.now().toISOString(),
      action: d.action,
      reason,
      changes: d.changes,
      allocation: [...allocation.values()].sort((a, b) => b.risk - a.risk),
      risks: Object.fromEntries(risks),
      ...(supersedes ? { supersedes } : {}),
    };
    await this.gov.store.putRecord(DECISIONS, decision.id, decision, { agency: principal.agency, plan: plan.id });
    await this.gov.audit(ctx, principal, 'triage.decide', 'allowed', decision.allocation.map((a) => a.subject), {
      decision: decision.id,
      plan: plan.id,
      action: decision.action,
      changes: decision.changes.length,
      reason,
      ...(supersedes ? { supersedes } : {}),
    });
    return decision;
  }

  /** Replays a decision: the decision and the snapshot of what the system showed when it was made. */
  async review(ctx: QueryContext, decisionId: string): Promise<{ decision: Decision; shown: PlanSnapshot }> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const rec = await this.gov.store.getRecord<Decision>(DECISIONS, decisionId);
    if (!rec || rec.body.agency !== principal.agency) throw new TesseraError('NOT_FOUND', `no decision ${decisionId} of agency ${principal.agency}`, { record: decisionId });
    const plan = await this.gov.store.getRecord<PlanSnapshot>(PLANS, rec.body.planId);
    if (!plan) throw new TesseraError('STORE_CORRUPT', `decision ${decisionId} refers to missing plan ${rec.body.planId}`, { record: decisionId });
    await this.gov.audit(ctx, principal, 'triage.review', 'allowed', rec.body.allocation.map((a) => a.subject), { decision: decisionId, plan: rec.body.planId });
    return { decision: rec.body, shown: plan.body };
  }

  /** Decisions of the caller's agency, newest first. */
  async decisions(ctx: QueryContext, limit = 50): Promise<Decision[]> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const rows = await this.gov.store.findRecords<Decision>(DECISIONS, { where: { agency: principal.agency }, order: 'desc', limit });
    await this.gov.audit(ctx, principal, 'triage.decisions.list', 'allowed', [], { count: rows.length });
    return rows.map((r) => r.body);
  }

  /**
   * What cited statements are (entity, schema, property), for links from an explanation to the
   * profiles behind it. Only statements the caller may read are described; the rest are left out.
   */
  async evidence(ctx: QueryContext, statementIds: readonly string[]): Promise<EvidenceRef[]> {
    const principal = await this.gov.authorise(ctx, 'triage');
    const ids = [...new Set(statementIds.filter((id) => !id.includes(':')))].slice(0, 5_000);
    const { readable } = partitionReadable(principal, ids.length ? await this.gov.store.statementsById(ids) : [], this.gov.levels);
    await this.gov.audit(ctx, principal, 'triage.evidence', 'allowed', [...new Set(readable.map((s) => s.entityId))].slice(0, 200), { requested: ids.length, described: readable.length });
    return readable.map((s) => ({ statementId: s.id, entityId: s.entityId, schema: s.schema, prop: s.prop }));
  }

  /** Only a supervisor decides, sets weights or declares capacity; a refused attempt is audited too. */
  private async requireSupervisor(ctx: QueryContext, principal: Principal, action: string, details: Record<string, unknown> = {}): Promise<void> {
    if (principal.roles.includes('supervisor')) return;
    await this.gov.audit(ctx, principal, action, 'refused', [], { ...details, reason: 'supervisor role required' });
    this.gov.requireRole(principal, 'supervisor');
  }

  private async weightsOf(agency: string): Promise<WeightsRecord> {
    const rec = await this.gov.store.getRecord<WeightsRecord>(WEIGHTS, agency);
    return rec?.body ?? { ...DEFAULT_WEIGHTS, agency, version: 0, source: 'default' };
  }

  private async latestDecision(agency: string): Promise<Decision | undefined> {
    const rows = await this.gov.store.findRecords<Decision>(DECISIONS, { where: { agency }, order: 'desc', limit: 1 });
    return rows[0]?.body;
  }

  private async rankFor(ctx: QueryContext, principal: Principal, options: RankOptions): Promise<Ranking> {
    const asOfMs = options.asOf === undefined ? this.now().getTime() : Date.parse(options.asOf);
    if (!Number.isFinite(asOfMs)) throw invalid(`not a date: ${options.asOf}`, undefined, 'asOf');
    const weights = await this.weightsOf(principal.agency);
    const last = await this.latestDecision(principal.agency);
    const decisions = new Map<string, { at: number; ref: string }>();
    if (last) for (const a of last.allocation) decisions.set(a.subject, { at: Date.parse(last.decidedAt), ref: `decision:${last.id}` });
    // Read before gathering: a write landing meanwhile leaves an entry that is already stale, never
    // a stale entry filed under the new version.
    const statementsVersion = await this.gov.store.statementsVersion();
    const resolved = await this.clustersFor(ctx, options);
    const watch = this.options.watch ? await readWatch(this.options.watch, ctx) : undefined;
    const key = evidenceKey({
      principal,
      ctx,
      statementsVersion,
      asOf: asOfMs,
      resolution: { source: resolved.used.source, ...(resolved.clusterOf ? { clusterOf: resolved.clusterOf } : {}) },
      watch: watch?.digest,
      lastDecision: last?.id,
      signalOptions: this.options.signals,
    });
    let gathered: GatheredSignals | undefined = this.cache.get(key);
    if (gathered) {
      // The same checks and log entries as the scans a fresh gathering makes.
      await authoriseEvidence(this.gov, ctx);
      await this.gov.audit(ctx, principal, 'scan.link-analysis', 'allowed', [], { cached: true });
      await this.gov.audit(ctx, principal, 'scan.triage', 'allowed', [], { cached: true, subjects: gathered.subjects.length });
    } else {
      const evidence = await gatherEvidence(this.gov, ctx, {
        asOf: asOfMs,
        ...(resolved.clusterOf ? { clusterOf: resolved.clusterOf } : {}),
        resolved: resolved.fromService,
        ...(this.options.projections ? { projections: this.options.projections } : {}),
        ...(watch ? { watch: watch.reader } : {}),
        decisions,
      });
      gathered = {
        subjects: evidence.subjects.map((s) => ({ id: s.id, label: s.label, entityIds: s.entityIds })),
        signals: extractSignals(evidence, this.options.signals),
        notes: evidence.notes,
      };
      this.cache.set(key, gathered);
    }
    const { signals } = gathered;
    const scored: (ScoredSubject & { entityIds: readonly string[] })[] = gathered.subjects.map((s) => ({ ...scoreSubject(s.id, s.label, signals.get(s.id) ?? [], weights), entityIds: s.entityIds }));
    scored.sort((a, b) => b.risk - a.risk || a.subject.localeCompare(b.subject));
    const subjects: RankedSubject[] = scored.map((s, i) => {
      // The last decision may have seen this person as several records (before a resolution joined
      // them): the rise is judged against the highest risk any of them had, so a merge alone is no rise.
      const before = last ? maxDefined([last.risks[s.subject], ...s.entityIds.map((id) => last.risks[id])]) : undefined;
      return {
        rank: i + 1,
        subject: s.subject,
        label: s.label,
        entityIds: s.entityIds,
        risk: Math.round(s.risk * 1e4) / 1e4,
        contributions: s.contributions,
        missing: s.missing,
        ...(last && before !== undefined && s.risk > before && (s.risk - before >= RISE_ABS || logit(s.risk) - logit(before) >= RISE_LOGIT) ? { rose: { from: before, decision: last.id } } : {}),
      };
    });
    const notes = [...resolved.notes, ...gathered.notes];
    if (subjects.length === 0) notes.push('no persons visible to this user: nothing to rank');
    return { asOf: new Date(asOfMs).toISOString(), agency: principal.agency, weights, subjects, notes, resolution: resolved.used, ...(last ? { lastDecision: last.id } : {}) };
  }

  /**
   * The resolution to rank by: the one given, else the resolution service's clusters (each named by
   * its smallest record id, so a subject keeps its id as records join it), else none. A resolution
   * that cannot be read (e.g. the case's legal basis excludes it) is said in the notes, not hidden.
   */
  private async clustersFor(ctx: QueryContext, options: RankOptions): Promise<{ clusterOf?: ReadonlyMap<string, string>; used: ResolutionUsed; notes: string[]; fromService: boolean }> {
    const summary = (source: ResolutionUsed['source'], clusterOf: ReadonlyMap<string, string>, warnings: readonly string[]): ResolutionUsed => {
      const sizes = new Map<string, number>();
      for (const c of clusterOf.values()) sizes.set(c, (sizes.get(c) ?? 0) + 1);
      const multi = [...sizes.values()].filter((n) => n > 1);
      return { source, clusters: multi.length, records: multi.reduce((a, n) => a + n, 0), warnings: warnings.slice(0, 20) };
    };
    const none: ResolutionUsed = { source: 'none', clusters: 0, records: 0, warnings: [] };
    if (options.clusterOf) return { clusterOf: options.clusterOf, used: summary('given', options.clusterOf, []), notes: [], fromService: false };
    if (!this.options.resolution) return { used: none, notes: ['no resolution service given: each record is ranked as its own subject'], fromService: false };
    if (options.resolved === false) return { used: none, notes: ['ranked by record (resolution not applied on request)'], fromService: false };
    try {
      const r = await this.options.resolution.clusters(ctx);
      const clusterOf = new Map<string, string>();
      for (const c of r.clusters) {
        if (c.length < 2) continue;
        const id = [...c].sort()[0]!;
        for (const e of c) clusterOf.set(e, id);
      }
      const used = summary('resolution', clusterOf, r.warnings);
      return { clusterOf, used, notes: used.clusters ? [] : ['resolution holds no clusters among your records yet (tessera resolve run): each record is ranked as its own subject'], fromService: true };
    } catch (e) {
      if (!isTesseraError(e)) throw e;
      return { used: none, notes: [`resolution not read (${e.code}: ${e.message}); each record is ranked as its own subject`], fromService: true };
    }
  }
}

/**
 * The agency's alerts and hits, read once per ranking: the evidence key digests them, and gathering
 * reuses them. A read the watch service refuses is kept as that refusal (gathering notes it).
 */
async function readWatch(watch: WatchReader, ctx: QueryContext): Promise<{ reader: WatchReader; digest: unknown }> {
  try {
    const alerts = await watch.listAlerts(ctx, { limit: 5_000 });
    const hits = await watch.listHits(ctx, { limit: 5_000 });
    return { reader: { listAlerts: () => Promise.resolve(alerts), listHits: () => Promise.resolve(hits) }, digest: { alerts, hits } };
  } catch (e) {
    if (!isTesseraError(e)) throw e;
    return { reader: { listAlerts: () => Promise.reject(e), listHits: () => Promise.reject(e) }, digest: { refused: e.code, message: e.message } };
  }
}

function maxDefined(values: readonly (number | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const v of values) if (v !== undefined && (best === undefined || v > best)) best = v;
  return best;
}

function checkReason(reason: string | undefined, what: string): string {
  const t = (reason ?? '').trim();
  if (t.length < MIN_REASON) throw invalid(`a written reason of at least ${MIN_REASON} characters is required`, what, 'reason');
  return t;
}

function parseCapacity(input: unknown): Capacity {
  const parsed = Capacity.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.message, 'capacity', issue.path.map(String).join('.'));
  }
  return parsed.data;
}

/** The signal catalogue with the weights in force: what a supervisor sees before adjusting them. */
export function describeWeights(w: TriageWeights): { signal: SignalName; label: string; weight: number; description: string }[] {
  return SIGNALS.map((s) => ({ signal: s, label: SIGNAL_INFO[s].label, weight: w.weights[s], description: SIGNAL_INFO[s].description }));
}
