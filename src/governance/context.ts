import { z } from 'zod';

/**
 * Every service call carries a QueryContext: who asks, why, and for which case. A read without a
 * meaningful purpose or without a case the user belongs to is refused (LED Art. 4(1)(b): purpose
 * limitation; Art. 25: the justification is logged).
 */
export const QueryContext = z.object({
  userId: z.string().min(1),
  purpose: z.string(),
  caseId: z.string().nullable(),
});
export type QueryContext = z.infer<typeof QueryContext>;

const MEANINGLESS = new Set(['test', 'testing', 'x', 'xx', 'xxx', 'asdf', 'qwerty', 'n/a', 'na', 'none', 'no', 'nothing', 'check', 'query', 'search', 'look', 'lookup', 'purpose', 'work', 'todo', 'tbd', 'foo', 'bar', 'abc', 'misc', 'other', 'just checking', 'curiosity', 'because']);

/**
 * Why a purpose is not acceptable, or undefined when it is. A purpose must say what it is for:
 * at least 12 characters and 2 words, not a placeholder, not a keyboard run.
 */
export function purposeProblem(purpose: string): string | undefined {
  const p = purpose.normalize('NFKC').trim();
  if (p.length === 0) return 'a purpose is required for every query';
  const lower = p.toLowerCase();
  if (MEANINGLESS.has(lower) || MEANINGLESS.has(lower.replace(/[^a-z/ ]/g, ''))) return `"${p}" is not a purpose: say what the query is for (e.g. "Verify links of subject X in operation ATLAS")`;
  const words = lower.match(/\p{L}{2,}/gu) ?? [];
  if (p.length < 12 || words.length < 2) return `purpose "${p}" is too short: state what the query is for in a few words`;
  if (new Set(lower.replace(/\s/g, '')).size <= 3) return `purpose "${p}" is not meaningful`;
  return undefined;
}
