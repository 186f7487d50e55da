import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { luhnValid, normaliseIdentifier, normaliseName } from '../../model/index.js';
import type { Normalised } from './phone.js';

/** IMEI (3GPP TS 23.003 §6.2.1): 15 digits with a Luhn check digit; a 14-digit IMEI gets its check digit computed. */
export function normaliseImei(raw: string): Normalised {
  const digits = raw.normalize('NFKC').replace(/[\s./-]/g, '');
  if (/^\d{14}$/.test(digits)) {
    for (let d = 0; d <= 9; d++) if (luhnValid(digits + d)) return { ok: true, value: digits + d };
  }
  if (/^\d{16}$/.test(digits)) return { ok: false, reason: `16 digits is an IMEISV (software version), not an IMEI: "${raw}"` };
  if (!/^\d{15}$/.test(digits)) return { ok: false, reason: `IMEI must have 15 digits: "${raw}"` };
  if (!luhnValid(digits)) return { ok: false, reason: `IMEI fails its Luhn check digit: "${raw}"` };
  return { ok: true, value: digits };
}

/** IBAN (ISO 13616) in electronic format, with country length and mod-97 check digits verified by ibantools. */
export function normaliseIban(raw: string): Normalised {
  const iban = electronicFormatIBAN(raw.normalize('NFKC').trim()) ?? '';
  return isValidIBAN(iban) ? { ok: true, value: iban } : { ok: false, reason: `not a valid IBAN (country, length or check digits): "${raw}"` };
}

/** Passport, ID card, plate, booking reference: upper case, separators stripped (the model's canonical form). */
export function normaliseDocumentNumber(raw: string): Normalised {
  const id = normaliseIdentifier(raw);
  if (id.length === 0) return { ok: false, reason: 'identifier is empty' };
  if (!/^[\p{L}\p{N}]+$/u.test(id)) return { ok: false, reason: `identifier has characters other than letters and digits: "${raw}"` };
  return { ok: true, value: id };
}

/** Names: NFKC, trimmed, inner white space folded; scripts are kept (transliteration belongs to resolution). */
export function normalisePersonName(raw: string): Normalised {
  const n = normaliseName(raw);
  return n.length === 0 ? { ok: false, reason: 'name is empty' } : { ok: true, value: n };
}

/** E-mail: trimmed, domain lower-cased (RFC 5321 §2.4 keeps the local part's case). */
export function normaliseEmail(raw: string): Normalised {
  const e = raw.normalize('NFKC').trim();
  const at = e.lastIndexOf('@');
  if (at < 1 || !/^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(e)) return { ok: false, reason: `not an e-mail address: "${raw}"` };
  return { ok: true, value: `${e.slice(0, at)}@${e.slice(at + 1).toLowerCase()}` };
}
