/** Name handling: transliteration, variant spellings, phonetic keys and comparators. */
export { latinise, skeleton, scriptFamily, nameProfile, canonicalTokens, sortedInitials, type NameProfile, type NameToken, type ScriptFamily } from './normalise.js';
export { jaro, jaroWinkler, levenshtein, levenshteinSimilarity, withinOneEdit, tokenSetSimilarity, phoneticEqual, tokenSimilarity, profileSimilarity, nameSimilarity, cachedProfile } from './compare.js';
export { canonicalGivenName, variantTableSize } from './variants.js';
