import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tessera } from '../support/spawn-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-e2e-'));
const db = ['--db', `sqlite:${join(dir, 'ingest.sqlite')}`];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera ingest (CLI, store-backed sink)', () => {
  beforeAll(() => {
    const r = tessera([...db, 'load', '--size', 'tiny', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('writes or quarantines every row, then re-ingests without duplicates', () => {
    const first = tessera([...db, '--json', 'ingest', 'examples/data/cdr.csv', '--mapping', 'examples/mappings/cdr.yaml']);
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout) as { read: number; written: number; quarantined: number; duplicates: number };
    expect(r1.read).toBeGreaterThan(0);
    expect(r1.written + r1.quarantined + r1.duplicates).toBe(r1.read);
    expect(r1.quarantined).toBeGreaterThan(0);
    const second = tessera([...db, '--json', 'ingest', 'examples/data/cdr.csv', '--mapping', 'examples/mappings/cdr.yaml']);
    const r2 = JSON.parse(second.stdout) as { read: number; written: number; quarantined: number; duplicates: number };
    expect(r2.written).toBe(0);
    expect(r2.duplicates).toBe(r1.written + r1.duplicates);
  });

  it('lists quarantined rows with file, line, field and reason', () => {
    const r = tessera([...db, '--json', 'quarantine', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { file: string; line: number; field: string; reason: string; raw: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const q of rows) {
      expect(q.file).toContain('cdr.csv');
      expect(q.line).toBeGreaterThan(1);
      expect(q.reason.length).toBeGreaterThan(5);
      expect(q.raw.length).toBeGreaterThan(0);
    }
    expect(rows.some((q) => q.field === 'imei' && /Luhn/.test(q.reason))).toBe(true);
  });

  it('audits every ingest batch with the user, purpose and case', () => {
    const v = tessera([...db, 'audit', 'verify']);
    expect(v.code, v.stderr).toBe(0);
  });

  it('exports what the user may read as FollowTheMoney JSON Lines', () => {
    const out = join(dir, 'export.ftm.jsonl');
    const r = tessera([...db, 'ftm', 'export', '--schema', 'Person', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines.slice(0, 20)) expect(JSON.parse(l)).toMatchObject({ schema: 'Person', properties: expect.any(Object) });
  });

  it('refuses a missing file and an empty one with clear errors', () => {
    const missing = tessera([...db, 'ingest', join(dir, 'nope.csv'), '--mapping', 'examples/mappings/cdr.yaml']);
    expect(missing.stderr).toMatch(/NOT_FOUND.*nope\.csv/);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const e = tessera([...db, 'ingest', empty, '--mapping', 'examples/mappings/cdr.yaml']);
    expect(e.stderr).toMatch(/empty/);
  });
});
