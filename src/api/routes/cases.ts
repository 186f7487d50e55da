import { createRoute, z } from '@hono/zod-openapi';
import { allSchemas } from '../../model/index.js';
import { sessionOf, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { CaseSummary, errorResponses } from '../schemas.js';

/** The user's cases (to choose one) and the vocabulary the search filters offer. */
export function caseRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/cases',
      tags: ['session'],
      summary: 'Open cases the signed-in user is a member of, with what their legal basis allows',
      responses: { 200: { description: 'Cases', content: { 'application/json': { schema: z.object({ cases: z.array(CaseSummary) }) } } }, ...errorResponses },
    }),
    async (c) => {
      const s = sessionOf(c);
      const cases = (await gov.casesOf(s.userId)).filter((x) => x.status === 'open');
      const out = [];
      for (const x of cases) {
        const basis = await gov.legalBasis(x.legalBasis);
        out.push({ id: x.id, name: x.name, agency: x.agency, legalBasis: basis?.title ?? x.legalBasis, methods: [...(basis?.methods ?? [])], status: x.status });
      }
      return c.json({ cases: out.sort((a, b) => a.id.localeCompare(b.id)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meta',
      tags: ['session'],
      summary: 'Schemas, agencies and classification levels (for filters and labels)',
      responses: {
        200: {
          description: 'Vocabulary',
          content: {
            'application/json': {
              schema: z.object({
                schemas: z.array(z.object({ name: z.string(), label: z.string(), kind: z.enum(['entity', 'link']) })),
                agencies: z.array(z.object({ id: z.string(), name: z.string(), country: z.string() })),
                classifications: z.array(z.string()),
              }),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      sessionOf(c);
      const agencies = (await gov.agencies()).map((a) => ({ id: a.id, name: a.name, country: a.country })).sort((a, b) => a.id.localeCompare(b.id));
      return c.json({ schemas: allSchemas().map((s) => ({ name: s.name, label: s.label, kind: s.kind })), agencies, classifications: [...gov.levels] }, 200);
    },
  );
  return app;
}
