import { z } from 'zod';
import { invalid } from '../model/index.js';

/**
 * Capacity: an agency's surveillance teams and the measures it can apply. Watching one person full
 * time takes 25–30 agents; partial measures (technical surveillance, periodic checks) cost fewer
 * agents and cover part of the risk.
 */
export const Measure = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
  label: z.string().min(1).max(100),
  /** Agents the measure takes (for "full", the agency's agents per full-time target). */
  agents: z.number().int().min(1).max(200),
  /** Share of a subject's risk the measure covers (full-time surveillance = 1). */
  coverage: z.number().gt(0).max(1),
});
export type Measure = z.infer<typeof Measure>;

export const Capacity = z
  .object({
    teams: z.array(z.object({ id: z.string().min(1).max(64), agents: z.number().int().min(0).max(10_000) })).max(500),
    agentsPerTarget: z.number().int().min(1).max(200).default(27),
    /** Partial measures; "full" (agentsPerTarget agents, coverage 1) is always added. */
    partial: z.array(Measure).max(10).default([]),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    for (const t of c.teams) {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', message: `team "${t.id}" declared twice`, path: ['teams'] });
      ids.add(t.id);
    }
    for (const m of c.partial) {
      if (m.id === 'full') ctx.addIssue({ code: 'custom', message: 'measure id "full" is reserved for full-time surveillance', path: ['partial'] });
      if (m.agents >= c.agentsPerTarget) ctx.addIssue({ code: 'custom', message: `partial measure "${m.id}" takes ${m.agents} agents, not fewer than full-time (${c.agentsPerTarget})`, path: ['partial'] });
    }
  });
export type Capacity = z.infer<typeof Capacity>;
export type CapacityInput = z.input<typeof Capacity>;

/**
 * The partial measures used when an agency declares none: placeholders for agencies to replace with
 * their own figures. Technical surveillance covers less per agent than the first agents of full-time
 * watching would suggest (0.3 for 6 agents against 1 for 27), so the planner gives full-time
 * surveillance to subjects whose risk is well above the rest and spreads partial measures below.
 */
export const DEFAULT_PARTIAL: readonly Measure[] = [
  { id: 'technical', label: 'technical surveillance (lines, location)', agents: 6, coverage: 0.3 },
  { id: 'periodic', label: 'periodic checks', agents: 2, coverage: 0.15 },
];

/** All measures of a capacity, cheapest first (full-time last). */
export function measuresOf(c: Capacity): Measure[] {
  const partial = c.partial.length ? c.partial : DEFAULT_PARTIAL;
  return [...partial, { id: 'full', label: 'full-time surveillance', agents: c.agentsPerTarget, coverage: 1 }].sort((a, b) => a.agents - b.agents);
}

export interface PlanInput {
  readonly subject: string;
  readonly risk: number;
}

export interface Assignment {
  readonly subject: string;
  readonly risk: number;
  readonly measure: string;
  readonly team: string;
  readonly agents: number;
  readonly coveredRisk: number;
}

export interface PlanResult {
  readonly totalAgents: number;
  readonly usedAgents: number;
  readonly totalRisk: number;
  readonly coveredRisk: number;
  readonly assignments: readonly Assignment[];
  /** Subjects with no measure, highest risk first (every ranked subject is either assigned or here). */
  readonly uncovered: readonly { subject: string; risk: number }[];
  readonly teams: readonly { id: string; agents: number; used: number }[];
  /** Risk the next increments of capacity would cover (each row: extra agents → extra covered risk). */
  readonly marginal: readonly { extraAgents: number; extraCoveredRisk: number }[];
  readonly warnings: readonly string[];
}

interface Step {
  subject: number;
  from: number; // measure index (-1 none)
  to: number;
  agents: number;
  gain: number;
}

/**
 * Plans surveillance as a multiple-choice knapsack: each subject gets at most one measure; the value
 * is risk × coverage and the cost agents. Per subject, dominated measures are dropped and the rest
 * form a concave hull of upgrades (none → periodic → technical → full); upgrades are taken greedily by
 * covered risk per agent (Sinha & Zoltners 1979: the LP optimum takes the same order, so the greedy
 * result is within one item's value of it). Each subject's measure stays with one team (an upgrade
 * moves it to a team with room, or is skipped).
 */
export function planCapacity(subjects: readonly PlanInput[], capacity: Capacity, options: { marginalSteps?: readonly number[] } = {}): PlanResult {
  const measures = measuresOf(capacity);
  const warnings: string[] = [];
  for (const s of subjects) if (!(Number.isFinite(s.risk) && s.risk >= 0 && s.risk <= 1)) throw invalid(`risk must be in [0, 1], got ${s.risk}`, s.subject, 'risk');
  const totalAgents = capacity.teams.reduce((a, t) => a + t.agents, 0);
  if (totalAgents === 0) warnings.push('capacity is 0 agents: no subject can be covered; every subject is listed as uncovered');
  else if (totalAgents < measures[0]!.agents) warnings.push(`capacity of ${totalAgents} agents is below the cheapest measure (${measures[0]!.label}, ${measures[0]!.agents} agents)`);
  const steps = upgradeSteps(subjects, measures);
  const run = (teamsIn: readonly { id: string; agents: number }[]) => greedy(subjects, measures, steps, teamsIn);
  const main = run(capacity.teams);
  const marginal = (options.marginalSteps ?? [capacity.agentsPerTarget, 5 * capacity.agentsPerTarget]).map((extra) => {
    const more = run([...capacity.teams, { id: '(extra)', agents: extra }]);
    return { extraAgents: extra, extraCoveredRisk: round(more.covered - main.covered) };
  });
  const assignments: Assignment[] = [];
  const uncovered: { subject: string; risk: number }[] = [];
  subjects.forEach((s, i) => {
    const m = main.level[i]!;
    if (m < 0) uncovered.push({ subject: s.subject, risk: s.risk });
    else assignments.push({ subject: s.subject, risk: s.risk, measure: measures[m]!.id, team: main.teamOf[i]!, agents: measures[m]!.agents, coveredRisk: round(s.risk * measures[m]!.coverage) });
  });
  assignments.sort((a, b) => b.risk - a.risk);
  uncovered.sort((a, b) => b.risk - a.risk);
  return {
    totalAgents,
    usedAgents: main.teams.reduce((a, t) => a + t.used, 0),
    totalRisk: round(subjects.reduce((a, s) => a + s.risk, 0)),
    coveredRisk: round(main.covered),
    assignments,
    uncovered,
    teams: main.teams,
    marginal,
    warnings,
  };
}

/** One point of the capacity curve: covered risk with `teams` teams (`chosen` marks the declared capacity). */
export interface CurvePoint {
  readonly teams: number;
  readonly agents: number;
  readonly coveredRisk: number;
  readonly chosen: boolean;
}

/**
 * Covered risk as a function of capacity, for the chart a supervisor reads the marginal value of
 * more teams from: with the first k declared teams for k ≤ n, then the declared teams plus k − n
 * extra teams of the declared mean size (agents per full-time target when nothing is declared). The
 * point k = n is exactly the plan. The upgrade order is computed once and replayed per point, so the
 * curve costs one greedy pass per point (at most `maxPoints`).
 */
export function coverageCurve(subjects: readonly PlanInput[], capacity: Capacity, options: { extraTeams?: number; maxPoints?: number } = {}): CurvePoint[] {
  const measures = measuresOf(capacity);
  const steps = upgradeSteps(subjects, measures);
  const n = capacity.teams.length;
  const declared = capacity.teams.reduce((a, t) => a + t.agents, 0);
  const size = n > 0 && declared > 0 ? Math.max(1, Math.round(declared / n)) : capacity.agentsPerTarget;
  const total = n + Math.max(1, options.extraTeams ?? Math.max(5, n));
  const maxPoints = Math.max(3, options.maxPoints ?? 41);
  const stride = Math.max(1, Math.ceil(total / (maxPoints - 1)));
  const ks = new Set<number>([0, n, total]);
  for (let k = 0; k <= total; k += stride) ks.add(k);
  return [...ks]
    .sort((a, b) => a - b)
    .map((k) => {
      const teams = k <= n ? capacity.teams.slice(0, k) : [...capacity.teams, ...Array.from({ length: k - n }, (_, i) => ({ id: `(extra ${i + 1})`, agents: size }))];
      const run = greedy(subjects, measures, steps, teams);
      return { teams: k, agents: teams.reduce((a, t) => a + t.agents, 0), coveredRisk: round(run.covered), chosen: k === n };
    });
}

function upgradeSteps(subjects: readonly PlanInput[], measures: readonly Measure[]): Step[] {
  const steps: Step[] = [];
  subjects.forEach((s, i) => {
    if (s.risk <= 0) return;
    // Upper concave hull of (agents, coverage) from (0, 0): the efficient upgrade path.
    let fromAgents = 0;
    let fromCov = 0;
    let cur = -1;
    for (;;) {
      let best = -1;
      let bestSlope = 0;
      measures.forEach((m, j) => {
        if (m.agents <= fromAgents || m.coverage <= fromCov) return;
        const slope = (m.coverage - fromCov) / (m.agents - fromAgents);
        if (slope > bestSlope + 1e-12 || (Math.abs(slope - bestSlope) < 1e-12 && best >= 0 && m.agents > measures[best]!.agents)) {
          best = j;
          bestSlope = slope;
        }
      });
      if (best < 0) break;
      const m = measures[best]!;
      steps.push({ subject: i, from: cur, to: best, agents: m.agents - fromAgents, gain: s.risk * (m.coverage - fromCov) });
      cur = best;
      fromAgents = m.agents;
      fromCov = m.coverage;
    }
  });
  // Highest gain per agent first; ties by subject order (the ranking) for determinism.
  steps.sort((a, b) => b.gain / b.agents - a.gain / a.agents || a.subject - b.subject || a.to - b.to);
  return steps;
}

function greedy(subjects: readonly PlanInput[], measures: readonly Measure[], steps: readonly Step[], teamsIn: readonly { id: string; agents: number }[]) {
  const teams = teamsIn.map((t) => ({ id: t.id, agents: t.agents, used: 0 }));
  const level = new Int32Array(subjects.length).fill(-1);
  const teamOf: (string | undefined)[] = new Array(subjects.length);
  const teamIdx = new Int32Array(subjects.length).fill(-1);
  let covered = 0;
  let free = teams.reduce((a, t) => a + t.agents, 0);
  for (const st of steps) {
    if (free <= 0) break;
    if (level[st.subject] !== st.from) continue; // an earlier upgrade was skipped
    const fullCost = measures[st.to]!.agents;
    const t = teamIdx[st.subject]!;
    let chosen = -1;
    if (t >= 0 && teams[t]!.agents - teams[t]!.used >= st.agents) chosen = t;
    else {
      // Best fit: the team with the least room that still fits the whole measure.
      let bestRoom = Number.POSITIVE_INFINITY;
      teams.forEach((team, j) => {
        const room = team.agents - team.used + (j === t && st.from >= 0 ? measures[st.from]!.agents : 0);
        if (room >= fullCost && room < bestRoom) {
          bestRoom = room;
          chosen = j;
        }
      });
      if (chosen < 0) continue;
      if (t >= 0 && st.from >= 0) teams[t]!.used -= measures[st.from]!.agents;
      teams[chosen]!.used += st.from >= 0 ? measures[st.from]!.agents : 0;
    }
    teams[chosen]!.used += st.agents;
    level[st.subject] = st.to;
    teamIdx[st.subject] = chosen;
    teamOf[st.subject] = teams[chosen]!.id;
    covered += st.gain;
    free = teams.reduce((a, tm) => a + tm.agents - tm.used, 0);
  }
  return { level, teamOf, covered, teams: teams.map((t) => ({ id: t.id, agents: t.agents, used: t.used })) };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
