import countries from 'i18n-iso-countries';
import { isValidIBAN, electronicFormatIBAN } from 'ibantools';
import { ENTITY_ID_PATTERN } from './ids.js';

/**
 * Property value types. Every statement value is stored as a normalised string; each type has a
 * canonical form that `normaliseValue` produces and `checkValue` verifies. Parsing messy source formats
 * (national phone numbers, localised dates) is the ingest layer's job; the model accepts canonical
 * values and cheap, unambiguous clean-ups only.
 */
export const PROPERTY_TYPES = [
  'name',
  'text',
  'date',
  'datetime',
  'country',
  'phone',
  'imei',
  'email',
  'iban',
  'identifier',
  'entity',
  'number',
  'url',
  'enum',
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** The result of checking one value: the canonical value, or the reason it is not valid. */
export type ValueCheck = { ok: true; value: string } | { ok: false; reason: string };

const ok = (value: string): ValueCheck => ({ ok: true, value });
const bad = (reason: string): ValueCheck => ({ ok: false, reason });

// Dates with partial precision (ISO 8601 prefixes): 1987, 1987-03, 1987-03-14.
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export type DatePrecision = 'year' | 'month' | 'day' | 'time';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Checks a partial date (year, year-month or full date) and returns its precision. */
export function parsePartialDate(value: string): { year: number; month?: number; day?: number; precision: DatePrecision } | undefined {
  const m = PARTIAL_DATE.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (year < 1000 || year > 2999) return undefined;
  if (m[2] === undefined) return { year, precision: 'year' };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return { year, month, precision: 'month' };
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day, precision: 'day' };
}

function checkDate(v: string): ValueCheck {
  return parsePartialDate(v) ? ok(v) : bad(`not a date (expected YYYY, YYYY-MM or YYYY-MM-DD with a real calendar day): "${v}"`);
}

function checkDatetime(v: string): ValueCheck {
  const m = DATETIME.exec(v);
  if (!m) {
    // A partial date is an acceptable (less precise) datetime.
    return parsePartialDate(v) ? ok(v) : bad(`not a date-time (expected ISO 8601 like 2024-03-14T08:15:00Z): "${v}"`);
  }
  if (!parsePartialDate(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) {
    return bad(`not a real date-time: "${v}"`);
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) return bad(`not a real date-time: "${v}"`);
  return ok(new Date(t).toISOString().replace('.000Z', 'Z'));
}

/** Luhn check digit test, used by IMEIs (3GPP TS 23.003 §6.2.1). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function checkImei(v: string): ValueCheck {
  const digits = v.replace(/[\s-]/g, '');
  if (!/^\d{15}$/.test(digits)) return bad(`IMEI must have 15 digits: "${v}"`);
  if (!luhnValid(digits)) return bad(`IMEI fails its Luhn check digit: "${v}"`);
  return ok(digits);
}

function checkPhone(v: string): ValueCheck {
  const compact = v.replace(/[\s().-]/g, '');
  // E.164: '+', country code, subscriber number, at most 15 digits in all (ITU-T E.164 §6).
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) return bad(`phone number must be E.164 (+ and 7–15 digits): "${v}"`);
  return ok(compact);
}

function checkCountry(v: string): ValueCheck {
  const code = v.trim().toUpperCase();
  if (code === 'XK') return ok(code); // Kosovo: user-assigned code in common use (EU, SIS).
  if (/^[A-Z]{2}$/.test(code) && countries.isValid(code)) return ok(code);
  return bad(`not an ISO 3166-1 alpha-2 country code: "${v}"`);
}

function checkEmail(v: string): ValueCheck {
  const e = v.trim();
  // Local part case is kept (RFC 5321 §2.4); the domain is case-insensitive.
  const at = e.lastIndexOf('@');
  if (at < 1 || at === e.length - 1 || /\s/.test(e) || !/^[^@]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(e)) {
    return bad(`not an e-mail address: "${v}"`);
  }
  return ok(`${e.slice(0, at)}@${e.slice(at + 1).toLowerCase()}`);
}

function checkIban(v: string): ValueCheck {
  const iban = electronicFormatIBAN(v) ?? '';
  return isValidIBAN(iban) ? ok(iban) : bad(`not a valid IBAN (check digits or length): "${v}"`);
}

/** Identifiers (passport, ID card, plate, serial, booking ref): upper case, separators removed. */
export function normaliseIdentifier(v: string): string {
  return v.normalize('NFKC').toUpperCase().replace(/[\s./\\_-]/g, '');
}

function checkIdentifier(v: string): ValueCheck {
  const id = normaliseIdentifier(v);
  if (id.length === 0) return bad('identifier is empty');
  if (id.length > 64) return bad(`identifier longer than 64 characters: "${v.slice(0, 20)}…"`);
  if (/[\p{C}]/u.test(id)) return bad('identifier contains control characters');
  return ok(id);
}

/** Names: NFKC, trimmed, inner white space folded; the script is kept (transliteration is the resolver's). */
export function normaliseName(v: string): string {
  return v.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

function checkName(v: string): ValueCheck {
  const n = normaliseName(v);
  if (n.length === 0) return bad('name is empty');
  if (n.length > 300) return bad('name longer than 300 characters');
  if (/[\p{Cc}\p{Cs}]/u.test(n)) return bad('name contains control characters');
  return ok(n);
}

function checkText(v: string): ValueCheck {
  const t = v.normalize('NFC');
  if (t.trim().length === 0) return bad('text is empty');
  if (t.length > 1_000_000) return bad('text longer than 1,000,000 characters');
  return ok(t);
}

function checkNumber(v: string): ValueCheck {
  const t = v.trim();
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t) || !Number.isFinite(Number(t))) return bad(`not a number: "${v}"`);
  return ok(String(Number(t)));
}

function checkEntity(v: string): ValueCheck {
  return ENTITY_ID_PATTERN.test(v) ? ok(v) : bad(`not an entity id (agency-prefix:local-id): "${v}"`);
}

function checkUrl(v: string): ValueCheck {
  try {
    const u = new URL(v.trim());
    return ok(u.toString());
  } catch {
    return bad(`not a URL: "${v}"`);
  }
}

/** Checks and canonicalises a value of a property type (enums are checked by the schema, which knows the members). */
export function checkValue(type: PropertyType, value: string, members?: readonly string[]): ValueCheck {
  if (typeof value !== 'string') return bad('value must be a string');
  switch (type) {
    case 'name':
      return checkName(value);
    case 'text':
      return checkText(value);
    case 'date':
      return checkDate(value.trim());
    case 'datetime':
      return checkDatetime(value.trim());
    case 'country':
      return checkCountry(value);
    case 'phone':
      return checkPhone(value);
    case 'imei':
      return checkImei(value);
    case 'email':
      return checkEmail(value);
    case 'iban':
      return checkIban(value);
    case 'identifier':
      return checkIdentifier(value);
    case 'entity':
      return checkEntity(value.trim());
    case 'number':
      return checkNumber(value);
    case 'url':
      return checkUrl(value);
    case 'enum': {
      const t = value.trim().toLowerCase();
      return members && !members.includes(t) ? bad(`"${value}" is not one of: ${members.join(', ')}`) : ok(t);
    }
  }
}

/** Milliseconds since the epoch of the start of a partial date or datetime (for ordering and windows). */
export function dateToTime(value: string): number | undefined {
  const p = parsePartialDate(value);
  if (p) return Date.UTC(p.year, (p.month ?? 1) - 1, p.day ?? 1);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
