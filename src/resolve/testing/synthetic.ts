import { scoringView } from '../../model/index.js';
import { mulberry32 } from '../../model/index.js';
import type { ResolveRecord } from '../fs/index.js';

// Invented name parts for synthetic test records (no real persons).
const GIVEN = ['karim', 'youssef', 'amina', 'lena', 'marek', 'sofia', 'tomas', 'ines', 'omar', 'nadia', 'pavel', 'clara', 'rafael', 'mira', 'jonas', 'leila', 'ivo', 'dora', 'samir', 'elsa'];
const FAMILY = ['haddad', 'novak', 'bensaid', 'moreau', 'kowal', 'lindqvist', 'ferreira', 'amrani', 'petrov', 'varga', 'costa', 'dubois', 'horvat', 'nielsen', 'rossi', 'keller', 'zahir', 'marin', 'olsen', 'sato'];

const SYLLABLES = ['ka', 'ri', 'mo', 'na', 'le', 'ta', 'so', 'vi', 'da', 'ne', 'lu', 'ra', 'mi', 'ko', 'sa', 'be', 'ha', 'zo', 'fi', 'go', 'pe', 'ti', 'ja', 'wo', 'el', 'an', 'or', 'is', 'um', 'ek'];

function invented(r: () => number, syllables: number): string {
  let s = '';
  for (let k = 0; k < syllables; k++) s += SYLLABLES[Math.floor(r() * SYLLABLES.length)] ?? '';
  return s;
}

/** Deterministic PRNG (mulberry32). */
export const prng = mulberry32;

function typo(s: string, r: () => number): string {
  if (s.length < 3) return s;
  const i = 1 + Math.floor(r() * (s.length - 2));
  const k = r();
  if (k < 0.33) return s.slice(0, i) + s.slice(i + 1);
  if (k < 0.66) return s.slice(0, i) + (s[i + 1] ?? '') + (s[i] ?? '') + s.slice(i + 2);
  return s.slice(0, i) + 'x' + s.slice(i + 1);
}

/**
 * Synthetic person records with known duplicates, for tests and benchmarks: `entities` originals,
 * each with 0–2 noisy duplicates (typos, missing values, swapped day/month). Truth = entity number.
 */
export function syntheticPeople(entities: number, seed = 7, vocabulary: 'small' | 'large' = 'small'): { records: ResolveRecord[]; truth: string[] } {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  // 'large': ~2 000 invented given names and ~50 000 family names, a realistic spread for scale tests.
  const givenPool = vocabulary === 'large' ? Array.from({ length: 2000 }, () => invented(r, 2 + Math.floor(r() * 2))) : GIVEN;
  const familyPool = vocabulary === 'large' ? Array.from({ length: 50_000 }, () => invented(r, 3 + Math.floor(r() * 2))) : FAMILY;
  const records: ResolveRecord[] = [];
  const truth: string[] = [];
  for (let e = 0; e < entities; e++) {
    // Zipf-like skew: a few common given names, a long tail.
    const first = givenPool[Math.floor(givenPool.length * r() * r())] ?? pick(givenPool);
    const last = vocabulary === 'large' ? pick(familyPool) : pick(familyPool) + (r() < 0.7 ? pick(['', 'i', 'a', 'ov', 'son', 'er']) : pick(familyPool).slice(0, 3));
    const y = 1950 + Math.floor(r() * 55);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const dob = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const id = String(100000 + Math.floor(r() * 899999));
    const postcode = String(1000 + Math.floor(r() * 8999));
    const base = { firstName: [first], lastName: [last], birthDate: [dob], idNumber: [id], 'address.postcode': [postcode] };
    records.push({ id: `e${e}-0`, fields: scoringView('Person', base) });
    truth.push(String(e));
    const dups = Math.floor(r() * 3);
    for (let k = 1; k <= dups; k++) {
      const f: Record<string, string[]> = {
        firstName: [r() < 0.3 ? typo(first, r) : first],
        lastName: [r() < 0.3 ? typo(last, r) : last],
        birthDate: [r() < 0.15 ? `${y}-${String(d).padStart(2, '0')}-${String(m).padStart(2, '0')}` : dob],
        'address.postcode': [r() < 0.2 ? typo(postcode, r) : postcode],
      };
      if (r() < 0.7) f['idNumber'] = [r() < 0.2 ? typo(id, r) : id];
      records.push({ id: `e${e}-${k}`, fields: scoringView('Person', f) });
      truth.push(String(e));
    }
  }
  return { records, truth };
}
