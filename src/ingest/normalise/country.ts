import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import type { Normalised } from './phone.js';

const require = createRequire(import.meta.url);

/** Languages whose country names are recognised by default (the EU's working languages and the main source languages). */
export const DEFAULT_COUNTRY_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'da', 'el', 'ro', 'cs', 'hu', 'fi', 'bg', 'hr', 'sk', 'sl', 'lt', 'lv', 'et', 'ar', 'tr', 'ru', 'uk'] as const;

/** Folds case, diacritics and punctuation so "Côte d’Ivoire", "COTE D'IVOIRE" and "cote divoire" meet. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

// Names that sources use but the CLDR-derived lists lack.
const EXTRA: Record<string, string> = {
  uk: 'GB',
  greatbritain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  usa: 'US',
  us: 'US',
  america: 'US',
  kosovo: 'XK',
  kosova: 'XK',
  kosove: 'XK',
  holland: 'NL',
  thenetherlands: 'NL',
  czechia: 'CZ',
  turkiye: 'TR',
  ksa: 'SA',
  uae: 'AE',
};

const indexByLanguages = new Map<string, Map<string, string>>();
const loaded = new Set<string>();

function ensureLanguage(lang: string): boolean {
  if (loaded.has(lang)) return true;
  try {
    countries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`) as countries.LocaleData);
    loaded.add(lang);
    return true;
  } catch {
    return false;
  }
}

/** Whether i18n-iso-countries ships country names for a language code. */
export function isCountryLanguage(lang: string): boolean {
  return /^[a-z]{2}$/.test(lang) && ensureLanguage(lang);
}

function indexFor(languages: readonly string[]): Map<string, string> {
  const key = languages.join(',');
  let index = indexByLanguages.get(key);
  if (index) return index;
  index = new Map(Object.entries(EXTRA));
  for (const lang of languages) {
    if (!ensureLanguage(lang)) continue;
    const names = countries.getNames(lang, { select: 'all' }) as Record<string, string[]>;
    for (const [code, list] of Object.entries(names)) for (const n of list) if (!index.has(fold(n))) index.set(fold(n), code);
  }
  indexByLanguages.set(key, index);
  return index;
}

/**
 * An ISO 3166-1 alpha-2 code from a code (alpha-2, alpha-3, numeric) or a country name in one of the
 * declared languages (i18n-iso-countries, CLDR names). Unknown input is an error, never a guess.
 */
export function normaliseCountry(raw: string, languages: readonly string[] = DEFAULT_COUNTRY_LANGUAGES): Normalised {
  const t = raw.normalize('NFKC').trim();
  if (t.length === 0) return { ok: false, reason: 'country is empty' };
  const up = t.toUpperCase();
  if (/^[A-Z]{2}$/.test(up) && (up === 'XK' || countries.isValid(up))) return { ok: true, value: up === 'UK' ? 'GB' : up };
  if (up === 'UK') return { ok: true, value: 'GB' };
  if (/^[A-Z]{3}$/.test(up)) {
    if (up === 'XKX' || up === 'RKS') return { ok: true, value: 'XK' };
    const a2 = countries.alpha3ToAlpha2(up);
    if (a2) return { ok: true, value: a2 };
  }
  if (/^\d{3}$/.test(t)) {
    const a2 = countries.numericToAlpha2(t);
    if (a2) return { ok: true, value: a2 };
  }
  const code = indexFor(languages).get(fold(t));
  if (code) return { ok: true, value: code };
  return { ok: false, reason: `unknown country "${raw}" (not an ISO code nor a country name in ${languages.join(', ')})` };
}
