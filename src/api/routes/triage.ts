import { createRoute, z } from '@hono/zod-openapi';
import type { Governance } from '../../governance/index.js';
import { ResolutionService } from '../../resolve/index.js';
import {
  Capacity,
  DecisionChange,
  describeWeights,
  SIGNALS,
  TriageService,
  type Decision,
  type PlanSnapshot,
  type RankedSubject,
  type SignalName,
  type WeightsRecord,
} from '../../triage/index.js';
import { WatchService, watchConfig, type WatchConfig } from '../../watch/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { cachedProjections } from '../projections.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody } from '../schemas.js';

// ---- shapes -----------------------------------------------------------------------------------

const Signal = z.enum(SIGNALS);
const Reason = z.string().openapi({ description: 'why (at least 20 characters; kept with the record and in the audit chain)' });

const Contribution = z
  .object({
    signal: Signal,
    label: z.string(),
    value: z.number().openapi({ description: 'the signal, in [0, 1]' }),
    weight: z.number(),
    logit: z.number().openapi({ description: 'weight × value: log-odds this signal adds' }),
    summary: z.string(),
    evidence: z.array(z.string()).openapi({ description: 'statement ids, or hit:/alert:/decision: references, the signal rests on' }),
  })
  .openapi('TriageContribution');

const Subject = z
  .object({
    rank: z.number().int(),
    subject: z.string().openapi({ description: 'a record id, or for a resolved person the smallest id of its records' }),
    label: z.string(),
    entityIds: z.array(z.string()).openapi({ description: 'the records ranked as this subject' }),
    risk: z.number(),
    contributions: z.array(Contribution).openapi({ description: 'present signals, largest first' }),
    missing: z.array(z.object({ signal: Signal, reason: z.string() })).openapi({ description: 'signals that could not be judged for lack of data (never read as clearance)' }),
    rose: z.object({ from: z.number(), decision: z.string() }).optional().openapi({ description: 'the risk rose markedly since the last decision' }),
  })
  .openapi('TriageSubject');

const WeightsOut = z
  .object({
    agency: z.string(),
    version: z.number().int(),
    source: z.enum(['default', 'agency']),
    bias: z.number(),
    weights: z.record(z.string(), z.number()),
    setBy: z.string().optional(),
    setAt: z.string().optional(),
    reason: z.string().optional(),
    signals: z.array(z.object({ signal: Signal, label: z.string(), weight: z.number(), description: z.string() })),
  })
  .openapi('TriageWeights');

const WeightsIn = z
  .object({
    bias: z.number().optional().openapi({ description: 'the intercept (default: unchanged)' }),
    weights: z.partialRecord(Signal, z.number()).default({}).openapi({ description: 'signals to change (each ≥ 0: no signal may lower attention); the others stay' }),
    reason: Reason,
  })
  .strict()
  .openapi('TriageWeightsChange');

const CapacityOut = z
  .object({
    teams: z.array(z.object({ id: z.string(), agents: z.number().int() })),
    agentsPerTarget: z.number().int(),
    partial: z.array(z.object({ id: z.string(), label: z.string(), agents: z.number().int(), coverage: z.number() })),
  })
  .openapi('TriageCapacity');
const CapacityRecordOut = CapacityOut.extend({ agency: z.string(), setBy: z.string(), setAt: z.string(), reason: z.string() }).openapi('TriageCapacityRecord');
/** The capacity as the service validates it (teams declared once, partial measures cheaper than full-time). */
const CapacityIn = Capacity.openapi('TriageCapacityInput', {
  description: 'teams (id, agents; none or 0 agents is allowed and covers nobody), agents per full-time target (default 27), partial measures (id, label, agents, coverage of the risk)',
});

const ResolutionOut = z
  .object({ source: z.enum(['none', 'given', 'resolution']), clusters: z.number().int(), records: z.number().int(), warnings: z.array(z.string()) })
  .openapi('TriageResolution', { description: 'how subjects were formed: single records, or persons resolved across records' });

const RankingOut = z
  .object({
    asOf: z.string(),
    agency: z.string(),
    weights: WeightsOut,
    resolution: ResolutionOut,
    notes: z.array(z.string()),
    lastDecision: z.string().optional(),
    total: z.number().int().openapi({ description: 'subjects ranked (none is dropped)' }),
    subjects: z.array(Subject),
  })
  .openapi('TriageRanking');

const Assignment = z.object({ subject: z.string(), risk: z.number(), measure: z.string(), team: z.string(), agents: z.number().int(), coveredRisk: z.number() });
const PlanOut = z
  .object({
    id: z.string(),
    agency: z.string(),
    caseId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    asOf: z.string(),
    weights: WeightsOut,
    capacity: CapacityOut,
    ranking: z.array(Subject).openapi({ description: 'the top of the ranking as shown (limit); the stored snapshot keeps all of it' }),
    rankingTotal: z.number().int(),
    plan: z.object({
      totalAgents: z.number().int(),
      usedAgents: z.number().int(),
      totalRisk: z.number(),
      coveredRisk: z.number(),
      assignments: z.array(Assignment),
      uncovered: z.array(z.object({ subject: z.string(), risk: z.number() })).openapi({ description: 'every subject without a measure, highest risk first' }),
      teams: z.array(z.object({ id: z.string(), agents: z.number().int(), used: z.number().int() })),
      marginal: z.array(z.object({ extraAgents: z.number().int(), extraCoveredRisk: z.number() })),
      warnings: z.array(z.string()),
    }),
    curve: z
      .array(z.object({ teams: z.number().int(), agents: z.number().int(), coveredRisk: z.number(), chosen: z.boolean() }))
      .openapi({ description: 'covered risk against the number of teams; the declared capacity is the chosen point' }),
    resolution: ResolutionOut.optional(),
    notes: z.array(z.string()),
    lastDecision: z.string().optional(),
  })
  .openapi('TriagePlan');

const PlanIn = z
  .object({
    capacity: CapacityIn.optional().openapi({ description: 'a what-if capacity (default: the declared one)' }),
    asOf: z.iso.datetime({ offset: true }).optional().openapi({ description: 'reference time (default: the loaded scenario’s, else now)' }),
    resolved: z.boolean().optional().openapi({ description: 'rank resolved persons (default) or single records' }),
    limit: z.number().int().min(1).max(5_000).default(100).openapi({ description: 'ranking rows returned' }),
  })
  .strict()
  .openapi('TriagePlanRequest');

const DecisionOut = z
  .object({
    id: z.string(),
    planId: z.string(),
    agency: z.string(),
    decidedBy: z.string(),
    decidedAt: z.string(),
    action: z.enum(['accept', 'change']),
    reason: z.string(),
    changes: z.array(DecisionChange),
    allocation: z.array(z.object({ subject: z.string(), measure: z.string(), team: z.string(), agents: z.number().int(), risk: z.number() })),
    risks: z.record(z.string(), z.number()),
    supersedes: z.string().optional(),
  })
  .openapi('TriageDecision');

const DecisionIn = z
  .object({
    planId: z.string().min(1).max(200),
    action: z.enum(['accept', 'change']).openapi({ description: 'accept the plan as proposed, or change it (changes required)' }),
    changes: z.array(DecisionChange).max(10_000).default([]).openapi({ description: 'subject → measure (or "none") @ team' }),
    reason: Reason,
    supersede: z.boolean().default(false).openapi({ description: 'replace an earlier decision on this plan, or decide on a plan older than the last decision' }),
  })
  .strict()
  .openapi('TriageDecisionRequest');

const EvidenceOut = z
  .object({ statementId: z.string(), entityId: z.string(), schema: z.string(), prop: z.string() })
  .openapi('TriageEvidence', { description: 'what a cited statement is: its entity (for a link to the profile), schema and property' });

const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) });
const Limit = z.coerce.number().int().min(1).max(5_000).optional();
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const notFound = { 404: json(ErrorBody, 'No such plan or decision of your agency, or no capacity declared') };
const conflict = { 409: json(ErrorBody, 'Refused: the plan was already decided or is older than the last decision, or the allocation exceeds a team') };

// ---- output -----------------------------------------------------------------------------------

const weightsOut = (w: WeightsRecord): z.infer<typeof WeightsOut> => ({ ...w, weights: { ...w.weights }, signals: describeWeights(w) });
const subjectOut = (r: RankedSubject) => r as unknown as z.infer<typeof Subject>;
const planOut = (p: PlanSnapshot, limit: number): z.infer<typeof PlanOut> => ({
  ...(p as unknown as Omit<z.infer<typeof PlanOut>, 'ranking' | 'rankingTotal' | 'weights' | 'curve'>),
  weights: weightsOut(p.weights),
  ranking: p.ranking.slice(0, limit).map(subjectOut),
  rankingTotal: p.ranking.length,
  curve: [...(p.curve ?? [])],
});
const decisionOut = (d: Decision) => d as unknown as z.infer<typeof DecisionOut>;

/** The reference time: the loaded scenario's (as the CLI uses), else undefined (the service takes now). */
async function scenarioTime(gov: Governance): Promise<string | undefined> {
  const meta = await gov.store.getMeta('scenario');
  if (!meta) return undefined;
  const ref = (JSON.parse(meta) as { referenceTime?: unknown }).referenceTime;
  return typeof ref === 'string' ? ref : undefined;
}

// ---- routes -----------------------------------------------------------------------------------

/**
 * Triage routes (issue 11): ranking with explanations, capacity planning with the coverage curve,
 * supervisors' decisions and their replay, and the agency's weights. The TriageService authorises
 * every call (`triage` method of the session's purpose and case), requires the supervisor role where
 * the issue says so, and audits it; it reads watchlist hits through the real WatchService and
 * resolved persons through the ResolutionService.
 */
export function triageRoutes({ gov, config, projections }: ApiServices, options: { readonly watch?: WatchConfig } = {}) {
  const triage = new TriageService(gov, {
    watch: new WatchService(gov, { config: options.watch ?? watchConfig(), nodeAgency: config.nodeAgency }),
    resolution: new ResolutionService(gov),
    // The app's projection cache (shared with /api/graph) and the service's own cache of gathered
    // signals: a second ranking or plan over an unchanged store neither projects nor gathers again.
    projections: cachedProjections(gov, projections),
  });
  const app = createRouter();
  const asOfOf = async (given: string | undefined) => given ?? (await scenarioTime(gov));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/rank',
      tags: ['triage'],
      summary: 'Every person you may see, ranked by risk, with the signals and evidence behind each rank',
      request: {
        query: z.object({
          limit: Limit.openapi({ description: 'rows returned (default 100); total says how many were ranked' }),
          offset: z.coerce.number().int().min(0).optional(),
          asOf: z.iso.datetime({ offset: true }).optional(),
          resolved: z.enum(['true', 'false']).optional().openapi({ description: 'false ranks single records instead of resolved persons' }),
        }),
      },
      responses: { 200: json(RankingOut, 'The ranking'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const asOf = await asOfOf(q.asOf);
      const r = await triage.rank(workContext(c), { ...(asOf ? { asOf } : {}), ...(q.resolved === 'false' ? { resolved: false } : {}) });
      const from = q.offset ?? 0;
      return c.json(
        {
          asOf: r.asOf,
          agency: r.agency,
          weights: weightsOut(r.weights),
          resolution: { ...r.resolution, warnings: [...r.resolution.warnings] },
          notes: [...r.notes],
          ...(r.lastDecision ? { lastDecision: r.lastDecision } : {}),
          total: r.subjects.length,
          subjects: r.subjects.slice(from, from + (q.limit ?? 100)).map(subjectOut),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/evidence',
      tags: ['triage'],
      summary: 'What cited statements are (entity, schema, property), for links from an explanation to profiles; unreadable ones are left out',
      request: { query: z.object({ ids: z.string().min(1).max(40_000).openapi({ description: 'statement ids, comma-separated (at most 500)' }) }) },
      responses: { 200: json(z.object({ evidence: z.array(EvidenceOut) }), 'The statements described'), ...errorResponses },
    }),
    async (c) => {
      const ids = c.req.valid('query').ids.split(',').map((x) => x.trim()).filter(Boolean).slice(0, 500);
      return c.json({ evidence: await triage.evidence(workContext(c), ids) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/weights',
      tags: ['triage'],
      summary: 'The weights in force for your agency, with what each signal means',
      responses: { 200: json(WeightsOut, 'Weights'), ...errorResponses },
    }),
    async (c) => c.json(weightsOut(await triage.weights(workContext(c))), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/weights',
      tags: ['triage'],
      summary: 'Supervisor: adjust weights (each ≥ 0) with a reason; versioned and audited with the previous values',
      request: body(WeightsIn),
      responses: { 200: json(WeightsOut, 'The new weights'), ...errorResponses },
    }),
    async (c) => {
      const ctx = workContext(c);
      const input = c.req.valid('json');
      const current = await triage.weights(ctx);
      const next = { bias: input.bias ?? current.bias, weights: { ...current.weights, ...(input.weights as Partial<Record<SignalName, number>>) } };
      return c.json(weightsOut(await triage.setWeights(ctx, next, input.reason)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/capacity',
      tags: ['triage'],
      summary: "Your agency's declared capacity (null when none is declared)",
      responses: { 200: json(z.object({ capacity: CapacityRecordOut.nullable() }), 'Capacity'), ...errorResponses },
    }),
    async (c) => {
      const rec = await triage.capacity(workContext(c));
      return c.json({ capacity: rec ? (rec as unknown as z.infer<typeof CapacityRecordOut>) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/capacity',
      tags: ['triage'],
      summary: 'Supervisor: declare teams, agents per full-time target and partial measures, with a reason',
      request: body(z.object({ capacity: CapacityIn, reason: Reason }).strict().openapi('TriageCapacityChange')),
      responses: { 200: json(CapacityRecordOut, 'The declared capacity'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const rec = await triage.setCapacity(workContext(c), input.capacity, input.reason);
      return c.json(rec as unknown as z.infer<typeof CapacityRecordOut>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans',
      tags: ['triage'],
      summary: 'Plan the declared (or a what-if) capacity over the ranking; stores the snapshot a decision refers to',
      request: body(PlanIn),
      responses: { 201: json(PlanOut, 'The plan as shown (kept for replay)'), ...errorResponses, ...notFound },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const asOf = await asOfOf(input.asOf);
      const p = await triage.plan(workContext(c), {
        ...(asOf ? { asOf } : {}),
        ...(input.capacity ? { capacity: input.capacity } : {}),
        ...(input.resolved === false ? { resolved: false } : {}),
      });
      return c.json(planOut(p, input.limit), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/decisions',
      tags: ['triage'],
      summary: 'Supervisor: accept or change a plan, with a written reason (audited; contradictions are refused)',
      request: body(DecisionIn),
      responses: { 201: json(DecisionOut, 'The decision'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => c.json(decisionOut(await triage.decide(workContext(c), c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/decisions',
      tags: ['triage'],
      summary: "Your agency's decisions, newest first",
      request: { query: z.object({ limit: Limit }) },
      responses: { 200: json(z.object({ decisions: z.array(DecisionOut) }), 'Decision history'), ...errorResponses },
    }),
    async (c) => c.json({ decisions: (await triage.decisions(workContext(c), c.req.valid('query').limit ?? 50)).map(decisionOut) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/decisions/{id}',
      tags: ['triage'],
      summary: 'Replay a decision: what the supervisor decided and why, and exactly what the system showed at that time',
      request: { params: IdParam, query: z.object({ limit: Limit.openapi({ description: 'ranking rows of the snapshot returned (default 100)' }) }) },
      responses: { 200: json(z.object({ decision: DecisionOut, shown: PlanOut }), 'The decision and the stored plan snapshot'), ...errorResponses, ...notFound },
    }),
    async (c) => {
      const r = await triage.review(workContext(c), c.req.valid('param').id);
      return c.json({ decision: decisionOut(r.decision), shown: planOut(r.shown, c.req.valid('query').limit ?? 100) }, 200);
    },
  );

  return app;
}

/** Triage as an API plug-in: routes under /api/triage. */
export function triagePlugin(options: { readonly watch?: WatchConfig } = {}): ApiPlugin {
  return { path: 'triage', routes: (deps) => triageRoutes(deps, options) };
}
