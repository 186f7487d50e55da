/**
 * Ingest benchmark: a fictional 1M-row call-detail CSV mapped through examples/mappings/cdr.yaml
 * into SQLite (an empty store: bulk load, worker thread), then 100k more rows into the indexed store,
 * then the mapping side alone into an in-memory sink; then free-text extraction on 2 KB reports.
 * Wall clock, CPU seconds per thread and peak RSS (sampled every 100 ms, index build included).
 * Writes bench/results/ingest.json.
 *   npx tsx bench/ingest.ts [rows] [incrementalRows]
 * Each ingest runs in a process of its own (so each peak RSS is its own), with the main thread's
 * V8 heap capped at 256 MB: V8 grows its heap lazily, so an uncapped run reports garbage not yet
 * collected as resident memory.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractMentions, extractReport, ingestFile, loadMapping, MemorySink, scoreExtraction, storeIngestSink, type IngestReport } from '../src/ingest/index.js';
import { generateScenario } from '../src/scenario/index.js';
import { openStore } from '../src/store/index.js';

const HEAP_FLAG = '--max-old-space-size=256';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const MORE_ROWS = Number(process.argv[3] ?? 100_000);
const root = new URL('../', import.meta.url).pathname;

/** Luhn check digit (IMEI, 3GPP TS 23.003). */
function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A deterministic fictional CDR file: 20,000 subscribers, 5,000 handsets, calls over 90 days. */
async function writeCdr(file: string, rows: number, seedValue = 42): Promise<void> {
  const out = createWriteStream(file);
  let seed = seedValue;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  const phone = (k: number) => `06 39 ${String(Math.floor(k / 10000) % 100).padStart(2, '0')} ${String(Math.floor(k / 100) % 100).padStart(2, '0')} ${String(k % 100).padStart(2, '0')}`;
  const imeis = Array.from({ length: 5000 }, (_, i) => {
    const body = `35209900${String(i).padStart(6, '0')}`;
    return body + luhnDigit(body);
  });
  const start = Date.UTC(2024, 0, 1);
  let buf = 'caller,callee,start,duration,cell_id,imei\n';
  for (let i = 0; i < rows; i++) {
    const a = rand() % 20000;
    const b = rand() % 20000;
    const t = new Date(start + (rand() % (90 * 86400)) * 1000).toISOString();
    const when = `${t.slice(0, 10)} ${t.slice(11, 19)}`;
    const imei = rand() % 10 === 0 ? '' : imeis[a % 5000]!;
    buf += `${phone(a)},${phone(b)},${when},${rand() % 900},208-01-${rand() % 4000}-${a % 97},${imei}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.write(buf);
  out.end();
  await once(out, 'finish');
}

/** CPU seconds of each thread of this process (Linux /proc; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {
    // Not Linux, or a thread ended while being read.
  }
  return out;
}

/**
 * Runs one ingest and measures it: wall clock, process CPU, CPU of the main thread and of the
 * busiest other thread (the ingest worker; threads are sampled every 100 ms, so a thread's last
 * 100 ms may be missed), peak RSS, and the wall time after the last batch (a bulk load's index build).
 */
async function measure(label: string, run: (onProgress: (p: { read: number; rowsPerSecond: number; etaSeconds: number | undefined; bytesRead: number; totalBytes: number; elapsedMs: number }) => void) => Promise<IngestReport>) {
  const threads = new Map<string, number>();
  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    for (const [tid, s] of threadCpu()) threads.set(tid, Math.max(s, threads.get(tid) ?? 0));
  };
  const before = threadCpu();
  const sampler = setInterval(sample, 100);
  const load = loadavg().map((x) => Number(x.toFixed(2)));
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  let lastLog = 0;
  let lastBatchAt = t;
  const report = await run((p) => {
    lastBatchAt = performance.now();
    if (p.elapsedMs - lastLog > 10_000) {
      lastLog = p.elapsedMs;
      console.error(`  ${label}: ${p.read.toLocaleString()} rows, ${Math.round(p.rowsPerSecond).toLocaleString()} rows/s, ETA ${p.etaSeconds?.toFixed(0)} s`);
    }
  });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  sample();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const used = [...threads].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)] as const);
  const mainCpu = used.find(([tid]) => tid === String(process.pid))?.[1];
  const workerCpu = Math.max(0, ...used.filter(([tid]) => tid !== String(process.pid)).map(([, s]) => s));
  const busiest = Math.max(mainCpu ?? 0, workerCpu);
  return {
    report,
    figures: {
      rows: report.read,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(report.read / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      rowsPerCpuSecond: Math.round(report.read / cpuSeconds),
      mainThreadCpuSeconds: mainCpu === undefined ? undefined : Number(mainCpu.toFixed(2)),
      workerThreadCpuSeconds: Number(workerCpu.toFixed(2)),
      // The busier of the two pipeline threads bounds the rate two otherwise idle cores would give.
      rowsPerBusiestThreadCpuSecond: busiest > 0 ? Math.round(report.read / busiest) : undefined,
      afterLastBatchSeconds: Number(((performance.now() - lastBatchAt) / 1000).toFixed(2)),
      statements: report.statements,
      statementsPerSecond: Math.round(report.statements / seconds),
      written: report.written,
      quarantined: report.quarantined,
      duplicates: report.duplicates,
      peakRssMB: Math.round(peakRss / 1e6),
      loadAverageAtStart: load,
    },
  };
}

type Figures = Awaited<ReturnType<typeof measure>>['figures'];

/** One ingest scenario in this process (a child of the bench): prints its figures as the last line. */
async function scenario(name: string, file: string, db: string): Promise<void> {
  const mapping = loadMapping(join(root, 'examples/mappings/cdr.yaml'));
  const options = { batchSize: 5000, collectedAt: '2024-08-01T00:00:00Z' };
  if (name === 'memory') {
    const { figures } = await measure(name, (onProgress) => ingestFile(file, mapping, new MemorySink({ keepStatements: false }), options, onProgress));
    console.log(JSON.stringify(figures));
    return;
  }
  const store = await openStore({ url: `sqlite:${db}` });
  try {
    const { figures } = await measure(name, (onProgress) => ingestFile(file, mapping, storeIngestSink(store), options, onProgress));
    console.log(JSON.stringify(figures));
  } finally {
    await store.close();
  }
}

/** Runs a scenario in a child process with the capped heap and returns its figures. */
function child(name: string, file: string, db = ''): Figures {
  const r = spawnSync(process.execPath, [...process.execArgv, HEAP_FLAG, process.argv[1]!, '--scenario', name, file, db], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const lines = r.stdout.trim().split('\n');
  for (const l of lines.slice(0, -1)) console.log(l);
  if (r.status !== 0) throw new Error(`bench scenario ${name} failed (exit ${r.status})`);
  return JSON.parse(lines[lines.length - 1]!) as Figures;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-ingest-'));
  try {
    const file = join(dir, 'cdr-1m.csv');
    const t = performance.now();
    await writeCdr(file, ROWS);
    const size = statSync(file).size;
    console.log(`generated ${ROWS.toLocaleString()} CDR rows (${(size / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const db = join(dir, 'bench.sqlite');

    // 1. The goal: the whole file into SQLite (an empty store: bulk load; the worker thread maps).
    const bulk = child('sqlite', file, db);
    const sqlite = { fileBytes: size, ...bulk, storeBytes: statSync(db).size, goalRowsPerSecond: 50_000, goalPeakRssMB: 500 };
    console.log(`sqlite (empty store, bulk): ${sqlite.rowsPerSecond.toLocaleString()} rows/s wall, ${sqlite.rowsPerCpuSecond.toLocaleString()} rows per CPU-second, busiest thread ${sqlite.rowsPerBusiestThreadCpuSecond?.toLocaleString()} rows per CPU-second (main ${sqlite.mainThreadCpuSeconds} s, worker ${sqlite.workerThreadCpuSeconds} s), index build ${sqlite.afterLastBatchSeconds} s, peak RSS ${sqlite.peakRssMB} MB`);

    // 2. More rows into the now indexed store: every insert maintains the indexes.
    const moreFile = join(dir, 'cdr-more.csv');
    await writeCdr(moreFile, MORE_ROWS, 7);
    const incremental = { ...child('incremental', moreFile, db), storeStatementsBefore: bulk.statements };
    console.log(`sqlite (indexed store): ${incremental.rowsPerSecond.toLocaleString()} rows/s wall, ${incremental.rowsPerCpuSecond.toLocaleString()} rows per CPU-second, peak RSS ${incremental.peakRssMB} MB`);
    rmSync(db, { force: true });

    // 3. The mapping side alone (reader, hashing, mapping, normalisation, statement ids) into memory.
    const ingest = { fileBytes: size, ...child('memory', file), goalRowsPerSecond: 50_000, goalPeakRssMB: 500 };
    console.log(`mapping into memory: ${ingest.rowsPerSecond.toLocaleString()} rows/s wall, worker ${ingest.workerThreadCpuSeconds} CPU s (${Math.round(ingest.rows / Math.max(ingest.workerThreadCpuSeconds, 1e-9)).toLocaleString()} rows per worker CPU-second), main ${ingest.mainThreadCpuSeconds} s, peak RSS ${ingest.peakRssMB} MB (the in-memory sink keeps every row hash)`);

    // Extraction: precision/recall per type on the scenario's synthetic reports, speed on 2 KB reports.
    const scenario = generateScenario({ size: 'demo', seed: 7 });
    const reports = scenario.reports;
    const docs = reports.map((r) => ({ found: extractMentions(r.text, { phoneRegion: r.agency.slice(0, 2) }), truth: r.mentions }));
    const scores = scoreExtraction(docs);
    // The scenario writes birth places as plain text, without a ground-truth span: count the places found there apart.
    let birthplaces = 0;
    for (const [i, d] of docs.entries()) {
      const text = reports[i]!.text;
      for (const f of d.found) {
        if (f.type !== 'place' || d.truth.some((t) => t.type === 'place' && t.start === f.start && t.end === f.end)) continue;
        if (/born [^,.]*in $/.test(text.slice(Math.max(0, f.start - 40), f.start))) birthplaces++;
      }
    }
    const place = scores.find((x) => x.type === 'place');
    const placeExcludingBirthplaces = place ? Number((place.exact / (place.found - birthplaces)).toFixed(3)) : undefined;
    console.log(`places found in unannotated "born … in X" phrases: ${birthplaces}; place precision without them: ${placeExcludingBirthplaces}`);
    console.table(scores.map((x) => ({ type: x.type, truth: x.truth, found: x.found, precision: x.precision, recall: x.recall, lenientP: x.lenientPrecision, lenientR: x.lenientRecall })));
    // 2 KB reports: two scenario reports back to back.
    const twoKb = reports.map((r, i) => `${r.text}\n${reports[(i + 1) % reports.length]!.text}`).filter((t) => t.length >= 2000);
    const envelope = { source: { agency: 'FR-CT', collectedAt: '2024-08-01T00:00:00Z' }, grading: { system: 'EU4x4' as const, source: 'B' as const, info: '2' as const }, handling: { codes: [], releasableTo: [] } };
    for (const t of twoKb.slice(0, 20)) extractReport({ text: t }, envelope, { phoneRegion: 'FR' });
    const t3 = performance.now();
    const c3 = process.cpuUsage();
    let mentions = 0;
    for (const t of twoKb) mentions += extractReport({ text: t }, envelope, { phoneRegion: 'FR' }).mentions.length;
    const es = (performance.now() - t3) / 1000;
    const ec = process.cpuUsage(c3);
    const extraction = {
      scenario: { size: 'demo', seed: 7, reports: reports.length, meanChars: Math.round(reports.reduce((a, r) => a + r.text.length, 0) / reports.length) },
      scores,
      unannotatedBirthplacesFound: birthplaces,
      placePrecisionExcludingBirthplaces: placeExcludingBirthplaces,
      speed: { reports: twoKb.length, meanChars: Math.round(twoKb.reduce((a, t) => a + t.length, 0) / twoKb.length), reportsPerSecond: Math.round(twoKb.length / es), reportsPerCpuSecond: Math.round(twoKb.length / ((ec.user + ec.system) / 1e6)), mentionsPerReport: Number((mentions / twoKb.length).toFixed(1)), goalReportsPerSecond: 200 },
    };
    console.log(`extraction: ${extraction.speed.reportsPerSecond} reports/s wall, ${extraction.speed.reportsPerCpuSecond} per CPU-second (2 KB reports, Report + Mention statements included)`);

    const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, childHeap: HEAP_FLAG, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) }, date: new Date().toISOString(), sqlite, incremental, ingest, extraction };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/ingest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('wrote bench/results/ingest.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--scenario') await scenario(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await main();
