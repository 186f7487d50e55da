/** watch: whom we look for — watchlists, screening, hits, reviews, delisting safety net. */
export * from './model.js';
export { parseBirthDate, compareBirthDates, bestBirthDateScore, type BirthDate, type DateAgreement } from './dates.js';
export { featuresOf, featureDigest, normaliseSelector, type ScreeningFeatures } from './features.js';
export { ScreeningIndex, profileScore, type ScreeningMatch, type ScreenOptions, type AlertWindow } from './screening-index.js';
export {
  WatchService,
  SCREENING_ACTOR_CTX,
  addMonths,
  subjectOfEntity,
  releasableTo,
  type DueAlert,
  type ImportedAlert,
  type NewAlert,
  type ScreenableEntity,
  type ScreeningSubject,
  type ScreeningSummary,
  type WatchServiceOptions,
} from './service.js';
export { travelSubject } from './travel.js';
