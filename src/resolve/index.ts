/** resolve: which records are the same person — names, blocking, Fellegi–Sunter, link states, clusters. */
export * from './names/index.js';
export * from './fs/index.js';
export * from './blocking/index.js';
export { matchRecords, pairQuality, type MatchOptions, type MatchResult } from './match.js';
export { DATE_FORMATS, MatchMapping, dateFromFormat, parseMapping, recordsFromRows, type DateFormat } from './mapping.js';
export * from './links/index.js';
