import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import countries from 'i18n-iso-countries';

/** How strictly a phone number is checked: `valid` uses libphonenumber's number-range metadata, `possible` only the length rules. */
export type PhoneValidation = 'valid' | 'possible';

export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

/** True when `region` is an ISO 3166-1 alpha-2 code libphonenumber can use as a default region. */
export function isPhoneRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && countries.isValid(region);
}

// CDRs repeat the same few numbers millions of times; parsing costs ~6 µs, a Map hit ~50 ns.
const CACHE_LIMIT = 50_000;
const cache = new Map<string, Normalised>();

/**
 * A phone number in E.164 (ITU-T E.164), parsed with libphonenumber-js in the source's default
 * region: national formats (`06 12 34 56 78` in FR), international prefixes (`0049…`, `+49…`).
 */
export function normalisePhone(raw: string, defaultRegion: string | undefined, validation: PhoneValidation = 'possible'): Normalised {
  const key = `${defaultRegion ?? ''}|${validation}|${raw}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = parsePhone(raw, defaultRegion, validation);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

function parsePhone(raw: string, defaultRegion: string | undefined, validation: PhoneValidation): Normalised {
  let text = raw.normalize('NFKC').trim();
  if (text.length === 0) return { ok: false, reason: 'phone number is empty' };
  if (text.length > 40) return { ok: false, reason: `phone number longer than 40 characters: "${text.slice(0, 20)}…"` };
  // "00" is the ITU-recommended international prefix (E.164 Annex A); without a region libphonenumber does not know it.
  if (!defaultRegion && /^00[1-9]/.test(text.replace(/[\s().-]/g, ''))) text = `+${text.replace(/[\s().-]/g, '').slice(2)}`;
  const region = defaultRegion && isPhoneRegion(defaultRegion) ? (defaultRegion as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(text, region ? { defaultCountry: region } : undefined);
  if (!parsed) {
    return { ok: false, reason: region ? `not a phone number (default region ${region}): "${raw}"` : `not a phone number in international form and the source declares no default region: "${raw}"` };
  }
  const good = validation === 'valid' ? parsed.isValid() : parsed.isPossible();
  if (!good) return { ok: false, reason: `not a ${validation} phone number${region ? ` (default region ${region})` : ''}: "${raw}"` };
  return { ok: true, value: parsed.number };
}
