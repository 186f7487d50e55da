/**
 * Triage benchmark (issue 11): ranking quality on the scenario ground truth and planning time.
 *
 *   npx tsx bench/triage.ts                 # fit on demo seed 1, evaluate on demo seed 7 (held out), plan 5,000 × 20 teams
 *   npx tsx bench/triage.ts --size=tiny     # fit on tiny seeds 1–4, evaluate on tiny seed 7 (quick)
 *
 * Ground truth: `truth().operational` (subjects about to act). A subject is a person record the
 * demo analyst may see; a true person counts as found when any of their records ranks in the top 5%.
 */
import { loadScenario } from '../src/cli/load.js';
import { Governance } from '../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS } from '../src/model/index.js';
import { generateScenario, type ScenarioSize } from '../src/scenario/index.js';
import { openSqliteStore } from '../src/store/index.js';
import {
  DEFAULT_WEIGHTS,
  expectedCalibrationError,
  extractSignals,
  featureVector,
  fitWeights,
  gatherEvidence,
  planCapacity,
  recallAtK,
  scoreSubject,
  SIGNALS,
  type SignalValue,
  type TriageWeights,
} from '../src/triage/index.js';
import { mulberry32 } from '../src/graph/index.js';
import { percentile, writeResult } from './_util.js';

const sizeArg = (process.argv.find((a) => a.startsWith('--size='))?.slice('--size='.length) ?? 'demo') as ScenarioSize;
const FIT_SEEDS = sizeArg === 'tiny' ? [1, 2, 3, 4] : [1];
const EVAL_SEED = 7;

interface Labelled {
  subject: string;
  person: string | undefined;
  y: 0 | 1;
  quiet: boolean;
  signals: SignalValue[];
}

/** Loads a scenario into a fresh in-memory store and extracts every visible subject's signals, labelled. */
async function extract(size: ScenarioSize, seed: number, withOracle = false): Promise<{ rows: Labelled[]; oracleRows?: Labelled[]; operational: number; visibleOperational: number; seconds: { load: number; signals: number } }> {
  const store = await openSqliteStore({ path: ':memory:' });
  const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS, volumeGuard: null });
  const scenario = generateScenario({ size, seed });
  const t0 = performance.now();
  const loaded = await loadScenario(gov, scenario);
  const t1 = performance.now();
  const evidence = await gatherEvidence(gov, loaded.demoContext, { asOf: Date.parse(scenario.referenceTime) });
  const signals = extractSignals(evidence);
  const t2 = performance.now();
  const truth = scenario.truth();
  const operational = new Set(truth.operational);
  const quiet = new Set(truth.quiet);
  const rows: Labelled[] = evidence.subjects.map((s) => {
    const person = truth.entities[s.id];
    return { subject: s.id, person, quiet: person !== undefined && quiet.has(person), y: person !== undefined && operational.has(person) ? 1 : 0, signals: signals.get(s.id) ?? [] };
  });
  // Oracle resolution (an upper bound): each true person's records ranked as one subject.
  let oracleRows: Labelled[] | undefined;
  if (withOracle) {
    const clusterOf = new Map<string, string>();
    for (const p of truth.persons) for (const r of p.records) clusterOf.set(r, `cluster:${p.id}`);
    const ev = await gatherEvidence(gov, loaded.demoContext, { asOf: Date.parse(scenario.referenceTime), clusterOf });
    const sig = extractSignals(ev);
    oracleRows = ev.subjects.map((s) => {
      const person = s.id.startsWith('cluster:') ? s.id.slice('cluster:'.length) : truth.entities[s.id];
      return { subject: s.id, person, quiet: person !== undefined && quiet.has(person), y: person !== undefined && operational.has(person) ? 1 : 0, signals: sig.get(s.id) ?? [] };
    });
  }
  await store.close();
  const visibleOperational = new Set(rows.filter((r) => r.y === 1).map((r) => r.person)).size;
  return { rows, ...(oracleRows ? { oracleRows } : {}), operational: operational.size, visibleOperational, seconds: { load: (t1 - t0) / 1000, signals: (t2 - t1) / 1000 } };
}

/** Recall@5% (per person and per record), ECE and Brier of a weight set on labelled rows. */
function evaluate(rows: readonly Labelled[], w: TriageWeights) {
  const scored = rows.map((r) => ({ ...r, p: scoreSubject(r.subject, r.subject, r.signals, w).risk })).sort((a, b) => b.p - a.p || a.subject.localeCompare(b.subject));
  const k = Math.ceil(0.05 * scored.length);
  const positives = new Set(scored.filter((r) => r.y === 1).map((r) => r.person));
  const foundPersons = new Set(scored.slice(0, k).filter((r) => r.y === 1).map((r) => r.person));
  const ece = expectedCalibrationError(scored.map((r) => ({ p: r.p, y: r.y })));
  const brier = scored.reduce((a, r) => a + (r.p - r.y) ** 2, 0) / scored.length;
  const ranksOfPositives = [...positives].map((p) => scored.findIndex((r) => r.person === p) + 1);
  const personRecall = (kk: number, pick: (r: (typeof scored)[number]) => boolean) => {
    const all = new Set(scored.filter(pick).map((r) => r.person));
    const found = new Set(scored.slice(0, kk).filter(pick).map((r) => r.person));
    return all.size ? round(found.size / all.size) : Number.NaN;
  };
  return {
    subjects: scored.length,
    k,
    recallAt5pctPersons: positives.size ? foundPersons.size / positives.size : Number.NaN,
    recallAt1pctPersons: personRecall(Math.ceil(0.01 * scored.length), (r) => r.y === 1),
    quietRecallAt5pctPersons: personRecall(k, (r) => r.quiet),
    recallAt5pctRecords: recallAtK(scored.map((r) => ({ positive: r.y === 1 })), k),
    bestRankOfEachOperationalPerson: ranksOfPositives.sort((a, b) => a - b),
    ece: round(ece.ece),
    brier: round(brier),
    calibrationBins: ece.bins.filter((b) => b.n > 0),
    meanPredicted: round(scored.reduce((a, r) => a + r.p, 0) / scored.length),
    observedRate: round(scored.filter((r) => r.y === 1).length / scored.length),
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

async function main(): Promise<void> {
  // 1. Fit on the tiny scenarios (seeds 1–4).
  const train: Labelled[] = [];
  const fitSize: ScenarioSize = sizeArg === 'tiny' ? 'tiny' : 'demo';
  for (const seed of FIT_SEEDS) {
    const r = await extract(fitSize, seed);
    train.push(...r.rows);
    console.log(`fit data: ${fitSize} seed ${seed}: ${r.rows.length} subjects, ${r.visibleOperational}/${r.operational} operational visible (load ${r.seconds.load.toFixed(1)} s, signals ${r.seconds.signals.toFixed(1)} s)`);
  }
  const fitted = fitWeights(train.map((r) => ({ x: featureVector(r.signals), y: r.y })), { l2: 1 });
  // Signals never present in the training data keep their documented prior (the fit cannot inform them).
  const present = new Set(train.flatMap((r) => r.signals.filter((s) => s.status === 'present').map((s) => s.signal)));
  const unseen = SIGNALS.filter((s) => !present.has(s));
  const fittedWithPriors: TriageWeights = { bias: fitted.bias, weights: { ...fitted.weights, ...Object.fromEntries(unseen.map((s) => [s, DEFAULT_WEIGHTS.weights[s]])) } };
  console.log('fitted weights:', JSON.stringify(fittedWithPriors), unseen.length ? `(priors kept for ${unseen.join(', ')})` : '');

  // 2. Evaluate on the held-out scenario.
  const evalData = await extract(sizeArg, EVAL_SEED, true);
  console.log(`evaluation: ${sizeArg} seed ${EVAL_SEED}: ${evalData.rows.length} subjects, ${evalData.visibleOperational}/${evalData.operational} operational visible (load ${evalData.seconds.load.toFixed(1)} s, evidence + signals ${evalData.seconds.signals.toFixed(1)} s)`);
  const withDefaults = evaluate(evalData.rows, DEFAULT_WEIGHTS);
  const withFitted = evaluate(evalData.rows, fittedWithPriors);
  const train_ = evaluate(train, fittedWithPriors);
  for (const [name, e] of [['default weights', withDefaults], ['refitted weights', withFitted]] as const) {
    console.log(`${name}: recall@5% ${(e.recallAt5pctPersons * 100).toFixed(0)}% of operational persons (records ${(e.recallAt5pctRecords * 100).toFixed(0)}%), k = ${e.k} of ${e.subjects}; recall@1% ${(e.recallAt1pctPersons * 100).toFixed(0)}%; quiet operatives in top 5% ${(e.quietRecallAt5pctPersons * 100).toFixed(0)}%; ECE ${e.ece}, Brier ${e.brier}; best ranks ${e.bestRankOfEachOperationalPerson.join(', ')}`);
  }
  const oracle = evalData.oracleRows ? evaluate(evalData.oracleRows, DEFAULT_WEIGHTS) : undefined;
  if (oracle) console.log(`oracle resolution (true persons as subjects): recall@5% ${(oracle.recallAt5pctPersons * 100).toFixed(0)}%, k = ${oracle.k} of ${oracle.subjects}; recall@1% ${(oracle.recallAt1pctPersons * 100).toFixed(0)}%; ECE ${oracle.ece}; best ranks ${oracle.bestRankOfEachOperationalPerson.join(', ')}`);
  const signalCoverage = Object.fromEntries(
    SIGNALS.map((s) => [s, { present: evalData.rows.filter((r) => r.signals.some((v) => v.signal === s && v.status === 'present')).length, unavailable: evalData.rows.filter((r) => r.signals.some((v) => v.signal === s && v.status === 'unavailable')).length }]),
  );

  // 3a. The plan on the evaluation ranking: which operational persons would be covered by 20 teams of 30.
  const evalRanked = evalData.rows.map((r) => ({ ...r, p: scoreSubject(r.subject, r.subject, r.signals, DEFAULT_WEIGHTS).risk }));
  const demoPlan = planCapacity(evalRanked.map((r) => ({ subject: r.subject, risk: r.p })), { teams: Array.from({ length: 20 }, (_, i) => ({ id: `team-${i + 1}`, agents: 30 })), agentsPerTarget: 27, partial: [] });
  const measureOf = new Map(demoPlan.assignments.map((a) => [a.subject, a.measure]));
  const opsCovered = new Map<string, string>();
  for (const r of evalRanked) if (r.y === 1 && measureOf.has(r.subject) && !opsCovered.has(r.person!)) opsCovered.set(r.person!, measureOf.get(r.subject)!);
  console.log(`plan on the ${sizeArg} ranking (20 teams × 30 agents): ${demoPlan.assignments.length} subjects assigned; operational persons covered ${opsCovered.size}/${evalData.visibleOperational} (${[...opsCovered.values()].join(', ')})`);

  // 3b. Planning time: 5,000 subjects, 20 teams.
  const rand = mulberry32(42);
  const subjects = Array.from({ length: 5_000 }, (_, i) => ({ subject: `s${i}`, risk: Math.min(1, rand() ** 4) }));
  const capacity = { teams: Array.from({ length: 20 }, (_, i) => ({ id: `team-${i + 1}`, agents: 60 + ((i * 7) % 40) })), agentsPerTarget: 27, partial: [] };
  const times: number[] = [];
  let plan = planCapacity(subjects, { ...capacity });
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    plan = planCapacity(subjects, capacity);
    times.push(performance.now() - t);
  }
  console.log(`planning 5,000 subjects × 20 teams (${plan.totalAgents} agents): median ${percentile(times, 50).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; ${plan.assignments.length} assigned, covered risk ${plan.coveredRisk} of ${plan.totalRisk}; +27 agents → +${plan.marginal[0]?.extraCoveredRisk}`);

  const path = writeResult('triage', {
    fit: { scenario: fitSize, seeds: FIT_SEEDS, subjects: train.length, positives: train.filter((r) => r.y === 1).length, l2: 1, weights: fittedWithPriors, priorsKeptFor: unseen, trainingFit: { recallAt5pctPersons: train_.recallAt5pctPersons, ece: train_.ece } },
    evaluation: {
      scenario: sizeArg,
      seed: EVAL_SEED,
      user: 'demo analyst (first agency)',
      operational: evalData.operational,
      visibleOperational: evalData.visibleOperational,
      seconds: evalData.seconds,
      defaultWeights: withDefaults,
      refittedWeights: withFitted,
      oracleResolutionDefaultWeights: oracle ?? null,
      signalCoverage,
      planOnRanking: { teams: 20, agentsPerTeam: 30, assigned: demoPlan.assignments.length, operationalCovered: opsCovered.size, measures: Object.fromEntries([...opsCovered]) },
    },
    planning: {
      subjects: 5_000,
      teams: 20,
      agents: plan.totalAgents,
      medianMs: round(percentile(times, 50)),
      maxMs: round(Math.max(...times)),
      goalMs: 2_000,
      assigned: plan.assignments.length,
      byMeasure: Object.fromEntries(['full', 'technical', 'periodic'].map((m) => [m, plan.assignments.filter((a) => a.measure === m).length])),
      coveredRisk: plan.coveredRisk,
      totalRisk: plan.totalRisk,
      marginal: plan.marginal,
    },
  });
  console.log(`wrote ${path}`);
}

await main();
