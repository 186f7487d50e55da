import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../graph/index.js';
import { Capacity, coverageCurve, measuresOf, planCapacity, type PlanInput } from './plan.js';

const cap = (teams: number[], extra: Partial<Capacity> = {}): Capacity => Capacity.parse({ teams: teams.map((agents, i) => ({ id: `t${i + 1}`, agents })), agentsPerTarget: 27, ...extra });

/** Exhaustive optimum of the multiple-choice knapsack with one pooled budget (an upper bound for teams). */
function bruteForce(subjects: readonly PlanInput[], capacity: Capacity): number {
  const ms = measuresOf(capacity);
  const budget = capacity.teams.reduce((a, t) => a + t.agents, 0);
  let best = 0;
  const rec = (i: number, left: number, value: number) => {
    if (i === subjects.length) {
      best = Math.max(best, value);
      return;
    }
    rec(i + 1, left, value);
    for (const m of ms) if (m.agents <= left) rec(i + 1, left - m.agents, value + subjects[i]!.risk * m.coverage);
  };
  rec(0, budget, 0);
  return best;
}

describe('planCapacity', () => {
  it('gives full-time surveillance to the highest risks, partial measures further down, and lists the rest as uncovered', () => {
    const subjects = [0.9, 0.8, 0.5, 0.3, 0.2, 0.1, 0.05].map((risk, i) => ({ subject: `s${i}`, risk }));
    const plan = planCapacity(subjects, cap([30, 30, 8]));
    // Coverage never increases down the ranking (a higher risk is at least as well covered).
    const coverage = new Map(measuresOf(cap([1])).map((m) => [m.id, m.coverage]));
    const covOf = (s: string) => coverage.get(plan.assignments.find((a) => a.subject === s)?.measure ?? '') ?? 0;
    for (let i = 1; i < subjects.length; i++) expect(covOf(`s${i - 1}`)).toBeGreaterThanOrEqual(covOf(`s${i}`));
    expect(covOf('s0')).toBeGreaterThan(0);
    // Where partial measures cover little, full-time surveillance is the better use of agents.
    const weakPartial = planCapacity(subjects, cap([30, 30, 8], { partial: [{ id: 'technical', label: 'technical', agents: 6, coverage: 0.1 }] }));
    expect(weakPartial.assignments.filter((a) => a.measure === 'full').map((a) => a.subject)).toEqual(['s0', 's1']);
    expect(plan.assignments.length + plan.uncovered.length).toBe(subjects.length);
    expect(plan.usedAgents).toBeLessThanOrEqual(plan.totalAgents);
    for (const t of plan.teams) expect(t.used).toBeLessThanOrEqual(t.agents);
    // Covered risk is exactly the sum of the assignments.
    expect(plan.coveredRisk).toBeCloseTo(plan.assignments.reduce((a, x) => a + x.coveredRisk, 0), 3);
    // More capacity never covers less, and the first increment is worth something here.
    expect(plan.marginal[0]!.extraCoveredRisk).toBeGreaterThan(0);
    expect(plan.marginal[1]!.extraCoveredRisk).toBeGreaterThanOrEqual(plan.marginal[0]!.extraCoveredRisk);
  });

  it('with capacity 0 covers nothing, warns, and drops no subject', () => {
    const subjects = [0.7, 0.2].map((risk, i) => ({ subject: `s${i}`, risk }));
    const plan = planCapacity(subjects, cap([0]));
    expect(plan.assignments).toEqual([]);
    expect(plan.uncovered.map((u) => u.subject)).toEqual(['s0', 's1']);
    expect(plan.warnings.join(' ')).toMatch(/capacity is 0 agents/);
    const none = planCapacity(subjects, Capacity.parse({ teams: [] }));
    expect(none.uncovered).toHaveLength(2);
  });

  it('draws the capacity curve: never decreasing, the declared point equal to the plan, more teams worth less each', () => {
    const rand = mulberry32(11);
    const subjects = Array.from({ length: 300 }, (_, i) => ({ subject: `s${i}`, risk: rand() ** 3 }));
    const capacity = cap([30, 30, 40]);
    const curve = coverageCurve(subjects, capacity);
    expect(curve[0]).toMatchObject({ teams: 0, agents: 0, coveredRisk: 0, chosen: false });
    const chosen = curve.filter((p) => p.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0]).toMatchObject({ teams: 3, agents: 100, coveredRisk: planCapacity(subjects, capacity).coveredRisk });
    expect(curve.at(-1)!.teams).toBe(8); // five extra teams of the mean size (33 agents)
    expect(curve.at(-1)!.agents).toBe(100 + 5 * 33);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.coveredRisk).toBeGreaterThanOrEqual(curve[i - 1]!.coveredRisk);
    // Diminishing returns beyond the declared teams (risks fall down the ranking).
    const gains = curve.filter((p) => p.teams >= 3).map((p, i, a) => (i ? p.coveredRisk - a[i - 1]!.coveredRisk : Number.NaN)).slice(1);
    expect(gains[0]!).toBeGreaterThan(gains.at(-1)! - 1e-9);
    // Capacity 0: the chosen point covers nothing; the curve shows what teams would cover.
    const zero = coverageCurve(subjects, Capacity.parse({ teams: [] }));
    expect(zero[0]).toMatchObject({ teams: 0, coveredRisk: 0, chosen: true });
    expect(zero.at(-1)!.coveredRisk).toBeGreaterThan(0);
    expect(zero.at(-1)!.agents).toBe(5 * 27); // extra teams of one full-time target each
    // Many teams: at most 41 points, the declared one always among them.
    const big = coverageCurve(subjects, cap(Array.from({ length: 90 }, () => 10)));
    expect(big.length).toBeLessThanOrEqual(43);
    expect(big.some((p) => p.chosen && p.teams === 90)).toBe(true);
  });

  it('keeps each measure inside one team', () => {
    // Two teams of 20: neither can hold a full-time target (27), so only partial measures fit.
    const plan = planCapacity([{ subject: 'a', risk: 0.9 }], cap([20, 20]));
    expect(plan.assignments[0]!.measure).toBe('technical');
    expect(plan.assignments[0]!.agents).toBeLessThanOrEqual(20);
  });

  it('comes within one item of the exhaustive optimum on small random instances', () => {
    const rand = mulberry32(5);
    for (let trial = 0; trial < 30; trial++) {
      const subjects = Array.from({ length: 6 }, (_, i) => ({ subject: `s${i}`, risk: Math.round(rand() * 100) / 100 }));
      const capacity = cap([Math.floor(rand() * 60) + 5]);
      const opt = bruteForce(subjects, capacity);
      const plan = planCapacity(subjects, capacity);
      const maxItem = Math.max(...subjects.map((s) => s.risk));
      expect(plan.coveredRisk).toBeLessThanOrEqual(opt + 1e-6);
      expect(plan.coveredRisk).toBeGreaterThanOrEqual(opt - maxItem - 1e-6);
    }
  });

  it('rejects bad capacity and risks with clear messages', () => {
    expect(() => Capacity.parse({ teams: [{ id: 'a', agents: 5 }, { id: 'a', agents: 6 }] })).toThrow(/declared twice/);
    expect(() => Capacity.parse({ teams: [], agentsPerTarget: 27, partial: [{ id: 'tech', label: 'x', agents: 30, coverage: 0.5 }] })).toThrow(/not fewer than full-time/);
    expect(() => planCapacity([{ subject: 'x', risk: 1.5 }], cap([30]))).toThrow(/risk must be in \[0, 1\]/);
  });

  // Speed lives in bench/triage.ts (goal ≤ 2 s); this checks that every subject is accounted for.
  it('plans 5,000 subjects over 20 teams, every subject assigned or listed as uncovered', () => {
    const rand = mulberry32(9);
    const subjects = Array.from({ length: 5_000 }, (_, i) => ({ subject: `s${i}`, risk: rand() ** 4 }));
    const plan = planCapacity(subjects, cap(Array.from({ length: 20 }, (_, i) => 60 + i)));
    expect(plan.assignments.length).toBeGreaterThan(20);
    expect(plan.assignments.length + plan.uncovered.length).toBe(5_000);
  });
});
