import type { Grading, Handling } from '../api/types';

/** `B2` (EU 4x4) or `adm:C3` (Admiralty), as the server writes gradings. */
export function gradingCode(g: Grading): string {
  return g.system === 'EU4x4' ? `${g.source}${g.info}` : `adm:${g.source}${g.info}`;
}

const SOURCE: Record<string, string> = { A: 'no doubt about the source', B: 'source mostly reliable', C: 'source not reliable', X: 'source cannot be judged' };
const INFO: Record<string, string> = { '1': 'known to be true', '2': 'known personally to the source', '3': 'corroborated', '4': 'cannot be judged' };

/** A readable explanation of an EU 4x4 grading (Admiralty codes are shown as they are). */
export function gradingTitle(g: Grading): string {
  return g.system === 'EU4x4' ? `${SOURCE[g.source] ?? g.source}; ${INFO[g.info] ?? g.info}` : `Admiralty ${g.source}${g.info}`;
}

/** Handling codes and who the value may be released to. */
export function handlingText(h: Handling): string {
  const codes = h.codes.length ? h.codes.join('+') : 'no handling code';
  const rel = h.releasableTo.length === 0 ? 'originator only' : h.releasableTo.includes('*') ? 'releasable to all partners' : `releasable to ${h.releasableTo.join(', ')}`;
  return `${codes} · ${rel}${h.conditions ? ` · ${h.conditions}` : ''}`;
}

/** `2023-05-01 – 2024-02-01`, or one end, or empty. */
export function seenRange(first?: string, last?: string): string {
  if (!first && !last) return '';
  return `${first ?? '…'} – ${last ?? '…'}`;
}
