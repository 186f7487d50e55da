import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TesseraError } from '../../model/index.js';
import { describeWeights, SIGNALS, TriageService, type CapacityInput, type DecisionChange, type PlanSnapshot, type RankedSubject, type ResolutionUsed, type SignalName } from '../../triage/index.js';
import { ResolutionService } from '../../resolve/index.js';
import { WatchService, watchConfig } from '../../watch/index.js';
import { withSession, type CliSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/** Triage over the real watch service (alerts and hits) and the store's resolution (clusters). */
function service(s: CliSession): TriageService {
  return new TriageService(s.gov, { watch: new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency }), resolution: new ResolutionService(s.gov) });
}

/** The reference time: --as-of, else the loaded scenario's "now", else the clock. */
async function asOf(s: CliSession, given: string | undefined): Promise<string | undefined> {
  if (given) return given;
  const meta = await s.store.getMeta('scenario');
  if (!meta) return undefined;
  const ref = (JSON.parse(meta) as { referenceTime?: unknown }).referenceTime;
  return typeof ref === 'string' ? ref : undefined;
}

/** Reads a resolution as JSON `{ "entityId": "clusterId", … }` (a person's records ranked as one subject); --records ranks records. */
function clustersFrom(path: string | undefined, records?: boolean): { clusterOf: Map<string, string> } | { resolved: false } | Record<string, never> {
  if (records) return { resolved: false };
  if (!path) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('VALIDATION', `--clusters ${path}: not readable JSON (${e instanceof Error ? e.message : String(e)})`, { field: 'clusters' });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TesseraError('VALIDATION', `--clusters ${path}: expected an object of entity id → cluster id`, { field: 'clusters' });
  const clusterOf = new Map<string, string>();
  for (const [entity, cluster] of Object.entries(raw)) {
    if (typeof cluster !== 'string' || !cluster) throw new TesseraError('VALIDATION', `--clusters ${path}: cluster of ${entity} must be a non-empty string`, { record: entity, field: 'clusters' });
    clusterOf.set(entity, cluster);
  }
  return { clusterOf };
}

function positiveInt(text: string, field: string, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new TesseraError('VALIDATION', `--${field} must be an integer ≥ ${min}, got "${text}"`, { field });
  return n;
}

function rankRow(r: RankedSubject) {
  return {
    rank: r.rank,
    risk: r.risk.toFixed(3),
    subject: r.label,
    id: r.subject,
    rose: r.rose ? `↑ from ${r.rose.from.toFixed(3)}` : '',
    reasons: r.contributions.slice(0, 3).map((c) => `${c.label} (+${c.logit.toFixed(2)})`).join('; ') || '(no signal)',
    missing: r.missing.length,
  };
}

function explain(r: RankedSubject): void {
  say(`\n#${r.rank} ${r.label} (${r.subject}) risk ${r.risk.toFixed(3)}${r.rose ? ` — rose from ${r.rose.from.toFixed(3)} since ${r.rose.decision}` : ''}`);
  for (const c of r.contributions) say(`  + ${c.label}: ${c.summary} [value ${c.value}, weight ${c.weight}, +${c.logit} log-odds] evidence: ${c.evidence.slice(0, 4).join(', ') || '–'}`);
  for (const m of r.missing) say(`  ? ${m.signal}: ${m.reason}`);
}

/** Parses "team-a:60,team-b:40" or a count with --team-agents. */
function parseTeams(teams: string, teamAgents: string | undefined): { id: string; agents: number }[] {
  if (/^\d+$/.test(teams)) {
    const n = positiveInt(teams, 'teams');
    const agents = positiveInt(teamAgents ?? '30', 'team-agents');
    return Array.from({ length: n }, (_, i) => ({ id: `team-${i + 1}`, agents }));
  }
  return teams.split(',').map((part) => {
    const [id, agents] = part.split(':');
    if (!id || agents === undefined) throw new TesseraError('VALIDATION', `team "${part}": write ID:AGENTS, e.g. north:60`, { field: 'teams' });
    return { id: id.trim(), agents: positiveInt(agents.trim(), 'teams') };
  });
}

/** Parses "technical:6:0.5" partial measures. */
function parsePartial(list: readonly string[] | undefined): CapacityInput['partial'] {
  return (list ?? []).map((p) => {
    const [id, agents, coverage, ...label] = p.split(':');
    if (!id || agents === undefined || coverage === undefined) throw new TesseraError('VALIDATION', `measure "${p}": write ID:AGENTS:COVERAGE[:LABEL], e.g. technical:6:0.5`, { field: 'partial' });
    return { id, agents: Number(agents), coverage: Number(coverage), label: label.join(':') || id };
  });
}

function capacityFrom(opts: { teams?: string; teamAgents?: string; agentsPerTarget?: string; partial?: string[] }): CapacityInput | undefined {
  if (opts.teams === undefined) return undefined;
  return {
    teams: parseTeams(opts.teams, opts.teamAgents),
    ...(opts.agentsPerTarget ? { agentsPerTarget: positiveInt(opts.agentsPerTarget, 'agents-per-target', 1) } : {}),
    ...(opts.partial ? { partial: parsePartial(opts.partial) } : {}),
  };
}

function resolutionLine(r: ResolutionUsed | undefined): string {
  if (!r || r.source === 'none') return 'subjects are single records';
  return `${r.clusters} resolved person(s) join ${r.records} records (${r.source === 'given' ? 'resolution file' : 'store resolution'})`;
}

function printPlan(p: PlanSnapshot, limit: number): void {
  const risen = p.ranking.filter((r) => r.rose);
  say(`Plan ${p.id} (as of ${p.asOf.slice(0, 10)}, weights v${p.weights.version} ${p.weights.source}; ${resolutionLine(p.resolution)}): ${p.plan.usedAgents} of ${p.plan.totalAgents} agents used; covered risk ${p.plan.coveredRisk} of ${p.plan.totalRisk} (${p.ranking.length} subjects)`);
  for (const w of p.plan.warnings) say(`WARNING: ${w}`);
  for (const n of p.notes) say(`note: ${n}`);
  const byId = new Map(p.ranking.map((r) => [r.subject, r]));
  say('\nAssigned:');
  printTable(
    p.plan.assignments.slice(0, limit).map((a) => ({ rank: byId.get(a.subject)?.rank, risk: a.risk.toFixed(3), subject: byId.get(a.subject)?.label ?? a.subject, id: a.subject, measure: a.measure, team: a.team, agents: a.agents, rose: byId.get(a.subject)?.rose ? '↑' : '' })),
  );
  if (p.plan.assignments.length > limit) say(`… ${p.plan.assignments.length - limit} more assigned`);
  say(`\nUncovered: ${p.plan.uncovered.length} subjects, risk ${p.plan.uncovered.reduce((a, u) => a + u.risk, 0).toFixed(3)}; highest:`);
  printTable(p.plan.uncovered.slice(0, Math.min(limit, 10)).map((u) => ({ rank: byId.get(u.subject)?.rank, risk: u.risk.toFixed(3), subject: byId.get(u.subject)?.label ?? u.subject, id: u.subject, rose: byId.get(u.subject)?.rose ? '↑' : '' })));
  say('\nMore capacity would cover:');
  printTable(p.plan.marginal.map((m) => ({ extraAgents: m.extraAgents, extraCoveredRisk: m.extraCoveredRisk })));
  say('\nTeams:');
  printTable(p.plan.teams.map((t) => ({ team: t.id, agents: t.agents, used: t.used })));
  if (risen.length) say(`\n${risen.length} subject(s) rose in risk since decision ${risen[0]!.rose!.decision}: ${risen.slice(0, 10).map((r) => r.label).join(', ')}`);
  say(`\nDecide with: tessera triage decide ${p.id} --accept --reason "…"   (or --change SUBJECT=MEASURE[@TEAM] …)`);
}

/** `triage rank|plan|decide|review|decisions|capacity|weights`. */
export function registerTriageCommands(program: Command): void {
  const triage = program.command('triage').description('capacity-aware triage: rank whom to watch with reasons, plan the agents available, record decisions');

  triage
    .command('rank')
    .description('rank every person you may see by risk, with the signals and evidence behind it')
    .option('--as-of <time>', 'reference time (default: the loaded scenario’s, else now)')
    .option('--limit <n>', 'rows to show', '25')
    .option('--explain', 'print each shown subject’s signals and evidence')
    .option('--clusters <file>', 'resolution as JSON {entityId: clusterId} instead of the store’s resolution')
    .option('--records', 'rank single records (do not apply the store’s resolution)')
    .action(async (opts: { asOf?: string; limit: string; explain?: boolean; clusters?: string; records?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const limit = positiveInt(opts.limit, 'limit', 1);
        const at = await asOf(s, opts.asOf);
        const r = await service(s).rank(await s.context(), { ...(at ? { asOf: at } : {}), ...clustersFrom(opts.clusters, opts.records) });
        if (s.json) return printJson({ ...r, subjects: r.subjects.slice(0, limit), total: r.subjects.length });
        say(`${r.subjects.length} subjects ranked as of ${r.asOf.slice(0, 10)} (weights v${r.weights.version}, ${r.weights.source}; ${resolutionLine(r.resolution)})`);
        for (const n of r.notes) say(`note: ${n}`);
        printTable(r.subjects.slice(0, limit).map(rankRow), undefined, 90);
        if (opts.explain) for (const sub of r.subjects.slice(0, limit)) explain(sub);
      });
    });

  triage
    .command('plan')
    .description('allocate the declared capacity (or a what-if capacity) over the ranking; stores a snapshot to decide on')
    .option('--as-of <time>', 'reference time')
    .option('--teams <teams>', 'what-if capacity: a team count (with --team-agents) or ID:AGENTS,… ')
    .option('--team-agents <n>', 'agents per team with a team count', '30')
    .option('--agents-per-target <n>', 'agents per full-time target (25–30)')
    .option('--partial <measure...>', 'partial measures ID:AGENTS:COVERAGE[:LABEL]')
    .option('--limit <n>', 'rows to show', '25')
    .option('--clusters <file>', 'resolution as JSON {entityId: clusterId} instead of the store’s resolution')
    .option('--records', 'plan over single records (do not apply the store’s resolution)')
    .action(async (opts: { asOf?: string; teams?: string; teamAgents?: string; agentsPerTarget?: string; partial?: string[]; limit: string; clusters?: string; records?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const limit = positiveInt(opts.limit, 'limit', 1);
        const at = await asOf(s, opts.asOf);
        const capacity = capacityFrom(opts);
        const p = await service(s).plan(await s.context(), { ...(at ? { asOf: at } : {}), ...(capacity ? { capacity } : {}), ...clustersFrom(opts.clusters, opts.records) });
        if (s.json) return printJson(p);
        printPlan(p, limit);
      });
    });

  triage
    .command('decide')
    .argument('<plan>', 'plan id (from triage plan)')
    .description('supervisor: accept or change a plan, with a written reason (audited; the plan snapshot is kept for review)')
    .option('--accept', 'accept the plan as proposed')
    .option('--change <change...>', 'SUBJECT=MEASURE[@TEAM] (MEASURE "none" to drop a subject)')
    .requiredOption('--reason <text>', 'why (at least 20 characters)')
    .option('--supersede', 'replace an earlier decision on this plan, or decide on a plan older than the last decision')
    .action(async (planId: string, opts: { accept?: boolean; change?: string[]; reason: string; supersede?: boolean }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        if (opts.accept && opts.change?.length) throw new TesseraError('VALIDATION', 'give either --accept or --change, not both (contradictory)', { field: 'change' });
        if (!opts.accept && !opts.change?.length) throw new TesseraError('VALIDATION', 'give --accept or at least one --change SUBJECT=MEASURE[@TEAM]', { field: 'change' });
        const changes: DecisionChange[] = (opts.change ?? []).map((c) => {
          const m = /^(.+?)=([a-z][a-z0-9-]*)(?:@(.+))?$/.exec(c);
          if (!m) throw new TesseraError('VALIDATION', `change "${c}": write SUBJECT=MEASURE[@TEAM]`, { field: 'change' });
          return { subject: m[1]!, measure: m[2]!, ...(m[3] ? { team: m[3] } : {}) };
        });
        const d = await service(s).decide(await s.context(), { planId, action: opts.accept ? 'accept' : 'change', changes, reason: opts.reason, supersede: opts.supersede ?? false });
        if (s.json) return printJson(d);
        say(`Decision ${d.id} on ${d.planId} by ${d.decidedBy}: ${d.action}${d.changes.length ? ` with ${d.changes.length} change(s)` : ''}; ${d.allocation.length} subjects allocated${d.supersedes ? `; supersedes ${d.supersedes}` : ''}`);
      });
    });

  triage
    .command('review')
    .argument('<decision>', 'decision id')
    .description('replay a decision: what the system showed, and what the supervisor decided and why')
    .option('--limit <n>', 'rows to show', '10')
    .action(async (id: string, opts: { limit: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await service(s).review(await s.context(), id);
        if (s.json) return printJson(r);
        say(`Decision ${r.decision.id} by ${r.decision.decidedBy} at ${r.decision.decidedAt}: ${r.decision.action}. Reason: ${r.decision.reason}`);
        for (const c of r.decision.changes) say(`  change: ${c.subject} → ${c.measure}${c.team ? ` @${c.team}` : ''}`);
        say('\nWhat the system showed:');
        printPlan(r.shown, positiveInt(opts.limit, 'limit', 1));
      });
    });

  triage
    .command('decisions')
    .description('decisions of your agency, newest first')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const list = await service(s).decisions(await s.context());
        if (s.json) return printJson(list);
        printTable(list.map((d) => ({ decision: d.id, plan: d.planId, by: d.decidedBy, at: d.decidedAt.slice(0, 19), action: d.action, allocated: d.allocation.length, reason: d.reason })));
      });
    });

  const capacity = triage.command('capacity').description('the agency’s surveillance capacity');
  capacity
    .command('show')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const c = await service(s).capacity(await s.context());
        if (s.json) return printJson(c ?? null);
        if (!c) return say('No capacity declared (a supervisor runs: tessera triage capacity set --teams … --reason …)');
        say(`${c.teams.length} teams, ${c.teams.reduce((a, t) => a + t.agents, 0)} agents, ${c.agentsPerTarget} agents per full-time target; set by ${c.setBy} at ${c.setAt}: ${c.reason}`);
        printTable(c.teams.map((t) => ({ team: t.id, agents: t.agents })));
      });
    });
  capacity
    .command('set')
    .description('supervisor: declare teams, agents per full-time target and partial measures')
    .requiredOption('--teams <teams>', 'a team count (with --team-agents) or ID:AGENTS,…')
    .option('--team-agents <n>', 'agents per team with a team count', '30')
    .option('--agents-per-target <n>', 'agents per full-time target (25–30)', '27')
    .option('--partial <measure...>', 'partial measures ID:AGENTS:COVERAGE[:LABEL] (default technical:6:0.3, periodic:2:0.15)')
    .requiredOption('--reason <text>', 'why')
    .action(async (opts: { teams: string; teamAgents?: string; agentsPerTarget?: string; partial?: string[]; reason: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const c = await service(s).setCapacity(await s.context(), capacityFrom(opts)!, opts.reason);
        if (s.json) return printJson(c);
        say(`Capacity of ${c.agency}: ${c.teams.length} teams, ${c.teams.reduce((a, t) => a + t.agents, 0)} agents, ${c.agentsPerTarget} per full-time target`);
      });
    });

  const weights = triage.command('weights').description('the score’s weights for your agency');
  weights
    .command('show')
    .action(async (_opts: unknown, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const w = await service(s).weights(await s.context());
        if (s.json) return printJson({ ...w, signals: describeWeights(w) });
        say(`Weights v${w.version} (${w.source}${w.setBy ? `, set by ${w.setBy} at ${w.setAt}: ${w.reason}` : ''}); bias ${w.bias}`);
        printTable(describeWeights(w), ['signal', 'weight', 'label', 'description'], 110);
      });
    });
  weights
    .command('set')
    .description('supervisor: adjust weights (each ≥ 0), with a reason')
    .option('--set <signal=weight...>', `e.g. quiet=1.5 (signals: ${SIGNALS.join(', ')})`)
    .option('--bias <n>', 'the intercept (log-odds of a subject with no signal)')
    .requiredOption('--reason <text>', 'why')
    .action(async (opts: { set?: string[]; bias?: string; reason: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const svc = service(s);
        const ctx = await s.context();
        const cur = await svc.weights(ctx);
        const next = { bias: opts.bias === undefined ? cur.bias : Number(opts.bias), weights: { ...cur.weights } };
        for (const kv of opts.set ?? []) {
          const [k, v] = kv.split('=');
          if (!k || v === undefined || !(SIGNALS as readonly string[]).includes(k)) throw new TesseraError('VALIDATION', `"${kv}": write SIGNAL=WEIGHT with SIGNAL one of ${SIGNALS.join(', ')}`, { field: 'set' });
          next.weights[k as SignalName] = Number(v);
        }
        const w = await svc.setWeights(ctx, next, opts.reason);
        if (s.json) return printJson(w);
        say(`Weights v${w.version} set by ${w.setBy}`);
      });
    });
}
