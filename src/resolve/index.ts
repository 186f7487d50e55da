/** resolve: which records are the same person — names, blocking, Fellegi–Sunter, link states, clusters. */
export * from './names/index.js';
export * from './fs/index.js';
export * from './blocking/index.js';
export { matchRecords, pairQuality, type MatchOptions, type MatchResult } from './match.js';
export { DATE_FORMATS, MatchMapping, dateFromFormat, parseMapping, recordsFromRows, type DateFormat } from './mapping.js';
export * from './links/index.js';
export { JUDGEMENTS, StoreJudgementRepository, judgementId } from './store-repository.js';
export { ALERTS, DEFAULT_CLUSTER_THRESHOLD, DEFAULT_STORE_FLOOR, LINKS, PERSON_FIELDS, RUNS, ResolutionService, runQuality, type JudgeResult, type LinkView, type RunOptions, type RunQuality, type RunReport, type StoredLink } from './service.js';
