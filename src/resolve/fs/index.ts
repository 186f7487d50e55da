/** Fellegi–Sunter scoring: fields and levels, EM training, weights, explanations, parallel comparison. */
export { FIELD_KINDS, LEVELS, checkFieldSpecs, fieldLevel, normaliseDate, normaliseValue, prepareRecords, valueIdsOf, valuesOf, type FieldKind, type FieldSpec, type PreparedField, type PreparedRecords, type ResolveRecord } from './fields.js';
export { DEFAULT_LAMBDA, defaultM, defaultU, estimateU, explainPair, loadModel, saveModel, tfAdjustment, trainModel, weightTable, weightToProbability, type FieldExplanation, type FieldModel, type FsModel, type PairExplanation, type TrainOptions, type TrainingReport } from './model.js';
export { compareLevels, weightsFromLevels } from './kernel.js';
export { ComparisonPool } from './pool.js';
