import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkValue } from '../../model/index.js';
import { isoInstant } from './date.js';
import { normaliseCountry, normaliseDate, normaliseDocumentNumber, normaliseIban, normaliseImei, normalisePersonName, normalisePhone, checkDateFormat } from './index.js';

const okValue = (r: { ok: boolean; value?: string; reason?: string }) => {
  expect(r.ok, r.reason).toBe(true);
  return r.value!;
};

describe('phones', () => {
  it('reads national formats in the default region and international prefixes', () => {
    expect(okValue(normalisePhone('06 12 34 56 78', 'FR'))).toBe('+33612345678');
    expect(okValue(normalisePhone('0049 30 1234567', 'FR'))).toBe('+49301234567');
    expect(okValue(normalisePhone('0049 30 1234567', undefined))).toBe('+49301234567');
    expect(okValue(normalisePhone('+32 470 12 34 56', 'FR'))).toBe('+32470123456');
    expect(checkValue('phone', okValue(normalisePhone('(0)20 7946 0958', 'GB'))).ok).toBe(true);
  });
  it('refuses national numbers without a region and non-numbers', () => {
    expect(normalisePhone('0612345678', undefined).ok).toBe(false);
    const r = normalisePhone('hello', 'FR');
    expect(r.ok).toBe(false);
    expect(normalisePhone('', 'FR').ok).toBe(false);
    expect(normalisePhone('06 12', 'FR').ok).toBe(false);
  });
  it('is stricter with validation "valid"', () => {
    // +33 0… is a possible length but not an allocated French range.
    expect(normalisePhone('+33 0 12 34 56 78', undefined, 'valid').ok).toBe(false);
  });
});

describe('dates', () => {
  it('reads declared formats with partial precision', () => {
    expect(okValue(normaliseDate('19870314', ['YYYYMMDD']))).toBe('1987-03-14');
    expect(okValue(normaliseDate('14/03/1987', ['DD/MM/YYYY']))).toBe('1987-03-14');
    expect(okValue(normaliseDate('3/14/1987', ['M/D/YYYY']))).toBe('1987-03-14');
    expect(okValue(normaliseDate('4.3.1987', ['D.M.YYYY']))).toBe('1987-03-04');
    expect(okValue(normaliseDate('1987-03', ['YYYY-MM']))).toBe('1987-03');
    expect(okValue(normaliseDate('1987', ['ISO']))).toBe('1987');
    expect(okValue(normaliseDate('14MAR87', ['DDMMMYY'], 'date', { pivotYear: 30 }))).toBe('1987-03-14');
    expect(okValue(normaliseDate('14 mars 2024', ['D MMM YYYY']))).toBe('2024-03-14');
  });
  it('reads date-times with offsets, time zones, Excel serials and epochs', () => {
    expect(okValue(normaliseDate('2024-03-14T08:15:00+01:00', ['ISO'], 'datetime'))).toBe('2024-03-14T07:15:00Z');
    expect(okValue(normaliseDate('2024-03-14 08:15:00', ['YYYY-MM-DD HH:mm:ss'], 'datetime', { timezone: 'Europe/Paris' }))).toBe('2024-03-14T07:15:00Z');
    // Summer time: Paris is UTC+2 in July.
    expect(okValue(normaliseDate('2024-07-14 08:15:00', ['YYYY-MM-DD HH:mm:ss'], 'datetime', { timezone: 'Europe/Paris' }))).toBe('2024-07-14T06:15:00Z');
    expect(okValue(normaliseDate('45365', ['EXCEL'], 'date'))).toBe('2024-03-14');
    expect(okValue(normaliseDate('45365.5', ['EXCEL'], 'datetime'))).toBe('2024-03-14T12:00:00Z');
    expect(okValue(normaliseDate('1710404100', ['UNIX'], 'datetime'))).toBe('2024-03-14T08:15:00Z');
    expect(checkValue('datetime', okValue(normaliseDate('14/03/2024 08:15', ['DD/MM/YYYY HH:mm'], 'datetime'))).ok).toBe(true);
  });
  it('never guesses: ambiguous input names both readings, impossible dates are errors', () => {
    const amb = normaliseDate('03/04/2024', ['DD/MM/YYYY', 'MM/DD/YYYY']);
    expect(amb.ok).toBe(false);
    expect(!amb.ok && amb.reason).toMatch(/ambiguous.*DD\/MM\/YYYY gives 2024-04-03.*MM\/DD\/YYYY gives 2024-03-04/);
    // Unambiguous when only one reading is a real date.
    expect(okValue(normaliseDate('25/04/2024', ['DD/MM/YYYY', 'MM/DD/YYYY']))).toBe('2024-04-25');
    const bad = normaliseDate('19551192', ['YYYYMMDD']);
    expect(!bad.ok && bad.reason).toMatch(/not a real date.*month 11|has no day 92/);
    expect(normaliseDate('2024-03-14', ['DD/MM/YYYY']).ok).toBe(false);
    expect(normaliseDate('45351', ['EXCEL']).ok).toBe(true);
    expect(normaliseDate('60', ['EXCEL']).ok).toBe(false);
    expect(checkDateFormat('DD/MM/YY')).toMatch(/pivotYear/);
    expect(checkDateFormat('DD/MM/YYYY')).toBeUndefined();
  });
});

describe('countries', () => {
  it('maps codes and names in several languages to alpha-2', () => {
    expect(okValue(normaliseCountry('fr'))).toBe('FR');
    expect(okValue(normaliseCountry('DEU'))).toBe('DE');
    expect(okValue(normaliseCountry('276'))).toBe('DE');
    expect(okValue(normaliseCountry('Allemagne'))).toBe('DE');
    expect(okValue(normaliseCountry('Deutschland'))).toBe('DE');
    expect(okValue(normaliseCountry('Belgique'))).toBe('BE');
    expect(okValue(normaliseCountry("COTE D'IVOIRE"))).toBe('CI');
    expect(okValue(normaliseCountry('Países Bajos'))).toBe('NL');
    expect(okValue(normaliseCountry('UK'))).toBe('GB');
    expect(okValue(normaliseCountry('Kosovo'))).toBe('XK');
    expect(normaliseCountry('Atlantis').ok).toBe(false);
  });
});

describe('identifiers and names', () => {
  it('checks IMEI Luhn digits and completes 14-digit IMEIs', () => {
    expect(okValue(normaliseImei('35-209900-176148-1'))).toBe('352099001761481');
    expect(okValue(normaliseImei('35209900176148'))).toBe('352099001761481');
    expect(normaliseImei('352099001761482').ok).toBe(false);
    expect(normaliseImei('3520990017614812').ok).toBe(false);
  });
  it('checks IBANs', () => {
    expect(okValue(normaliseIban('fr76 3000 6000 0112 3456 7890 189'))).toBe('FR7630006000011234567890189');
    expect(normaliseIban('FR76 3000 6000 0112 3456 7890 188').ok).toBe(false);
  });
  it('strips separators from document numbers and keeps name scripts', () => {
    expect(okValue(normaliseDocumentNumber(' 12-ab.345 678 '))).toBe('12AB345678');
    expect(normaliseDocumentNumber('AB#12').ok).toBe(false);
    expect(okValue(normalisePersonName('  Ｍarco   Bellandi '))).toBe('Marco Bellandi');
    expect(okValue(normalisePersonName('Юлия  Соколова'))).toBe('Юлия Соколова');
    expect(okValue(normalisePersonName('سامي الحداد'))).toBe('سامي الحداد');
  });
});

describe('isoInstant', () => {
  it('formats an instant exactly as Date#toISOString without ".000"', () => {
    const viaDate = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(-2000, 0, 1), max: Date.UTC(12000, 0, 1) }), (ms) => {
        expect(isoInstant(ms)).toBe(viaDate(ms));
      }),
      { numRuns: 20_000 },
    );
    // Whole seconds around the calendar's edge cases: leap days, century years, the ends of the fast path.
    for (const ms of [Date.UTC(2000, 1, 29, 23, 59, 59), Date.UTC(1900, 1, 28), Date.UTC(2100, 2, 1), Date.UTC(1000, 0, 1), Date.UTC(1000, 0, 1) - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), 0, 1.5, -1]) {
      expect(isoInstant(ms)).toBe(viaDate(ms));
    }
  });
});
