import { z } from '@hono/zod-openapi';

/** Shared response shapes of the API (OpenAPI components). */
export const ErrorBody = z
  .object({
    code: z.string().openapi({ example: 'PURPOSE_REQUIRED' }),
    message: z.string(),
    record: z.string().optional(),
    field: z.string().optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  })
  .openapi('Error');

/** Standard error responses every protected route may give. */
export const errorResponses = {
  400: { description: 'Invalid request (malformed JSON, failed validation)', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Not signed in, or the session expired', content: { 'application/json': { schema: ErrorBody } } },
  403: {
    description: 'Refused: missing purpose or case, not a member of the case, legal basis, role, or CSRF token',
    content: { 'application/json': { schema: ErrorBody } },
  },
} as const;

export const Grading = z.object({ system: z.enum(['EU4x4', 'ADMIRALTY']), source: z.string(), info: z.string() }).openapi('Grading');
export const Handling = z.object({ codes: z.array(z.string()), conditions: z.string().optional(), releasableTo: z.array(z.string()) }).openapi('Handling');

export const Provenance = z
  .object({
    statementId: z.string(),
    agency: z.string(),
    documentId: z.string().optional(),
    collectedAt: z.string(),
    grading: Grading,
    handling: Handling,
    classification: z.string(),
    subjectCategory: z.string(),
    nature: z.string(),
    original: z.string().optional(),
    firstSeen: z.string().optional(),
    lastSeen: z.string().optional(),
    caseIds: z.array(z.string()),
  })
  .openapi('Provenance');

export const PropertyValue = z.object({ value: z.string(), provenance: z.array(Provenance) }).openapi('PropertyValue');

export const Entity = z
  .object({
    id: z.string(),
    schema: z.string(),
    caption: z.string(),
    properties: z.record(z.string(), z.array(PropertyValue)),
    agencies: z.array(z.string()),
    conflicts: z.array(z.string()),
    statementCount: z.number().int(),
    firstSeen: z.string().optional(),
    lastSeen: z.string().optional(),
  })
  .openapi('Entity');

export const Withheld = z
  .object({ classification: z.number().int(), releasability: z.number().int(), 'case-compartment': z.number().int() })
  .openapi('Withheld', { description: 'Statements withheld from the caller, counted by reason (never their content)' });

export const EntityRef = z.object({ id: z.string(), schema: z.string(), caption: z.string() }).openapi('EntityRef');

export const Link = z
  .object({
    linkId: z.string(),
    schema: z.string(),
    /** The role of the profiled entity in the link (the property that points at it). */
    role: z.string(),
    /** The entities at the link's other ends (a meeting may have several). */
    others: z.array(EntityRef),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
    agencies: z.array(z.string()),
  })
  .openapi('Link');

export const EntityProfile = z.object({ entity: Entity.nullable(), withheld: Withheld, links: z.array(Link) }).openapi('EntityProfile');

export const SearchResult = z
  .object({
    entityId: z.string(),
    schema: z.string(),
    caption: z.string(),
    matched: z.array(z.object({ prop: z.string(), value: z.string() })),
    agencies: z.array(z.string()),
    firstSeen: z.string().optional(),
    lastSeen: z.string().optional(),
    /** How the hit was found: exact/prefix full text, or the typo-tolerant fallback with its similarity. */
    match: z.enum(['text', 'fuzzy']),
    score: z.number(),
  })
  .openapi('SearchResult');

export const SessionInfo = z
  .object({
    user: z.object({ id: z.string(), name: z.string(), agency: z.string(), roles: z.array(z.string()), clearance: z.string() }),
    purpose: z.string().nullable(),
    caseId: z.string().nullable(),
    caseName: z.string().nullable(),
    oversight: z.boolean().openapi({ description: 'an oversight context: a purpose and no case (DPO, auditor); only oversight routes answer in it' }),
    csrfToken: z.string(),
    expiresAt: z.string(),
  })
  .openapi('SessionInfo');

export const CaseSummary = z
  .object({ id: z.string(), name: z.string(), agency: z.string(), legalBasis: z.string(), methods: z.array(z.string()), status: z.string() })
  .openapi('CaseSummary');
