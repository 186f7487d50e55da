/**
 * Triage benchmark (issue 11): ranking quality on the scenario ground truth and planning time.
 *
 *   npx tsx bench/triage.ts                 # fit on demo seed 1, evaluate on demo seed 7 (held out), plan 5,000 × 20 teams
 *   npx tsx bench/triage.ts --size=tiny     # fit on tiny seeds 1–4, evaluate on tiny seed 7 (quick)
 *
 * Ground truth: `truth().operational` (subjects about to act). A subject is a person record the
 * demo analyst may see, or a resolved person; a true person counts as found when any subject holding
 * one of their records ranks in the top 5%.
 *
 * What wiring changes is measured on the same store, one variant at a time:
 *   records          no watch service, no resolution (the earlier baseline)
 *   +alerts          the watch service with the scenario's alerts (watched subjects, alert reviews), no hits
 *   +alerts+hits     and the travel of the last 90 days screened in real time (the clock at each
 *                    departure, alerts imported when issued): watchlist hits feed "recent hits"
 *   +resolution      the ResolutionService run on the store; its clusters (threshold 0.5) as subjects
 *   +all             resolution, alerts and hits together (what `tessera triage` and /api/triage do)
 *   oracle           the true persons as subjects (an upper bound for resolution)
 */
import { scenarioAlerts } from '../src/cli/commands/watch.js';
import { loadScenario } from '../src/cli/load.js';
import { Governance, type QueryContext } from '../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS, type Statement } from '../src/model/index.js';
import { ResolutionService } from '../src/resolve/index.js';
import { generateScenario, type Scenario, type ScenarioSize } from '../src/scenario/index.js';
import { openSqliteStore } from '../src/store/index.js';
import {
  DEFAULT_WEIGHTS,
  coverageCurve,
  expectedCalibrationError,
  extractSignals,
  featureVector,
  fitWeights,
  gatherEvidence,
  planCapacity,
  recallAtK,
  scoreSubject,
  SIGNALS,
  type GatherOptions,
  type SignalValue,
  type TriageWeights,
  type WatchReader,
} from '../src/triage/index.js';
import { WatchService, watchConfig, type ImportedAlert } from '../src/watch/index.js';
import { mulberry32 } from '../src/graph/index.js';
import { percentile, writeResult } from './_util.js';

const sizeArg = (process.argv.find((a) => a.startsWith('--size='))?.slice('--size='.length) ?? 'demo') as ScenarioSize;
const FIT_SEEDS = sizeArg === 'tiny' ? [1, 2, 3, 4] : [1];
const EVAL_SEED = 7;
const DAY = 86_400_000;
const VARIANTS = ['records', '+alerts', '+alerts+hits', '+resolution', '+all', 'oracle'] as const;
type VariantName = (typeof VARIANTS)[number];

interface Labelled {
  subject: string;
  /** True persons behind the subject's records (several for a wrong merge). */
  persons: string[];
  y: 0 | 1;
  quiet: boolean;
  signals: SignalValue[];
}

interface Wiring {
  alerts: number;
  screenedTravel: number;
  hits: number;
  notices: number;
  clusters: number;
  clusteredRecords: number;
  resolutionPrecision: number | null;
  seconds: { load: number; watch: number; resolution: number };
}

/**
 * The scenario's watchlists imported as each alert was issued, and the travel of the last `days`
 * screened in departure order with the service's clock at the departure — what real-time screening
 * at the border would have filed by the reference time.
 */
async function simulateWatch(gov: Governance, scenario: Scenario, asOf: number, days = 90): Promise<{ watch: WatchService; screened: number; hits: number; notices: number }> {
  let clock = 0;
  const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: scenario.agencies[0]!.id, now: () => new Date(clock) });
  // Active alerts were kept in force by their yearly review (as `load` does), so each is in force
  // at the reference time; delisted ones keep their dates.
  const alerts = scenarioAlerts(scenario.watchlist, new Date(asOf).toISOString().slice(0, 10));
  const travel = new Map<string, Statement[]>();
  for await (const batch of gov.store.scanStatements({ schemas: ['TravelEvent'] })) {
    for (const st of batch) {
      const list = travel.get(st.entityId);
      if (list) list.push(st);
      else travel.set(st.entityId, [st]);
    }
  }
  const from = asOf - days * DAY;
  const trips = [...travel]
    .map(([id, statements]) => ({ id, statements, t: Date.parse(statements.find((x) => x.prop === 'departure')?.value ?? '') }))
    .filter((x) => Number.isFinite(x.t) && x.t >= from && x.t <= asOf);
  type Event = { t: number; alert?: ImportedAlert; trip?: (typeof trips)[number] };
  const events: Event[] = [...alerts.map((a): Event => ({ t: Date.parse(a.issuedAt), alert: a })), ...trips.map((trip): Event => ({ t: trip.t, trip }))].sort((a, b) => a.t - b.t || (a.alert ? -1 : 1));
  let hits = 0;
  let notices = 0;
  let pending: (typeof trips)[number][] = [];
  const flush = async () => {
    if (!pending.length) return;
    clock = pending[0]!.t;
    const r = await watch.screenEntities(pending.map((x) => ({ id: x.id, schema: 'TravelEvent' as const, statements: x.statements })), { sourceId: 'bench-border', file: 'simulated real-time screening' });
    hits += r.hits;
    notices += r.notices;
    pending = [];
  };
  for (const e of events) {
    if (e.alert) {
      await flush();
      clock = Math.min(e.t, asOf);
      await watch.importAlerts('bench', 'Scenario watchlists, imported as issued', [e.alert]);
    } else if (e.trip) {
      if (pending.length && (pending.length >= 500 || e.trip.t - pending[0]!.t > DAY)) await flush();
      pending.push(e.trip);
    }
  }
  await flush();
  return { watch, screened: trips.length, hits, notices };
}

/** Loads a scenario into a fresh in-memory store and extracts every visible subject's signals, labelled, for each variant. */
async function extract(size: ScenarioSize, seed: number, variants: readonly VariantName[]): Promise<{ rows: Map<VariantName, Labelled[]>; operational: number; visibleOperational: number; wiring: Wiring; seconds: { load: number; signals: Record<string, number> } }> {
  const store = await openSqliteStore({ path: ':memory:' });
  const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS, volumeGuard: null });
  const scenario = generateScenario({ size, seed });
  const t0 = performance.now();
  const loaded = await loadScenario(gov, scenario);
  const ctx: QueryContext = loaded.demoContext;
  const asOf = Date.parse(scenario.referenceTime);
  const t1 = performance.now();
  const truth = scenario.truth();
  const operational = new Set(truth.operational);
  const quiet = new Set(truth.quiet);

  const needsWatch = variants.some((v) => v.includes('alerts') || v === '+all');
  const sim = needsWatch ? await simulateWatch(gov, scenario, asOf) : undefined;
  const t2 = performance.now();
  const alertsOnly: WatchReader | undefined = sim ? { listAlerts: (c, f) => sim.watch.listAlerts(c, f), listHits: () => Promise.resolve([]) } : undefined;

  let clusterOf: Map<string, string> | undefined;
  let precision: number | null = null;
  if (variants.includes('+resolution') || variants.includes('+all')) {
    const resolution = new ResolutionService(gov);
    await resolution.run(ctx);
    clusterOf = new Map();
    for (const c of (await resolution.clusters(ctx)).clusters) {
      const id = [...c].sort()[0]!;
      for (const e of c) clusterOf.set(e, id);
    }
    // Share of clustered records whose cluster's majority true person is theirs.
    const byCluster = new Map<string, string[]>();
    for (const [e, c] of clusterOf) byCluster.set(c, [...(byCluster.get(c) ?? []), truth.entities[e] ?? `?${e}`]);
    let right = 0;
    for (const members of byCluster.values()) {
      const counts = new Map<string, number>();
      for (const m of members) counts.set(m, (counts.get(m) ?? 0) + 1);
      right += Math.max(...counts.values());
    }
    precision = clusterOf.size ? round(right / clusterOf.size) : null;
  }
  const t3 = performance.now();
  const oracle = new Map<string, string>();
  for (const p of truth.persons) for (const r of p.records) oracle.set(r, `cluster:${p.id}`);

  const optionsOf: Record<VariantName, Omit<GatherOptions, 'asOf'>> = {
    records: {},
    '+alerts': alertsOnly ? { watch: alertsOnly } : {},
    '+alerts+hits': sim ? { watch: sim.watch } : {},
    '+resolution': clusterOf ? { clusterOf } : {},
    '+all': { ...(sim ? { watch: sim.watch } : {}), ...(clusterOf ? { clusterOf } : {}) },
    oracle: { clusterOf: oracle },
  };
  const rows = new Map<VariantName, Labelled[]>();
  const signalSeconds: Record<string, number> = {};
  for (const v of variants) {
    const t = performance.now();
    const evidence = await gatherEvidence(gov, ctx, { asOf, ...optionsOf[v] });
    const signals = extractSignals(evidence);
    signalSeconds[v] = round((performance.now() - t) / 1000);
    rows.set(
      v,
      evidence.subjects.map((s) => {
        const persons = [...new Set(s.id.startsWith('cluster:') ? [s.id.slice('cluster:'.length)] : s.entityIds.map((e) => truth.entities[e]).filter((p): p is string => p !== undefined))];
        return { subject: s.id, persons, quiet: persons.some((p) => quiet.has(p)), y: persons.some((p) => operational.has(p)) ? 1 : 0, signals: signals.get(s.id) ?? [] };
      }),
    );
  }
  await store.close();
  const base = rows.get(variants[0]!)!;
  const visibleOperational = new Set(base.filter((r) => r.y === 1).flatMap((r) => r.persons.filter((p) => operational.has(p)))).size;
  return {
    rows,
    operational: operational.size,
    visibleOperational,
    wiring: {
      alerts: scenario.watchlist.length,
      screenedTravel: sim?.screened ?? 0,
      hits: sim?.hits ?? 0,
      notices: sim?.notices ?? 0,
      clusters: clusterOf ? new Set(clusterOf.values()).size : 0,
      clusteredRecords: clusterOf?.size ?? 0,
      resolutionPrecision: precision,
      seconds: { load: round((t1 - t0) / 1000), watch: round((t2 - t1) / 1000), resolution: round((t3 - t2) / 1000) },
    },
    seconds: { load: (t1 - t0) / 1000, signals: signalSeconds },
  };
}

/** Recall@5% (per person and per subject), ECE and Brier of a weight set on labelled rows. */
function evaluate(rows: readonly Labelled[], w: TriageWeights, operational: ReadonlySet<string>) {
  const scored = rows.map((r) => ({ ...r, p: scoreSubject(r.subject, r.subject, r.signals, w).risk })).sort((a, b) => b.p - a.p || a.subject.localeCompare(b.subject));
  const k = Math.ceil(0.05 * scored.length);
  const personRecall = (kk: number, pick: (p: string, r: (typeof scored)[number]) => boolean) => {
    const all = new Set(scored.flatMap((r) => r.persons.filter((p) => pick(p, r))));
    const found = new Set(scored.slice(0, kk).flatMap((r) => r.persons.filter((p) => pick(p, r))));
    return all.size ? round(found.size / all.size) : Number.NaN;
  };
  const isOp = (p: string) => operational.has(p);
  const ece = expectedCalibrationError(scored.map((r) => ({ p: r.p, y: r.y })));
  const brier = scored.reduce((a, r) => a + (r.p - r.y) ** 2, 0) / scored.length;
  const positives = new Set(scored.flatMap((r) => r.persons.filter(isOp)));
  const ranksOfPositives = [...positives].map((p) => scored.findIndex((r) => r.persons.includes(p)) + 1);
  return {
    subjects: scored.length,
    k,
    recallAt5pctPersons: personRecall(k, isOp),
    recallAt1pctPersons: personRecall(Math.ceil(0.01 * scored.length), isOp),
    quietRecallAt5pctPersons: personRecall(k, (_p, r) => r.quiet),
    recallAt5pctRecords: recallAtK(scored.map((r) => ({ positive: r.y === 1 })), k),
    bestRankOfEachOperationalPerson: ranksOfPositives.sort((a, b) => a - b),
    ece: round(ece.ece),
    brier: round(brier),
    calibrationBins: ece.bins.filter((b) => b.n > 0),
    meanPredicted: round(scored.reduce((a, r) => a + r.p, 0) / scored.length),
    observedRate: round(scored.filter((r) => r.y === 1).length / scored.length),
    signalsPresent: Object.fromEntries(SIGNALS.map((s) => [s, rows.filter((r) => r.signals.some((v) => v.signal === s && v.status === 'present')).length])),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function fitOn(rows: readonly Labelled[]): { weights: TriageWeights; unseen: string[] } {
  const fitted = fitWeights(rows.map((r) => ({ x: featureVector(r.signals), y: r.y })), { l2: 1 });
  // Signals never present in the training data keep their documented prior (the fit cannot inform them).
  const present = new Set(rows.flatMap((r) => r.signals.filter((s) => s.status === 'present').map((s) => s.signal)));
  const unseen = SIGNALS.filter((s) => !present.has(s));
  return { weights: { bias: fitted.bias, weights: { ...fitted.weights, ...Object.fromEntries(unseen.map((s) => [s, DEFAULT_WEIGHTS.weights[s]])) } }, unseen };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

async function main(): Promise<void> {
  // 1. Fit on the training seeds: the records baseline (as the defaults were fitted) and the fully wired pipeline.
  const train: Labelled[] = [];
  const trainWired: Labelled[] = [];
  const fitSize: ScenarioSize = sizeArg === 'tiny' ? 'tiny' : 'demo';
  for (const seed of FIT_SEEDS) {
    const r = await extract(fitSize, seed, ['records', '+all']);
    train.push(...r.rows.get('records')!);
    trainWired.push(...r.rows.get('+all')!);
    console.log(`fit data: ${fitSize} seed ${seed}: ${r.rows.get('records')!.length} subjects (${r.rows.get('+all')!.length} resolved), ${r.visibleOperational}/${r.operational} operational visible; ${r.wiring.hits} hits, ${r.wiring.notices} notices, ${r.wiring.clusters} clusters`);
  }
  const trainOperational = new Set(train.filter((r) => r.y === 1).flatMap((r) => r.persons));
  const fit = fitOn(train);
  const fitWired = fitOn(trainWired);
  console.log('fitted weights (records):', JSON.stringify(fit.weights), fit.unseen.length ? `(priors kept for ${fit.unseen.join(', ')})` : '');
  console.log('fitted weights (wired):  ', JSON.stringify(fitWired.weights), fitWired.unseen.length ? `(priors kept for ${fitWired.unseen.join(', ')})` : '');

  // 2. Evaluate every variant on the held-out scenario.
  const evalData = await extract(sizeArg, EVAL_SEED, VARIANTS);
  const truthOps = new Set(generateScenario({ size: sizeArg, seed: EVAL_SEED }).truth().operational);
  const w = evalData.wiring;
  console.log(`evaluation: ${sizeArg} seed ${EVAL_SEED}: ${evalData.rows.get('records')!.length} records, ${evalData.visibleOperational}/${evalData.operational} operational visible (load ${w.seconds.load} s); watch: ${w.alerts} alerts, ${w.screenedTravel} trips screened → ${w.hits} hits, ${w.notices} notices (${w.seconds.watch} s); resolution: ${w.clusters} clusters of ${w.clusteredRecords} records, precision ${w.resolutionPrecision} (${w.seconds.resolution} s)`);
  const byVariant = Object.fromEntries(VARIANTS.map((v) => [v, evaluate(evalData.rows.get(v)!, DEFAULT_WEIGHTS, truthOps)])) as Record<VariantName, ReturnType<typeof evaluate>>;
  for (const v of VARIANTS) {
    const e = byVariant[v];
    console.log(`${v.padEnd(13)} default weights: ${e.subjects} subjects, recall@5% ${pct(e.recallAt5pctPersons)} (k ${e.k}), recall@1% ${pct(e.recallAt1pctPersons)}, quiet@5% ${pct(e.quietRecallAt5pctPersons)}, ECE ${e.ece}, Brier ${e.brier}; best ranks ${e.bestRankOfEachOperationalPerson.join(', ')}; recent hits on ${e.signalsPresent.recentHits}`);
  }
  const withFitted = evaluate(evalData.rows.get('records')!, fit.weights, truthOps);
  const wiredFitted = evaluate(evalData.rows.get('+all')!, fitWired.weights, truthOps);
  console.log(`records       refitted: recall@5% ${pct(withFitted.recallAt5pctPersons)}, recall@1% ${pct(withFitted.recallAt1pctPersons)}, ECE ${withFitted.ece}`);
  console.log(`+all          refitted on the wired seed ${FIT_SEEDS.join(',')}: recall@5% ${pct(wiredFitted.recallAt5pctPersons)}, recall@1% ${pct(wiredFitted.recallAt1pctPersons)}, ECE ${wiredFitted.ece}; best ranks ${wiredFitted.bestRankOfEachOperationalPerson.join(', ')}`);
  const train_ = evaluate(train, fit.weights, trainOperational);

  // 3a. The plan on the evaluation ranking: which operational persons would be covered by 20 teams of 30.
  const planOn = (rows: readonly Labelled[]) => {
    const ranked = rows.map((r) => ({ ...r, p: scoreSubject(r.subject, r.subject, r.signals, DEFAULT_WEIGHTS).risk }));
    const plan = planCapacity(ranked.map((r) => ({ subject: r.subject, risk: r.p })), { teams: Array.from({ length: 20 }, (_, i) => ({ id: `team-${i + 1}`, agents: 30 })), agentsPerTarget: 27, partial: [] });
    const measureOf = new Map(plan.assignments.map((a) => [a.subject, a.measure]));
    const covered = new Map<string, string>();
    for (const r of ranked) for (const p of r.persons) if (truthOps.has(p) && measureOf.has(r.subject) && !covered.has(p)) covered.set(p, measureOf.get(r.subject)!);
    return { teams: 20, agentsPerTeam: 30, assigned: plan.assignments.length, operationalCovered: covered.size, measures: Object.fromEntries([...covered]) };
  };
  const demoPlan = planOn(evalData.rows.get('records')!);
  const wiredPlan = planOn(evalData.rows.get('+all')!);
  console.log(`plan on the ${sizeArg} ranking (20 teams × 30 agents): records ${demoPlan.assigned} assigned, operational covered ${demoPlan.operationalCovered}/${evalData.visibleOperational}; +all ${wiredPlan.assigned} assigned, operational covered ${wiredPlan.operationalCovered}/${evalData.visibleOperational}`);

  // 3b. Planning time: 5,000 subjects, 20 teams (CPU time too: the machine is shared).
  const rand = mulberry32(42);
  const subjects = Array.from({ length: 5_000 }, (_, i) => ({ subject: `s${i}`, risk: Math.min(1, rand() ** 4) }));
  const capacity = { teams: Array.from({ length: 20 }, (_, i) => ({ id: `team-${i + 1}`, agents: 60 + ((i * 7) % 40) })), agentsPerTarget: 27, partial: [] };
  const times: number[] = [];
  const cpu: number[] = [];
  const curveTimes: number[] = [];
  let plan = planCapacity(subjects, { ...capacity });
  let curve = coverageCurve(subjects, capacity);
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    plan = planCapacity(subjects, capacity);
    times.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    const t2 = performance.now();
    curve = coverageCurve(subjects, capacity);
    curveTimes.push(performance.now() - t2);
  }
  console.log(`planning 5,000 subjects × 20 teams (${plan.totalAgents} agents): median ${percentile(times, 50).toFixed(1)} ms (CPU ${percentile(cpu, 50).toFixed(1)} ms), max ${Math.max(...times).toFixed(1)} ms; ${plan.assignments.length} assigned, covered risk ${plan.coveredRisk} of ${plan.totalRisk}; +27 agents → +${plan.marginal[0]?.extraCoveredRisk}; coverage curve (${curve.length} points) median ${percentile(curveTimes, 50).toFixed(1)} ms`);

  const path = writeResult('triage', {
    fit: {
      scenario: fitSize,
      seeds: FIT_SEEDS,
      subjects: train.length,
      positives: train.filter((r) => r.y === 1).length,
      l2: 1,
      weights: fit.weights,
      priorsKeptFor: fit.unseen,
      trainingFit: { recallAt5pctPersons: train_.recallAt5pctPersons, ece: train_.ece },
      wired: { subjects: trainWired.length, positives: trainWired.filter((r) => r.y === 1).length, weights: fitWired.weights, priorsKeptFor: fitWired.unseen },
    },
    evaluation: {
      scenario: sizeArg,
      seed: EVAL_SEED,
      user: 'demo analyst (first agency)',
      operational: evalData.operational,
      visibleOperational: evalData.visibleOperational,
      wiring: evalData.wiring,
      seconds: evalData.seconds,
      defaultWeights: byVariant.records,
      refittedWeights: withFitted,
      oracleResolutionDefaultWeights: byVariant.oracle,
      variantsDefaultWeights: byVariant,
      wiredRefitted: wiredFitted,
      signalCoverage: byVariant.records.signalsPresent,
      planOnRanking: demoPlan,
      planOnWiredRanking: wiredPlan,
    },
    planning: {
      subjects: 5_000,
      teams: 20,
      agents: plan.totalAgents,
      medianMs: round(percentile(times, 50)),
      maxMs: round(Math.max(...times)),
      medianCpuMs: round(percentile(cpu, 50)),
      goalMs: 2_000,
      assigned: plan.assignments.length,
      byMeasure: Object.fromEntries(['full', 'technical', 'periodic'].map((m) => [m, plan.assignments.filter((a) => a.measure === m).length])),
      coveredRisk: plan.coveredRisk,
      totalRisk: plan.totalRisk,
      marginal: plan.marginal,
      curve: { points: curve.length, medianMs: round(percentile(curveTimes, 50)) },
    },
  });
  console.log(`wrote ${path}`);
}

await main();
