import { createRoute, z } from '@hono/zod-openapi';
import { classificationRank, HANDLING_CODES, NATURES, newEntityId, SCHEMA_NAMES, SUBJECT_CATEGORIES, TesseraError, validateStatement } from '../../model/index.js';
import { workContext, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, Grading } from '../schemas.js';

const NewEntity = z
  .object({
    schema: z.enum(SCHEMA_NAMES).openapi({ example: 'Person' }),
    values: z
      .array(z.object({ prop: z.string().min(1).max(64), value: z.string().trim().min(1).max(2000) }))
      .min(1, 'record at least one value')
      .max(50)
      .openapi({ example: [{ prop: 'name', value: 'Zora Malik' }] }),
    grading: Grading,
    handling: z
      .object({ codes: z.array(z.enum(HANDLING_CODES)).max(3).default([]), conditions: z.string().max(2000).optional(), releasableTo: z.array(z.string().max(16)).max(50).default([]) })
      .openapi({ description: 'handling codes and releasable-to list set by the recording agency' }),
    classification: z.string().max(32).default('UNCLASSIFIED'),
    subjectCategory: z.enum(SUBJECT_CATEGORIES).default('other'),
    nature: z.enum(NATURES).default('fact'),
    documentId: z.string().trim().min(1).max(200).optional().openapi({ description: 'the report or note the values come from' }),
  })
  .strict()
  .openapi('NewEntity');

/**
 * An analyst records an entity (a person seen in a report, a phone number…): statements sourced to
 * the user's agency, tied to the session's case, validated like every statement and written through
 * governance (role, agency, audit in the same transaction).
 */
export function recordRoutes({ gov }: ApiServices) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/entities',
      tags: ['entities'],
      summary: 'Record a new entity from the analyst’s own agency, tied to the session’s case',
      request: { body: { required: true, content: { 'application/json': { schema: NewEntity } } } },
      responses: {
        201: { description: 'Recorded', content: { 'application/json': { schema: z.object({ entityId: z.string(), statements: z.number().int() }).openapi('RecordedEntity') } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const ctx = workContext(c);
      const principal = await gov.authorise(ctx, 'read');
      if (classificationRank(body.classification, gov.levels) > classificationRank(principal.clearance, gov.levels)) {
        throw new TesseraError('VALIDATION', `classification "${body.classification}" is unknown or above your clearance (levels: ${gov.levels.join(', ')})`, { field: 'classification' });
      }
      const entityId = newEntityId(principal.agency);
      const collectedAt = new Date().toISOString();
      const statements = body.values.map((v, i) =>
        validateStatement(
          {
            entityId,
            schema: body.schema,
            prop: v.prop,
            value: v.value,
            source: { agency: principal.agency, collectedAt, ...(body.documentId ? { documentId: body.documentId } : {}) },
            grading: body.grading,
            handling: body.handling,
            classification: body.classification,
            subjectCategory: body.subjectCategory,
            nature: body.nature,
            caseIds: ctx.caseId ? [ctx.caseId] : [],
          },
          `values.${i}`,
        ),
      );
      const written = await gov.writeStatements(ctx, statements, { action: 'entity.record' });
      return c.json({ entityId, statements: written.inserted }, 201);
    },
  );
  return app;
}
