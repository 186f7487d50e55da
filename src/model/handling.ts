import { z } from 'zod';
import { invalid } from './errors.js';

/**
 * Handling codes set by the originating agency and enforced everywhere (read, search, graph,
 * export, federation):
 *   H1 — not for use as evidence in judicial proceedings without the originator's consent;
 *   H2 — no dissemination beyond the receiving agency without the originator's consent;
 *   H3 — other restrictions, stated in `conditions`.
 * `releasableTo` lists agencies (FR-CT) or countries (FR) that may see the statement besides the
 * originator; `*` means every partner. Empty means originator only.
 */
export const HANDLING_CODES = ['H1', 'H2', 'H3'] as const;
export const HandlingCode = z.enum(HANDLING_CODES);
export type HandlingCode = z.infer<typeof HandlingCode>;

export const Releasable = z.string().regex(/^(\*|[A-Z]{2}|[A-Z]{2}-[A-Z0-9]{2,12})$/, 'releasable-to entries are *, a country (FR) or an agency (FR-CT)');

export const Handling = z
  .object({
    codes: z.array(HandlingCode).max(3).default([]),
    conditions: z.string().max(2000).optional(),
    releasableTo: z.array(Releasable).max(200).default([]),
  })
  .superRefine((h, ctx) => {
    if (h.codes.includes('H3') && !h.conditions?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'H3 requires the conditions to be stated' });
    }
    if (new Set(h.codes).size !== h.codes.length) ctx.addIssue({ code: 'custom', path: ['codes'], message: 'duplicate handling code' });
  });
export type Handling = z.infer<typeof Handling>;

/** Parses `H2`, `H1+H2`, `H3:conditions` and a releasable list into a Handling. */
export function parseHandling(codes: string, releasableTo: readonly string[] = []): Handling {
  const [codePart, ...cond] = codes.split(':');
  const list = (codePart ?? '')
    .split(/[+,\s]+/)
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c.length > 0 && c !== 'NONE' && c !== 'H0');
  const parsed = Handling.safeParse({ codes: list, ...(cond.length ? { conditions: cond.join(':') } : {}), releasableTo: [...releasableTo] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const detail = issue.path[0] === 'codes' ? `"${codes}" is not a handling code (use H1, H2, H3, combined with +, e.g. H1+H2 or "H3:conditions")` : issue.message;
    throw invalid(detail, undefined, `handling.${issue.path.map(String).join('.')}`);
  }
  return parsed.data;
}

/** Classification levels, lowest first. Agencies may configure their own ordered list. */
export const DEFAULT_CLASSIFICATIONS = ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'] as const;
export const Classification = z.string().regex(/^[A-Z][A-Z_ ]{1,31}$/, 'classification level in capitals, e.g. RESTRICTED');
export type Classification = z.infer<typeof Classification>;

/** Rank of a level in an ordered list; unknown levels rank above all (deny by default). */
export function classificationRank(level: string, levels: readonly string[] = DEFAULT_CLASSIFICATIONS): number {
  const i = levels.indexOf(level);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
}

/** Data subject categories, Law Enforcement Directive (EU) 2016/680 Art. 6. */
export const SUBJECT_CATEGORIES = ['suspect', 'convicted', 'victim', 'witness', 'contact', 'informant', 'other'] as const;
export const SubjectCategory = z.enum(SUBJECT_CATEGORIES);
export type SubjectCategory = z.infer<typeof SubjectCategory>;

/** What kind of claim a statement is (LED Art. 7(1): facts distinguished from assessments). */
export const NATURES = ['fact', 'assessment', 'extracted', 'inferred'] as const;
export const Nature = z.enum(NATURES);
export type Nature = z.infer<typeof Nature>;
