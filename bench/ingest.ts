/**
 * Ingest benchmark: a fictional 1M-row call-detail CSV mapped through examples/mappings/cdr.yaml
 * into an in-memory sink (statements counted, row hashes kept), peak RSS sampled; then free-text
 * extraction on 2 KB reports. Writes bench/results/ingest.json.
 *   npx tsx bench/ingest.ts [rows]
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractMentions, extractReport, ingestFile, loadMapping, MemorySink, scoreExtraction, storeIngestSink } from '../src/ingest/index.js';
import { generateScenario } from '../src/scenario/index.js';
import { openStore } from '../src/store/index.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const SQLITE_ROWS = Math.min(ROWS, Number(process.argv[3] ?? 50_000));
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
async function writeCdr(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  let seed = 42;
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-ingest-'));
  try {
    const file = join(dir, 'cdr-1m.csv');
    let t = performance.now();
    await writeCdr(file, ROWS);
    const size = statSync(file).size;
    console.log(`generated ${ROWS.toLocaleString()} CDR rows (${(size / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const sink = new MemorySink({ keepStatements: false });
    t = performance.now();
    const cpu0 = process.cpuUsage();
    let lastLog = 0;
    const report = await ingestFile(file, loadMapping(join(root, 'examples/mappings/cdr.yaml')), sink, { batchSize: 5000, collectedAt: '2024-08-01T00:00:00Z' }, (p) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (p.elapsedMs - lastLog > 5000) {
        lastLog = p.elapsedMs;
        console.log(`  ${p.read.toLocaleString()} rows, ${Math.round(p.rowsPerSecond).toLocaleString()} rows/s, ETA ${p.etaSeconds?.toFixed(0)} s`);
      }
    });
    clearInterval(sampler);
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // CPU seconds of this process: on a shared machine the wall clock measures the neighbours too.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const ingest = {
      rows: ROWS,
      fileBytes: size,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(report.read / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      rowsPerCpuSecond: Math.round(report.read / cpuSeconds),
      heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
      statements: report.statements,
      statementsPerSecond: Math.round(report.statements / seconds),
      written: report.written,
      quarantined: report.quarantined,
      duplicates: report.duplicates,
      peakRssMB: Math.round(peakRss / 1e6),
      goalRowsPerSecond: 50_000,
      goalPeakRssMB: 500,
    };
    console.log(`ingest: ${ingest.rowsPerSecond.toLocaleString()} rows/s wall, ${ingest.rowsPerCpuSecond.toLocaleString()} rows per CPU-second (${ingest.statementsPerSecond.toLocaleString()} statements/s), peak RSS ${ingest.peakRssMB} MB; written ${report.written}, quarantined ${report.quarantined}, duplicates ${report.duplicates}`);

    // The same mapping into SQLite through the store sink (one transaction per batch).
    const sqliteFile = join(dir, 'cdr-sqlite.csv');
    await writeCdr(sqliteFile, SQLITE_ROWS);
    const store = await openStore({ url: `sqlite:${join(dir, 'bench.sqlite')}` });
    let sqlite;
    try {
      const t2 = performance.now();
      const c0 = process.cpuUsage();
      const r = await ingestFile(sqliteFile, loadMapping(join(root, 'examples/mappings/cdr.yaml')), storeIngestSink(store), { batchSize: 5000, collectedAt: '2024-08-01T00:00:00Z' });
      const secs = (performance.now() - t2) / 1000;
      const c = process.cpuUsage(c0);
      sqlite = { rows: SQLITE_ROWS, seconds: Number(secs.toFixed(2)), rowsPerSecond: Math.round(r.read / secs), rowsPerCpuSecond: Math.round(r.read / ((c.user + c.system) / 1e6)), statements: r.statements, statementsPerSecond: Math.round(r.statements / secs) };
      console.log(`sqlite: ${sqlite.rowsPerSecond.toLocaleString()} rows/s wall (${sqlite.statementsPerSecond.toLocaleString()} statements/s) for ${SQLITE_ROWS.toLocaleString()} rows`);
    } finally {
      await store.close();
    }

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

    const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) }, date: new Date().toISOString(), ingest, sqlite, extraction };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/ingest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('wrote bench/results/ingest.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
