import anyAscii from 'any-ascii';

/**
 * Name normalisation for linkage: Unicode NFKC, transliteration to ASCII (any-ascii), lower case,
 * everything but letters turned into single spaces. So "Müller-Lüdenscheidt", "MUELLER" and
 * "Мюллер" come close before encoding.
 * TODO(unify): src/resolve builds the project's name normaliser; switch to it once it is public, and
 * bump the encoding scheme version, since partners must normalise identically.
 */
export function normaliseName(name: string): string {
  return anyAscii(name.normalize('NFKC'))
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

/** A date of birth as [year, month, day] strings; accepts YYYY-MM-DD, YYYYMMDD and partial YYYY[-MM]. */
export function birthDateParts(value: string | undefined): { year?: string; month?: string; day?: string } {
  if (!value) return {};
  const v = value.trim();
  const m = /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?$/.exec(v);
  if (!m) return {};
  const [, year, month, day] = m;
  const out: { year?: string; month?: string; day?: string } = {};
  if (year) out.year = year;
  if (month && month !== '00') out.month = month;
  if (day && day !== '00') out.day = day;
  return out;
}

/** Padded character bigrams of each word of a normalised name (Schnell et al. 2009 use q = 2 with padding). */
export function nameBigrams(normalised: string): string[] {
  const grams: string[] = [];
  for (const word of normalised.split(' ')) {
    if (!word) continue;
    const padded = `_${word}_`;
    for (let i = 0; i + 2 <= padded.length; i++) grams.push(padded.slice(i, i + 2));
  }
  return grams;
}
