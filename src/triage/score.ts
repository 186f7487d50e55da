import { z } from 'zod';
import { invalid } from '../model/index.js';
import { SIGNAL_INFO, SIGNALS, type SignalName, type SignalValue } from './signals.js';

/**
 * The triage score: a logistic combination p = σ(bias + Σ wᵢ·xᵢ) of the signals, read as the
 * probability that a subject is operational. Weights are per agency, visible and adjustable by a
 * supervisor; the defaults were fitted on the synthetic scenario's ground truth (bench/triage.ts).
 * Weights are never negative: no signal may lower attention (a quiet subject is never stood down).
 */
export const TriageWeights = z.object({
  bias: z.number().finite().min(-50).max(50),
  weights: z.object(Object.fromEntries(SIGNALS.map((s) => [s, z.number().finite().min(0).max(50)])) as Record<SignalName, z.ZodNumber>),
});
export type TriageWeights = z.infer<typeof TriageWeights>;

/**
 * Defaults: L2-regularised logistic regression (λ = 1, weights ≥ 0) fitted on the demo scenario,
 * seed 1 (3,724 subjects visible to the demo analyst, 9 operational), by `npx tsx bench/triage.ts`;
 * evaluated on the held-out seed 7 (docs/triage.md). Two policy settings override the fit, both
 * documented: `quiet` has a floor of 0.5 (the ground truth labels only those about to act, not the
 * dormant operatives the issue says must raise attention), and `recentHits` keeps its prior of 1
 * (the scenario loads no hits, so the fit cannot inform it).
 */
export const DEFAULT_WEIGHTS: TriageWeights = {
  bias: -6.62,
  weights: {
    conflictTravel: 0.49,
    newWatchedContact: 1.34,
    burnerSuccession: 2.16,
    proxyPhone: 0.21,
    firearm: 0.92,
    communityCentrality: 1.81,
    recentHits: 1,
    quiet: 0.5,
    grading: 0.35,
    assessmentAge: 2.35,
  },
};

/** One signal's share of a score. */
export interface Contribution {
  readonly signal: SignalName;
  readonly label: string;
  readonly value: number;
  readonly weight: number;
  /** weight × value: the log-odds this signal adds. */
  readonly logit: number;
  readonly summary: string;
  readonly evidence: readonly string[];
}

export interface ScoredSubject {
  readonly subject: string;
  readonly label: string;
  readonly risk: number;
  readonly logit: number;
  /** Present signals, largest contribution first. */
  readonly contributions: readonly Contribution[];
  /** Signals that could not be judged for lack of data (they add nothing; listed so nobody mistakes silence for clearance). */
  readonly missing: readonly { signal: SignalName; reason: string }[];
  readonly signals: readonly SignalValue[];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Scores one subject's signals with the weights; explains the result. */
export function scoreSubject(subject: string, label: string, signals: readonly SignalValue[], w: TriageWeights): ScoredSubject {
  let logit = w.bias;
  const contributions: Contribution[] = [];
  const missing: { signal: SignalName; reason: string }[] = [];
  for (const s of signals) {
    if (s.status === 'unavailable') {
      missing.push({ signal: s.signal, reason: s.summary });
      continue;
    }
    if (s.status !== 'present') continue;
    const weight = w.weights[s.signal];
    const l = weight * s.value;
    logit += l;
    contributions.push({ signal: s.signal, label: SIGNAL_INFO[s.signal].label, value: round(s.value), weight, logit: round(l), summary: s.summary, evidence: s.evidence });
  }
  contributions.sort((a, b) => b.logit - a.logit || a.signal.localeCompare(b.signal));
  return { subject, label, risk: sigmoid(logit), logit, contributions, missing, signals };
}

/** The feature vector of a subject in SIGNALS order (unavailable and absent count 0). */
export function featureVector(signals: readonly SignalValue[]): number[] {
  const x = SIGNALS.map(() => 0);
  for (const s of signals) if (s.status === 'present') x[SIGNALS.indexOf(s.signal)] = s.value;
  return x;
}

/**
 * Fits non-negative logistic weights by Newton's method (IRLS) with an L2 penalty λ on the weights
 * (not the bias); a weight driven negative is fixed at 0 and the rest refitted (active set), so the
 * result obeys the "no signal lowers attention" rule.
 */
export function fitWeights(samples: readonly { x: readonly number[]; y: 0 | 1 }[], options: { l2?: number; iterations?: number } = {}): TriageWeights {
  const l2 = options.l2 ?? 1;
  const d = SIGNALS.length;
  if (samples.length === 0) throw invalid('no samples to fit', undefined, 'samples');
  for (const s of samples) if (s.x.length !== d) throw invalid(`feature vector of length ${s.x.length}, expected ${d}`, undefined, 'x');
  const active = new Set(SIGNALS.map((_, i) => i));
  let beta = new Array<number>(d + 1).fill(0);
  for (let round = 0; round <= d; round++) {
    beta = newton(samples, [...active], l2, options.iterations ?? 50, beta);
    const negative = [...active].filter((i) => beta[i + 1]! < 0);
    if (negative.length === 0) break;
    for (const i of negative) {
      active.delete(i);
      beta[i + 1] = 0;
    }
  }
  return {
    bias: round(beta[0]!),
    weights: Object.fromEntries(SIGNALS.map((s, i) => [s, round(Math.max(0, beta[i + 1]!))])) as Record<SignalName, number>,
  };
}

function newton(samples: readonly { x: readonly number[]; y: 0 | 1 }[], active: readonly number[], l2: number, iterations: number, start: readonly number[]): number[] {
  const idx = [-1, ...active]; // -1 = bias
  const k = idx.length;
  const beta = [...start];
  const feat = (x: readonly number[], j: number) => (j < 0 ? 1 : x[j]!);
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(k).fill(0);
    const hess = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (const s of samples) {
      let z = beta[0]!;
      for (const j of active) z += beta[j + 1]! * s.x[j]!;
      const p = sigmoid(z);
      const wgt = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a < k; a++) {
        const fa = feat(s.x, idx[a]!);
        grad[a]! += (s.y - p) * fa;
        for (let b = a; b < k; b++) hess[a]![b]! += wgt * fa * feat(s.x, idx[b]!);
      }
    }
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < a; b++) hess[a]![b] = hess[b]![a]!;
      if (idx[a]! >= 0) {
        grad[a]! -= l2 * beta[idx[a]! + 1]!;
        hess[a]![a]! += l2;
      }
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let a = 0; a < k; a++) {
      const pos = idx[a]! + 1;
      beta[pos]! += step[a]!;
      change = Math.max(change, Math.abs(step[a]!));
    }
    if (change < 1e-8) break;
  }
  return beta;
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (small dense systems). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    if (Math.abs(piv) < 1e-12) continue;
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / piv;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const piv = m[r]![r]!;
    if (Math.abs(piv) < 1e-12) continue;
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / piv;
  }
  return x;
}

/** Share of the positives ranked in the top `k` (ties broken by the given order). */
export function recallAtK(ranked: readonly { positive: boolean }[], k: number): number {
  const positives = ranked.filter((r) => r.positive).length;
  if (positives === 0) return Number.NaN;
  return ranked.slice(0, k).filter((r) => r.positive).length / positives;
}

/**
 * Expected calibration error (Naeini et al. 2015): predictions in `bins` equal-width bins; the
 * sample-weighted mean of |mean predicted − observed rate| over bins.
 */
export function expectedCalibrationError(predictions: readonly { p: number; y: 0 | 1 }[], bins = 10): { ece: number; bins: { from: number; to: number; n: number; predicted: number; observed: number }[] } {
  const acc = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  for (const { p, y } of predictions) {
    const b = acc[Math.min(bins - 1, Math.floor(p * bins))]!;
    b.n++;
    b.p += p;
    b.y += y;
  }
  let ece = 0;
  const out = acc.map((b, i) => {
    if (b.n) ece += (b.n / predictions.length) * Math.abs(b.p / b.n - b.y / b.n);
    return { from: i / bins, to: (i + 1) / bins, n: b.n, predicted: b.n ? round(b.p / b.n) : 0, observed: b.n ? round(b.y / b.n) : 0 };
  });
  return { ece: predictions.length ? ece : Number.NaN, bins: out };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
