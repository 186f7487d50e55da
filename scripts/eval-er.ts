/**
 * Entity-resolution evaluation: FEBRL (Christen 2008) deduplication sets with the generic mapping in
 * examples/match/febrl.json, then the synthetic multi-agency scenario (Person records of all agencies
 * against the scenario's ground truth). Unsupervised EM, default rules. Prints precision/recall/F1 at
 * the best and the default threshold and the recall of blocking.
 * Usage: npm run eval:er [-- FILE ...] [--scenario tiny|demo]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { scoringView } from '../src/model/index.js';
import { blockingRecall, matchRecords, pairQuality, parseMapping, PERSON_FIELDS, recordsFromRows, type FieldSpec, type MatchResult, type ResolveRecord } from '../src/resolve/index.js';
import { generateScenario, SCENARIO_SIZES, type ScenarioSize } from '../src/scenario/index.js';

const DEFAULT_THRESHOLD = 0.5;
const args = process.argv.slice(2).filter((a) => a !== '--verbose');
const scenarioAt = args.indexOf('--scenario');
const scenarioSize = (scenarioAt >= 0 ? args.splice(scenarioAt, 2)[1] : 'tiny') as ScenarioSize;
if (!SCENARIO_SIZES.includes(scenarioSize)) throw new Error(`--scenario must be one of ${SCENARIO_SIZES.join(', ')}`);
const files = args.length > 0 ? args : ['../shared/data/er/febrl3.csv', '../shared/data/er/febrl1.csv'];
const f = (x: number): string => x.toFixed(4);

async function evaluate(label: string, records: readonly ResolveRecord[], specs: readonly FieldSpec[], truth: readonly string[]): Promise<MatchResult> {
  const t0 = performance.now();
  const result = await matchRecords(records, specs);
  const ms = performance.now() - t0;
  const recall = blockingRecall(result.prepared, result.pairs, truth);
  let best = { threshold: 0, precision: 0, recall: 0, f1: 0 };
  for (let t = 0.01; t < 1; t += 0.01) {
    const q = pairQuality(result, truth, t, recall.truePairs);
    if (q.f1 > best.f1) best = { threshold: Number(t.toFixed(2)), precision: q.precision, recall: q.recall, f1: q.f1 };
  }
  const def = pairQuality(result, truth, DEFAULT_THRESHOLD, recall.truePairs);
  console.log(`\n${label}: ${records.length} records, ${recall.truePairs} true pairs, ${result.pairs.length / 2} candidate pairs, ${ms.toFixed(0)} ms`);
  console.log(`  training: ${result.model.training.message} (λ=${result.model.lambda.toExponential(3)})`);
  if (process.argv.includes('--verbose')) for (const fm of result.model.fields) console.log(`    ${fm.name.padEnd(20)} m ${fm.m.slice(1).map((x) => x.toFixed(3)).join(' ')}  u ${fm.u.slice(1).map((x) => x.toFixed(3)).join(' ')}`);
  console.log(`  blocking recall ${f(recall.recall)} (${recall.found}/${recall.truePairs})`);
  for (const r of result.blocking) console.log(`    ${r.rule.padEnd(48)} pairs ${String(r.pairs).padStart(8)}  new ${String(r.newPairs).padStart(8)}  skipped blocks ${r.skippedBlocks}`);
  console.log(`  best threshold ${best.threshold}: precision ${f(best.precision)} recall ${f(best.recall)} F1 ${f(best.f1)}`);
  console.log(`  default threshold ${DEFAULT_THRESHOLD}: precision ${f(def.precision)} recall ${f(def.recall)} F1 ${f(def.f1)}`);
  return result;
}
const { mapping, specs } = parseMapping(JSON.parse(readFileSync(resolve('examples/match/febrl.json'), 'utf8')));

for (const file of files) {
  const path = resolve(file);
  if (!existsSync(path)) {
    console.log(`skip ${file}: not found`);
    continue;
  }
  const rows = parse(readFileSync(path), { columns: (h: string[]) => h.map((x) => x.trim()), trim: true, skip_empty_lines: true }) as Record<string, string>[];
  const { records } = recordsFromRows(rows, mapping, specs);
  // Ground truth is in FEBRL's record ids: rec-<entity>-org / rec-<entity>-dup-<n>.
  const truth = records.map((r) => /^rec-(\d+)-/.exec(r.id)?.[1] ?? r.id);
  await evaluate(file, records, specs, truth);
}

// The synthetic scenario: every agency's Person records, deduplicated together (names in several
// scripts and transliterations, partial dates, missing fields), against the scenario's truth.
const scenario = generateScenario({ size: scenarioSize, seed: 1 });
const props = new Map<string, Record<string, string[]>>();
for (const batch of scenario.statements({ calls: false })) {
  for (const st of batch) {
    if (st.schema !== 'Person') continue;
    const p = props.get(st.entityId) ?? {};
    (p[st.prop] ??= []).push(st.value);
    props.set(st.entityId, p);
  }
}
const truthMap = scenario.truth().entities;
const people = [...props.entries()].map(([id, p]) => ({ id, fields: scoringView('Person', p) }));
// The same Person fields the store-side resolution service uses.
const scenarioSpecs: readonly FieldSpec[] = PERSON_FIELDS;
await evaluate(`scenario ${scenarioSize} (seed 1), Person records of all agencies`, people, scenarioSpecs, people.map((r) => truthMap[r.id] ?? r.id));
