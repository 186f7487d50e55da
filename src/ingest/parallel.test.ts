import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryScreening, MemorySink, ingestFile, loadMapping, type IngestReport } from './index.js';

const root = new URL('../../', import.meta.url).pathname;
const cdr = () => loadMapping(join(root, 'examples/mappings/cdr.yaml'));
const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer) => {
  const f = join(dir, `in${n++}.csv`);
  writeFileSync(f, content);
  return f;
};
const opts = { collectedAt: '2024-08-01T00:00:00Z', now: () => new Date('2024-08-02T00:00:00Z') };

/** Calls among 40 phones with bad dates, bad IMEIs, short rows, and rows repeated a few batches later. */
function cdrRows(rows: number): string {
  const lines = ['caller,callee,start,duration,cell_id,imei'];
  for (let i = 0; i < rows; i++) {
    const caller = `06 39 98 ${String(i % 40).padStart(2, '0')} 11`;
    const callee = `06 39 97 ${String((i * 7) % 40).padStart(2, '0')} 22`;
    const date = i % 17 === 3 ? '2024-02-30 08:00:00' : `2024-03-14 08:${String(i % 60).padStart(2, '0')}:00`;
    const imei = i % 23 === 5 ? '123' : i % 3 === 0 ? '' : '352099001761481';
    lines.push(i % 29 === 7 ? `${caller},${callee}` : `${caller},${callee},${date},${i},208-01-${i},${imei}`);
    if (i % 31 === 30) lines.push(lines[lines.length - 1 - (i % 3) * 11]!); // a repeat 0–22 rows back
  }
  return `${lines.join('\n')}\n`;
}

const counts = (r: IngestReport) => ({ read: r.read, written: r.written, quarantined: r.quarantined, duplicates: r.duplicates, resumedFrom: r.resumedFrom, interrupted: r.interrupted, warnings: r.warnings, entitiesScreened: r.entitiesScreened });

// Each worker start costs about a second under tsx (it compiles its modules): the cases share runs.
describe('ingest in a worker thread', () => {
  it('writes, quarantines, counts and screens exactly as the in-thread loop (small batches, repeats across batches)', async () => {
    const f = file(cdrRows(700));
    const [a, b] = [new MemorySink(), new MemorySink()];
    const [sa, sb] = [new MemoryScreening(), new MemoryScreening()];
    const inThread = await ingestFile(f, cdr(), a, { ...opts, batchSize: 9, screening: sa, parallel: false });
    const inWorker = await ingestFile(f, cdr(), b, { ...opts, batchSize: 9, screening: sb, parallel: true });
    expect(inThread.duplicates).toBeGreaterThan(10);
    expect(inThread.quarantined).toBeGreaterThan(50);
    expect(counts(inWorker)).toEqual(counts(inThread));
    expect(inWorker.statements).toBe(inThread.statements);
    const byId = (sink: MemorySink) => [...sink.statements.values()].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(b)).toEqual(byId(a));
    expect([...b.quarantine.values()]).toEqual([...a.quarantine.values()]);
    expect(b.rowCount('FR-CT/cdr-operator')).toBe(a.rowCount('FR-CT/cdr-operator'));
    const screened = (s: MemoryScreening) => s.screened.map((e) => `${e.id} ${e.schema} ${e.statements.map((x) => x.id).join(',')}`);
    expect(screened(sb)).toEqual(screened(sa));
    // Re-ingest through the worker: nothing new.
    const again = await ingestFile(f, cdr(), b, { ...opts, batchSize: 9, parallel: true });
    expect([again.written, again.duplicates, again.quarantined]).toEqual([0, inThread.written + inThread.duplicates, inThread.quarantined]);
  });

  it('resumes after a crash, and stops on abort after the batch in hand', async () => {
    const f = file(cdrRows(400));
    const whole = new MemorySink();
    const all = await ingestFile(f, cdr(), whole, { ...opts, batchSize: 50, parallel: false });
    const crashing = new MemorySink({ failOnBatch: 3 });
    await expect(ingestFile(f, cdr(), crashing, { ...opts, batchSize: 50, parallel: true })).rejects.toThrow(/simulated crash/);
    (crashing as unknown as { options: object }).options = {};
    const resumed = await ingestFile(f, cdr(), crashing, { ...opts, batchSize: 50, parallel: true });
    expect([resumed.resumedFrom, resumed.read]).toEqual([100, all.read - 100]);
    expect(crashing.statements.size).toBe(whole.statements.size);
    expect(crashing.rowCount('FR-CT/cdr-operator')).toBe(whole.rowCount('FR-CT/cdr-operator'));

    const sink = new MemorySink();
    const ctl = new AbortController();
    const first = await ingestFile(f, cdr(), sink, { ...opts, batchSize: 50, parallel: true, signal: ctl.signal }, (p) => {
      if (p.read >= 100) ctl.abort();
    });
    expect([first.interrupted, first.read]).toEqual([true, 100]);
    const rest = await ingestFile(f, cdr(), sink, { ...opts, batchSize: 50, parallel: false });
    expect([rest.resumedFrom, rest.read, rest.interrupted]).toEqual([100, all.read - 100, false]);
    expect(sink.statements.size).toBe(whole.statements.size);
  });

  it('refuses a mapping that reads a missing column before writing anything', async () => {
    const sink = new MemorySink();
    await expect(ingestFile(file('caller,callee,start,duration,cellid,imei\n1,2,3,4,5,6\n'), cdr(), sink, { ...opts, parallel: true })).rejects.toThrow(/cdr.yaml: entities.call.properties.cellId: column "cell_id" is not in/);
    expect(sink.batches).toBe(0);
  });
});

describe('rows sharing an entity with a quarantined row', () => {
  it('still write that entity when the first row naming it is quarantined', async () => {
    // Line 2 names the caller first but has an impossible date; line 3 names the same caller and is fine.
    const f = file('caller,callee,start,duration,cell_id,imei\n06 39 98 12 34,06 39 98 00 01,2024-02-30 08:00:00,1,c1,\n06 39 98 12 34,06 39 98 00 02,2024-03-01 08:00:00,2,c2,\n');
    const sink = new MemorySink();
    const r = await ingestFile(f, cdr(), sink, { ...opts, parallel: false });
    expect([r.written, r.quarantined]).toEqual([1, 1]);
    const phone = [...sink.statements.values()].find((s) => s.schema === 'Phone' && s.value === '+33639981234');
    expect(phone).toBeDefined();
  });
});
