import { z } from 'zod';
import { SCHEMA_NAMES, invalid, mulberry32, type SchemaName } from '../../model/index.js';
import { LEVELS, agreedValue, checkFieldSpecs, fieldLevel, valueIdsOf, valuesOf, FIELD_KINDS, type FieldKind, type FieldSpec, type PreparedRecords } from './fields.js';

/** Per-field parameters of a Fellegi–Sunter model. */
export interface FieldModel {
  readonly name: string;
  readonly kind: FieldKind;
  readonly levels: readonly string[];
  /** P(level | match), index 0 (null) unused. */
  readonly m: readonly number[];
  /** P(level | non-match), index 0 (null) unused. */
  readonly u: readonly number[];
  /** Term frequencies of exact values (share of records), when term-frequency adjustment is on. */
  readonly tf?: { readonly total: number; readonly freq: Readonly<Record<string, number>> };
  /** P(exact | non-match) from random pairs: the average term frequency the adjustment is relative to. */
  readonly uExactRandom?: number;
}

/** Outcome of training, kept with the model so a reader knows whether EM or the defaults produced it. */
export interface TrainingReport {
  readonly method: 'em' | 'defaults';
  readonly converged: boolean;
  readonly iterations: number;
  readonly candidatePairs: number;
  readonly randomPairs: number;
  readonly message: string;
}

/** A trained Fellegi–Sunter model (serialisable as JSON). */
export interface FsModel {
  readonly version: 1;
  readonly schema: SchemaName;
  readonly fields: readonly FieldModel[];
  /** Prior probability that a candidate pair is a match (λ). */
  readonly lambda: number;
  readonly training: TrainingReport;
}

export interface TrainOptions {
  readonly schema?: SchemaName;
  readonly maxIterations?: number;
  /** Convergence tolerance on the largest change of any m or λ. */
  readonly tolerance?: number;
  /** Random record pairs sampled to estimate u (default 100 000). */
  readonly randomPairs?: number;
  /** Seed of the random-pair sampler (deterministic training). */
  readonly seed?: number;
  /** Compute EM posteriors without the name fields (default: when dates/identifiers/phones/postcodes are on ≥ 10 % of pairs). */
  readonly excludeNamesFromEStep?: boolean;
  /** Keep u at its random-pair estimate during EM (Splink's practice) instead of re-estimating it. */
  readonly fixU?: boolean;
  /** Term-frequency tables keep at most this many values per field in the saved model. */
  readonly maxTfValues?: number;
}

/**
 * Documented default m, used to start EM and when EM does not converge or degenerates: agreement on
 * the best level is 85–95 % likely for a match, the rest spread over the other levels (the same order
 * as the starting values Splink documents; see docs/resolve.md). λ = 0.01 when there are no pairs.
 */
export function defaultM(kind: FieldKind): number[] {
  const n = LEVELS[kind].length - 1;
  if (n === 2) return [0, 0.95, 0.05];
  if (n === 3) return [0, 0.9, 0.07, 0.03];
  return [0, 0.85, 0.08, 0.04, 0.03];
}
export const DEFAULT_LAMBDA = 0.01;

/**
 * Prior u (agreement among non-matches) per level, used as pseudo-counts when estimating u from
 * random pairs, so that small files do not produce wild u values: best level 1 %, intermediate
 * levels a few %, the rest "far".
 */
export function defaultU(kind: FieldKind): number[] {
  const n = LEVELS[kind].length - 1;
  if (n === 2) return [0, 0.05, 0.95];
  if (n === 3) return [0, 0.01, 0.02, 0.97];
  return [0, 0.01, 0.02, 0.07, 0.9];
}
/** Weight (in pairs) of the prior u when random pairs are few. */
const U_PRIOR_PAIRS = 20;

/** Small deterministic PRNG (mulberry32) for sampling random pairs reproducibly. */
const rng = mulberry32;

const EPS = 1e-6;

function normalise(v: number[]): number[] {
  let s = 0;
  for (let i = 1; i < v.length; i++) s += v[i] ?? 0;
  return v.map((x, i) => (i === 0 ? 0 : Math.max(EPS, (x ?? 0) / (s || 1))));
}

/**
 * Keeps the match class a match class (a constraint on the M-step): for each field, agreement on the
 * best level is at least as likely, and total disagreement at most as likely, among matches as among
 * non-matches. Without it, EM on many near-namesakes can converge to "same name, different birth
 * date" as its "match" class (a known failure of unconstrained latent-class EM; cf. Winkler 1993 on
 * convex constraints). The excess mass is moved to / taken from the other levels proportionally.
 */
function monotone(m: number[], u: readonly number[]): number[] {
  const out = [...m];
  const L = out.length - 1;
  if (L < 2) return out;
  const far = out[L] ?? 0;
  const uFar = u[L] ?? 1;
  if (far > uFar) {
    const excess = far - uFar;
    out[L] = uFar;
    let rest = 0;
    for (let l = 1; l < L; l++) rest += out[l] ?? 0;
    for (let l = 1; l < L; l++) out[l] = (out[l] ?? 0) + (rest > 0 ? (excess * (out[l] ?? 0)) / rest : excess / (L - 1));
  }
  const best = out[1] ?? 0;
  const uBest = u[1] ?? 0;
  if (best < uBest) {
    const deficit = uBest - best;
    out[1] = uBest;
    let rest = 0;
    for (let l = 2; l <= L; l++) rest += out[l] ?? 0;
    for (let l = 2; l <= L; l++) out[l] = Math.max(EPS, (out[l] ?? 0) - (rest > 0 ? (deficit * (out[l] ?? 0)) / rest : 0));
  }
  return out;
}

/** u from random pairs: nearly all random pairs are non-matches (Splink's "u from random sampling"). */
export function estimateU(prepared: PreparedRecords, samples: number, seed: number): number[][] {
  const n = prepared.ids.length;
  const counts = prepared.fields.map((f) => defaultU(f.spec.kind).map((x, l) => (l === 0 ? 0 : x * U_PRIOR_PAIRS)));
  const rand = rng(seed);
  if (n < 2) return counts.map(normalise);
  let taken = 0;
  for (let s = 0; s < samples * 3 && taken < samples; s++) {
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    if (i === j) continue;
    if ((prepared.sources[i] ?? 0) !== 0 || (prepared.sources[j] ?? 0) !== 0) {
      if (prepared.sources[i] === prepared.sources[j]) continue;
    }
    taken++;
    prepared.fields.forEach((f, k) => {
      const l = fieldLevel(f, i, j);
      const c = counts[k];
      if (c) c[l] = (c[l] ?? 0) + 1;
    });
  }
  return counts.map(normalise);
}

function termFrequencies(prepared: PreparedRecords, k: number, maxValues: number): { total: number; freq: Record<string, number> } {
  const f = prepared.fields[k];
  const counts = new Map<string, number>();
  let total = 0;
  if (f) {
    const byId = new Float64Array(f.dict.length);
    for (let i = 0; i < f.ids.length; i++) {
      for (const id of valueIdsOf(f, i)) {
        byId[id] = (byId[id] ?? 0) + 1;
        total++;
      }
    }
    byId.forEach((c, id) => counts.set(f.dict[id] ?? '', c));
  }
  const freq: Record<string, number> = {};
  // Keep the common values only: rare values fall back to 1/total, which is what they are.
  [...counts.entries()]
    .filter(([, c]) => c > 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxValues)
    .forEach(([v, c]) => (freq[v] = c / Math.max(1, total)));
  return { total, freq };
}

/** Comparison-vector patterns of candidate pairs with their counts (EM runs on patterns, not pairs). */
export function levelPatterns(levels: Uint8Array, fieldCount: number): Map<number, { levels: number[]; count: number }> {
  const out = new Map<number, { levels: number[]; count: number }>();
  const pairs = levels.length / fieldCount;
  // Mixed-radix key with radix 8 (at most 5 levels per field); exact in a double for ≤ 17 fields.
  for (let p = 0; p < pairs; p++) {
    let key = 0;
    for (let k = 0; k < fieldCount; k++) key = key * 8 + (levels[p * fieldCount + k] ?? 0);
    const e = out.get(key);
    if (e) e.count++;
    else out.set(key, { levels: Array.from(levels.subarray(p * fieldCount, (p + 1) * fieldCount)), count: 1 });
  }
  return out;
}

/**
 * Trains m, u and λ without labels by expectation–maximisation over the comparison vectors of the
 * candidate pairs (Fellegi & Sunter 1969; EM for record linkage: Winkler 1988, Jaro 1989), under the
 * usual conditional-independence assumption. u starts from random pairs; m starts from the defaults.
 * If EM does not converge, or lands on a degenerate solution (λ at 0 or 1, or best-level agreement
 * no likelier for matches than non-matches on most fields), the model falls back to the documented
 * defaults and says so in `training`.
 */
export function trainModel(prepared: PreparedRecords, levels: Uint8Array, opts: TrainOptions = {}): FsModel {
  const schema = opts.schema ?? 'Person';
  const specs = prepared.fields.map((f) => f.spec);
  checkFieldSpecs(schema, specs);
  const F = specs.length;
  if (F > 17) throw invalid(`at most 17 compared fields (got ${F})`, undefined, 'fields');
  const pairs = levels.length / F;
  const randomPairs = opts.randomPairs ?? 100_000;
  const uRandom = estimateU(prepared, randomPairs, opts.seed ?? 1);
  const tfs = specs.map((s, k) => (tfEnabled(s) ? termFrequencies(prepared, k, opts.maxTfValues ?? 20_000) : undefined));
  const fixU = opts.fixU ?? false;
  let m = specs.map((s) => defaultM(s.kind));
  let u = uRandom.map((x) => [...x]);
  let lambda = 0.1;
  let converged = false;
  let iterations = 0;
  const maxIter = opts.maxIterations ?? 200;
  const tol = opts.tolerance ?? 1e-5;
  const patterns = [...levelPatterns(levels, F).values()];
  // Which fields drive the E-step. Name fields are correlated with each other and with blocking (which
  // brings namesakes together), and on data with many namesakes EM then learns "similar name" as its
  // match class. When other discriminating fields (dates, identifiers, phones, postcodes) are present
  // on enough pairs, the posterior is computed without the name fields, and the names' m and u are
  // estimated from it — the same idea as Splink's training blocked on one field and estimating the
  // others' m. Scoring still uses every field.
  const anchored = specs.map((s) => s.kind === 'date' || s.kind === 'identifier' || s.kind === 'phone' || s.kind === 'postcode');
  const present = specs.map((_, k) => patterns.reduce((n, pat) => n + ((pat.levels[k] ?? 0) > 0 ? pat.count : 0), 0) / Math.max(1, pairs));
  const excludeNames = opts.excludeNamesFromEStep ?? specs.some((_, k) => anchored[k] && (present[k] ?? 0) >= 0.1);
  const drives = specs.map((s) => !(excludeNames && s.kind === 'name'));
  if (pairs > 0) {
    for (iterations = 1; iterations <= maxIter; iterations++) {
      const mAcc = specs.map((s) => new Array<number>(LEVELS[s.kind].length).fill(0));
      const uAcc = specs.map((s) => new Array<number>(LEVELS[s.kind].length).fill(0));
      let matchMass = 0;
      for (const pat of patterns) {
        let pm = lambda;
        let pu = 1 - lambda;
        for (let k = 0; k < F; k++) {
          const l = pat.levels[k] ?? 0;
          if (l === 0 || !drives[k]) continue;
          pm *= m[k]?.[l] ?? EPS;
          pu *= u[k]?.[l] ?? EPS;
        }
        const g = pm + pu > 0 ? pm / (pm + pu) : 0;
        matchMass += g * pat.count;
        for (let k = 0; k < F; k++) {
          const l = pat.levels[k] ?? 0;
          if (l === 0) continue;
          const ma = mAcc[k];
          const ua = uAcc[k];
          if (ma) ma[l] = (ma[l] ?? 0) + g * pat.count;
          if (ua) ua[l] = (ua[l] ?? 0) + (1 - g) * pat.count;
        }
      }
      const newM = mAcc.map(normalise).map((mk, k) => monotone(mk, u[k] ?? []));
      const newU = uAcc.map(normalise);
      const newLambda = Math.min(1 - EPS, Math.max(EPS, matchMass / pairs));
      let delta = Math.abs(newLambda - lambda);
      for (let k = 0; k < F; k++) {
        const a = newM[k] ?? [];
        for (let l = 1; l < a.length; l++) delta = Math.max(delta, Math.abs((a[l] ?? 0) - (m[k]?.[l] ?? 0)));
      }
      m = newM;
      if (!fixU) u = newU;
      lambda = newLambda;
      if (delta < tol) {
        converged = true;
        break;
      }
    }
  }
  // A two-class latent model needs at least three conditionally independent indicators to be
  // identifiable (Goodman 1974): with fewer fields holding values, EM's answer is arbitrary.
  const fieldsWithValues = present.filter((p) => p > 0).length;
  const unidentifiable = pairs > 0 && fieldsWithValues < 3;
  const degenerate = lambda < 1e-4 || lambda > 0.999 || m.filter((mk, k) => (mk[1] ?? 0) <= (u[k]?.[1] ?? 0)).length > F / 2;
  const fallback = pairs === 0 || !converged || degenerate || unidentifiable;
  const message =
    pairs === 0
      ? 'no candidate pairs: EM not run, documented defaults used'
      : unidentifiable
        ? `only ${fieldsWithValues} compared field(s) hold values: EM is not identifiable below three, so documented default m is used, u from random pairs, λ re-estimated`
      : !converged
        ? `EM did not converge in ${maxIter} iterations: documented default m used, u from random pairs, λ re-estimated`
        : degenerate
          ? `EM converged to a degenerate solution (λ=${lambda.toExponential(2)}): documented default m used, u from random pairs, λ re-estimated`
          : `EM converged in ${iterations} iterations`;
  // Fallback: m at the documented defaults, u from random pairs, and λ alone re-estimated by EM with
  // m and u fixed (a one-parameter EM always converges); the documented λ default if there are no pairs.
  let fallbackLambda = DEFAULT_LAMBDA;
  if (fallback && pairs > 0) {
    const dm = specs.map((s) => defaultM(s.kind));
    for (let it = 0; it < 200; it++) {
      let mass = 0;
      for (const pat of patterns) {
        let pm = fallbackLambda;
        let pu = 1 - fallbackLambda;
        for (let k = 0; k < F; k++) {
          const l = pat.levels[k] ?? 0;
          if (l === 0) continue;
          pm *= dm[k]?.[l] ?? EPS;
          pu *= uRandom[k]?.[l] ?? EPS;
        }
        mass += (pm / (pm + pu)) * pat.count;
      }
      const next = Math.min(0.99, Math.max(1e-4, mass / pairs));
      const done = Math.abs(next - fallbackLambda) < 1e-6;
      fallbackLambda = next;
      if (done) break;
    }
  }
  const fields: FieldModel[] = specs.map((s, k) => {
    const tf = tfs[k];
    const mk = fallback ? defaultM(s.kind) : (m[k] ?? defaultM(s.kind));
    // Scoring uses the candidate-pair u from EM (which knows that blocking made agreement common
    // among candidates); the random-pair u serves the term-frequency adjustment and the fallback.
    const uk = fallback ? (uRandom[k] ?? []) : (u[k] ?? []);
    return {
      name: s.name,
      kind: s.kind,
      levels: LEVELS[s.kind],
      m: mk,
      u: uk,
      ...(tf ? { tf, uExactRandom: uRandom[k]?.[1] ?? EPS } : {}),
    };
  });
  return {
    version: 1,
    schema,
    fields,
    lambda: fallback ? fallbackLambda : lambda,
    training: { method: fallback ? 'defaults' : 'em', converged, iterations: Math.min(iterations, maxIter), candidatePairs: pairs, randomPairs, message },
  };
}

function tfEnabled(s: FieldSpec): boolean {
  return s.tf ?? (s.kind === 'name' || s.kind === 'text' || s.kind === 'postcode');
}

/** log2(m/u) per field and level: the match weights (Fellegi & Sunter 1969), level 0 weighs 0. */
export function weightTable(model: FsModel): number[][] {
  return model.fields.map((f) => f.levels.map((_, l) => (l === 0 ? 0 : Math.log2((f.m[l] ?? EPS) / (f.u[l] ?? EPS)))));
}

/**
 * Term-frequency adjustment of an exact agreement on `value` (Winkler 1989; Splink's formula): the
 * exact-level weight is shifted by log2(u_exact / tf(value)), so agreeing on a rare surname counts
 * more than agreeing on a common one. Bounded to ±5 bits so one value cannot dominate.
 */
export function tfAdjustment(f: FieldModel, value: string): number {
  if (!f.tf || f.uExactRandom === undefined) return 0;
  const freq = f.tf.freq[value] ?? 1 / Math.max(1, f.tf.total);
  const adj = Math.log2(f.uExactRandom / freq);
  return Math.max(-5, Math.min(5, adj));
}

/** Turns a total match weight (bits) into a probability, given the prior λ. */
export function weightToProbability(totalWeight: number, lambda: number): number {
  const logOdds = Math.log2(lambda / (1 - lambda)) + totalWeight;
  return 1 / (1 + Math.pow(2, -logOdds));
}

/** One field's contribution to a pair's score (one bar of the waterfall). */
export interface FieldExplanation {
  readonly field: string;
  readonly level: string;
  readonly levelIndex: number;
  readonly weight: number;
  readonly tfAdjustment: number;
  readonly left: readonly string[];
  readonly right: readonly string[];
}

/** A scored pair with its explanation. */
export interface PairExplanation {
  readonly left: string;
  readonly right: string;
  readonly priorWeight: number;
  readonly fields: readonly FieldExplanation[];
  readonly weight: number;
  readonly probability: number;
}

/** Scores records i and j and explains the score field by field (the waterfall chart's data). */
export function explainPair(model: FsModel, prepared: PreparedRecords, i: number, j: number): PairExplanation {
  const table = weightTable(model);
  const fields: FieldExplanation[] = prepared.fields.map((f, k) => {
    const fm = model.fields[k];
    const l = fieldLevel(f, i, j);
    const tfAdj = l === 1 && fm ? tfAdjustment(fm, agreedValue(f, i, j) ?? '') : 0;
    return {
      field: f.spec.name,
      level: LEVELS[f.spec.kind][l] ?? String(l),
      levelIndex: l,
      weight: (table[k]?.[l] ?? 0) + tfAdj,
      tfAdjustment: tfAdj,
      left: valuesOf(f, i),
      right: valuesOf(f, j),
    };
  });
  const weight = fields.reduce((s, f) => s + f.weight, 0);
  return {
    left: prepared.ids[i] ?? String(i),
    right: prepared.ids[j] ?? String(j),
    priorWeight: Math.log2(model.lambda / (1 - model.lambda)),
    fields,
    weight,
    probability: weightToProbability(weight, model.lambda),
  };
}

const ModelSchema = z.object({
  version: z.literal(1),
  schema: z.enum(SCHEMA_NAMES),
  lambda: z.number().gt(0).lt(1),
  fields: z.array(
    z.object({
      name: z.string().min(1),
      kind: z.enum(FIELD_KINDS as [FieldKind, ...FieldKind[]]),
      levels: z.array(z.string()),
      m: z.array(z.number().min(0).max(1)),
      u: z.array(z.number().min(0).max(1)),
      tf: z.object({ total: z.number().int().min(0), freq: z.record(z.string(), z.number()) }).optional(),
      uExactRandom: z.number().optional(),
    }),
  ),
  training: z.object({
    method: z.enum(['em', 'defaults']),
    converged: z.boolean(),
    iterations: z.number().int(),
    candidatePairs: z.number().int(),
    randomPairs: z.number().int(),
    message: z.string(),
  }),
});

/** Serialises a model to JSON text. */
export function saveModel(model: FsModel): string {
  return JSON.stringify(model, null, 2);
}

/** Parses and validates a saved model; protected characteristics are rejected here too. */
export function loadModel(json: string): FsModel {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw invalid(`model is not JSON: ${(e as Error).message}`, undefined, 'model');
  }
  const r = ModelSchema.safeParse(raw);
  if (!r.success) throw invalid(`not a Tessera matching model: ${r.error.issues[0]?.message ?? 'invalid'} at ${r.error.issues[0]?.path.join('.') ?? ''}`, undefined, 'model');
  const d = r.data;
  const schema: SchemaName = d.schema;
  checkFieldSpecs(schema, d.fields.map((f) => ({ name: f.name, kind: f.kind })));
  for (const f of d.fields) {
    if (f.m.length !== LEVELS[f.kind].length || f.u.length !== LEVELS[f.kind].length) throw invalid(`field ${f.name}: m and u need ${LEVELS[f.kind].length} levels`, undefined, f.name);
  }
  const fields: FieldModel[] = d.fields.map((f) => ({
    name: f.name,
    kind: f.kind,
    levels: f.levels,
    m: f.m,
    u: f.u,
    ...(f.tf ? { tf: f.tf } : {}),
    ...(f.uExactRandom !== undefined ? { uExactRandom: f.uExactRandom } : {}),
  }));
  return { version: 1, schema, lambda: d.lambda, fields, training: d.training };
}
