/**
 * Scenario generator benchmark: world build time, statement throughput (streamed, nothing kept), and
 * peak memory per size; writeScenario time for demo. `npx tsx bench/scenario.ts [--no-large]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { generateScenario, writeScenario, type ScenarioSize } from '../src/scenario/index.js';
import { writeResult } from './_util.js';

interface SizeResult {
  size: ScenarioSize;
  buildMs: number;
  streamMs: number;
  /** CPU time of build + stream (user + system): less sensitive than wall time to a shared, loaded machine. */
  cpuMs: number;
  statements: number;
  statementsPerSecond: number;
  truePersons: number;
  personRecords: number;
  peakRssMB: number;
}

function measure(size: ScenarioSize): SizeResult {
  let peak = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const scenario = generateScenario({ size, seed: 1 });
  const buildMs = performance.now() - t0;
  let statements = 0;
  const t1 = performance.now();
  for (const batch of scenario.statements()) {
    statements += batch.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const streamMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const truth = scenario.truth();
  return {
    size,
    buildMs: Math.round(buildMs),
    streamMs: Math.round(streamMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    statements,
    statementsPerSecond: Math.round(statements / ((buildMs + streamMs) / 1000)),
    truePersons: truth.persons.length,
    personRecords: truth.persons.reduce((n, p) => n + p.records.length, 0),
    peakRssMB: Math.round(peak / 1e6),
  };
}

const withLarge = !process.argv.includes('--no-large');
const loadBefore = os.loadavg()[0];
measure('tiny'); // warm-up (JIT, lazy metadata)
const results: SizeResult[] = [measure('tiny'), measure('demo')];
if (withLarge) results.push(measure('large'));

const dir = await mkdtemp(join(os.tmpdir(), 'tessera-bench-scenario-'));
const tw = performance.now();
const cw = process.cpuUsage();
const manifest = await writeScenario(generateScenario({ size: 'demo', seed: 1 }), dir);
const writeDemoMs = Math.round(performance.now() - tw);
const cwu = process.cpuUsage(cw);
const writeDemoCpuMs = Math.round((cwu.user + cwu.system) / 1000);
await rm(dir, { recursive: true, force: true });

console.log('size    build ms  stream ms  CPU ms  statements  statements/s  persons  records  peak RSS MB');
for (const r of results) {
  console.log(`${r.size.padEnd(7)} ${String(r.buildMs).padStart(8)} ${String(r.streamMs).padStart(10)} ${String(r.cpuMs).padStart(7)} ${String(r.statements).padStart(11)} ${String(r.statementsPerSecond).padStart(13)} ${String(r.truePersons).padStart(8)} ${String(r.personRecords).padStart(8)} ${String(r.peakRssMB).padStart(12)}`);
}
console.log(`writeScenario(demo) with raw files: ${writeDemoMs} ms wall, ${writeDemoCpuMs} ms CPU for ${manifest.counts.statements} statements`);
console.log(`load average at start: ${loadBefore?.toFixed(1)} on ${os.cpus().length} cores (shared machine: figures scale with load)`);
const path = writeResult('scenario', { loadAverageAtStart: loadBefore, sizes: results, writeDemo: { ms: writeDemoMs, cpuMs: writeDemoCpuMs, statements: manifest.counts.statements, counts: manifest.counts } });
console.log(`wrote ${path}`);
