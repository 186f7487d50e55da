import anyAscii from 'any-ascii';
import { doubleMetaphone } from 'double-metaphone';
import { ABD, ARTICLES, LOW_WEIGHT, PATRONYMIC, TEKNONYM, canonicalGivenName } from './variants.js';

/**
 * Arabic (and Persian/Urdu) letters → Latin, consonant by consonant. any-ascii drops long-vowel
 * information and keeps the ayn as a backtick; a dedicated table (after ALA-LC, simplified to ASCII)
 * lets an unvowelled Arabic name meet its Latin spellings on a consonant skeleton. Long vowels ا و ي
 * become a/u/i inside a word and w/y at its start, so "يوسف" → "yusf" and "سعيد" → "said".
 */
const ARABIC: Readonly<Record<string, string>> = {
  'ا': 'a', 'أ': 'a', 'إ': 'i', 'آ': 'a', 'ٱ': 'a', 'ء': '', 'ؤ': 'u', 'ئ': 'i', 'ب': 'b', 'ت': 't', 'ث': 'th',
  'ج': 'j', 'ح': 'h', 'خ': 'kh', 'د': 'd', 'ذ': 'dh', 'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'sh', 'ص': 's',
  'ض': 'd', 'ط': 't', 'ظ': 'z', 'ع': '', 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ك': 'k', 'ل': 'l', 'م': 'm',
  'ن': 'n', 'ه': 'h', 'ة': 'a', 'ى': 'a', 'پ': 'p', 'چ': 'ch', 'ژ': 'zh', 'گ': 'g', 'ک': 'k', 'ڤ': 'v',
  'َ': 'a', 'ِ': 'i', 'ُ': 'u', 'ّ': '', 'ْ': '', 'ً': '', 'ٍ': '', 'ٌ': '', 'ـ': '', 'ٰ': 'a',
  '٠': '0', '١': '1', '٢': '2', '٣': '3', '٤': '4', '٥': '5', '٦': '6', '٧': '7', '٨': '8', '٩': '9', '،': ',',
};
const ARABIC_VOWEL_LETTER: Readonly<Record<string, [initial: string, medial: string]>> = {
  'و': ['w', 'u'],
  'ي': ['y', 'i'],
  'ی': ['y', 'i'],
  'ے': ['y', 'e'],
};

const RE_ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u;
const RE_HEBREW = /[\u0590-\u05FF]/u;
const RE_CJK_OR_HANGUL = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\u1100-\u11FF]/u;

/** Script family of a name, which decides how much weight vowels can carry. */
export type ScriptFamily = 'latin' | 'abjad' | 'syllabic' | 'other';

function arabicToLatin(word: string, persian = false): string {
  let out = '';
  let first = true;
  for (const ch of word) {
    const fa = persian ? PERSIAN_OVERRIDES[ch] : undefined;
    if (fa !== undefined) {
      out += fa;
      first = false;
      continue;
    }
    const vowel = ARABIC_VOWEL_LETTER[ch];
    if (vowel) out += first ? vowel[0] : vowel[1];
    else if (ch === 'ع' || ch === 'ء' || ch === 'أ') out += first ? 'a' : '';
    else if (ch === 'ه' && /[sktdgzcp]$/.test(out)) out += 'a'; // avoid a false digraph (زهراء → "zara", not "zh…")
    else out += ARABIC[ch] ?? anyAscii(ch);
    first = false;
  }
  // The definite article is written joined (الكريم); split it so that particle rules see it.
  if (out.startsWith('al') && out.length > 4 && word.startsWith('ال')) return `al ${out.slice(2)}`;
  return out;
}

/** Persian and Urdu pronounce ض ظ ذ as z and ث as s (Ramazan, Reza), unlike Arabic (Ramadan, Rida). */
const PERSIAN_OVERRIDES: Readonly<Record<string, string>> = { 'ض': 'z', 'ظ': 'z', 'ذ': 'z', 'ث': 's', 'ة': 'e' };
const RE_PERSIAN = /[پچژگکیٹڈڑںھہے]/u;

/**
 * Korean family names by their customary Latin spelling (Kim, Lee, Park…), which differs from the
 * Revised Romanization any-ascii produces (Gim, I, Bak). Korean names are written family name first.
 */
const KOREAN_SURNAMES: Readonly<Record<string, string>> = {
  '김': 'kim', '이': 'lee', '박': 'park', '최': 'choi', '정': 'jung', '강': 'kang', '조': 'cho', '윤': 'yoon', '장': 'jang',
  '임': 'lim', '한': 'han', '오': 'oh', '서': 'seo', '신': 'shin', '권': 'kwon', '황': 'hwang', '안': 'ahn', '송': 'song',
  '류': 'ryu', '유': 'yoo', '전': 'jeon', '홍': 'hong', '고': 'ko', '문': 'moon', '양': 'yang', '손': 'son', '배': 'bae',
  '백': 'baek', '허': 'heo', '남': 'nam', '노': 'noh', '하': 'ha', '곽': 'kwak', '성': 'sung', '차': 'cha', '주': 'joo',
  '우': 'woo', '구': 'koo', '민': 'min', '나': 'na', '진': 'jin', '지': 'ji', '엄': 'eom', '채': 'chae', '원': 'won', '천': 'cheon',
};
const RE_HANGUL_WORD = /^[가-힯]{2,4}$/u;

function koreanToLatin(word: string): string {
  const first = word[0] ?? '';
  const surname = KOREAN_SURNAMES[first];
  // Family name + given name written as one word (박지훈): split, keep the given name as one token.
  if (surname && word.length >= 2 && word.length <= 4) return `${surname} ${anyAscii(word.slice(1)).toLowerCase()}`;
  return anyAscii(word);
}

/** Hebrew letters → Latin, like the Arabic table (vav and yod as vowels inside a word). */
const HEBREW: Readonly<Record<string, string>> = {
  'א': '', 'ב': 'b', 'ג': 'g', 'ד': 'd', 'ה': 'h', 'ז': 'z', 'ח': 'h', 'ט': 't', 'כ': 'k', 'ך': 'k', 'ל': 'l',
  'מ': 'm', 'ם': 'm', 'נ': 'n', 'ן': 'n', 'ס': 's', 'ע': '', 'פ': 'p', 'ף': 'f', 'צ': 'ts', 'ץ': 'ts', 'ק': 'k',
  'ר': 'r', 'ש': 'sh', 'ת': 't',
};

function hebrewToLatin(word: string): string {
  let out = '';
  let first = true;
  for (const ch of word) {
    if (ch === 'ו') out += first ? 'v' : 'o';
    else if (ch === 'י') out += first ? 'y' : 'i';
    else if ((ch === 'א' || ch === 'ע') && first) out += 'a';
    else if (ch === 'ה' && /[sktdgzcp]$/.test(out)) out += 'a';
    else if (/[\u0591-\u05C7]/u.test(ch)) out += '';
    else out += HEBREW[ch] ?? anyAscii(ch);
    first = false;
  }
  return out;
}

/** Detects the script family of a raw name (the first non-Latin script found wins). */
export function scriptFamily(raw: string): ScriptFamily {
  if (RE_ARABIC.test(raw) || RE_HEBREW.test(raw)) return 'abjad';
  if (RE_CJK_OR_HANGUL.test(raw)) return 'syllabic';
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u024F\u1E00-\u1EFF\s\p{P}\p{N}]*$/u.test(raw)) return 'latin';
  return 'other';
}

/**
 * Transliterates any script to lower-case ASCII words: NFKC, Arabic by the table above, every other
 * script by any-ascii (Cyrillic, Greek, Hebrew, Devanagari, kana, Hangul, Han → pinyin). Syllabic
 * outputs ("ZhangWei") are split at their capitals so that given and family names become tokens.
 */
export function latinise(raw: string): string {
  const nfkc = raw.normalize('NFKC');
  const family = scriptFamily(nfkc);
  let ascii: string;
  if (family === 'abjad') {
    ascii = nfkc
      .split(/(\s+)/u)
      .map((w) => (RE_ARABIC.test(w) ? arabicToLatin(w, RE_PERSIAN.test(nfkc)) : RE_HEBREW.test(w) ? hebrewToLatin(w) : anyAscii(w)))
      .join('');
  } else if (family === 'syllabic' && /[\uAC00-\uD7AF]/u.test(nfkc)) {
    ascii = nfkc
      .split(/(\s+)/u)
      .map((w) => (RE_HANGUL_WORD.test(w) ? koreanToLatin(w) : anyAscii(w)))
      .join('');
  } else {
    ascii = anyAscii(nfkc);
  }
  if (family === 'syllabic') ascii = ascii.replace(/([a-z])([A-Z])/g, '$1 $2');
  return ascii
    .toLowerCase()
    .replace(/['`’ʼʿʾ]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Consonant skeleton of a Latin token: the first sound kept (vowel → "a"), then consonants only, with
 * the spelling alternations of transliteration merged (q/k/c, ph/f, w/v, z/s, kh/h, dh/d, th/t, sh/ch/s,
 * dj/j/zh, doubled letters, silent final h). Close to the "skeleton" keys of name-search practice
 * (e.g. Soundex keeps the first letter; the Arabic-name literature drops short vowels, which Arabic
 * script does not write).
 */
export function skeleton(token: string): string {
  if (token.length === 0) return '';
  let s = token
    .replace(/t?sch|tch/g, 'ch')
    .replace(/ou(?=[aeiy])/g, 'w')
    .replace(/^ou/, 'w')
    .replace(/(?:sh|ch|zh|dj|dzh|j)/g, (m) => (m === 'sh' || m === 'ch' ? 's' : 'y'))
    .replace(/kh|gh|ph|th|dh|ck|x|q|c|w|z/g, (m) => ({ kh: 'h', gh: 'g', ph: 'f', th: 't', dh: 'd', ck: 'k', x: 'ks', q: 'k', c: 'k', w: 'v', z: 's' })[m] ?? m);
  const first = s[0] ?? '';
  let out = 'aeiou'.includes(first) ? 'a' : first;
  s = s.slice(1);
  let prev = out;
  for (const ch of s) {
    if ('aeiouy'.includes(ch)) {
      prev = 'a';
      continue;
    }
    if (ch === 'h') {
      // h is written for several Arabic/Hebrew sounds and dropped by many spellings (Mohamed/Mhmd,
      // Zahra/Zara): treat it like a vowel, a separator that carries no consonant.
      prev = 'a';
      continue;
    }
    if (ch === prev) continue;
    out += ch;
    prev = ch;
  }
  return out;
}

/** One token of a name, with every key the comparators need precomputed. */
export interface NameToken {
  readonly text: string;
  /** Variant-table key (e.g. all Muhammad spellings → "muhammad"), or the text itself. */
  readonly canonical: string;
  /** True when `canonical` comes from the curated variant table. */
  readonly known: boolean;
  readonly skeleton: string;
  readonly metaphone: readonly [string, string];
  /** Particles (bin, abu, van, de…) weigh little in alignment. */
  readonly weight: number;
}

/** A parsed, transliterated name ready for comparison. */
export interface NameProfile {
  readonly raw: string;
  readonly family: ScriptFamily;
  readonly tokens: readonly NameToken[];
  /** Tokens with particles fused to the next token ("bin saeed" → "binsaeed"), for split/joined spellings. */
  readonly fused: readonly NameToken[];
}

function makeToken(text: string): NameToken {
  const canon = canonicalGivenName(text);
  const [p, s] = doubleMetaphone(text);
  return {
    text,
    canonical: canon ?? text,
    known: canon !== undefined,
    skeleton: skeleton(canon ?? text),
    metaphone: [p, s],
    weight: LOW_WEIGHT.has(text) ? 0.25 : 1,
  };
}

const ABD_PREFIX = /^(abdel|abdul|abdal|abdol|abdoul|abdou|abdu|abde|abdi|abd)([a-z]{3,})$/;

/**
 * Applies the Arabic particle rules to a token list: articles before a name dropped, ibn/ben/bin →
 * "bin", abu/abou/bou → "abu", abd (+ article) + name joined into one token ("abd al karim",
 * "abdelkarim", "abdul karim" → "abdkarim").
 */
export function canonicalTokens(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    const next = words[i + 1];
    if (ARTICLES.has(w) && next !== undefined) continue;
    if (ABD.has(w) && next !== undefined) {
      let j = i + 1;
      if (ARTICLES.has(words[j] ?? '') && words[j + 1] !== undefined) j++;
      out.push(`abd${words[j] ?? ''}`);
      i = j;
      continue;
    }
    const abd = ABD_PREFIX.exec(w);
    if (abd && !canonicalGivenName(w)) {
      let rest = abd[2] ?? '';
      // "abdelkarim" / "abdalkarim" / "abdulkarim": the vowel+l after abd is the article.
      if (abd[1] === 'abd' && /^[aeiou]l[a-z]{3,}$/.test(rest)) rest = rest.slice(2);
      out.push(`abd${rest}`);
      continue;
    }
    if (i > 0 && PATRONYMIC.has(w) && next !== undefined) {
      out.push(PATRONYMIC.get(w) ?? w);
      continue;
    }
    if (TEKNONYM.has(w) && next !== undefined) {
      out.push(TEKNONYM.get(w) ?? w);
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Titles and honorifics, which say nothing about identity and are dropped (when other words remain). */
const HONORIFICS: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'dame', 'herr', 'frau', 'monsieur', 'mme', 'mlle', 'sr', 'sra', 'don', 'dona',
  'sheikh', 'shaykh', 'sheik', 'cheikh', 'haji', 'hajji', 'hadj', 'hadji', 'mullah', 'mulla', 'imam', 'maulana', 'mawlana', 'ustadh', 'ustaz',
  'gen', 'general', 'col', 'colonel', 'capt', 'captain', 'maj', 'major', 'lt', 'sgt', 'rev', 'fr',
]);

/** Builds the comparison profile of a raw name in any script. Empty input gives an empty profile. */
export function nameProfile(raw: string): NameProfile {
  const all = latinise(raw)
    .split(' ')
    .filter((w) => w.length > 0);
  const kept = all.filter((w) => !HONORIFICS.has(w));
  const words = kept.length > 0 ? kept : all;
  const canon = canonicalTokens(words);
  const tokens = canon.map(makeToken);
  const fusedText: string[] = [];
  for (let i = 0; i < canon.length; i++) {
    const w = canon[i] ?? '';
    const next = canon[i + 1];
    if (LOW_WEIGHT.has(w) && next !== undefined) {
      fusedText.push(w + next);
      i++;
    } else fusedText.push(w);
  }
  const fused = fusedText.length === canon.length ? tokens : fusedText.map(makeToken);
  return { raw, family: scriptFamily(raw), tokens, fused };
}

/** Sorted initials of a name's (non-particle) tokens, e.g. "Karim Ben Saeed" → "ks". For blocking. */
export function sortedInitials(profile: NameProfile): string {
  return profile.tokens
    .filter((t) => t.weight === 1)
    .map((t) => t.canonical[0] ?? '')
    .sort()
    .join('');
}
