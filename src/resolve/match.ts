import type { SchemaName } from '../model/index.js';
import { candidatePairs, defaultRules, type BlockingOptions, type BlockingRule, type RuleReport } from './blocking/index.js';
import { ComparisonPool, checkFieldSpecs, prepareRecords, trainModel, weightToProbability, weightsFromLevels, type FieldSpec, type FsModel, type PreparedRecords, type ResolveRecord, type TrainOptions } from './fs/index.js';

export interface MatchOptions extends BlockingOptions {
  readonly schema?: SchemaName;
  /** Blocking rules (default: `defaultRules(specs)`). */
  readonly rules?: readonly BlockingRule[];
  /** A trained model to score with; when absent, one is trained by EM on the candidates. */
  readonly model?: FsModel;
  /** Worker threads for comparison (default: all cores; 1 = in-process). */
  readonly threads?: number;
  readonly train?: TrainOptions;
}

/** Scored candidate pairs of one matching run. */
export interface MatchResult {
  readonly prepared: PreparedRecords;
  /** Record indices (i0, j0, i1, j1, …). */
  readonly pairs: Int32Array;
  readonly levels: Uint8Array;
  readonly weights: Float64Array;
  readonly probabilities: Float64Array;
  readonly model: FsModel;
  readonly blocking: readonly RuleReport[];
  readonly timings: { readonly blockMs: number; readonly compareMs: number; readonly trainMs: number; readonly scoreMs: number };
}

/**
 * Deduplicates (one source) or links (records with different `source`) records end to end:
 * blocking → parallel comparison → EM training (unless a model is given) → weights and probabilities.
 */
export async function matchRecords(records: readonly ResolveRecord[], specs: readonly FieldSpec[], opts: MatchOptions = {}): Promise<MatchResult> {
  const schema = opts.schema ?? 'Person';
  checkFieldSpecs(schema, specs);
  const t0 = performance.now();
  const prepared = prepareRecords(records, specs);
  const { pairs, report } = candidatePairs(prepared, opts.rules ?? defaultRules(specs), opts);
  const t1 = performance.now();
  // Starting workers (and cloning the records into them) costs more than comparing a few pairs.
  const pool = ComparisonPool.create(prepared, pairs.length / 2 < 20_000 ? 1 : opts.threads);
  let levels: Uint8Array;
  try {
    levels = await pool.compare(pairs.slice());
  } finally {
    await pool.close();
  }
  const t2 = performance.now();
  const model = opts.model ?? trainModel(prepared, levels, { schema, ...opts.train });
  const t3 = performance.now();
  const weights = weightsFromLevels(model, prepared, pairs, levels);
  const probabilities = new Float64Array(weights.length);
  for (let p = 0; p < weights.length; p++) probabilities[p] = weightToProbability(weights[p] ?? 0, model.lambda);
  const t4 = performance.now();
  return { prepared, pairs, levels, weights, probabilities, model, blocking: report, timings: { blockMs: t1 - t0, compareMs: t2 - t1, trainMs: t3 - t2, scoreMs: t4 - t3 } };
}

/** Precision, recall and F1 of pairs above a threshold against ground-truth entity labels. */
export function pairQuality(result: MatchResult, truth: readonly string[], threshold: number, truePairs: number): { precision: number; recall: number; f1: number; predicted: number; correct: number } {
  let predicted = 0;
  let correct = 0;
  for (let p = 0; p < result.probabilities.length; p++) {
    if ((result.probabilities[p] ?? 0) < threshold) continue;
    predicted++;
    if (truth[result.pairs[2 * p] ?? 0] === truth[result.pairs[2 * p + 1] ?? 0]) correct++;
  }
  const precision = predicted === 0 ? 1 : correct / predicted;
  const recall = truePairs === 0 ? 1 : correct / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, predicted, correct };
}
