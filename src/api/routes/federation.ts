import { createRoute, z } from '@hono/zod-openapi';
import { FederationService, Ledger, SELECTOR_KINDS, URGENCIES, replayForUser, type DeconflictionRecord, type FederationInbox, type HitRecord, type MatchResult, type RequestView } from '../../federation/index.js';
import { WatchService, watchConfig } from '../../watch/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody, Grading, Handling } from '../schemas.js';

// ---- shapes -----------------------------------------------------------------------------------

const LocalSubject = z
  .object({ label: z.string(), entityIds: z.array(z.string()), alertId: z.string().optional() })
  .openapi('FederationLocalSubject', { description: 'What the hit means on this node only (the asker’s subject, the holder’s entities); never sent' });

const HitBody = z
  .object({
    id: z.string(),
    role: z.enum(['asker', 'holder']).openapi({ description: 'asker: our subject matched a partner’s pointer; holder: a partner matched ours' }),
    asker: z.string(),
    holder: z.string(),
    matchKind: z.enum(['name', 'selector']),
    pointerId: z.string().optional(),
    psiSessionId: z.string().optional(),
    selectorKind: z.enum(SELECTOR_KINDS).optional(),
    score: z.number().optional().openapi({ description: 'Dice score of a name hit' }),
    purpose: z.string(),
    caseId: z.string().openapi({ description: 'the asker’s case' }),
    createdAt: z.string(),
    createdBy: z.string().optional(),
    subject: LocalSubject,
    selectors: z.array(z.string()).optional(),
    noticeId: z.string().optional(),
  })
  .openapi('FederationHit', { description: '"Agency X may hold something on this; ask" — never content' });

const HandlingWithheld = z.object({ statementId: z.string(), reason: z.string(), message: z.string() }).openapi('FederationWithheld');

const AnswerBody = z
  .object({
    at: z.string(),
    outcome: z.enum(['released', 'refused', 'more-info-needed']),
    by: z.string().optional(),
    reason: z.string().optional(),
    question: z.string().optional(),
    statementIds: z.array(z.string()),
    withheld: z.array(HandlingWithheld).optional().openapi({ description: 'holder: statements kept back by the handling rules' }),
    refusedOnReceipt: z.array(HandlingWithheld).optional().openapi({ description: 'asker: statements this node refused to keep (receiver enforcement)' }),
    envelopeId: z.string().optional(),
  })
  .openapi('FederationAnswer');

const RequestBody = z
  .object({
    id: z.string(),
    role: z.enum(['asker', 'holder']),
    hitId: z.string(),
    asker: z.string(),
    holder: z.string(),
    purpose: z.string(),
    caseId: z.string(),
    urgency: z.enum(URGENCIES),
    requestedAt: z.string(),
    deadline: z.string().openapi({ description: 'urgent 8 h, normal 3 days, routine 14 days after the request' }),
    question: z.string(),
    requestedBy: z.string().optional(),
    envelopeId: z.string().optional(),
    status: z.enum(['open', 'released', 'refused', 'more-info-needed']),
    escalation: z.number().int().openapi({ description: 'highest escalation level sent (asker) or received (holder)' }),
    escalatedAt: z.string().optional(),
    level: z.number().int().openapi({ description: 'escalation level now: 0 before the deadline, then 1, 2, … per deadline-length overdue' }),
    overdue: z.boolean(),
    answers: z.array(AnswerBody),
  })
  .openapi('FederationRequest');

const StatementBody = z
  .object({
    id: z.string(),
    entityId: z.string(),
    schema: z.string(),
    prop: z.string(),
    value: z.string(),
    source: z.object({ agency: z.string(), documentId: z.string().optional(), collectedAt: z.string() }),
    grading: Grading,
    handling: Handling,
    classification: z.string(),
    subjectCategory: z.string(),
    nature: z.string(),
    caseIds: z.array(z.string()),
  })
  .openapi('FederationStatement', { description: 'A statement a partner released, with its originator’s handling' });

const AnswerViewBody = AnswerBody.extend({ requestId: z.string(), hitId: z.string(), holder: z.string(), caseId: z.string(), statements: z.array(StatementBody) }).openapi('FederationAnswerView');

const DeconflictionBody = z
  .object({
    id: z.string(),
    status: z.enum(['pending-approval', 'sent', 'received', 'declined']),
    hitId: z.string(),
    partner: z.string(),
    agencies: z.array(z.string()),
    caseIds: z.array(z.string()),
    contact: z.object({ unit: z.string(), channel: z.string() }),
    consent: z.enum(['holder-approved', 'standing-agreement']),
    reason: z.string(),
    entityIds: z.array(z.string()),
    createdAt: z.string(),
    decidedBy: z.string().optional(),
    decidedAt: z.string().optional(),
  })
  .openapi('FederationDeconfliction');

const InboxBody = z
  .object({
    agency: z.string(),
    now: z.string(),
    hits: z.object({ asked: z.array(HitBody), held: z.array(HitBody) }),
    requests: z.object({ outgoing: z.array(RequestBody), incoming: z.array(RequestBody) }),
    answers: z.array(AnswerViewBody),
    deconfliction: z.array(DeconflictionBody),
  })
  .openapi('FederationInbox');

const PsiSessionBody = z
  .object({ id: z.string(), role: z.enum(['initiator', 'responder']), partner: z.string(), selectorKind: z.enum(SELECTOR_KINDS), status: z.string(), startedAt: z.string(), ownCount: z.number().int() })
  .passthrough()
  .openapi('FederationPsiSession');

const MatchBody = z
  .object({
    entityId: z.string().min(1).max(200).optional().openapi({ description: 'an entity read through governance: its names, date of birth and selectors' }),
    alertId: z.string().min(1).max(200).optional().openapi({ description: 'one of the agency’s alerts' }),
    names: z.array(z.string().trim().min(1).max(300)).max(20).default([]),
    birthDates: z.array(z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'a date of birth YYYY[-MM[-DD]]')).max(5).default([]),
    selectors: z.array(z.object({ kind: z.enum(SELECTOR_KINDS), value: z.string().trim().min(1).max(200) })).max(50).default([]),
    partners: z.array(z.string()).max(50).optional().openapi({ description: 'only these partners (default: all)' }),
  })
  .strict()
  .openapi('FederationMatch');

const MatchResultBody = z
  .object({ subject: z.string(), hits: z.array(HitBody), psiSessions: z.array(PsiSessionBody), searched: z.array(z.string()) })
  .openapi('FederationMatchResult');

const NewRequestBody = z
  .object({
    hitId: z.string().min(1).max(64),
    urgency: z.enum(URGENCIES).openapi({ description: 'sets the deadline: urgent 8 h, normal 3 days, routine 14 days' }),
    question: z.string().trim().min(5, 'state the question (at least 5 characters)').max(4000),
  })
  .strict()
  .openapi('FederationNewRequest');

const ReleaseBody = z
  .object({
    statementIds: z.array(z.string().regex(/^[0-9a-f]{40}$/, 'a statement id')).min(1, 'name the statements to release').max(10_000),
    grant: z.boolean().optional().openapi({ description: 'as originator, release own statements whose releasable-to list does not name the requester' }),
  })
  .strict()
  .openapi('FederationRelease');

const ReleaseResultBody = z.object({ request: RequestBody.omit({ level: true, overdue: true }), released: z.array(z.string()), withheld: z.array(HandlingWithheld) }).openapi('FederationReleaseResult');
const RefuseBody = z.object({ reason: z.string().trim().min(5, 'state the reason (at least 5 characters)').max(2000) }).strict().openapi('FederationRefusal');
const MoreInfoBody = z.object({ question: z.string().trim().min(5, 'state the question (at least 5 characters)').max(4000) }).strict().openapi('FederationMoreInfo');
const DecideBody = z.object({ approve: z.boolean(), note: z.string().trim().min(5).max(2000) }).strict().openapi('FederationDeconflictionDecision');
const PublishBody = z.object({ partner: z.string().optional(), mode: z.enum(['snapshot', 'delta']).optional() }).strict().openapi('FederationPublish');
const PublishResult = z
  .object({ published: z.array(z.object({ partner: z.string(), mode: z.enum(['snapshot', 'delta']), keyId: z.string(), added: z.number(), withdrawn: z.number(), unchanged: z.number(), messages: z.number() })) })
  .openapi('FederationPublishResult');

const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const notFound = { 404: json(ErrorBody, 'No such hit, request or notice') };
const conflict = { 409: json(ErrorBody, 'Already answered or decided') };

/** The service's plain JSON records as response bodies (documented by the schemas above, not re-validated). */
const out = {
  inbox: (x: FederationInbox) => x as unknown as z.infer<typeof InboxBody>,
  hit: (x: HitRecord) => x as unknown as z.infer<typeof HitBody>,
  request: (x: RequestView) => x as unknown as z.infer<typeof RequestBody>,
  match: (x: MatchResult) => x as unknown as z.infer<typeof MatchResultBody>,
  notice: (x: DeconflictionRecord) => x as unknown as z.infer<typeof DeconflictionBody>,
};

const ReplayEvent = z
  .object({
    at: z.string(),
    agency: z.string().openapi({ description: 'whose ledger says so' }),
    kind: z.enum(['did', 'told', 'refused', 'held']),
    peer: z.string().optional(),
    type: z.string(),
    envelopeId: z.string().optional(),
    summary: z.string(),
    acknowledged: z.object({ at: z.string(), status: z.string(), reason: z.string().optional() }).optional().openapi({ description: 'the peer’s signed receipt of what was sent' }),
    sentAt: z.string().optional(),
  })
  .openapi('FederationReplayEvent');
const ReplayHolding = z.object({ entityId: z.string(), schema: z.string(), caption: z.string(), statements: z.number(), firstSeen: z.string().optional(), lastSeen: z.string().optional() }).openapi('FederationReplayHolding');
const ReplayBody = z
  .object({
    subject: z.string(),
    related: z.array(z.string()),
    agencies: z.array(z.object({ agency: z.string(), ledger: z.boolean(), held: z.array(ReplayHolding), did: z.array(ReplayEvent), told: z.array(ReplayEvent) })),
    timeline: z.array(ReplayEvent),
  })
  .openapi('FederationLedgerReplay', { description: 'Who knew what, when: per agency what it held, did and was told about a subject, from this node’s ledger' });

// ---- routes -----------------------------------------------------------------------------------

/**
 * Federation routes (issue 8): the inbox (hits both ways, requests with deadlines and escalation,
 * answers with the released statements the user may read, deconfliction notices), matching a
 * subject against partners, follow-up requests and the holder's answers. The routes only translate
 * HTTP; FederationService authorises each call through Governance (the session's purpose and a case
 * whose legal basis allows `federation`) and audits it.
 */
export function federationRoutes(service: FederationService) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/inbox',
      tags: ['federation'],
      summary: 'Hits, requests (with deadlines and escalation level), answers and deconfliction notices of the agency',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }) },
      responses: { 200: json(InboxBody, 'The federation inbox'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(out.inbox(await service.inbox(workContext(c), q.limit ? { limit: q.limit } : {})), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/hits',
      tags: ['federation'],
      summary: 'Hits: ours on partners’ pointers (cases you belong to) and partners’ on ours',
      request: { query: z.object({ role: z.enum(['asker', 'holder']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }) },
      responses: { 200: json(z.object({ hits: z.array(HitBody) }), 'Hits, newest first'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const hits = await service.hits(workContext(c), { ...(q.role ? { role: q.role } : {}), ...(q.limit ? { limit: q.limit } : {}) });
      return c.json({ hits: hits.map(out.hit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/match',
      tags: ['federation'],
      summary: 'Match a subject against partners: names by hardened Bloom encodings (hits at once), selectors by PSI (hits when partners reply)',
      request: body(MatchBody),
      responses: { 200: json(MatchResultBody, 'Hits and PSI sessions started'), ...errorResponses },
    }),
    async (c) => {
      const m = c.req.valid('json');
      const result = await service.match(workContext(c), {
        ...(m.entityId ? { entityId: m.entityId } : {}),
        ...(m.alertId ? { alertId: m.alertId } : {}),
        names: m.names,
        birthDates: m.birthDates,
        selectors: m.selectors,
        ...(m.partners ? { partners: m.partners } : {}),
      });
      return c.json(out.match(result), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/requests',
      tags: ['federation'],
      summary: 'Ask the holder of a hit, under the hit’s case (the deadline follows from the urgency)',
      request: body(NewRequestBody),
      responses: { 201: json(RequestBody, 'The request, sent'), ...errorResponses, ...notFound },
    }),
    async (c) => {
      const r = c.req.valid('json');
      return c.json(out.request(await service.request(workContext(c), r.hitId, { urgency: r.urgency, question: r.question })), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/requests/{id}/answer',
      tags: ['federation'],
      summary: 'Release statements in answer to a partner’s request; handling codes are enforced (H2 and releasable-to) and what may not go is reported',
      request: { params: IdParam, ...body(ReleaseBody) },
      responses: { 200: json(ReleaseResultBody, 'What was released and what was kept back'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => {
      const r = c.req.valid('json');
      const result = await service.answer(workContext(c), c.req.valid('param').id, { statementIds: r.statementIds, ...(r.grant === undefined ? {} : { grant: r.grant }) });
      return c.json(result as unknown as z.infer<typeof ReleaseResultBody>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/requests/{id}/refuse',
      tags: ['federation'],
      summary: 'Refuse a partner’s request, with the reason it is given',
      request: { params: IdParam, ...body(RefuseBody) },
      responses: { 200: json(RequestBody, 'The refused request'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => c.json(out.request(await service.refuse(workContext(c), c.req.valid('param').id, c.req.valid('json').reason)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/requests/{id}/more-info',
      tags: ['federation'],
      summary: 'Answer a partner’s request with a question (the partner follows up with a new request)',
      request: { params: IdParam, ...body(MoreInfoBody) },
      responses: { 200: json(RequestBody, 'The request, answered with a question'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => c.json(out.request(await service.askMore(workContext(c), c.req.valid('param').id, c.req.valid('json').question)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/deconfliction/{id}/decide',
      tags: ['federation'],
      summary: 'A supervisor approves (sends) or declines a deconfliction notice waiting for the holder’s consent',
      request: { params: IdParam, ...body(DecideBody) },
      responses: { 200: json(DeconflictionBody, 'The notice, sent or declined'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => {
      const d = c.req.valid('json');
      return c.json(out.notice(await service.decideDeconfliction(workContext(c), c.req.valid('param').id, d.approve, d.note)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/pointers/publish',
      tags: ['federation'],
      summary: 'Publish the agency’s name pointers to linkage partners (supervisor): snapshot first, then what changed',
      request: body(PublishBody),
      responses: { 200: json(PublishResult, 'What was published to whom'), ...errorResponses },
    }),
    async (c) => {
      const p = c.req.valid('json');
      const published = await service.publishPointers(workContext(c), { ...(p.partner ? { partner: p.partner } : {}), ...(p.mode ? { mode: p.mode } : {}) });
      return c.json({ published }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/ledger/replay',
      tags: ['federation'],
      summary: 'Who knew what, when, about an entity, hit, alert, request or case: replay of this node’s hash-chained ledger (supervisor, DPO)',
      request: { query: z.object({ subject: z.string().min(1).max(200) }) },
      responses: { 200: json(ReplayBody, 'The replay, per agency and as one timeline'), ...errorResponses },
    }),
    async (c) => {
      const replay = await replayForUser(service.gov, workContext(c), service.agency, c.req.valid('query').subject, [await new Ledger(service.gov.store, service.agency).load()]);
      return c.json(replay as unknown as z.infer<typeof ReplayBody>, 200);
    },
  );

  return app;
}

/** The default service of a server: this node's agency, alerts from the watch capability, no transport until a node is wired. */
export function defaultFederationService({ gov, config }: ApiServices): FederationService {
  return new FederationService(gov, { nodeAgency: config.nodeAgency, watch: new WatchService(gov, { config: watchConfig(), nodeAgency: config.nodeAgency }) });
}

/**
 * The federation capability as an API plug-in: routes under /api/federation. Pass the node's
 * service (wired to its port with `wireFlows`) so requests and answers are sent; without one the
 * routes read the store and sending fails with a CONFIG error naming the missing node.
 */
export function federationPlugin(options: { readonly service?: FederationService | ((deps: ApiServices) => FederationService) } = {}): ApiPlugin {
  return {
    path: 'federation',
    routes: (deps) => {
      const s = options.service;
      const service = s === undefined ? defaultFederationService(deps) : typeof s === 'function' ? s(deps) : s;
      return federationRoutes(service);
    },
  };
}
