/**
 * What one SQLite writer can do at best with one row per statement (issue 4's 50k rows/s goal):
 * plain better-sqlite3 inserts of statement-shaped rows (the v5 layout: 9 own columns and a
 * provenance number, realistic CDR values) into a WAL file in transactions of 35,000 rows, no
 * Tessera code involved; then the three statement indexes built once by sorting, as a bulk load
 * does. From these two figures: the fastest a 6.84-statement call record can be written by one
 * thread, before mapping, row hashes, checkpoints or screening. Writes bench/results/sqlite-floor.json.
 *   npx tsx bench/sqlite-floor.ts [statements]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeResult } from './_util.js';

const STATEMENTS = Number(process.argv[2] ?? 1_400_000);
const PER_ROW = 6.84; // statements a CDR row makes (bench/ingest.ts)
const PROPS = ['caller', 'callee', 'handset', 'date', 'duration', 'cellId', 'channel'] as const;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-floor-'));
try {
  const db = new Database(join(dir, 'floor.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.exec(`CREATE TABLE statements (id TEXT NOT NULL, entity_id TEXT NOT NULL, schema TEXT NOT NULL, prop TEXT NOT NULL, value TEXT NOT NULL, ref TEXT, fts INTEGER NOT NULL DEFAULT 0, folded TEXT, original TEXT, prov INTEGER NOT NULL)`);
  const insert = db.prepare(`INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // Values prepared before timing: only SQLite and the binding are measured.
  const rows: unknown[][] = [];
  for (let i = 0; i < STATEMENTS; i++) {
    const call = Math.floor(i / PROPS.length);
    const prop = PROPS[i % PROPS.length]!;
    const phone = `fr-ct:phone.+336390${String(call % 20_000).padStart(5, '0')}`;
    const value = prop === 'caller' || prop === 'callee' ? phone : prop === 'handset' ? `fr-ct:handset.35209900${String(call % 5000).padStart(7, '0')}` : prop === 'date' ? '2024-03-17T18:17:47Z' : prop === 'duration' ? String(call % 900) : prop === 'cellId' ? `208011${call % 4000}` : 'voice';
    const ref = prop === 'caller' || prop === 'callee' || prop === 'handset' || prop === 'cellId' ? value : null;
    rows.push([createHash('sha1').update(`s${i}`).digest('hex'), `fr-ct:call.${createHash('sha1').update(`c${call}`).digest('hex')}`, 'Communication', prop, value, ref, 0, null, prop === 'date' ? '2024-03-17 19:17:47' : null, 1]);
  }
  const load = { cpu: cpuMs(), wall: performance.now() };
  const tx = db.transaction((batch: unknown[][]) => {
    for (const r of batch) insert.run(r);
  });
  for (let i = 0; i < rows.length; i += 35_000) tx(rows.slice(i, i + 35_000));
  const insertCpuMs = cpuMs() - load.cpu;
  const insertWallMs = performance.now() - load.wall;
  db.pragma('threads = 2');
  db.pragma('cache_size = -65536');
  const index = { cpu: cpuMs(), wall: performance.now() };
  db.exec(`CREATE UNIQUE INDEX statements_id ON statements(id); CREATE INDEX statements_entity ON statements(entity_id); CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;`);
  const indexCpuMs = cpuMs() - index.cpu;
  const indexWallMs = performance.now() - index.wall;
  db.close();

  const insertUs = (insertWallMs * 1000) / STATEMENTS;
  const indexUs = (indexWallMs * 1000) / STATEMENTS;
  const perCallRecordUs = (insertUs + indexUs) * PER_ROW;
  const result = {
    machine: { loadAverage: loadavg().map((x) => Number(x.toFixed(2))) },
    statements: STATEMENTS,
    insert: { wallMs: Math.round(insertWallMs), cpuMs: Math.round(insertCpuMs), usPerStatement: Number(insertUs.toFixed(2)) },
    indexBuild: { wallMs: Math.round(indexWallMs), cpuMs: Math.round(indexCpuMs), usPerStatement: Number(indexUs.toFixed(2)) },
    statementsPerCallRecord: PER_ROW,
    usPerCallRecord: Number(perCallRecordUs.toFixed(1)),
    ceilingCallRecordsPerSecond: Math.round(1e6 / perCallRecordUs),
    goalRowsPerSecond: 50_000,
  };
  console.log(
    `SQLite floor, one writer: insert ${result.insert.usPerStatement} µs + index build ${result.indexBuild.usPerStatement} µs per statement → ${result.usPerCallRecord} µs per CDR row (${PER_ROW} statements): at most ${result.ceilingCallRecordsPerSecond.toLocaleString('en')} rows/s before any mapping, hashing or checkpoints (goal 50,000)`,
  );
  console.log(`wrote ${writeResult('sqlite-floor', result)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
