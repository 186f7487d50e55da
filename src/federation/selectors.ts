import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { SelectorKind } from './messages.js';

/**
 * Canonical form of an exact selector, so both partners hash the same string for the same thing.
 * Returns undefined for a value that cannot be a selector of that kind (it is left out of the PSI
 * set rather than hashed as garbage).
 * TODO(unify): align with the value normalisers in src/model / src/resolve once they cover selectors.
 */
export function canonicalSelector(kind: SelectorKind, value: string): string | undefined {
  const v = value.normalize('NFKC').trim();
  switch (kind) {
    case 'passport':
    case 'idcard':
    case 'plate': {
      const s = v.toUpperCase().replace(/[^A-Z0-9]/g, '');
      return s.length >= 3 && s.length <= 20 ? s : undefined;
    }
    case 'phone': {
      const withPlus = v.startsWith('00') ? `+${v.slice(2)}` : v;
      const parsed = parsePhoneNumberFromString(withPlus);
      if (parsed?.isPossible()) return parsed.number;
      const digits = withPlus.replace(/[^0-9]/g, '');
      return digits.length >= 6 && digits.length <= 15 ? `${withPlus.startsWith('+') ? '+' : ''}${digits}` : undefined;
    }
    case 'imei': {
      // TAC (8) + serial (6) identify the handset; the 15th (Luhn check) or 15th–16th (IMEISV software
      // version) digits vary between records of the same device, so they are dropped (3GPP TS 23.003 §6.2).
      const d = v.replace(/[^0-9]/g, '');
      return d.length >= 14 && d.length <= 16 ? d.slice(0, 14) : undefined;
    }
    case 'email': {
      const e = v.toLowerCase();
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) ? e : undefined;
    }
  }
}
