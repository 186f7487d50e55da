import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tessera } from '../support/spawn-cli.js';

// Rank, plan, decide and review through the real CLI on the tiny scenario, as a supervisor would.
const dir = mkdtempSync(join(tmpdir(), 'tessera-triage-'));
const db = `sqlite:${join(dir, 'triage.sqlite')}`;
const as = ['--db', db, '--user', 'fr.supervisor', '--case', 'FR-OP-MISTRAL', '--purpose', 'Weekly triage of surveillance capacity for Operation Mistral'];
const cli = (...args: string[]) => tessera([...as, ...args]);

beforeAll(() => {
  const r = tessera(['--db', db, 'load', '--size', 'tiny']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  rank: number;
  subject: string;
  risk: number;
  contributions: { signal: string; evidence: string[] }[];
  missing: { signal: string }[];
}

describe('tessera triage', () => {
  it('ranks every visible person with reasons and evidence (JSON and table)', () => {
    const r = cli('--json', 'triage', 'rank', '--limit', '500');
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { total: number; asOf: string; subjects: Row[] };
    expect(body.asOf).toBe('2025-07-01T00:00:00.000Z'); // the scenario's reference time
    expect(body.subjects).toHaveLength(body.total); // nobody dropped
    expect(body.total).toBeGreaterThan(100);
    for (let i = 1; i < body.subjects.length; i++) expect(body.subjects[i - 1]!.risk).toBeGreaterThanOrEqual(body.subjects[i]!.risk);
    const top = body.subjects[0]!;
    expect(top.contributions.length).toBeGreaterThan(1);
    expect(top.contributions.every((c) => c.evidence.length > 0)).toBe(true);
    // With a resolution, two records of one person are ranked as one subject.
    const clusters = join(dir, 'clusters.json');
    writeFileSync(clusters, JSON.stringify({ [body.subjects[0]!.subject]: 'cluster:one', [body.subjects[1]!.subject]: 'cluster:one' }));
    const merged = JSON.parse(cli('--json', 'triage', 'rank', '--limit', '1000', '--clusters', clusters).stdout) as { total: number; subjects: Row[] };
    expect(merged.total).toBe(body.total - 1);
    expect(merged.subjects.some((x) => x.subject === 'cluster:one')).toBe(true);
    writeFileSync(clusters, '[1, 2]');
    expect(cli('triage', 'rank', '--clusters', clusters).stderr).toMatch(/expected an object of entity id → cluster id/);
    const table = cli('triage', 'rank', '--limit', '3', '--explain');
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/subjects ranked as of 2025-07-01/);
    expect(table.stdout).toMatch(/^#1 .* risk 0\.\d+/m);
    expect(table.stdout).toMatch(/evidence: /);
  }, 60_000);

  it('plans, decides with a reason, refuses contradictions, and replays the decision', () => {
    const none = cli('triage', 'plan');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/declared no capacity/);

    expect(cli('triage', 'capacity', 'set', '--teams', 'north:60,south:30', '--agents-per-target', '27', '--reason', 'Two teams for Operation Mistral this month').code).toBe(0);
    const p = cli('--json', 'triage', 'plan');
    expect(p.code, p.stderr).toBe(0);
    const plan = JSON.parse(p.stdout) as { id: string; plan: { assignments: { subject: string; team: string; measure: string }[]; uncovered: unknown[]; totalAgents: number; usedAgents: number; marginal: unknown[] }; ranking: Row[] };
    expect(plan.plan.totalAgents).toBe(90);
    expect(plan.plan.usedAgents).toBeLessThanOrEqual(90);
    expect(plan.plan.assignments.length).toBeGreaterThan(0);
    expect(plan.plan.assignments.length + plan.plan.uncovered.length).toBe(plan.ranking.length);
    expect(plan.plan.marginal.length).toBeGreaterThan(0);

    const both = cli('triage', 'decide', plan.id, '--accept', '--change', `${plan.plan.assignments[0]!.subject}=none`, '--reason', 'Both accept and change given at once');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/contradictory/);
    const analyst = tessera(['--db', db, '--user', 'fr.analyst', '--case', 'FR-OP-MISTRAL', '--purpose', 'Weekly triage of surveillance capacity for Operation Mistral', 'triage', 'decide', plan.id, '--accept', '--reason', 'An analyst is not a supervisor here']);
    expect(analyst.code).not.toBe(0);
    expect(analyst.stderr).toMatch(/supervisor/);

    const d = cli('--json', 'triage', 'decide', plan.id, '--change', `${plan.plan.assignments[0]!.subject}=periodic`, '--reason', 'Periodic checks suffice for the top subject this week');
    expect(d.code, d.stderr).toBe(0);
    const decision = JSON.parse(d.stdout) as { id: string; action: string; allocation: { subject: string; measure: string }[] };
    expect(decision.action).toBe('change');
    expect(decision.allocation.find((a) => a.subject === plan.plan.assignments[0]!.subject)?.measure).toBe('periodic');
    const again = cli('triage', 'decide', plan.id, '--accept', '--reason', 'Deciding the same plan a second time');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already decided/);

    const review = cli('--json', 'triage', 'review', decision.id);
    expect(review.code, review.stderr).toBe(0);
    const replay = JSON.parse(review.stdout) as { decision: { id: string }; shown: { id: string; ranking: Row[] } };
    expect(replay.shown.id).toBe(plan.id);
    expect(replay.shown.ranking).toEqual(plan.ranking);
    const text = cli('triage', 'review', decision.id);
    expect(text.stdout).toMatch(/Periodic checks suffice/);
    expect(text.stdout).toMatch(/What the system showed/);
  }, 120_000);

  it('a what-if plan with capacity 0 covers nobody and says so', () => {
    const r = cli('triage', 'plan', '--teams', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/WARNING: capacity is 0 agents/);
    expect(r.stdout).toMatch(/Uncovered: \d+ subjects/);
  }, 60_000);

  it('shows the weights a supervisor can adjust', () => {
    const r = cli('triage', 'weights', 'show');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/conflictTravel/);
    expect(r.stdout).toMatch(/quiet after activity/);
    const bad = cli('triage', 'weights', 'set', '--set', 'religion=2', '--reason', 'Trying to score a protected characteristic');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/SIGNAL one of/);
  }, 60_000);
});
