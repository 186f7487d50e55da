import { composeIBAN, isValidIBAN } from 'ibantools';
import { luhnValid } from '../model/index.js';
import { asciiFold } from './names.js';
import type { Rng } from './rng.js';

/**
 * Identifier formats by country. They follow each country's public numbering plan or document layout
 * closely enough for libphonenumber, Luhn and IBAN checks to accept them; the numbers themselves are
 * random.
 */

// Mobile ranges (national significant number prefix, remaining digits) valid in libphonenumber metadata.
const MOBILE: Readonly<Record<string, readonly (readonly [string, string, number])[]>> = {
  FR: [['+33', '6', 8], ['+33', '7', 8]],
  BE: [['+32', '47', 7], ['+32', '48', 7], ['+32', '49', 7]],
  ES: [['+34', '6', 8]],
  DE: [['+49', '151', 8], ['+49', '176', 8], ['+49', '160', 7]],
  NL: [['+31', '6', 8]],
  AT: [['+43', '664', 7], ['+43', '676', 7], ['+43', '699', 8]],
  TR: [['+90', '53', 8], ['+90', '54', 8]],
  MA: [['+212', '6', 8]],
  TN: [['+216', '2', 7], ['+216', '9', 7]],
  BA: [['+387', '61', 6], ['+387', '62', 6]],
  RS: [['+381', '63', 7], ['+381', '64', 7]],
  XK: [['+383', '44', 6], ['+383', '49', 6]],
  AL: [['+355', '69', 7]],
};

/** A random mobile number in E.164 for a country (FR when the country has no plan listed). */
export function mobileNumber(rng: Rng, country: string): string {
  const plan = MOBILE[country] ?? MOBILE['FR']!;
  const [cc, prefix, n] = rng.pick(plan);
  return `${cc}${prefix}${rng.int(1, 9)}${rng.digits(n - 1)}`;
}

// Type allocation codes (first 8 IMEI digits) of common handset models; models are generic labels.
const TACS: readonly (readonly [string, string, string])[] = [
  ['35332509', 'Samsung', 'Galaxy A-series'],
  ['35693803', 'Samsung', 'Galaxy S-series'],
  ['35290611', 'Apple', 'iPhone'],
  ['35875607', 'Apple', 'iPhone SE'],
  ['86891203', 'Xiaomi', 'Redmi'],
  ['86769104', 'Huawei', 'P-series'],
  ['35404906', 'Nokia', '105'],
  ['35161508', 'Alcatel', '1066'],
];

/** A random IMEI with a valid Luhn check digit (3GPP TS 23.003 §6.2.1), with its brand and model. */
export function imei(rng: Rng, cheap = false): { imei: string; brand: string; model: string } {
  const [tac, brand, model] = cheap ? rng.pick(TACS.slice(6)) : rng.pick(TACS);
  const body = `${tac}${rng.digits(6)}`;
  for (let d = 0; d <= 9; d++) {
    if (luhnValid(`${body}${d}`)) return { imei: `${body}${d}`, brand, model };
  }
  throw new Error('unreachable: one Luhn digit always fits');
}

const UPPER = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const ALNUM = '0123456789CFGHJKLMNPRTVWXYZ';

/** A passport number in the layout of the issuing country. */
export function passportNumber(rng: Rng, country: string): string {
  switch (country) {
    case 'FR':
      return `${rng.digits(2)}${rng.chars(UPPER, 2)}${rng.digits(5)}`;
    case 'BE':
      return `${rng.chars(UPPER, 2)}${rng.digits(6)}`;
    case 'ES':
      return `${rng.chars(UPPER, 3)}${rng.digits(6)}`;
    case 'DE':
      return `${rng.pick(['C', 'F', 'G', 'H', 'J', 'K'])}${rng.chars(ALNUM, 8)}`;
    case 'NL':
      return `${rng.chars(UPPER, 2)}${rng.chars(ALNUM, 6)}${rng.digits(1)}`;
    case 'AT':
      return `P${rng.digits(7)}`;
    case 'TR':
      return `U${rng.digits(8)}`;
    case 'MA':
      return `${rng.chars(UPPER, 2)}${rng.digits(7)}`;
    default:
      return `${rng.chars(UPPER, 1)}${rng.digits(7)}`;
  }
}

/** A national identity-card number. */
export function idCardNumber(rng: Rng, country: string): string {
  switch (country) {
    case 'FR':
      return `${rng.chars(ALNUM, 9)}`;
    case 'BE':
      return `${rng.digits(3)}${rng.digits(7)}${rng.digits(2)}`;
    case 'ES':
      return `${rng.digits(8)}${rng.chars(UPPER, 1)}`;
    case 'DE':
      return `L${rng.chars(ALNUM, 8)}`;
    default:
      return `${rng.chars(UPPER, 2)}${rng.digits(7)}`;
  }
}

/** A registration plate in the country's current format, as printed (with separators). */
export function plate(rng: Rng, country: string): string {
  switch (country) {
    case 'FR':
      return `${rng.chars(UPPER, 2)}-${rng.digits(3)}-${rng.chars(UPPER, 2)}`;
    case 'BE':
      return `${rng.int(1, 2)}-${rng.chars(UPPER, 3)}-${rng.digits(3)}`;
    case 'ES':
      return `${rng.digits(4)} ${rng.chars('BCDFGHJKLMNPRSTVWXYZ', 3)}`;
    case 'DE':
      return `${rng.pick(['B', 'HH', 'F', 'K', 'M', 'DO'])}-${rng.chars(UPPER, 2)} ${rng.int(10, 9999)}`;
    case 'NL':
      return `${rng.digits(2)}-${rng.chars('BDFGHJKLNPRSTVXZ', 3)}-${rng.digits(1)}`;
    case 'AT':
      return `${rng.pick(['W', 'G', 'L', 'S'])}-${rng.int(100, 99999)}${rng.chars(UPPER, 1)}`;
    case 'BA':
      return `${rng.chars('AEJKMOT', 1)}${rng.digits(2)}-${rng.chars('AEJKMOT', 1)}-${rng.digits(3)}`;
    case 'RS':
      return `${rng.pick(['BG', 'NP', 'NS'])} ${rng.digits(3)}-${rng.chars(UPPER, 2)}`;
    case 'XK':
      return `${rng.digits(2)}-${rng.digits(3)}-${rng.chars(UPPER, 2)}`;
    default:
      return `${rng.chars(UPPER, 2)} ${rng.digits(4)}`;
  }
}

const BANK_CODES: Readonly<Record<string, readonly string[]>> = {
  NL: ['ABNA', 'RABO', 'INGB', 'TRIO', 'SNSB'],
};
const BBAN_LENGTH: Readonly<Record<string, number>> = { FR: 23, BE: 12, ES: 20, DE: 18, NL: 14, AT: 16 };

/**
 * A valid IBAN of a country. ibantools checks the national check digits of BE, ES and FR too, so
 * the last two BBAN digits are searched until ibantools accepts the account (at most 100 tries).
 */
export function iban(rng: Rng, country: string): string {
  const c = BBAN_LENGTH[country] ? country : 'DE';
  const len = BBAN_LENGTH[c]!;
  for (;;) {
    let bban: string;
    if (c === 'NL') bban = `${rng.pick(BANK_CODES['NL']!)}${rng.digits(10)}`;
    else if (c === 'FR') bban = `${rng.digits(10)}${rng.digits(11)}00`;
    else bban = rng.digits(len);
    const head = bban.slice(0, -2);
    for (let k = 0; k < 100; k++) {
      const candidate = composeIBAN({ countryCode: c, bban: `${head}${String(k).padStart(2, '0')}` });
      if (candidate && isValidIBAN(candidate)) return candidate;
    }
    if (c === 'ES') {
      // Spanish BBANs carry their two check digits in positions 9–10.
      for (let k = 0; k < 100; k++) {
        const b = `${bban.slice(0, 8)}${String(k).padStart(2, '0')}${bban.slice(10)}`;
        const candidate = composeIBAN({ countryCode: c, bban: b });
        if (candidate && isValidIBAN(candidate)) return candidate;
      }
    }
  }
}

/** An IBAN printed in groups of four, as on statements and in reports. */
export function printIban(value: string): string {
  return value.replace(/(.{4})/g, '$1 ').trim();
}

const FIREARMS: readonly (readonly [string, string, string, 'rifle' | 'pistol' | 'submachine-gun', string])[] = [
  ['Zastava', 'M70', '7.62×39mm', 'rifle', 'RS'],
  ['Zastava', 'M57', '7.62×25mm', 'pistol', 'RS'],
  ['Zastava', 'M92', '7.62×39mm', 'rifle', 'RS'],
  ['Zastava', 'M84', '7.65mm', 'submachine-gun', 'RS'],
  ['Crvena Zastava', 'M70A', '9×19mm', 'pistol', 'BA'],
  ['ČZ', 'vz. 58', '7.62×39mm', 'rifle', 'AL'],
  ['Tokarev', 'TT-33', '7.62×25mm', 'pistol', 'XK'],
];

/** A military-surplus firearm as trafficked from the Balkans, with its serial number. */
export function firearm(rng: Rng): { make: string; model: string; calibre: string; type: 'rifle' | 'pistol' | 'submachine-gun'; origin: string; serial: string } {
  const [make, model, calibre, type, origin] = rng.pick(FIREARMS);
  return { make, model, calibre, type, origin, serial: `${rng.chars(UPPER, rng.int(0, 2))}${rng.digits(rng.int(5, 7))}` };
}

const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'hotmail.fr', 'yahoo.fr', 'gmx.de', 'web.de', 'proton.me', 'hotmail.be', 'telenet.be', 'live.nl', 'gmx.at'];

/** A personal e-mail address made from a name. */
export function emailAddress(rng: Rng, first: string, last: string, year: number): string {
  const f = asciiFold(first).toLowerCase();
  const l = asciiFold(last).toLowerCase();
  const local = rng.pick([`${f}.${l}`, `${f}${l}${year % 100}`, `${f[0] ?? 'x'}${l}${rng.digits(2)}`, `${l}.${f}${rng.digits(1)}`, `${f}_${rng.digits(3)}`]);
  return `${local}@${rng.pick(MAIL_DOMAINS)}`;
}

/** A mobile cell id: MCC-MNC-LAC-CI (3GPP TS 23.003 §4.3). */
export function cellId(mcc: string, cityIndex: number, n: number): string {
  return `${mcc}-01-${String(1000 + cityIndex * 37).padStart(4, '0')}-${String(n).padStart(5, '0')}`;
}

/** A PNR record locator (six letters and digits). */
export function bookingRef(rng: Rng): string {
  return rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 6);
}

/** A seat like 14C. */
export function seat(rng: Rng): string {
  return `${rng.int(1, 32)}${rng.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`;
}
