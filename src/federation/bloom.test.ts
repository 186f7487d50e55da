import { describe, expect, it } from 'vitest';
import { BloomEncoder, FILTER_BITS, birthDateParts, diceCoefficient, nameBigrams, normaliseName, popcountFilter } from './index.js';

const SECRET = 'linkage-secret-shared-by-BE-and-ES-2026';
const enc = new BloomEncoder({ secret: SECRET, keyId: 'be-es-2026' });

describe('name normalisation (local; to be unified with src/resolve)', () => {
  it('folds case, accents, punctuation and script', () => {
    expect(normaliseName('  Élodie  MÜLLER-Dupont ')).toBe('elodie muller dupont');
    expect(normaliseName('Алексей Смирнов')).toBe('aleksey smirnov');
    expect(normaliseName('ﬁonn')).toBe('fionn');
  });

  it('yields padded bigrams per word and parses partial dates', () => {
    expect(nameBigrams('ana li')).toEqual(['_a', 'an', 'na', 'a_', '_l', 'li', 'i_']);
    expect(birthDateParts('1990-07-14')).toEqual({ year: '1990', month: '07', day: '14' });
    expect(birthDateParts('19900714')).toEqual({ year: '1990', month: '07', day: '14' });
    expect(birthDateParts('1990')).toEqual({ year: '1990' });
    expect(birthDateParts('14/07/1990')).toEqual({});
  });
});

describe('hardened Bloom encodings', () => {
  const base = { names: ['Yusuf', 'Karimov'], birthDate: '1991-03-08' };

  it('are deterministic for the same key and independent of name order', () => {
    expect(Buffer.from(enc.encode(base)).equals(Buffer.from(enc.encode(base)))).toBe(true);
    expect(diceCoefficient(enc.encode(base), enc.encode({ names: 'Karimov Yusuf', birthDate: '1991-03-08' }))).toBe(1);
  });

  it('score misspellings and transliterations high and different people low', () => {
    const same = [
      { names: ['Yousef', 'Karimov'], birthDate: '1991-03-08' },
      { names: ['Юсуф', 'Каримов'], birthDate: '1991-03-08' },
      { names: ['Yusuf', 'Karimow'], birthDate: '1991-03-18' },
    ];
    const other = [
      { names: ['Marta', 'Lindqvist'], birthDate: '1975-11-30' },
      { names: ['Yusuf', 'Okonkwo'], birthDate: '1984-06-02' },
    ];
    const f = enc.encode(base);
    const sameScores = same.map((p) => diceCoefficient(f, enc.encode(p)));
    const otherScores = other.map((p) => diceCoefficient(f, enc.encode(p)));
    expect(Math.min(...sameScores)).toBeGreaterThan(Math.max(...otherScores));
    expect(Math.min(...sameScores)).toBeGreaterThan(0.8);
  });

  it('balanced filters always have exactly half their bits set, whatever the record (no weight leak)', () => {
    const weights = new Set(
      [{ names: 'Al', birthDate: undefined }, base, { names: ['Maximilian', 'Alexander', 'von', 'Hohenzollern-Sigmaringen'], birthDate: '1950-01-01' }].map((p) => popcountFilter(enc.encode(p))),
    );
    expect([...weights]).toEqual([FILTER_BITS / 2]);
    const plain = new BloomEncoder({ secret: SECRET, keyId: 'k', balanced: false });
    expect(popcountFilter(plain.encode({ names: 'Al' }))).toBeLessThan(popcountFilter(plain.encode(base)));
  });

  it('depend on the shared secret: another key gives unrelated filters', () => {
    const other = new BloomEncoder({ secret: 'a-different-secret-held-by-someone-else', keyId: 'x' });
    const plainA = new BloomEncoder({ secret: SECRET, keyId: 'k', balanced: false });
    const plainB = new BloomEncoder({ secret: 'a-different-secret-held-by-someone-else', keyId: 'x', balanced: false });
    expect(diceCoefficient(enc.encode(base), other.encode(base))).toBeLessThan(0.7);
    expect(diceCoefficient(plainA.encode(base), plainB.encode(base))).toBeLessThan(0.5);
  });

  it('salting by birth year separates the same name across birth years', () => {
    const salted = new BloomEncoder({ secret: SECRET, keyId: 'k', salt: 'birth-year', balanced: false, dobHashes: 0 });
    const unsalted = new BloomEncoder({ secret: SECRET, keyId: 'k', balanced: false, dobHashes: 0 });
    const a = { names: 'Ines Moreau', birthDate: '1980-01-01' };
    const b = { names: 'Ines Moreau', birthDate: '1981-01-01' };
    expect(diceCoefficient(unsalted.encode(a), unsalted.encode(b))).toBe(1);
    expect(diceCoefficient(salted.encode(a), salted.encode(b))).toBeLessThan(0.5);
    expect(diceCoefficient(salted.encode(a), salted.encode({ ...a }))).toBe(1);
  });

  it('refuses a short secret and out-of-range hash counts', () => {
    expect(() => new BloomEncoder({ secret: 'short', keyId: 'k' })).toThrow(/16 bytes/);
    expect(() => new BloomEncoder({ secret: SECRET, keyId: 'k', nameHashes: 0 })).toThrow(/nameHashes/);
    expect(() => new BloomEncoder({ secret: SECRET, keyId: 'k', dobHashes: 65 })).toThrow(/dobHashes/);
  });

  it('packs many records into a filter set in order', () => {
    const set = enc.encodeMany([base, { names: 'Marta Lindqvist' }]);
    expect(set.count).toBe(2);
    expect(Buffer.from(set.get(1)).equals(Buffer.from(enc.encode({ names: 'Marta Lindqvist' })))).toBe(true);
    expect(enc.spec).toMatchObject({ scheme: 'clk-hmac-sha256-v1', bits: 1024, balanced: true, keyId: 'be-es-2026' });
  });
});
