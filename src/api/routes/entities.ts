import { createRoute, z } from '@hono/zod-openapi';
import { ENTITY_ID_PATTERN, isSchemaName, parseGrading, TesseraError, AGENCY_ID_PATTERN } from '../../model/index.js';
import { workContext, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { EntityProfile, errorResponses, ErrorBody, SearchResult } from '../schemas.js';
import { entityProfile } from '../services/profile.js';
import { searchEntities } from '../services/search.js';

const list = (what: string) =>
  z
    .string()
    .max(500)
    .optional()
    .transform((v) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []))
    .openapi({ description: `comma-separated ${what}` });

const isoDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'a date YYYY[-MM[-DD]]').optional();

/** Search and entity profiles. */
export function entityRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/search',
      tags: ['entities'],
      summary: 'Typo-tolerant entity search, filtered to what the user may read in the chosen purpose and case',
      request: {
        query: z.object({
          q: z.string().trim().min(1, 'type something to search for').max(200),
          schema: list('schema names, e.g. Person,Phone'),
          agency: list('agency ids, e.g. FR-CT,BE-CT'),
          from: isoDate.openapi({ description: 'seen on or after' }),
          to: isoDate.openapi({ description: 'seen on or before' }),
          grading: z.string().max(8).optional().openapi({ description: 'at least this grading, e.g. B2 or adm:C3' }),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
      },
      responses: {
        200: { description: 'Results, best first', content: { 'application/json': { schema: z.object({ results: z.array(SearchResult), tookMs: z.number() }) } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const unknownSchema = q.schema.find((s) => !isSchemaName(s));
      if (unknownSchema) throw new TesseraError('VALIDATION', `unknown schema "${unknownSchema}"`, { field: 'schema' });
      const badAgency = q.agency.find((a) => !AGENCY_ID_PATTERN.test(a));
      if (badAgency) throw new TesseraError('VALIDATION', `"${badAgency}" is not an agency id (like FR-CT)`, { field: 'agency' });
      const minGrading = q.grading ? parseGrading(q.grading) : undefined;
      if (q.grading && !minGrading) throw new TesseraError('VALIDATION', `"${q.grading}" is not a grading (like B2 or adm:C3)`, { field: 'grading' });
      const started = performance.now();
      const results = await searchEntities(gov, workContext(c), {
        q: q.q,
        schemas: q.schema,
        agencies: q.agency,
        limit: q.limit,
        ...(q.from ? { seenFrom: q.from } : {}),
        ...(q.to ? { seenTo: q.to } : {}),
        ...(minGrading ? { minGrading } : {}),
      });
      return c.json({ results: results.map((r) => ({ ...r, matched: [...r.matched], agencies: [...r.agencies] })), tookMs: Math.round(performance.now() - started) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/entities/{id}',
      tags: ['entities'],
      summary: 'Entity profile: every value with source agency, grading, handling, dates; conflicts; withheld counts; links',
      request: { params: z.object({ id: z.string().regex(ENTITY_ID_PATTERN, 'an entity id like fr-ct:01J…').openapi({ example: 'fr-ct:p1' }) }) },
      responses: {
        200: { description: 'The profile', content: { 'application/json': { schema: EntityProfile } } },
        ...errorResponses,
        404: { description: 'No such entity', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const p = await entityProfile(gov, workContext(c), id);
      return c.json(JSON.parse(JSON.stringify({ ...p, entity: p.entity ?? null })) as z.infer<typeof EntityProfile>, 200);
    },
  );
  return app;
}
