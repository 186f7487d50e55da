/** Blocking: rules as key functions, in-memory candidate pairs, per-rule report and recall. */
export { blockingKeys, blockingRecall, candidatePairs, checkRules, defaultRules, type BlockingKey, type BlockingOptions, type BlockingRule, type CandidatePairs, type KeyPart, type RuleReport } from './blocking.js';
