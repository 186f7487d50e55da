import { parsePartialDate } from '../model/index.js';

/** A date of birth as screening compares it. */
export interface BirthDate {
  readonly raw: string;
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
}

/**
 * Reads a date of birth as booked: ISO `YYYY[-MM[-DD]]`, or the day-first `DD/MM/YYYY`,
 * `DD.MM.YYYY` and `DD-MM-YYYY` of European forms and PNR data. Day/month order mistakes are handled when comparing,
 * not here. Returns undefined for anything else.
 */
export function parseBirthDate(raw: string): BirthDate | undefined {
  const v = raw.trim();
  const iso = parsePartialDate(v.slice(0, 10));
  if (iso) return { raw: v, year: iso.year, ...(iso.month ? { month: iso.month } : {}), ...(iso.day ? { day: iso.day } : {}) };
  const m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/.exec(v);
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[3]);
  const year = Number(m[4]);
  if (year < 1000 || year > 2999 || day < 1 || day > 31 || month < 1 || month > 12) return undefined;
  return { raw: v, year, month, day };
}

/** How two dates of birth agree: score in [0, 1] and a phrase for the explanation. */
export interface DateAgreement {
  readonly score: number;
  readonly how: string;
}

/**
 * Compares two dates of birth. Exact agreement scores 1; day and month transposed (what happens
 * when a DD/MM date is keyed as MM/DD, or the reverse) 0.95;
 * where one side gives only the year (or year and month) and it agrees, 0.85. Anything else 0.
 */
export function compareBirthDates(a: BirthDate, b: BirthDate): DateAgreement {
  if (a.year !== b.year) return { score: 0, how: 'years differ' };
  if (a.month === undefined || b.month === undefined) return { score: 0.85, how: 'same year (one date is partial)' };
  if (a.day === undefined || b.day === undefined) return a.month === b.month ? { score: 0.85, how: 'same year and month (one date is partial)' } : { score: 0, how: 'months differ' };
  if (a.month === b.month && a.day === b.day) return { score: 1, how: 'equal' };
  if (a.month === b.day && a.day === b.month) return { score: 0.95, how: 'equal with day and month swapped' };
  return { score: 0, how: 'dates differ' };
}

/** The best agreement between any date of one list and any of the other (undefined when either is empty). */
export function bestBirthDateAgreement(a: readonly BirthDate[], b: readonly BirthDate[]): (DateAgreement & { a: BirthDate; b: BirthDate }) | undefined {
  let best: (DateAgreement & { a: BirthDate; b: BirthDate }) | undefined;
  for (const x of a) {
    for (const y of b) {
      const r = compareBirthDates(x, y);
      if (!best || r.score > best.score) best = { ...r, a: x, b: y };
    }
  }
  return best;
}

/** The best agreement score between two lists of dates (0 when none agree), without allocating. */
export function bestBirthDateScore(a: readonly BirthDate[], b: readonly BirthDate[]): number {
  let best = 0;
  for (const x of a) {
    for (const y of b) {
      if (x.year !== y.year) continue;
      let s: number;
      if (x.month === undefined || y.month === undefined) s = 0.85;
      else if (x.day === undefined || y.day === undefined) s = x.month === y.month ? 0.85 : 0;
      else if (x.month === y.month && x.day === y.day) s = 1;
      else if (x.month === y.day && x.day === y.month) s = 0.95;
      else s = 0;
      if (s > best) best = s;
    }
  }
  return best;
}
