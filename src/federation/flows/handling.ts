import { handlingWithheldReason, releasableToParty, type HandlingWithheldReason } from '../../governance/index.js';
import type { Statement } from '../../model/index.js';

/**
 * Handling codes across agencies (DESIGN.md, "Handling codes"): the originator marks a statement,
 * and every node it reaches enforces the marking — the holder before it releases, and the receiver
 * again before it stores (defence in depth: a receiver does not trust a sender to have checked).
 *
 *   H1  not for use as evidence without the originator's consent — travels with the statement;
 *   H2  no dissemination beyond the receiving agency without the originator's consent — a foreign
 *       H2 statement is never passed on to a third agency;
 *   H3  other restrictions, stated in `conditions` — released only with the originator's consent (the
 *       holder's own: an explicit grant; a partner's: never passed on), then they travel with it;
 *   releasableTo  agencies (FR-CT), countries (FR) or `*` that may receive it besides the originator.
 *
 * Releasing is a disclosure, so the holder's check IS governance's disclosure rule
 * (`handlingWithheldReason`, the same rule as exports and dossiers); only the receiver's check is
 * federation's own. Everything here is pure: the flows call it, the property test drives it directly.
 */

/** An agency as the handling rules see it. */
export interface Party {
  readonly agency: string;
  /** ISO 3166 alpha-2 of the agency (releasable-to lists may name countries). */
  readonly country: string;
}

/** The party of an agency id: its country is the id's prefix (FR-CT → FR), as in agency ids. */
export function partyOf(agency: string, country?: string): Party {
  return { agency, country: country ?? agency.slice(0, 2) };
}

/** The part of a statement the rules read. */
export interface Marked {
  readonly source: { readonly agency: string };
  readonly handling: { readonly codes: readonly string[]; readonly releasableTo: readonly string[]; readonly conditions?: string | undefined };
}

/** True when a releasable-to list names the party: its agency, its country, or every partner (`*`). */
export function admits(releasableTo: readonly string[], party: Party): boolean {
  return releasableToParty(releasableTo, party);
}

/** Why a statement may not go (or be taken) somewhere. */
export type HandlingRefusal =
  /** Its releasable-to list does not name the recipient. */
  | 'not-releasable'
  /** H2 and not the originator's: passing it on needs the originator's consent. */
  | 'h2-no-further-dissemination'
  /** H3 conditions: released only with the originator's consent (the holder's own: an explicit grant). */
  | 'h3-conditions';

export type Verdict<T> = { readonly ok: true; readonly statement: T } | { readonly ok: false; readonly reason: HandlingRefusal; readonly message: string };

export interface ReleaseOptions {
  /** The agency releasing (the holder). */
  readonly holder: Party;
  /** The agency asking (the recipient). */
  readonly requester: Party;
  /**
   * The holder, as originator, releases its own statement to the requester although its
   * releasable-to list does not name it: the copy sent names the requester (an explicit, audited
   * decision of the originator — it has no effect on other agencies' statements).
   */
  readonly grant?: boolean;
}

/**
 * May the holder release this statement to the requester? Governance's disclosure rule decides
 * (`handlingWithheldReason`): the originator gets its own back; the holder's own statements go within
 * their releasable-to list, and H3 ones only by an explicit grant (the originator's consent), which
 * also lets an own statement go beyond its list; a statement received from another agency goes on
 * only if it is not H2 or H3 and its releasable-to list names the requester. Returns the statement
 * to send (the same one, or — when a grant widened the list — a copy naming the requester).
 * Classification is not part of this check: partners' clearances are not recorded in federation.
 */
export function releaseVerdict<T extends Marked>(statement: T, options: ReleaseOptions): Verdict<T> {
  const { holder, requester } = options;
  const originator = statement.source.agency;
  const rel = statement.handling.releasableTo;
  const why = handlingWithheldReason(statement, holder.agency, requester, { originatorGrant: options.grant === true });
  if (why) return { ok: false, reason: REFUSAL[why], message: refusalMessage(why, statement, options) };
  if (originator === holder.agency && originator !== requester.agency && !admits(rel, requester)) {
    return { ok: true, statement: { ...statement, handling: { ...statement.handling, releasableTo: [...rel, requester.agency] } } };
  }
  return { ok: true, statement };
}

const REFUSAL: Record<HandlingWithheldReason, HandlingRefusal> = { releasability: 'not-releasable', H2: 'h2-no-further-dissemination', H3: 'h3-conditions' };

function refusalMessage(why: HandlingWithheldReason, statement: Marked, { holder, requester }: ReleaseOptions): string {
  const originator = statement.source.agency;
  const rel = statement.handling.releasableTo;
  const own = originator === holder.agency;
  switch (why) {
    case 'releasability':
      return own
        ? `marked releasable to ${describeReleasable(rel)}; as its originator ${holder.agency} may grant ${requester.agency} explicitly`
        : `${originator} marked it releasable to ${describeReleasable(rel)}, not ${requester.agency}`;
    case 'H2':
      return `H2: received from ${originator}; passing it on to ${requester.agency} needs ${originator}'s consent`;
    case 'H3':
      return own
        ? `H3: its conditions${statement.handling.conditions ? ` ("${statement.handling.conditions}")` : ''} need the originator's consent; as its originator ${holder.agency} may grant ${requester.agency} explicitly`
        : `H3: conditions set by ${originator}; passing it on to ${requester.agency} needs ${originator}'s consent`;
  }
}

export interface ReceiptOptions {
  /** This node. */
  readonly self: Party;
  /** The agency the statement came from (the envelope's authenticated sender). */
  readonly sender: Party;
}

/**
 * May this node keep a statement a partner sent it? Checked by the receiver whatever the sender
 * did: the originator's releasable-to list must name this node, and a statement that is not the
 * sender's own (it was forwarded) must not be H2. Refused statements are not stored.
 */
export function receiptVerdict<T extends Marked>(statement: T, options: ReceiptOptions): Verdict<T> {
  const { self, sender } = options;
  const originator = statement.source.agency;
  if (originator === self.agency) return { ok: true, statement }; // our own statement, returned
  if (originator !== sender.agency && statement.handling.codes.includes('H2')) {
    return { ok: false, reason: 'h2-no-further-dissemination', message: `H2 statement of ${originator} forwarded by ${sender.agency} without ${originator}'s consent` };
  }
  if (!admits(statement.handling.releasableTo, self)) {
    return { ok: false, reason: 'not-releasable', message: `${originator} marked it releasable to ${describeReleasable(statement.handling.releasableTo)}, not ${self.agency}` };
  }
  return { ok: true, statement };
}

/** Splits statements into those that pass a verdict and those refused, with the reasons. */
export function partitionByVerdict<T extends Pick<Statement, 'id'> & Marked>(
  statements: readonly T[],
  verdict: (s: T) => Verdict<T>,
): { passed: T[]; refused: { statementId: string; reason: HandlingRefusal; message: string }[] } {
  const passed: T[] = [];
  const refused: { statementId: string; reason: HandlingRefusal; message: string }[] = [];
  for (const s of statements) {
    const v = verdict(s);
    if (v.ok) passed.push(v.statement);
    else refused.push({ statementId: s.id, reason: v.reason, message: v.message });
  }
  return { passed, refused };
}

function describeReleasable(rel: readonly string[]): string {
  if (rel.length === 0) return 'its originator only';
  if (rel.includes('*')) return 'every partner';
  return rel.join(', ');
}
