import { isValidIBAN, electronicFormatIBAN } from 'ibantools';
import { luhnValid, normaliseIdentifier } from '../../model/index.js';
import { normaliseDate, normaliseEmail, normalisePhone } from '../normalise/index.js';

/** Kinds of mention extraction finds (the scenario's ground truth uses the same names). */
export type MentionType = 'person' | 'phone' | 'email' | 'iban' | 'imei' | 'passport' | 'date' | 'place' | 'plate' | 'serial';

/** One mention: character span [start, end) of the text, surface text and canonical value. */
export interface ExtractedMention {
  readonly type: MentionType;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly value: string;
  /** How it was found: `pattern`, `checksum`, `cue`, `nlp`, `gazetteer`. */
  readonly method: string;
}

export interface PatternOptions {
  /** Region for phone numbers written in national form (the reporting agency's country). */
  readonly phoneRegion?: string;
  /** Order of all-numeric dates: European reports write day first (default DMY). Declared, not guessed. */
  readonly dateOrder?: 'DMY' | 'MDY';
}

const MONTHS = 'January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec';

const mention = (type: MentionType, start: number, text: string, value: string, method: string): ExtractedMention => ({ type, start, end: start + text.length, text, value, method });

/** E-mail addresses (RFC 5322 simplified: the usual dot-atom forms). */
function emails(text: string, out: ExtractedMention[]): void {
  for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g)) {
    const n = normaliseEmail(m[0]);
    if (n.ok) out.push(mention('email', m.index, m[0], n.value, 'pattern'));
  }
}

/** IBANs, printed in groups of four or compact, accepted only with valid mod-97 check digits (ISO 13616). */
function ibans(text: string, out: ExtractedMention[]): void {
  for (const m of text.matchAll(/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g)) {
    // A greedy match may swallow a following group; shorten until the check digits hold.
    let s = m[0];
    while (s.length >= 15) {
      const iban = electronicFormatIBAN(s) ?? '';
      if (isValidIBAN(iban)) {
        out.push(mention('iban', m.index, s, iban, 'checksum'));
        break;
      }
      const cut = s.lastIndexOf(' ');
      s = cut > 0 ? s.slice(0, cut) : s.slice(0, -1);
    }
  }
}

/** IMEIs: 15 digits (optionally 2-6-6-1 grouped) with a valid Luhn digit (3GPP TS 23.003). */
function imeis(text: string, out: ExtractedMention[]): void {
  for (const m of text.matchAll(/(?<![\d+])\d{2}[ -]?\d{6}[ -]?\d{6}[ -]?\d(?!\d)/g)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length === 15 && luhnValid(digits)) out.push(mention('imei', m.index, m[0], digits, 'checksum'));
  }
}

/** Dates in the common report forms; numeric day/month order is the declared one. */
function dates(text: string, out: ExtractedMention[], order: 'DMY' | 'MDY'): void {
  const tries: [RegExp, string[]][] = [
    [new RegExp(`\\b\\d{1,2} (?:${MONTHS})\\.? \\d{4}\\b`, 'g'), ['D MMM YYYY']],
    [new RegExp(`\\b(?:${MONTHS})\\.? \\d{1,2}, \\d{4}\\b`, 'g'), ['MMM D, YYYY']],
    [/\b\d{4}-\d{2}-\d{2}\b/g, ['ISO']],
    [/\b\d{1,2}\/\d{1,2}\/\d{4}\b/g, [order === 'DMY' ? 'D/M/YYYY' : 'M/D/YYYY']],
    [/\b\d{1,2}\.\d{1,2}\.\d{4}\b/g, ['D.M.YYYY']],
    [/\b\d{1,2}-\d{1,2}-\d{4}\b/g, [order === 'DMY' ? 'D-M-YYYY' : 'M-D-YYYY']],
  ];
  for (const [re, formats] of tries) {
    for (const m of text.matchAll(re)) {
      const n = normaliseDate(m[0], formats, 'date');
      if (n.ok) out.push(mention('date', m.index, m[0], n.value, 'pattern'));
    }
  }
}

/** Phone numbers: digit runs with the usual separators, read by libphonenumber-js in the declared region. */
function phones(text: string, out: ExtractedMention[], region: string | undefined): void {
  for (const m of text.matchAll(/(?<![\w+\-/.])(?:\+|00)?\d[\d ().-]{5,17}\d(?![\w\-/])/g)) {
    const raw = m[0];
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) continue;
    // Dates and times look like digit runs; they are not numbers anyone dials.
    if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(raw)) continue;
    const n = normalisePhone(raw, region, 'possible');
    if (n.ok) out.push(mention('phone', m.index, raw, n.value, 'pattern'));
  }
}

/** Identifiers announced by a cue word: passports and documents, plates, serial numbers. */
function cued(text: string, out: ExtractedMention[]): void {
  const rules: [MentionType, RegExp][] = [
    ['passport', /\b(?:passport|travel document|document|identity card|ID card|ID)(?: (?:number|no\.?|nr\.?|n°))?:? +([A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){4,14})/gi],
    ['plate', /\b(?:registration|licen[cs]e plate|number plate|plate)(?: (?:number|no\.?))?:? +([A-Z0-9]{1,4}(?:[ -][A-Z0-9]{1,7}){0,3})/gi],
    ['serial', /\bserial(?: (?:number|no\.?|nr\.?))?:? +([A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,19})/gi],
  ];
  for (const [type, re] of rules) {
    for (const m of text.matchAll(re)) {
      const surface = m[1]!;
      const value = normaliseIdentifier(surface);
      // An identifier has a digit and is in capitals or digits (not a following word such as "the").
      if (!/\d/.test(value) || /[a-z]/.test(surface) || value.length < 4) continue;
      const start = m.index + m[0].length - surface.length;
      out.push(mention(type, start, surface, value, 'cue'));
    }
  }
}

/** All identifier-like mentions (not persons or places), overlapping candidates included. */
export function findPatternMentions(text: string, options: PatternOptions = {}): ExtractedMention[] {
  const out: ExtractedMention[] = [];
  emails(text, out);
  ibans(text, out);
  imeis(text, out);
  dates(text, out, options.dateOrder ?? 'DMY');
  cued(text, out);
  phones(text, out, options.phoneRegion);
  return out;
}
