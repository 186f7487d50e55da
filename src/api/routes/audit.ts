import { createRoute, z } from '@hono/zod-openapi';
import { auditChainStatus, browseAudit, dpoReport, recordAlertLookup } from '../../governance/index.js';
import { AUDIT_OUTCOMES } from '../../model/index.js';
import { workContext, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses } from '../schemas.js';

const text = (max: number, description: string) => z.string().trim().min(1).max(max).optional().openapi({ description });
const when = (description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'an ISO date YYYY-MM-DD or date-time')
    .optional()
    .openapi({ description });

const AuditEntryBody = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    userId: z.string(),
    agency: z.string(),
    purpose: z.string(),
    caseId: z.string().nullable(),
    action: z.string(),
    outcome: z.enum(AUDIT_OUTCOMES),
    entityIds: z.array(z.string()),
    details: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');

const AuditPageBody = z
  .object({
    entries: z.array(AuditEntryBody),
    matched: z.number().int(),
    nextBeforeSeq: z.number().int().nullable().openapi({ description: 'pass as `before` for the next, older page; null on the last page' }),
    facets: z.object({ actions: z.array(z.string()), users: z.array(z.string()), cases: z.array(z.string()) }),
  })
  .openapi('AuditPage');

const ChainStatusBody = z
  .object({
    intact: z.boolean(),
    entries: z.number().int(),
    checkpoints: z.number().int(),
    latestCheckpoint: z.object({ seq: z.number().int(), at: z.string(), keyId: z.string() }).nullable(),
    problems: z.array(z.object({ seq: z.number().int(), kind: z.string(), message: z.string() })),
  })
  .openapi('AuditChainStatus');

const row = z.record(z.string(), z.unknown());
const DpoReportBody = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    generatedAt: z.string(),
    queries: z.array(z.object({ userId: z.string(), agency: z.string(), purpose: z.string(), caseId: z.string().nullable(), queries: z.number(), subjects: z.number() })),
    unusualAccess: z.array(z.object({ userId: z.string(), agency: z.string(), subjects: z.number(), peerMedian: z.number(), robustZ: z.number(), peers: z.number() })),
    refusals: z.array(z.object({ userId: z.string(), agency: z.string(), kind: z.string(), action: z.string(), count: z.number(), lastReason: z.string(), last: z.string() })),
    outsideCases: z.array(z.object({ seq: z.number(), at: z.string(), userId: z.string(), caseId: z.string().nullable(), reason: z.string() })),
    bulkExportAttempts: z.array(z.object({ seq: z.number(), at: z.string(), userId: z.string(), action: z.string(), reason: z.string() })),
    expiredReviews: z.array(z.object({ entityId: z.string(), ruleId: z.string(), dueSince: z.string(), overdue: z.boolean() })),
    pastRetention: z.object({ rules: z.array(row), held: z.array(row), skipped: z.array(row), depersonalisePending: z.number(), deletePending: z.number() }),
    disclosures: z.array(z.object({ recipient: z.string(), country: z.string(), crossBorder: z.boolean(), disclosures: z.number(), subjects: z.number(), last: z.string() })),
    auditChain: z.object({ entries: z.number(), problems: z.array(z.object({ seq: z.number(), kind: z.string(), message: z.string() })), latestCheckpoint: row.nullable() }),
    limits: z.object({ subjectsPerDay: z.number(), exportSubjectsPerDay: z.number(), exportsPerDay: z.number() }),
    limitsConfigured: z.boolean(),
  })
  .openapi('DpoReport');

/**
 * Oversight routes answer in an oversight context (a purpose and no case, DPO and auditors) as well
 * as in a case: governance authorises them by role and purpose (`authoriseOversight`), never by case.
 * The OpenAPI extension says so to clients and to the hardening test.
 */
const OVERSIGHT_ROUTE = { 'x-tessera-context': 'oversight' } as const;

/** Plain JSON of a service result (readonly arrays, undefined fields) for the response. */
const plain = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The audit viewer and the DPO report (LED Art. 25, 34). Governance decides: the viewer needs the
 * DPO or auditor role and a meaningful purpose, the report the DPO role; every look is itself logged.
 */
export function auditRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/entries',
      tags: ['oversight'],
      ...OVERSIGHT_ROUTE,
      summary: 'Audit viewer (DPO, auditor): the log newest first, filtered by user, agency, purpose, case, action (method), entity, recipient, outcome and time',
      request: {
        query: z.object({
          user: text(64, 'user id'),
          agency: text(32, 'agency id'),
          purpose: text(200, 'words of the stated purpose (case-insensitive)'),
          case: text(64, 'case id'),
          action: text(100, 'action (method), exact or a prefix ending in * — e.g. entity.*, export.*, refused.*'),
          entity: text(200, 'entries naming this entity'),
          recipient: text(32, 'disclosures to this agency or country'),
          outcome: z.enum(AUDIT_OUTCOMES).optional(),
          from: when('from this date or date-time'),
          to: when('up to this date (whole day) or date-time'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.coerce.number().int().min(1).optional().openapi({ description: 'older page: entries before this sequence number' }),
        }),
      },
      responses: { 200: { description: 'One page of entries', content: { 'application/json': { schema: AuditPageBody } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const page = await browseAudit(
        gov,
        workContext(c),
        {
          limit: q.limit,
          ...(q.user ? { userId: q.user } : {}),
          ...(q.agency ? { agency: q.agency } : {}),
          ...(q.purpose ? { purpose: q.purpose } : {}),
          ...(q.case ? { caseId: q.case } : {}),
          ...(q.action ? { action: q.action } : {}),
          ...(q.entity ? { entityId: q.entity } : {}),
          ...(q.recipient ? { recipient: q.recipient } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.from ? { from: q.from } : {}),
          ...(q.to ? { to: q.to } : {}),
        },
        q.before !== undefined ? { beforeSeq: q.before } : {},
      );
      return c.json(plain<z.infer<typeof AuditPageBody>>({ ...page, nextBeforeSeq: page.nextBeforeSeq ?? null }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit/chain',
      tags: ['oversight'],
      ...OVERSIGHT_ROUTE,
      summary: 'Audit chain state (DPO, auditor): hash chain and signed checkpoints verified, problems named by entry',
      responses: { 200: { description: 'Chain state', content: { 'application/json': { schema: ChainStatusBody } } }, ...errorResponses },
    }),
    async (c) => {
      const s = await auditChainStatus(gov, workContext(c));
      return c.json(plain<z.infer<typeof ChainStatusBody>>({ ...s, latestCheckpoint: s.latestCheckpoint ?? null }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/dpo/report',
      tags: ['oversight'],
      ...OVERSIGHT_ROUTE,
      summary: 'DPO report (DPO only): queries per user and purpose, unusual access, refusals, reviews, retention, disclosures per partner, chain state',
      request: { query: z.object({ from: when('window start (default 30 days ago)'), to: when('window end (default now)') }) },
      responses: { 200: { description: 'The report', content: { 'application/json': { schema: DpoReportBody } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await dpoReport(gov, workContext(c), { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), alerts: recordAlertLookup(gov.store) });
      return c.json(plain<z.infer<typeof DpoReportBody>>({ ...r, auditChain: { ...r.auditChain, latestCheckpoint: r.auditChain.latestCheckpoint ?? null } }), 200);
    },
  );

  return app;
}
