import { classificationRank, invalid, TesseraError, type Statement } from '../model/index.js';
import { partitionReadable } from './access.js';
import type { QueryContext } from './context.js';
import type { Governance } from './service.js';

/**
 * The recipients of a disclosure as the rule needs them: each a known agency (its country from the
 * agency register), all cleared up to `clearance` (default: the lowest level — what the discloser
 * cannot vouch for is not sent). Unknown agencies or levels are refused naming the field.
 */
export async function disclosureRecipients(gov: Governance, agencies: readonly string[], clearance?: string): Promise<DisclosureRecipient[]> {
  const level = clearance ?? gov.levels[0]!;
  if (!gov.levels.includes(level)) throw invalid(`unknown classification level "${level}" (levels: ${gov.levels.join(', ')})`, undefined, 'clearance');
  const out: DisclosureRecipient[] = [];
  for (const id of new Set(agencies)) {
    const a = await gov.agency(id);
    if (!a) throw invalid(`unknown recipient agency ${id}`, undefined, 'recipients');
    out.push({ agency: a.id, country: a.country, clearance: level });
  }
  return out;
}

/**
 * Governed export: the statements of some entities that the caller may read, for a case whose legal
 * basis allows `export`, optionally disclosed to partners. Each export is one audit entry with its
 * recipients and the clearance they were given (LED Art. 25: disclosures logged with recipients) and
 * counts toward the per-user daily export limits (limits.ts) — bulk extraction is refused and shows
 * in the DPO report. With recipients, a statement goes only if the disclosure rule
 * (`disclosureWithheldReason`, the same rule as dossiers and federation releases) lets it go to
 * every one of them; the rest are counted per reason.
 */
export async function exportEntities(
  gov: Governance,
  ctx: QueryContext,
  entityIds: readonly string[],
  options: { recipients?: readonly string[]; clearance?: string } = {},
): Promise<{ statements: Statement[]; withheldForRecipients: number; withheld: Record<DisclosureWithheldReason, number> }> {
  if (entityIds.length === 0) throw new TesseraError('VALIDATION', 'name at least one entity to export', { field: 'entityIds' });
  const principal = await gov.authorise(ctx, 'export');
  const recipients = await disclosureRecipients(gov, options.recipients ?? [], options.clearance);
  const { readable } = partitionReadable(principal, await gov.store.statementsOfMany(entityIds), gov.levels);
  const withheld = noneWithheld();
  const statements: Statement[] = [];
  for (const s of readable) {
    const why = recipients.length ? disclosureWithheldForAll(s, principal.agency, recipients, gov.levels) : undefined;
    if (why) withheld[why]++;
    else statements.push(s);
  }
  const exported = [...new Set(statements.map((s) => s.entityId))];
  const withheldForRecipients = readable.length - statements.length;
  await gov.audit(ctx, principal, 'export.entities', 'allowed', exported, {
    requested: entityIds.length,
    statements: statements.length,
    ...(recipients.length ? { recipients: recipients.map((r) => r.agency), clearance: recipients[0]!.clearance, withheld: { ...withheld } } : {}),
    withheldForRecipients,
  });
  return { statements, withheldForRecipients, withheld };
}

/** Why a statement is left out of a disclosure to a recipient (counted in the dossier, never shown). */
export const DISCLOSURE_WITHHELD_REASONS = ['classification', 'releasability', 'H2', 'H3'] as const;
export type DisclosureWithheldReason = (typeof DISCLOSURE_WITHHELD_REASONS)[number];
/** The reasons that come from handling markings alone (everything but classification). */
export type HandlingWithheldReason = Exclude<DisclosureWithheldReason, 'classification'>;

/** A party a statement may be disclosed to: an agency and its country (releasable-to lists name either). */
export interface DisclosureParty {
  readonly agency: string;
  readonly country: string;
}

/** Who a disclosure goes to: a partner agency, its country, and the highest level it may receive. */
export interface DisclosureRecipient extends DisclosureParty {
  /** Highest classification the recipient is cleared to receive. */
  readonly clearance: string;
}

/** The parts of a statement the handling half of the rule reads (federation's copies carry only these). */
export interface HandlingMarked {
  readonly source: { readonly agency: string };
  readonly handling: { readonly codes: readonly string[]; readonly releasableTo: readonly string[] };
}

export interface DisclosureOptions {
  /**
   * The discloser is the originator of a statement and explicitly consents to this disclosure of it
   * (an audited decision of a person, e.g. a federation release "with grant"). It lifts the
   * releasable-to marking and H3 conditions of the discloser's OWN statements only; nobody consents
   * on another agency's behalf, and classification is never lifted.
   */
  readonly originatorGrant?: boolean;
}

/** True when a releasable-to list names the party: its agency, its country, or every partner (`*`). */
export function releasableToParty(releasableTo: readonly string[], party: DisclosureParty): boolean {
  return releasableTo.includes('*') || releasableTo.includes(party.agency) || releasableTo.includes(party.country);
}

/**
 * THE disclosure rule (one rule for every path a statement leaves this agency by: CLI/API export,
 * redacted dossiers, federation releases, values in rectification notices). May the discloser's
 * agency pass this statement to the recipient? The markings are followed mechanically:
 * 1. classification: not above the recipient's clearance (see `disclosureWithheldReason`);
 * 2. the originator always gets its own statements back (subject to 1);
 * 3. H2 (no dissemination beyond the receiving agency without the originator's consent): a partner's
 *    H2 statement is never passed on, whatever its releasable-to list says; the originator's own H2
 *    marks what the recipient may do;
 * 4. releasable-to must name the recipient agency, its country or `*` — for the discloser's own
 *    statements too: the marking is the originator's decision, and only an explicit, audited
 *    consent of the originator (`originatorGrant`) lifts it;
 * 5. H3 (other restrictions, in free text): conditions a machine cannot check, so withheld until the
 *    originator consents (for a partner's statement: outside the tool; for one's own: `originatorGrant`).
 * H1 (not for evidential use) does not stop a disclosure; it travels with the value as a caveat.
 * This is the handling half (2–5), for callers that have no clearance for the recipient (federation
 * partners); `disclosureWithheldReason` adds 1. Returns undefined when the statement may go, else the
 * first reason it may not.
 */
export function handlingWithheldReason(s: HandlingMarked, disclosingAgency: string, recipient: DisclosureParty, options: DisclosureOptions = {}): HandlingWithheldReason | undefined {
  const originator = s.source.agency;
  if (originator === recipient.agency) return undefined;
  const own = originator === disclosingAgency;
  const consent = own && options.originatorGrant === true;
  if (!own && s.handling.codes.includes('H2')) return 'H2';
  if (!consent && !releasableToParty(s.handling.releasableTo, recipient)) return 'releasability';
  if (!consent && s.handling.codes.includes('H3')) return 'H3';
  return undefined;
}

/**
 * The whole disclosure rule: classification above the recipient's clearance first (an unknown level
 * ranks above every clearance: deny by default), then `handlingWithheldReason`.
 */
export function disclosureWithheldReason(
  s: HandlingMarked & { readonly classification: string },
  disclosingAgency: string,
  recipient: DisclosureRecipient,
  levels: readonly string[],
  options: DisclosureOptions = {},
): DisclosureWithheldReason | undefined {
  if (classificationRank(s.classification, levels) > classificationRank(recipient.clearance, levels)) return 'classification';
  return handlingWithheldReason(s, disclosingAgency, recipient, options);
}

/** The first reason a statement may not go to one of several recipients (it goes only if every one may receive it). */
export function disclosureWithheldForAll(
  s: HandlingMarked & { readonly classification: string },
  disclosingAgency: string,
  recipients: readonly DisclosureRecipient[],
  levels: readonly string[],
  options: DisclosureOptions = {},
): DisclosureWithheldReason | undefined {
  for (const r of recipients) {
    const why = disclosureWithheldReason(s, disclosingAgency, r, levels, options);
    if (why) return why;
  }
  return undefined;
}

/** Counts per reason, all zero. */
export function noneWithheld(): Record<DisclosureWithheldReason, number> {
  return { classification: 0, releasability: 0, H2: 0, H3: 0 };
}

/** Splits statements into what may be disclosed to the recipient and counts of the rest, by reason. */
export function redactForRecipient(
  statements: readonly Statement[],
  disclosingAgency: string,
  recipient: DisclosureRecipient,
  levels: readonly string[],
  options: DisclosureOptions = {},
): { released: Statement[]; withheld: Record<DisclosureWithheldReason, number> } {
  const released: Statement[] = [];
  const withheld = noneWithheld();
  for (const s of statements) {
    const why = disclosureWithheldReason(s, disclosingAgency, recipient, levels, options);
    if (why) withheld[why]++;
    else released.push(s);
  }
  return { released, withheld };
}
