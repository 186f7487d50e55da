/**
 * scenario: deterministic synthetic multi-agency data with ground truth.
 *
 * `generateScenario({ size, seed })` builds the true world and streams each agency's statements in
 * batches; `writeScenario` writes them with the ground truth, watchlists and raw source files;
 * `readScenario` streams a written scenario back.
 */
export { generateScenario, type Scenario, type ScenarioAgency, type ScenarioCase, type ScenarioOptions, type ScenarioTruth, type StatementsOptions, type TruthPerson, type WatchlistEntry, type EncounterAction } from './scenario.js';
export type { MentionTruth, MentionType, ScenarioReport } from './reports.js';
export { SCENARIO_SIZES, type ScenarioSize } from './world.js';
export { readScenario, writeScenario, SCENARIO_FORMAT, type ScenarioManifest, type ScenarioProgress, type ScenarioReader, type WriteOptions } from './writer.js';
