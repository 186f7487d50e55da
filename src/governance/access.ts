import { classificationRank, type Statement } from '../model/index.js';
import type { Role } from './principals.js';

/** Who is asking, resolved from a QueryContext: the facts access decisions need. */
export interface Principal {
  readonly userId: string;
  readonly agency: string;
  readonly country: string;
  readonly roles: readonly Role[];
  readonly clearance: string;
  /** Cases the user is a member of. */
  readonly cases: readonly string[];
}

/** What the read rule looks at: a whole statement, or a scan's statement core. */
export type AccessFields = Pick<Statement, 'classification' | 'handling' | 'caseIds'> & { readonly source: Pick<Statement['source'], 'agency'> };

/** Why a statement is withheld from a principal (reported as counts in dossiers, never the content). */
export type WithheldReason = 'classification' | 'releasability' | 'case-compartment';

/**
 * The read rule, applied to every statement on every path (read, search hit, graph, export,
 * federation):
 * 1. clearance: the statement's classification must not exceed the principal's clearance;
 * 2. handling: the originator always sees its own; others only if `releasableTo` names their agency,
 *    their country, or `*`;
 * 3. need-to-know: a statement tied to cases is visible only to members of one of those cases
 *    (statements with no case are visible agency-wide, subject to 1 and 2).
 * Returns undefined when readable, else the first reason it is not.
 */
export function withheldReason(p: Principal, s: AccessFields, levels: readonly string[]): WithheldReason | undefined {
  if (classificationRank(s.classification, levels) > classificationRank(p.clearance, levels)) return 'classification';
  const own = s.source.agency === p.agency;
  if (!own) {
    const rel = s.handling.releasableTo;
    if (!rel.includes('*') && !rel.includes(p.agency) && !rel.includes(p.country)) return 'releasability';
  }
  if (s.caseIds.length > 0 && !s.caseIds.some((c) => p.cases.includes(c))) {
    // Case compartments bind the originating agency's own staff; partners receive what is released to them.
    if (own) return 'case-compartment';
  }
  return undefined;
}

/** True when the principal may read the statement. */
export function canRead(p: Principal, s: AccessFields, levels: readonly string[]): boolean {
  return withheldReason(p, s, levels) === undefined;
}

/** Splits statements into what the principal may read and counts of what is withheld, by reason. */
export function partitionReadable<T extends AccessFields>(
  p: Principal,
  statements: readonly T[],
  levels: readonly string[],
): { readable: T[]; withheld: Record<WithheldReason, number> } {
  const readable: T[] = [];
  const withheld: Record<WithheldReason, number> = { classification: 0, releasability: 0, 'case-compartment': 0 };
  for (const s of statements) {
    const why = withheldReason(p, s, levels);
    if (why) withheld[why]++;
    else readable.push(s);
  }
  return { readable, withheld };
}
