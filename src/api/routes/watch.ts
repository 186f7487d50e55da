import { createRoute, z } from '@hono/zod-openapi';
import { ALERT_STATUSES, ENCOUNTER_ACTIONS, HIT_DECISIONS, SELECTOR_KINDS, WatchService, watchConfig, type Alert, type HitReport, type WatchConfig } from '../../watch/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody, Grading } from '../schemas.js';

// ---- shapes -----------------------------------------------------------------------------------

const Selector = z.object({ kind: z.enum(SELECTOR_KINDS), value: z.string().trim().min(1, 'a selector needs a value').max(200) }).openapi('WatchSelector');

const AlertSubject = z
  .object({
    entityIds: z.array(z.string()).max(50).default([]).openapi({ description: 'resolved entities (person, phone, document, vehicle…) the alert points at' }),
    names: z.array(z.string().trim().min(1).max(300)).max(50).default([]).openapi({ description: 'names and aliases in any script (compared transliteration-aware)' }),
    birthDates: z.array(z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'a date of birth YYYY[-MM[-DD]]')).max(10).default([]),
    selectors: z.array(Selector).max(200).default([]).openapi({ description: 'exact selectors: never missed by screening' }),
  })
  .openapi('WatchAlertSubject');

const AlertEvent = z
  .object({
    at: z.string(),
    by: z.string(),
    kind: z.enum(['created', 'extended', 'reassessed', 'removal-requested', 'removal-approved', 'removal-rejected']),
    assessment: z.string().optional(),
    changes: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('WatchAlertEvent');

const AlertBody = z
  .object({
    id: z.string(),
    agency: z.string().openapi({ description: 'issuing agency (owner): its inbox receives every hit' }),
    caseId: z.string(),
    subject: AlertSubject,
    threatLevel: z.string(),
    reasons: z.string(),
    grading: Grading,
    action: z.enum(ENCOUNTER_ACTIONS),
    createdBy: z.string(),
    createdAt: z.string(),
    reviewBy: z.string().openapi({ description: 'the alert lapses (and must be reviewed) on this date' }),
    status: z.enum(ALERT_STATUSES),
    delistedAt: z.string().optional(),
    quietUntil: z.string().optional().openapi({ description: 'end of the post-delisting quiet watch' }),
    removal: z.object({ requestedBy: z.string(), requestedAt: z.string(), assessment: z.string() }).optional(),
    version: z.number().int(),
    history: z.array(AlertEvent),
  })
  .openapi('WatchAlert');

const MatchedField = z
  .object({ field: z.string(), recordValue: z.string(), alertValue: z.string(), score: z.number(), how: z.string() })
  .openapi('WatchMatchedField');

const HitBody = z
  .object({
    id: z.string(),
    kind: z.enum(['hit', 'notice']),
    priority: z.enum(['high', 'normal', 'low']),
    alertId: z.string(),
    agency: z.string(),
    caseId: z.string(),
    threatLevel: z.string(),
    recommendedAction: z.string(),
    encountered: z.object({ ref: z.string(), schema: z.string(), what: z.string(), where: z.string().optional(), when: z.string().optional(), by: z.string() }),
    score: z.number(),
    matched: z.array(MatchedField),
    explanation: z.array(z.string()),
    fingerprint: z.string(),
    createdAt: z.string(),
    status: z.enum(['open', ...HIT_DECISIONS]),
    decisions: z.array(z.object({ at: z.string(), by: z.string(), decision: z.enum(HIT_DECISIONS), note: z.string() })),
  })
  .openapi('WatchHitReport', { description: 'A hit report (SIS Art. 37-like form) or a post-delisting notice in the issuing agency’s inbox' });

const NewAlertBody = z
  .object({
    caseId: z.string().min(1).optional().openapi({ description: 'the case the alert serves (default: the session case)' }),
    subject: AlertSubject,
    threatLevel: z.string().min(1, 'choose a threat level').openapi({ example: 'S12' }),
    reasons: z.string().trim().min(10, 'state the reasons for the alert (at least 10 characters)').max(5000),
    grading: Grading,
    action: z.enum(ENCOUNTER_ACTIONS).openapi({ description: 'action on encounter, kept apart from the threat level' }),
    reviewBy: z.iso.date().optional().openapi({ description: 'YYYY-MM-DD in the future (default one year from now)' }),
  })
  .strict()
  .openapi('WatchNewAlert');

const ReviewBody = z
  .object({
    assessment: z.string().openapi({ description: 'documented re-assessment (at least 20 characters)' }),
    extend: z.boolean().optional().openapi({ description: 'extend by the configured validity period' }),
    reviewBy: z.iso.date().optional(),
    threatLevel: z.string().min(1).optional(),
    action: z.enum(ENCOUNTER_ACTIONS).optional(),
    addNames: z.array(z.string().trim().min(1).max(300)).max(50).optional(),
    addSelectors: z.array(Selector).max(200).optional(),
  })
  .strict()
  .openapi('WatchReview');

const RemoveBody = z.object({ assessment: z.string().openapi({ description: 'documented re-assessment (at least 20 characters)' }) }).strict().openapi('WatchRemovalRequest');

const ApproveBody = z
  .object({
    note: z.string().openapi({ description: 'why the removal is approved or rejected' }),
    reject: z.boolean().default(false).openapi({ description: 'true rejects the removal (the alert stays active)' }),
  })
  .strict()
  .openapi('WatchRemovalDecision');

const DecideBody = z.object({ decision: z.enum(HIT_DECISIONS), note: z.string().openapi({ description: 'kept with the decision' }) }).strict().openapi('WatchHitDecision');

const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) });
const limit = (max: number) => z.coerce.number().int().min(1).max(max).optional();

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const notFound = { 404: json(ErrorBody, 'No such alert or hit') };
const conflict = { 409: json(ErrorBody, 'The alert is not in a state that allows this (e.g. no pending removal)') };

/**
 * The stored alert and hit records as response bodies. They are the service's plain JSON records;
 * the schemas above document them (responses are not re-validated at run time).
 */
const alertOut = (a: Alert) => a as unknown as z.infer<typeof AlertBody>;
const hitOut = (h: HitReport) => h as unknown as z.infer<typeof HitBody>;

// ---- routes -----------------------------------------------------------------------------------

/**
 * Watchlist routes (issue 6 item 5): alerts with review timers and four-eyes removal, the
 * due-for-review queue, and the issuing agency's hit inbox. The routes only translate HTTP: the
 * WatchService authorises every call (`screening` method of the session's purpose and case),
 * scopes it to the user's agency and audits it.
 */
export function watchRoutes({ gov, config }: ApiServices, options: { readonly watch?: WatchConfig } = {}) {
  const watch = new WatchService(gov, { config: options.watch ?? watchConfig(), nodeAgency: config.nodeAgency });
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/alerts',
      tags: ['watch'],
      summary: "The agency's alerts, newest first",
      request: { query: z.object({ status: z.enum(ALERT_STATUSES).optional(), limit: limit(1000) }) },
      responses: { 200: json(z.object({ alerts: z.array(AlertBody) }), 'Alerts'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const alerts = await watch.listAlerts(workContext(c), { ...(q.status ? { status: q.status } : {}), ...(q.limit ? { limit: q.limit } : {}) });
      return c.json({ alerts: alerts.map(alertOut) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts',
      tags: ['watch'],
      summary: 'Issue an alert for the signed-in user’s agency (the owner)',
      request: body(NewAlertBody),
      responses: { 201: json(AlertBody, 'The new alert'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const alert = await watch.addAlert(workContext(c), {
        subject: input.subject,
        threatLevel: input.threatLevel,
        reasons: input.reasons,
        grading: input.grading,
        action: input.action,
        ...(input.caseId ? { caseId: input.caseId } : {}),
        ...(input.reviewBy ? { reviewBy: input.reviewBy } : {}),
      });
      return c.json(alertOut(alert), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/alerts/{id}',
      tags: ['watch'],
      summary: 'One alert of the agency, with its history',
      request: { params: IdParam },
      responses: { 200: json(AlertBody, 'The alert'), ...errorResponses, ...notFound },
    }),
    async (c) => c.json(alertOut(await watch.getAlert(workContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/due',
      tags: ['watch'],
      summary: 'Due-for-review queue: alerts expiring within the warning period, or lapsed',
      responses: {
        200: json(z.object({ due: z.array(z.object({ alert: AlertBody, daysLeft: z.number().int(), overdue: z.boolean() })) }), 'Alerts to review, soonest first'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const due = await watch.dueForReview(workContext(c));
      return c.json({ due: due.map((d) => ({ alert: alertOut(d.alert), daysLeft: d.daysLeft, overdue: d.overdue })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/review',
      tags: ['watch'],
      summary: 'Documented re-assessment: extend, change level or action, add names or selectors',
      request: { params: IdParam, ...body(ReviewBody) },
      responses: { 200: json(AlertBody, 'The updated alert'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => {
      const r = c.req.valid('json');
      const alert = await watch.reviewAlert(workContext(c), c.req.valid('param').id, {
        assessment: r.assessment,
        ...(r.extend !== undefined ? { extend: r.extend } : {}),
        ...(r.reviewBy ? { reviewBy: r.reviewBy } : {}),
        ...(r.threatLevel ? { threatLevel: r.threatLevel } : {}),
        ...(r.action ? { action: r.action } : {}),
        ...(r.addNames ? { addNames: r.addNames } : {}),
        ...(r.addSelectors ? { addSelectors: r.addSelectors } : {}),
      });
      return c.json(alertOut(alert), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/remove',
      tags: ['watch'],
      summary: 'Ask for removal with a documented re-assessment (a second person must approve)',
      request: { params: IdParam, ...body(RemoveBody) },
      responses: { 200: json(AlertBody, 'The alert, now removal-pending'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => c.json(alertOut(await watch.requestRemoval(workContext(c), c.req.valid('param').id, c.req.valid('json').assessment)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/approve',
      tags: ['watch'],
      summary: 'Four-eyes decision on a pending removal: a supervisor other than the requester approves or rejects',
      request: { params: IdParam, ...body(ApproveBody) },
      responses: { 200: json(AlertBody, 'The alert: delisted (quiet watch) or active again'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => {
      const d = c.req.valid('json');
      return c.json(alertOut(await watch.decideRemoval(workContext(c), c.req.valid('param').id, !d.reject, d.note)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/hits',
      tags: ['watch'],
      summary: "The agency's inbox: hits and post-delisting notices, highest priority first (status=escalated: the supervisors' queue)",
      request: {
        query: z.object({
          status: z.enum(['open', ...HIT_DECISIONS]).optional(),
          kind: z.enum(['hit', 'notice']).optional(),
          alert: z.string().max(200).optional().openapi({ description: 'only hits on this alert' }),
          limit: limit(500),
        }),
      },
      responses: { 200: json(z.object({ hits: z.array(HitBody) }), 'Hit reports'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const hits = await watch.listHits(workContext(c), {
        ...(q.status ? { status: q.status } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.alert ? { alertId: q.alert } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return c.json({ hits: hits.map(hitOut) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/hits/{id}',
      tags: ['watch'],
      summary: 'One hit report of the agency inbox: what matched, how well, from which record, and the decisions so far',
      request: { params: IdParam },
      responses: { 200: json(HitBody, 'The hit report'), ...errorResponses, ...notFound },
    }),
    async (c) => c.json(hitOut(await watch.getHit(workContext(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/hits/{id}/decide',
      tags: ['watch'],
      summary: 'A person decides a hit: confirmed, false positive (the same pair is not raised again until its data change), needs more info, or escalated (to the supervisors’ queue with the note as reason; only a supervisor decides an escalated hit)',
      request: { params: IdParam, ...body(DecideBody) },
      responses: { 200: json(HitBody, 'The decided hit'), ...errorResponses, ...notFound },
    }),
    async (c) => {
      const d = c.req.valid('json');
      return c.json(hitOut(await watch.decideHit(workContext(c), c.req.valid('param').id, d.decision, d.note)), 200);
    },
  );

  return app;
}

/** The watch capability as an API plug-in: routes under /api/watch. */
export function watchPlugin(options: { readonly watch?: WatchConfig } = {}): ApiPlugin {
  return { path: 'watch', routes: (deps) => watchRoutes(deps, options) };
}
