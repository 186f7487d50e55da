/**
 * Entity-resolution benchmark: name comparators (ours vs talisman) and Fellegi–Sunter pair scoring
 * throughput with worker_threads, on synthetic invented records. Writes bench/results/resolve.json.
 * Usage: npx tsx bench/resolve.ts [records=300000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import jaroWinklerTalisman from 'talisman/metrics/jaro-winkler.js';
import levenshteinTalisman from 'talisman/metrics/levenshtein.js';
import { ComparisonPool, candidatePairs, defaultRules, jaroWinkler, nameSimilarity, withinOneEdit, prepareRecords, trainModel, weightsFromLevels, type FieldSpec } from '../src/resolve/index.js';
import { prng, syntheticPeople } from '../src/resolve/testing/synthetic.js';

const RECORDS = Number(process.argv[2] ?? 300_000);
const mb = (): number => Math.round(process.memoryUsage().rss / 1048576);

function timeIt(label: string, n: number, fn: () => number): { label: string; perSecond: number; perCpuSecond: number; checksum: number } {
  fn(); // warm-up
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const checksum = fn();
  const cpu = process.cpuUsage(cpu0);
  const s = (performance.now() - t) / 1000;
  const perSecond = Math.round(n / s);
  const perCpuSecond = Math.round(n / ((cpu.user + cpu.system) / 1e6));
  console.log(`  ${label.padEnd(44)} ${perSecond.toLocaleString('en').padStart(12)} pairs/s  ${perCpuSecond.toLocaleString('en').padStart(12)} per CPU-second`);
  return { label, perSecond, perCpuSecond, checksum };
}

// 1. Name comparators on realistic name strings (single-core).
console.log('Name comparators (1 core):');
const { records: people } = syntheticPeople(20_000, 3, 'large');
const names = people.map((r) => `${r.fields['firstName']?.[0] ?? ''} ${r.fields['lastName']?.[0] ?? ''}`);
const r = prng(5);
const N = 1_000_000;
const A = Array.from({ length: N }, () => names[Math.floor(r() * names.length)] ?? '');
const B = Array.from({ length: N }, (_, i) => (r() < 0.5 ? (A[i] ?? '').replace(/a/, 'e') : (names[Math.floor(r() * names.length)] ?? '')));
const comparators = [
  timeIt('talisman jaro-winkler', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += jaroWinklerTalisman(A[i] ?? '', B[i] ?? '');
    return s;
  }),
  timeIt('tessera jaroWinkler (typed arrays)', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += jaroWinkler(A[i] ?? '', B[i] ?? '');
    return s;
  }),
  timeIt('talisman levenshtein', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += levenshteinTalisman(A[i] ?? '', B[i] ?? '');
    return s;
  }),
  timeIt('tessera withinOneEdit (identifier level)', N, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += withinOneEdit(A[i] ?? '', B[i] ?? '') ? 1 : 0;
    return s;
  }),
  timeIt('tessera nameSimilarity (translit., cached)', 200_000, () => {
    let s = 0;
    for (let i = 0; i < 200_000; i++) s += nameSimilarity(A[i] ?? '', B[i] ?? '');
    return s;
  }),
];

// 2. Pair scoring at scale.
console.log(`  (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores)`);
console.log(`\nPair scoring on ${RECORDS.toLocaleString('en')} synthetic records:`);
const specs: FieldSpec[] = [
  { name: 'firstName', kind: 'name' },
  { name: 'lastName', kind: 'name' },
  { name: 'birthDate', kind: 'date' },
  { name: 'idNumber', kind: 'identifier' },
  { name: 'address.postcode', kind: 'postcode' },
];
let t = performance.now();
const { records } = syntheticPeople(Math.round(RECORDS / 2), 9, 'large');
const prepared = prepareRecords(records.slice(0, RECORDS), specs);
const prepareMs = performance.now() - t;
console.log(`  prepared ${prepared.ids.length.toLocaleString('en')} records in ${(prepareMs / 1000).toFixed(1)} s, rss ${mb()} MB`);
t = performance.now();
const blocked = candidatePairs(prepared, defaultRules(specs), { maxBlockSize: 200 });
const blockMs = performance.now() - t;
const nPairs = blocked.pairs.length / 2;
console.log(`  blocking: ${nPairs.toLocaleString('en')} candidate pairs in ${(blockMs / 1000).toFixed(1)} s, rss ${mb()} MB`);
for (const rr of blocked.report) console.log(`    ${rr.rule.padEnd(48)} ${String(rr.pairs).padStart(10)} pairs, ${rr.skippedBlocks} blocks skipped`);

// Score a strided sample of at most 2 M candidate pairs (every rule represented), to bound run time.
const SAMPLE = 2_000_000;
const stride = Math.max(1, Math.ceil(nPairs / SAMPLE));
const sample = new Int32Array(Math.ceil(nPairs / stride) * 2);
for (let p = 0, q = 0; p < nPairs; p += stride, q++) {
  sample[2 * q] = blocked.pairs[2 * p] ?? 0;
  sample[2 * q + 1] = blocked.pairs[2 * p + 1] ?? 0;
}
console.log(`  scoring ${(sample.length / 2).toLocaleString('en')} of them (every ${stride}th)`);

async function scoreRun(threads: number): Promise<{ threads: number; pairs: number; seconds: number; pairsPerSecond: number; cpuSeconds: number; pairsPerCpuSecond: number }> {
  const pool = ComparisonPool.create(prepared, threads);
  try {
    await pool.compare(sample.slice(0, Math.min(sample.length, 200_000))); // warm-up (JIT, caches)
    const pairs = sample;
    const n = pairs.length / 2;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const levels = await pool.compare(pairs.slice());
    const model = trainModel(prepared, levels.subarray(0, Math.min(levels.length, 500_000 * specs.length)), { randomPairs: 20_000 });
    const weights = weightsFromLevels(model, prepared, pairs, levels);
    const seconds = (performance.now() - start) / 1000;
    // CPU time of all threads of the process: on a shared machine, pairs per CPU-second × cores is the
    // throughput two idle cores would give; wall-clock figures depend on what else runs.
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const pps = Math.round(n / seconds);
    console.log(`  ${threads} thread(s): ${pps.toLocaleString('en')} scored pairs/s wall-clock (${seconds.toFixed(2)} s incl. EM on ≤500k pairs), ${Math.round(n / cpuSeconds).toLocaleString('en')} pairs per CPU-second; checksum ${weights[0]?.toFixed(3)}, rss ${mb()} MB`);
    return { threads, pairs: n, seconds, pairsPerSecond: pps, cpuSeconds, pairsPerCpuSecond: Math.round(n / cpuSeconds) };
  } finally {
    await pool.close();
  }
}
const runs = [await scoreRun(1), await scoreRun(Math.max(2, Math.min(2, availableParallelism())))];

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  // Other sessions share this machine: the load average says how much CPU the figures really had.
  loadAverage: loadavg(),
  comparators,
  scoring: { records: prepared.ids.length, fields: specs.length, candidatePairs: nPairs, prepareSeconds: prepareMs / 1000, blockingSeconds: blockMs / 1000, runs, peakRssMB: mb() },
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/resolve.json', `${JSON.stringify(result, null, 2)}\n`);
console.log('\nwrote bench/results/resolve.json');
