import { TesseraError, type Statement } from '../model/index.js';
import { partitionReadable } from './access.js';
import type { QueryContext } from './context.js';
import type { Governance } from './service.js';

/**
 * Governed export: the statements of some entities that the caller may read, for a case whose legal
 * basis allows `export`, optionally disclosed to partners. Each export is one audit entry with its
 * recipients (LED Art. 25: disclosures logged with recipients) and counts toward the per-user daily
 * export limits (limits.ts) — bulk extraction is refused and shows in the DPO report.
 * Statements are disclosed to a recipient only if their handling allows it: the originator's own, or
 * released to the recipient (agency, country or `*`) and not H2 when they came from another agency.
 */
export async function exportEntities(gov: Governance, ctx: QueryContext, entityIds: readonly string[], options: { recipients?: readonly string[] } = {}): Promise<{ statements: Statement[]; withheldForRecipients: number }> {
  if (entityIds.length === 0) throw new TesseraError('VALIDATION', 'name at least one entity to export', { field: 'entityIds' });
  const principal = await gov.authorise(ctx, 'export');
  const recipients = [...new Set(options.recipients ?? [])];
  const { readable } = partitionReadable(principal, await gov.store.statementsOfMany(entityIds), gov.levels);
  const countryOf = new Map<string, string>((await gov.agencies()).map((a) => [a.id, a.country]));
  const releasable = (s: Statement, to: string) => {
    if (s.source.agency === principal.agency) return true; // the originator decides on its own data
    if (s.handling.codes.includes('H2')) return false; // H2: no further dissemination without consent
    const rel: readonly string[] = s.handling.releasableTo;
    return rel.includes('*') || rel.includes(to) || rel.includes(countryOf.get(to) ?? to);
  };
  const statements = recipients.length ? readable.filter((s) => recipients.every((r) => releasable(s, r))) : readable;
  const exported = [...new Set(statements.map((s) => s.entityId))];
  await gov.audit(ctx, principal, 'export.entities', 'allowed', exported, {
    requested: entityIds.length,
    statements: statements.length,
    ...(recipients.length ? { recipients } : {}),
    withheldForRecipients: readable.length - statements.length,
  });
  return { statements, withheldForRecipients: readable.length - statements.length };
}
