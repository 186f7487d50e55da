import { createRoute, z } from '@hono/zod-openapi';
import { DEFAULT_CLUSTER_THRESHOLD, LINK_COLOURS, ResolutionService, type Judgement, type LinkView } from '../../resolve/index.js';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody } from '../schemas.js';

// ---- shapes -----------------------------------------------------------------------------------

const Colour = z.enum(LINK_COLOURS as ['yellow', 'white', 'green', 'red']);
const JudgedColour = z.enum(['white', 'green', 'red']).openapi({ description: 'white: same person; green: different persons who legitimately share data; red: identity fraud (alerts the owners)' });
const Id = z.string().trim().min(1).max(200);
const Reason = z.string().trim().min(1, 'a judgement needs a reason').max(2000);

const JudgementBody = z
  .object({
    seq: z.number().int().openapi({ description: 'judgement number (undo takes it)' }),
    left: z.string(),
    right: z.string(),
    action: z.enum(['judge', 'undo']),
    colour: Colour.optional(),
    undoes: z.number().int().optional(),
    by: z.string(),
    at: z.string(),
    why: z.string(),
  })
  .openapi('ResolveJudgement');

const FieldExplanation = z
  .object({
    field: z.string(),
    level: z.string().openapi({ description: 'comparison level: null, exact, close, far…' }),
    weight: z.number().openapi({ description: 'log2 match weight of this field at this level (one bar of the waterfall)' }),
    tfAdjustment: z.number(),
    left: z.array(z.string()),
    right: z.array(z.string()),
  })
  .openapi('ResolveFieldExplanation');

const Explanation = z
  .object({ left: z.string(), right: z.string(), priorWeight: z.number(), fields: z.array(FieldExplanation), weight: z.number(), probability: z.number() })
  .openapi('ResolveExplanation', { description: 'Fellegi–Sunter score explained: prior plus per-field weights, summed as log-odds' });

const LinkBody = z
  .object({
    left: z.string(),
    right: z.string(),
    colour: Colour,
    probability: z.number().optional(),
    weight: z.number().optional(),
    rules: z.array(z.string()).optional().openapi({ description: 'blocking rules under which the pair was found' }),
    judgement: JudgementBody.optional().openapi({ description: 'the judgement in force' }),
    history: z.array(JudgementBody),
    explanation: Explanation.optional(),
  })
  .openapi('ResolveLink');

const JudgeBody = z.object({ left: Id, right: Id, state: JudgedColour, reason: Reason }).openapi('ResolveJudgeRequest');
const UndoBody = z.object({ reason: Reason }).openapi('ResolveUndoRequest');
const Alert = z.object({ left: z.string(), right: z.string(), owners: z.array(z.string()) }).openapi('ResolveIdentityFraudAlert');

const SeqParam = z.object({ id: z.coerce.number().int().min(1).openapi({ param: { name: 'id', in: 'path' } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const notFound = { 404: json(ErrorBody, 'No such record or judgement (or not readable by you)') };
const conflict = { 409: json(ErrorBody, 'Refused: the merge would join clusters holding a green pair, or the judgement is not in force') };

function judgementOut(j: Judgement): z.infer<typeof JudgementBody> {
  return { seq: j.seq, left: j.left, right: j.right, action: j.action, ...(j.colour ? { colour: j.colour } : {}), ...(j.undoes !== undefined ? { undoes: j.undoes } : {}), by: j.by, at: j.at, why: j.why };
}

function linkOut(l: LinkView): z.infer<typeof LinkBody> {
  return {
    left: l.left,
    right: l.right,
    colour: l.colour,
    ...(l.probability !== undefined ? { probability: l.probability } : {}),
    ...(l.weight !== undefined ? { weight: l.weight } : {}),
    ...(l.rules ? { rules: [...l.rules] } : {}),
    ...(l.judgement ? { judgement: judgementOut(l.judgement) } : {}),
    history: l.history.map(judgementOut),
    ...(l.explanation ? { explanation: { ...l.explanation, fields: l.explanation.fields.map((f) => ({ ...f, left: [...f.left], right: [...f.right] })) } } : {}),
  };
}

/** Routes of entity resolution: candidates with explanations, judgements, undo, clusters (service checks and audits). */
export function resolveRoutes({ gov }: ApiServices) {
  const app = createRouter();
  const resolution = new ResolutionService(gov);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/candidates',
      tags: ['resolve'],
      summary: 'Links you may see (both records readable), best first; with `entity`, the candidates of one record with their score explanation',
      request: {
        query: z.object({
          entity: Id.optional().openapi({ description: 'only the links of this record' }),
          state: Colour.optional(),
          min: z.coerce.number().min(0).max(1).optional().openapi({ description: 'only machine links with probability at least min' }),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: { 200: json(z.object({ links: z.array(LinkBody) }), 'Links'), ...errorResponses, ...notFound },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const links = await resolution.candidates(workContext(c), {
        ...(q.entity ? { entityId: q.entity } : {}),
        ...(q.state ? { colour: q.state } : {}),
        ...(q.min !== undefined ? { minProbability: q.min } : {}),
        limit: q.limit ?? 100,
      });
      return c.json({ links: links.map(linkOut) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/judgements',
      tags: ['resolve'],
      summary: 'Record a judgement on the link between two records (who/when/why kept, audited); a red link alerts the owners',
      request: body(JudgeBody),
      responses: {
        200: json(z.object({ judgement: JudgementBody, alert: Alert.optional() }), 'The judgement (and the alert for a red link)'),
        ...errorResponses,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const r = c.req.valid('json');
      const result = await resolution.judge(workContext(c), r.left, r.right, r.state, r.reason);
      return c.json({ judgement: judgementOut(result.judgement), ...(result.alert ? { alert: { left: result.alert.left, right: result.alert.right, owners: [...result.alert.owners] } } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/judgements/{id}/undo',
      tags: ['resolve'],
      summary: 'Reverse a judgement (appends a reversal; the link returns to its previous colour)',
      request: { params: SeqParam, ...body(UndoBody) },
      responses: { 200: json(JudgementBody, 'The reversal'), ...errorResponses, ...notFound, ...conflict },
    }),
    async (c) => c.json(judgementOut(await resolution.undo(workContext(c), c.req.valid('param').id, c.req.valid('json').reason)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clusters',
      tags: ['resolve'],
      summary: 'Resolved persons: white links and machine links at or above the threshold; merges across a green pair are not made and are reported',
      request: { query: z.object({ threshold: z.coerce.number().min(0).max(1).optional() }) },
      responses: { 200: json(z.object({ clusters: z.array(z.array(z.string())), warnings: z.array(z.string()) }), 'Clusters and warnings'), ...errorResponses },
    }),
    async (c) => {
      const r = await resolution.clusters(workContext(c), c.req.valid('query').threshold ?? DEFAULT_CLUSTER_THRESHOLD);
      return c.json({ clusters: r.clusters.map((x) => [...x]), warnings: [...r.warnings] }, 200);
    },
  );

  return app;
}

/** Entity resolution as an API plug-in: routes under /api/resolve. */
export function resolvePlugin(): ApiPlugin {
  return { path: 'resolve', routes: (deps) => resolveRoutes(deps) };
}
