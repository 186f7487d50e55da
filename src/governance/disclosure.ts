import { classificationRank, TesseraError, type Statement } from '../model/index.js';
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

/** Why a statement is left out of a disclosure to a recipient (counted in the dossier, never shown). */
export const DISCLOSURE_WITHHELD_REASONS = ['classification', 'releasability', 'H2', 'H3'] as const;
export type DisclosureWithheldReason = (typeof DISCLOSURE_WITHHELD_REASONS)[number];

/** Who a disclosure goes to: a partner agency, its country, and the highest level it may receive. */
export interface DisclosureRecipient {
  readonly agency: string;
  readonly country: string;
  /** Highest classification the recipient is cleared to receive. */
  readonly clearance: string;
}

/**
 * The disclosure rule of a redacted dossier: may the discloser's agency pass this statement to the
 * recipient? The rule follows the markings mechanically — nobody overrides them in the tool:
 * 1. classification: not above the recipient's clearance;
 * 2. the originator always gets its own statements back (subject to 1);
 * 3. releasable-to must name the recipient agency, its country or `*` — for the discloser's own
 *    statements too: the marking is the originator's decision;
 * 4. H2 (no dissemination beyond the receiving agency without the originator's consent): a partner's
 *    H2 statement is never passed on; the originator's own H2 marks what the recipient may do;
 * 5. H3 (other restrictions, in free text): conditions a machine cannot check, so withheld until a
 *    person obtains consent.
 * H1 (not for evidential use) does not stop a disclosure; dossiers carry the caveat with the value.
 * Returns undefined when the statement may be disclosed, else the first reason it may not.
 */
export function disclosureWithheldReason(s: Statement, disclosingAgency: string, recipient: DisclosureRecipient, levels: readonly string[]): DisclosureWithheldReason | undefined {
  if (classificationRank(s.classification, levels) > classificationRank(recipient.clearance, levels)) return 'classification';
  if (s.source.agency === recipient.agency) return undefined;
  const rel: readonly string[] = s.handling.releasableTo;
  if (!rel.includes('*') && !rel.includes(recipient.agency) && !rel.includes(recipient.country)) return 'releasability';
  if (s.handling.codes.includes('H2') && s.source.agency !== disclosingAgency) return 'H2';
  if (s.handling.codes.includes('H3')) return 'H3';
  return undefined;
}

/** Splits statements into what may be disclosed to the recipient and counts of the rest, by reason. */
export function redactForRecipient(
  statements: readonly Statement[],
  disclosingAgency: string,
  recipient: DisclosureRecipient,
  levels: readonly string[],
): { released: Statement[]; withheld: Record<DisclosureWithheldReason, number> } {
  const released: Statement[] = [];
  const withheld: Record<DisclosureWithheldReason, number> = { classification: 0, releasability: 0, H2: 0, H3: 0 };
  for (const s of statements) {
    const why = disclosureWithheldReason(s, disclosingAgency, recipient, levels);
    if (why) withheld[why]++;
    else released.push(s);
  }
  return { released, withheld };
}
