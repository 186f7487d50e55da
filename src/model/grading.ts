import { z } from 'zod';

/**
 * Source and information grading.
 *
 * EU 4x4 (Europol/SIENA, Council Framework Decision 2006/960 practice):
 *   source:      A no doubt · B mostly reliable · C not reliable · X cannot be judged
 *   information: 1 known to be true without reservation · 2 known personally to the source ·
 *                3 not known personally to the source but corroborated · 4 cannot be judged
 * Admiralty 6x6 (NATO AJP-2.1):
 *   source:      A completely reliable · B usually reliable · C fairly reliable ·
 *                D not usually reliable · E unreliable · F cannot be judged
 *   information: 1 confirmed · 2 probably true · 3 possibly true · 4 doubtful · 5 improbable ·
 *                6 cannot be judged
 *
 * Mapping (documented in README): conversion is conservative — it never makes a grading more
 * reliable or more credible than the original system said.
 *   Admiralty → EU source: A→A, B→B, C→C, D→C, E→C, F→X;  EU → Admiralty: A→A, B→B, C→D, X→F.
 *   Admiralty → EU info:   1→1, 2→3, 3→4, 4→4, 5→4, 6→4;   EU → Admiralty: 1→1, 2→2, 3→3, 4→6.
 */
export const EU_SOURCE = ['A', 'B', 'C', 'X'] as const;
export const EU_INFO = ['1', '2', '3', '4'] as const;
export const ADMIRALTY_SOURCE = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export const ADMIRALTY_INFO = ['1', '2', '3', '4', '5', '6'] as const;

export const EuGrading = z.object({
  system: z.literal('EU4x4'),
  source: z.enum(EU_SOURCE),
  info: z.enum(EU_INFO),
});
export const AdmiraltyGrading = z.object({
  system: z.literal('ADMIRALTY'),
  source: z.enum(ADMIRALTY_SOURCE),
  info: z.enum(ADMIRALTY_INFO),
});
export const Grading = z.discriminatedUnion('system', [EuGrading, AdmiraltyGrading]);
export type Grading = z.infer<typeof Grading>;
export type EuGrading = z.infer<typeof EuGrading>;
export type AdmiraltyGrading = z.infer<typeof AdmiraltyGrading>;

const admToEuSource: Record<(typeof ADMIRALTY_SOURCE)[number], (typeof EU_SOURCE)[number]> = { A: 'A', B: 'B', C: 'C', D: 'C', E: 'C', F: 'X' };
const admToEuInfo: Record<(typeof ADMIRALTY_INFO)[number], (typeof EU_INFO)[number]> = { '1': '1', '2': '3', '3': '4', '4': '4', '5': '4', '6': '4' };
const euToAdmSource: Record<(typeof EU_SOURCE)[number], (typeof ADMIRALTY_SOURCE)[number]> = { A: 'A', B: 'B', C: 'D', X: 'F' };
const euToAdmInfo: Record<(typeof EU_INFO)[number], (typeof ADMIRALTY_INFO)[number]> = { '1': '1', '2': '2', '3': '3', '4': '6' };

/** The grading in the EU 4x4 system (conservative conversion from Admiralty). */
export function toEu(g: Grading): EuGrading {
  return g.system === 'EU4x4' ? g : { system: 'EU4x4', source: admToEuSource[g.source], info: admToEuInfo[g.info] };
}

/** The grading in the Admiralty 6x6 system (conservative conversion from EU 4x4). */
export function toAdmiralty(g: Grading): AdmiraltyGrading {
  return g.system === 'ADMIRALTY' ? g : { system: 'ADMIRALTY', source: euToAdmSource[g.source], info: euToAdmInfo[g.info] };
}

/** Short code such as `B2` (EU) or `adm:C3`. */
export function gradingCode(g: Grading): string {
  return g.system === 'EU4x4' ? `${g.source}${g.info}` : `adm:${g.source}${g.info}`;
}

/** Parses `B2`, `eu:B2` or `adm:C3`. */
export function parseGrading(code: string): Grading | undefined {
  const m = /^(?:(eu|adm|admiralty):)?([A-Fa-fXx])([1-6])$/.exec(code.trim());
  if (!m) return undefined;
  const system = m[1] === undefined || m[1].toLowerCase() === 'eu' ? 'EU4x4' : 'ADMIRALTY';
  const parsed = Grading.safeParse({ system, source: m[2]!.toUpperCase(), info: m[3] });
  return parsed.success ? parsed.data : undefined;
}

const sourceWeight: Record<(typeof EU_SOURCE)[number], number> = { A: 1, B: 0.75, C: 0.3, X: 0.5 };
const infoWeight: Record<(typeof EU_INFO)[number], number> = { '1': 1, '2': 0.8, '3': 0.65, '4': 0.5 };

/**
 * A confidence in [0, 1] for weighting evidence (graph edges, triage signals). "Cannot be judged"
 * sits at 0.5 — unknown, not unreliable; "not reliable" sits below it.
 */
export function gradingConfidence(g: Grading): number {
  const eu = toEu(g);
  return sourceWeight[eu.source] * infoWeight[eu.info];
}

/** True when `g` is at least as good as `min` on both axes (compared in EU 4x4; X and 4 rank lowest). */
export function gradingAtLeast(g: Grading, min: Grading): boolean {
  const order = (s: string) => ({ A: 0, B: 1, C: 2, X: 3 })[s] ?? 3;
  const a = toEu(g);
  const b = toEu(min);
  return order(a.source) <= order(b.source) && Number(a.info) <= Number(b.info);
}
