import { describe, expect, it } from 'vitest';
import { scoringView } from '../../model/index.js';
import { blockingRecall, candidatePairs, defaultRules } from '../blocking/index.js';
import { matchRecords, pairQuality } from '../match.js';
import { syntheticPeople } from '../testing/synthetic.js';
import { ComparisonPool, compareLevels, explainPair, fieldLevel, loadModel, normaliseDate, prepareRecords, saveModel, tfAdjustment, trainModel, type FieldSpec } from './index.js';

const specs: FieldSpec[] = [
  { name: 'firstName', kind: 'name' },
  { name: 'lastName', kind: 'name' },
  { name: 'birthDate', kind: 'date' },
  { name: 'idNumber', kind: 'identifier' },
  { name: 'address.postcode', kind: 'postcode' },
];

describe('comparison levels', () => {
  const rec = (id: string, f: Record<string, string[]>) => ({ id, fields: scoringView('Person', f) });
  const p = prepareRecords(
    [
      rec('a', { firstName: ['Mohamed'], birthDate: ['1980-03-07'], idNumber: ['AB-123 456'] }),
      rec('b', { firstName: ['Muhammad'], birthDate: ['1980-07-03'], idNumber: ['AB123457'] }),
      rec('c', { firstName: ['Greta'], birthDate: ['1980-11-20'] }),
      rec('d', { firstName: ['mohamed'], birthDate: ['31.02.1980'] }),
    ],
    specs,
  );
  const [first, , dob, idn] = p.fields;
  it('grades names by transliteration-aware similarity', () => {
    expect(first && fieldLevel(first, 0, 3)).toBe(1);
    expect(first && fieldLevel(first, 0, 1)).toBe(2);
    expect(first && fieldLevel(first, 0, 2)).toBe(4);
  });
  it('tolerates day/month swaps, treats impossible dates as missing', () => {
    expect(dob && fieldLevel(dob, 0, 1)).toBe(2);
    expect(dob && fieldLevel(dob, 0, 2)).toBe(3);
    expect(dob && fieldLevel(dob, 0, 3)).toBe(0);
    expect(normaliseDate('31.02.1980')).toBeUndefined();
    expect(normaliseDate('07/03/1980')).toBe('1980-03-07');
  });
  it('normalises identifiers and allows one edit', () => {
    expect(idn && fieldLevel(idn, 0, 1)).toBe(2);
    expect(idn && fieldLevel(idn, 0, 2)).toBe(0);
  });
});

describe('Fellegi–Sunter with EM', () => {
  const { records, truth } = syntheticPeople(600, 11);
  const prepared = prepareRecords(records, specs);
  const { pairs } = candidatePairs(prepared, defaultRules(specs));
  const levels = compareLevels(prepared, pairs);

  it('learns m > u on the best level of every field without labels', () => {
    const model = trainModel(prepared, levels);
    expect(model.training.method).toBe('em');
    expect(model.training.converged).toBe(true);
    // firstName is left out: with 20 invented given names and blocking on its metaphone, non-matching
    // candidates agree on it as often as matches do; candidate-pair u rightly says so.
    for (const f of model.fields.filter((x) => x.name !== 'firstName')) expect(f.m[1] ?? 0, f.name).toBeGreaterThan(f.u[1] ?? 1);
    // Matches disagree on names more rarely than non-matches do.
    for (const f of model.fields.filter((x) => x.kind === 'name')) expect(f.m[4] ?? 1).toBeLessThan(f.u[4] ?? 0);
  });

  it('separates duplicates from non-duplicates (F1 > 0.9 at 0.5)', async () => {
    const result = await matchRecords(records, specs, { threads: 1 });
    const { truePairs } = blockingRecall(result.prepared, result.pairs, truth);
    expect(pairQuality(result, truth, 0.5, truePairs).f1).toBeGreaterThan(0.9);
  });

  it('falls back to documented defaults when EM does not converge, and says so', () => {
    const model = trainModel(prepared, levels, { maxIterations: 1, tolerance: 0 });
    expect(model.training.method).toBe('defaults');
    expect(model.training.message).toMatch(/did not converge/);
    const none = trainModel(prepared, new Uint8Array(0));
    expect(none.training.message).toMatch(/no candidate pairs/);
    // Two fields cannot identify a two-class latent model: defaults, said so, λ still estimated.
    const two = prepareRecords(records, specs.slice(0, 2));
    const twoModel = trainModel(two, compareLevels(two, pairs));
    expect(twoModel.training.method).toBe('defaults');
    expect(twoModel.training.message).toMatch(/not identifiable/);
    expect(twoModel.lambda).toBeGreaterThan(0.0001);
  });

  it('explains a score as per-field weights that sum to the total', () => {
    const model = trainModel(prepared, levels);
    const e = explainPair(model, prepared, pairs[0] ?? 0, pairs[1] ?? 1);
    expect(e.fields.map((f) => f.field)).toEqual(specs.map((s) => s.name));
    expect(e.fields.reduce((s, f) => s + f.weight, 0)).toBeCloseTo(e.weight, 9);
    expect(e.probability).toBeGreaterThan(0);
    expect(e.probability).toBeLessThan(1);
  });

  it('adjusts exact agreement by term frequency: a common value weighs less than a rare one', () => {
    const model = trainModel(prepared, levels);
    const ln = model.fields.find((f) => f.name === 'lastName');
    const freq = Object.entries(ln?.tf?.freq ?? {}).sort((a, b) => b[1] - a[1]);
    expect(freq.length).toBeGreaterThan(0);
    const common = freq[0]?.[0] ?? '';
    if (!ln) throw new Error('lastName missing');
    expect(tfAdjustment(ln, common)).toBeLessThan(tfAdjustment(ln, 'a-surname-seen-once'));
    expect(Math.abs(tfAdjustment(ln, common))).toBeLessThanOrEqual(5);
  });

  it('saves and loads a model as JSON; rejects a tampered or protected one', () => {
    const model = trainModel(prepared, levels);
    const back = loadModel(saveModel(model));
    expect(back).toEqual(model);
    const withReligion = JSON.parse(saveModel(model)) as { fields: { name: string }[] };
    if (withReligion.fields[0]) withReligion.fields[0].name = 'religion';
    expect(() => loadModel(JSON.stringify(withReligion))).toThrow(/protected/);
    expect(() => loadModel('{"version":2}')).toThrow(/not a Tessera matching model/);
    expect(() => loadModel('not json')).toThrow(/not JSON/);
  });

  it('refuses protected characteristics and empty field lists as features', () => {
    expect(() => trainModel(prepareRecords(records, [{ name: 'nationality', kind: 'exact' }]), new Uint8Array(0))).toThrow(/protected characteristic/);
    expect(() => trainModel(prepareRecords(records, []), new Uint8Array(0))).toThrow(/no comparable field/);
  });

  it('worker threads give the same levels as the in-process kernel', async () => {
    const pool = ComparisonPool.create(prepared, 2);
    try {
      expect(pool.threads).toBe(2);
      const parallel = await pool.compare(pairs.slice(), 1024);
      expect(Buffer.from(parallel).equals(Buffer.from(levels))).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
