import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tessera } from '../support/spawn-cli.js';

// `tessera demo` (the README's `npm start`) on the tiny scenario: the same path as the demo size,
// in a scratch working directory (the demo keeps its store in ./.tessera).
const dir = mkdtempSync(join(tmpdir(), 'tessera-demo-'));
const db = `sqlite:${join(dir, '.tessera', 'demo-tiny-3.sqlite')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const demo = () => tessera(['demo', '--size', 'tiny', '--seed', '3', '--no-serve'], { cwd: dir });
const number = (text: string, pattern: RegExp): number => Number((pattern.exec(text)?.[1] ?? 'NaN').replace(/,/g, ''));

describe('tessera demo', () => {
  let firstTour = '';

  it('loads, resolves persons and screens the recent travel on first run, and tours what they produced', () => {
    const r = demo();
    expect(r.code, r.stderr).toBe(0);
    // Progress lines of the two steps.
    expect(r.stderr).toMatch(/resolution run \w+: \d+ Person records, \d+ candidate pairs, \d+ links stored/);
    expect(r.stderr).toMatch(/screened \d+ trips: \d+ hits and \d+ post-delisting notices/);
    const clusters = number(r.stdout, /== Resolution: ([\d,]+) persons resolved from [\d,]+ records, as fr\.analyst/);
    const filed = number(r.stdout, /screened: (\d+) hits and \d+ notices in all inboxes/);
    const inbox = number(r.stdout, /(\d+) in FR-CT's inbox ==/);
    expect(clusters).toBeGreaterThan(0);
    expect(filed).toBeGreaterThan(0);
    expect(inbox).toBeGreaterThan(0);
    firstTour = r.stdout.slice(r.stdout.indexOf('== Holdings'), r.stdout.indexOf('== Audit chain'));
  }, 180_000);

  it('leaves hits in the inbox and a resolved, hit-informed triage ranking in the store', () => {
    const hits = tessera(['--db', db, '--json', 'hits', 'list']);
    expect(hits.code, hits.stderr).toBe(0);
    const inbox = JSON.parse(hits.stdout) as { agency: string; encountered: { schema: string; when?: string } }[];
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((h) => h.agency === 'FR-CT' && h.encountered.schema === 'TravelEvent')).toBe(true);
    // Screened travel lies in the 90 days before the scenario's reference time (2025-07-01).
    for (const h of inbox) if (h.encountered.when) expect(h.encountered.when >= '2025-04-02' && h.encountered.when <= '2025-07-01T23:59:59Z').toBe(true);

    const rank = tessera(['--db', db, '--json', 'triage', 'rank', '--limit', '100000']);
    expect(rank.code, rank.stderr).toBe(0);
    const ranking = JSON.parse(rank.stdout) as { resolution: { source: string; clusters: number }; subjects: { entityIds: string[]; contributions: { signal: string }[] }[] };
    // Triage ranks resolved persons (the run's clusters) and reads the hits filed by the back-check.
    expect(ranking.resolution.source).toBe('resolution');
    expect(ranking.resolution.clusters).toBeGreaterThan(0);
    expect(ranking.subjects.some((s) => s.entityIds.length > 1)).toBe(true);
    expect(ranking.subjects.some((s) => s.contributions.some((c) => c.signal === 'recentHits'))).toBe(true);
  }, 180_000);

  it('a second run reuses the store: nothing is resolved or screened again, the tour is the same', () => {
    const r = demo();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Using the demo store at/);
    expect(r.stderr).not.toMatch(/resolution run|screened \d+ trips/);
    expect(r.stdout.slice(r.stdout.indexOf('== Holdings'), r.stdout.indexOf('== Audit chain'))).toBe(firstTour);
  }, 180_000);
});
