import { createRoute, z } from '@hono/zod-openapi';
import { prepareDossier, withheldTotal } from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import { workContext, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody } from '../schemas.js';
import { dossierMarking, exportFileName, renderDossierHtml } from '../services/dossier-html.js';
import { assertChromium, printPdf } from '../services/dossier-pdf.js';

const DossierExport = z
  .object({
    subject: z.string().max(200).optional().openapi({ description: 'entity id of the subject (a subject dossier)', example: 'fr-ct:p1' }),
    caseId: z.string().max(64).optional().openapi({ description: 'the session’s case (a case dossier)' }),
    recipient: z.string().max(32).openapi({ description: 'recipient agency id', example: 'BE-CT' }),
    clearance: z.string().max(32).optional().openapi({ description: 'highest classification the recipient may receive (default: the lowest level)' }),
    format: z.enum(['html', 'pdf']).default('pdf'),
    name: z.string().max(200).optional().openapi({ description: 'file name to suggest; reduced to letters, digits, - and _' }),
  })
  .strict()
  .openapi('DossierExport');

/** Redacted dossiers for a recipient agency, downloaded as HTML or PDF. */
export function dossierRoutes({ gov, config }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/dossiers',
      tags: ['dossiers'],
      summary: 'Export a subject or case dossier redacted for a recipient agency (a disclosure: audited with the recipient)',
      description:
        'Statements the recipient may not receive (classification above its clearance, not releasable to it, a partner’s H2, H3 conditions) are left out and counted per reason in the document and in the X-Tessera-Withheld header (JSON). X-Tessera-Disclosure is the audit entry of the disclosure.',
      request: { body: { required: true, content: { 'application/json': { schema: DossierExport } } } },
      responses: {
        200: {
          description: 'The dossier as a download (Content-Disposition: attachment)',
          content: { 'text/html': { schema: z.string() }, 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errorResponses,
        404: { description: 'No such subject', content: { 'application/json': { schema: ErrorBody } } },
        429: { description: 'Daily export limit reached', content: { 'application/json': { schema: ErrorBody } } },
        500: { description: 'Chromium is not installed (PDF only): the message says how to install it', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      // Check the printer before anything is disclosed: a missing Chromium must not leave a logged disclosure behind.
      if (body.format === 'pdf') assertChromium(config.chromiumPath);
      const ctx = workContext(c);
      const dossier = await prepareDossier(
        gov,
        ctx,
        { recipient: body.recipient, ...(body.subject !== undefined ? { subject: body.subject } : {}), ...(body.caseId !== undefined ? { caseId: body.caseId } : {}), ...(body.clearance !== undefined ? { clearance: body.clearance } : {}) },
        { format: body.format },
      );
      const html = renderDossierHtml(dossier);
      const fallback = `dossier-${dossier.subjectId ?? dossier.case.id}-for-${dossier.recipient.agency}-${dossier.generatedAt.slice(0, 10)}`;
      const fileName = exportFileName(body.name, fallback, body.format);
      const headers = {
        'content-disposition': `attachment; filename="${fileName}"`,
        'x-tessera-withheld': JSON.stringify({ ...dossier.withheld, total: withheldTotal(dossier.withheld) }),
        'x-tessera-released': String(dossier.released),
        'x-tessera-disclosure': String(dossier.auditSeq),
      };
      if (body.format === 'html') return c.body(html, 200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
      let pdf: Buffer;
      try {
        pdf = await printPdf(html, { chromiumPath: config.chromiumPath, marking: dossierMarking(dossier) });
      } catch (e) {
        // The disclosure was logged but nothing left the server: record that it failed.
        await gov.audit(ctx, await gov.principalOf(ctx.userId), 'export.dossier.failed', 'error', [], { disclosure: dossier.auditSeq, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) });
        throw e instanceof TesseraError ? e : new TesseraError('INTERNAL', 'printing the PDF failed; the HTML format is available', { cause: e });
      }
      return c.body(new Uint8Array(pdf), 200, { ...headers, 'content-type': 'application/pdf' });
    },
  );

  return app;
}
