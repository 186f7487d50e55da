/**
 * Entity-resolution evaluation on FEBRL (Christen 2008) deduplication sets: unsupervised EM, default
 * rules, the generic mapping in examples/match/febrl.json. Prints precision/recall/F1 at the best and
 * the default threshold and the recall of blocking. Usage: npm run eval:er [-- FILE ...]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { blockingRecall, matchRecords, pairQuality, parseMapping, recordsFromRows } from '../src/resolve/index.js';

const DEFAULT_THRESHOLD = 0.5;
const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['../shared/data/er/febrl3.csv', '../shared/data/er/febrl1.csv'];
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
  const f = (x: number): string => x.toFixed(4);
  console.log(`\n${file}: ${records.length} records, ${recall.truePairs} true pairs, ${result.pairs.length / 2} candidate pairs, ${ms.toFixed(0)} ms`);
  console.log(`  training: ${result.model.training.message} (λ=${result.model.lambda.toExponential(3)})`);
  console.log(`  blocking recall ${f(recall.recall)} (${recall.found}/${recall.truePairs})`);
  for (const r of result.blocking) console.log(`    ${r.rule.padEnd(48)} pairs ${String(r.pairs).padStart(8)}  new ${String(r.newPairs).padStart(8)}  skipped blocks ${r.skippedBlocks}`);
  console.log(`  best threshold ${best.threshold}: precision ${f(best.precision)} recall ${f(best.recall)} F1 ${f(best.f1)}`);
  console.log(`  default threshold ${DEFAULT_THRESHOLD}: precision ${f(def.precision)} recall ${f(def.recall)} F1 ${f(def.f1)}`);
}
