import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../graph/index.js';
import { DEFAULT_WEIGHTS, expectedCalibrationError, featureVector, fitWeights, recallAtK, scoreSubject } from './score.js';
import { SIGNALS, type SignalName, type SignalValue } from './signals.js';

const sig = (signal: SignalName, value: number, status: SignalValue['status'] = 'present'): SignalValue => ({ signal, status, value, summary: `${signal} ${value}`, evidence: [`ev-${signal}`] });

describe('scoreSubject', () => {
  it('adds weight × value in log-odds and explains each contribution, largest first', () => {
    const w = { bias: -5, weights: { ...DEFAULT_WEIGHTS.weights, conflictTravel: 2, quiet: 0.5, firearm: 3 } };
    const r = scoreSubject('s', 'S', [sig('conflictTravel', 1), sig('quiet', 1), sig('firearm', 0, 'absent')], w);
    const logit = -5 + 2 + 0.5;
    expect(r.risk).toBeCloseTo(1 / (1 + Math.exp(-logit)), 9);
    expect(r.contributions.map((c) => c.signal)).toEqual(['conflictTravel', 'quiet']);
    expect(r.contributions[0]!.evidence).toEqual(['ev-conflictTravel']);
  });

  it('lists unavailable signals as missing instead of treating silence as clearance', () => {
    const r = scoreSubject('s', 'S', [sig('quiet', 0, 'unavailable')], DEFAULT_WEIGHTS);
    expect(r.missing).toEqual([{ signal: 'quiet', reason: 'quiet 0' }]);
    expect(r.risk).toBeCloseTo(1 / (1 + Math.exp(-DEFAULT_WEIGHTS.bias)), 9);
  });

  it('a quiet subject never scores lower than the same subject active', () => {
    const base = [sig('newWatchedContact', 0.5)];
    expect(scoreSubject('s', 'S', [...base, sig('quiet', 1)], DEFAULT_WEIGHTS).risk).toBeGreaterThan(scoreSubject('s', 'S', [...base, sig('quiet', 0, 'absent')], DEFAULT_WEIGHTS).risk);
  });
});

describe('fitWeights', () => {
  it('recovers the direction of known weights and never goes negative', () => {
    const rand = mulberry32(3);
    const truth: Record<string, number> = { conflictTravel: 3, newWatchedContact: 2, firearm: 1.5 };
    const samples = Array.from({ length: 4_000 }, () => {
      const x = SIGNALS.map(() => (rand() < 0.2 ? rand() : 0));
      let z = -4;
      SIGNALS.forEach((s, i) => (z += (truth[s] ?? 0) * x[i]!));
      // assessmentAge is anti-correlated with the label: the fit must clamp it to 0, not go negative.
      const y: 0 | 1 = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      if (y === 1) x[SIGNALS.indexOf('assessmentAge')] = 0;
      return { x, y };
    });
    const w = fitWeights(samples, { l2: 0.1 });
    expect(w.weights.conflictTravel).toBeGreaterThan(w.weights.firearm);
    expect(w.weights.conflictTravel).toBeGreaterThan(1.5);
    expect(w.weights.assessmentAge).toBe(0);
    for (const s of SIGNALS) expect(w.weights[s]).toBeGreaterThanOrEqual(0);
    expect(w.bias).toBeLessThan(-2);
  });

  it('rejects malformed samples', () => {
    expect(() => fitWeights([])).toThrow(/no samples/);
    expect(() => fitWeights([{ x: [1], y: 1 }])).toThrow(/expected 10/);
  });

  it('featureVector puts present values in SIGNALS order', () => {
    expect(featureVector([sig('quiet', 1), sig('firearm', 0.5), sig('grading', 0.9, 'unavailable')])).toEqual(SIGNALS.map((s) => (s === 'quiet' ? 1 : s === 'firearm' ? 0.5 : 0)));
  });
});

describe('evaluation metrics', () => {
  it('recall@k counts positives in the top k', () => {
    const ranked = [true, false, true, false, false, true].map((positive) => ({ positive }));
    expect(recallAtK(ranked, 3)).toBeCloseTo(2 / 3, 9);
    expect(Number.isNaN(recallAtK([{ positive: false }], 1))).toBe(true);
  });

  it('ECE is 0 for perfectly calibrated bins and grows with miscalibration', () => {
    const calibrated = [...Array.from({ length: 10 }, (_, i) => ({ p: 0.25, y: (i < 2 ? 1 : 0) as 0 | 1 })), ...Array.from({ length: 8 }, (_, i) => ({ p: 0.75, y: (i < 6 ? 1 : 0) as 0 | 1 }))];
    expect(expectedCalibrationError(calibrated).ece).toBeCloseTo(Math.abs(0.25 - 0.2) * (10 / 18), 9);
    const overconfident = Array.from({ length: 10 }, () => ({ p: 0.95, y: 0 as const }));
    expect(expectedCalibrationError(overconfident).ece).toBeCloseTo(0.95, 9);
  });
});
