import { createRoute, z } from '@hono/zod-openapi';
import { workContext, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses } from '../schemas.js';
import { verifyAuditFor } from '../services/audit.js';

/** Store statistics and audit-chain verification. */
export function oversightRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stats',
      tags: ['oversight'],
      summary: 'Counts of statements and entities by schema and agency (aggregates only)',
      responses: {
        200: {
          description: 'Counts',
          content: {
            'application/json': {
              schema: z.object({ statements: z.number(), entities: z.number(), bySchema: z.record(z.string(), z.number()), byAgency: z.record(z.string(), z.number()) }).openapi('Stats'),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const s = await gov.stats(workContext(c));
      return c.json({ statements: s.statements, entities: s.entities, bySchema: { ...s.bySchema }, byAgency: { ...s.byAgency } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/verify',
      tags: ['oversight'],
      summary: 'Verify the hash-chained audit log; names every edited, deleted or reordered entry',
      responses: {
        200: {
          description: 'Verification result',
          content: {
            'application/json': {
              schema: z
                .object({
                  intact: z.boolean(),
                  entries: z.number(),
                  problems: z.array(z.object({ seq: z.number(), kind: z.enum(['edited', 'missing', 'reordered', 'link-broken']), message: z.string() })),
                })
                .openapi('AuditVerification'),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const r = await verifyAuditFor(gov, workContext(c));
      return c.json({ intact: r.intact, entries: r.entries, problems: r.problems.map((p) => ({ ...p })) }, 200);
    },
  );
  return app;
}
