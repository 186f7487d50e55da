import fc from 'fast-check';
import jaroWinklerTalisman from 'talisman/metrics/jaro-winkler.js';
import levenshteinTalisman from 'talisman/metrics/levenshtein.js';
import { describe, expect, it } from 'vitest';
import { canonicalTokens, jaroWinkler, latinise, levenshtein, levenshteinSimilarity, nameProfile, nameSimilarity, phoneticEqual, skeleton, sortedInitials, tokenSetSimilarity } from './index.js';

// All names below are invented combinations of common given names and surnames.
describe('transliteration', () => {
  it('turns Arabic, Cyrillic, Greek, Hebrew and Han into lower-case ASCII tokens', () => {
    expect(latinise('Александр Иванов')).toBe('aleksandr ivanov');
    expect(latinise('Γιώργος Παπαδόπουλος')).toBe('giorgos papadopoylos');
    expect(latinise('张伟')).toBe('zhang wei');
    expect(latinise('يوسف')).toBe('yusf');
    expect(latinise('Saïd Müller-Lüdenscheidt')).toBe('said muller ludenscheidt');
  });
  it('applies the Arabic particle rules', () => {
    expect(canonicalTokens(['abd', 'al', 'karim', 'ben', 'saeed'])).toEqual(['abdkarim', 'bin', 'saeed']);
    expect(canonicalTokens(['abdelkarim', 'ibn', 'khaldun'])).toEqual(['abdkarim', 'bin', 'khaldun']);
    expect(canonicalTokens(['abou', 'bakr', 'el', 'masri'])).toEqual(['abu', 'bakr', 'masri']);
    expect(nameProfile('عبد الكريم').tokens.map((t) => t.text)).toEqual(['abdkrim']);
  });
  it('maps spelling variants to one canonical given name', () => {
    const c = (s: string): string | undefined => nameProfile(s).tokens[0]?.canonical;
    expect(new Set(['Mohamed', 'Muhammad', 'Mohammed', 'Mohammad', 'Mehmet'].map(c))).toEqual(new Set(['muhammad']));
    expect(new Set(['Youssef', 'Yusuf', 'Joseph', 'Yousef'].map(c))).toEqual(new Set(['yusuf']));
  });
  it('gives consonant skeletons that ignore vowels, doubling and digraph spelling', () => {
    expect(skeleton('mohammed')).toBe(skeleton('mhmd'));
    expect(skeleton('chahine')).toBe(skeleton('shahin'));
    expect(skeleton('qassem')).toBe(skeleton('kasem'));
    expect(skeleton('karim')).not.toBe(skeleton('samir'));
  });
  it('derives sorted initials for blocking', () => {
    // Initials of the canonical spellings, so Omar and Umar share one; particles are skipped.
    expect(sortedInitials(nameProfile('Saeed Karim bin Omar'))).toBe('ksu');
  });
});

describe('comparators', () => {
  it('Jaro–Winkler agrees with talisman on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinklerTalisman(a, b), 10);
      }),
      { numRuns: 500 },
    );
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
  });
  it('Levenshtein agrees with talisman and is a distance', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const d = levenshtein(a, b);
        expect(d).toBe(levenshteinTalisman(a, b));
        expect(d).toBe(levenshtein(b, a));
      }),
      { numRuns: 300 },
    );
    expect(levenshteinSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 10);
  });
  it('token-set and phonetic equality ignore order and spelling', () => {
    expect(tokenSetSimilarity('Karim Saeed', 'Saeed Karim')).toBe(1);
    expect(tokenSetSimilarity('Karim Saeed', 'Omar Haddad')).toBe(0);
    expect(phoneticEqual('Smith John', 'Jon Smyth')).toBe(true);
    expect(phoneticEqual('Smith John', 'Jones Mary')).toBe(false);
  });
});

describe('nameSimilarity', () => {
  const same: [string, string][] = [
    ['Abdelkarim Bensaid', 'Abd al-Karim Ben Saeed'],
    ['Abdelkarim Bensaid', 'عبد الكريم بن سعيد'],
    ['Abd al-Karim Ben Saeed', 'عبد الكريم بن سعيد'],
    ['محمد يوسف', 'Mohammed Yousef'],
    ['Aleksandr Ivanov', 'Александр Иванов'],
    ['Iouri Sergueiev', 'Юрий Сергеев'],
    ['Giorgos Papadopoulos', 'Γιώργος Παπαδόπουλος'],
    ['Wei Zhang', '张伟'],
    ['Yosef Cohen', 'יוסף כהן'],
    ['Khaled El Amrani', 'Amrani, Khalid'],
    ['Oussama Chahine', 'Usama Shahin'],
    ['J. Smith', 'John Smith'],
  ];
  const different: [string, string][] = [
    ['Abdelkarim Bensaid', 'Youssef Haddad'],
    ['Александр Иванов', 'Сергей Смирнов'],
    ['张伟', '王芳'],
    ['John Smith', 'Mary Jones'],
    ['Hashim Ali', 'Hisham Ali'],
    ['Fatima Benali', 'Aisha Benali'],
    ['Tarek Ben Hamouda', 'Tarek Ben Salah'],
    ['عبد الكريم بن سعيد', 'محمد يوسف'],
  ];
  it('scores the same name across scripts and spellings high', () => {
    for (const [a, b] of same) expect(nameSimilarity(a, b), `${a} | ${b}`).toBeGreaterThan(0.8);
  });
  it('scores different names low, and every same pair above every different pair', () => {
    for (const [a, b] of different) expect(nameSimilarity(a, b), `${a} | ${b}`).toBeLessThan(0.5);
    const minSame = Math.min(...same.map(([a, b]) => nameSimilarity(a, b)));
    const maxDiff = Math.max(...different.map(([a, b]) => nameSimilarity(a, b)));
    expect(minSame).toBeGreaterThan(maxDiff);
  });
  it('is symmetric, bounded, and 1 on identity; empty names score 0', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 25 }), fc.string({ maxLength: 25 }), (a, b) => {
        const s = nameSimilarity(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
    for (const [a, b] of [...same, ...different]) expect(nameSimilarity(a, b)).toBeCloseTo(nameSimilarity(b, a), 2);
    expect(nameSimilarity('Karim Saeed', 'Karim Saeed')).toBe(1);
    expect(nameSimilarity('', 'Karim')).toBe(0);
    expect(nameSimilarity('...', '!!!')).toBe(0);
  });
});
