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
// Name toolkit: the invented name tables and the agency-style renderer, for tests and benchmarks of
// other areas (name matching, screening) that need fresh variant pairs.
export { NAME_TABLES, canonicalName, drawName, renderName, typo, type NameEntry, type Origin, type RenderedName, type RenderOptions, type Script, type TrueName } from './names.js';
export { Rng } from './rng.js';
