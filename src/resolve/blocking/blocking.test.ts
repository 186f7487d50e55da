import { describe, expect, it } from 'vitest';
import { scoringView } from '../../model/index.js';
import { prepareRecords, type FieldSpec } from '../fs/index.js';
import { syntheticPeople } from '../testing/synthetic.js';
import { blockingKeys, blockingRecall, candidatePairs, defaultRules } from './index.js';

const specs: FieldSpec[] = [
  { name: 'firstName', kind: 'name' },
  { name: 'lastName', kind: 'name' },
  { name: 'birthDate', kind: 'date' },
  { name: 'idNumber', kind: 'identifier' },
];

describe('blocking', () => {
  it('exports keys a store can index, equal for spelling variants', () => {
    const rules = defaultRules(specs);
    const a = blockingKeys({ id: 'a', fields: scoringView('Person', { firstName: ['Mohamed'], lastName: ['Haddad'], birthDate: ['1980-03-07'] }) }, specs, rules);
    const b = blockingKeys({ id: 'b', fields: scoringView('Person', { firstName: ['Muhammad'], lastName: ['Hadad'], birthDate: ['1980-07-03'] }) }, specs, rules);
    const shared = a.filter((k) => b.some((x) => x.rule === k.rule && x.key === k.key));
    expect(shared.map((k) => k.rule)).toEqual(expect.arrayContaining(['metaphone(firstName)+year(birthDate)', 'metaphone(lastName)+year(birthDate)']));
    expect(a.every((k) => typeof k.key === 'string' && k.key.length > 0)).toBe(true);
  });

  it('reports pairs per rule, de-duplicates across rules and measures recall', () => {
    const { records, truth } = syntheticPeople(400, 3);
    const prepared = prepareRecords(records, specs);
    const { pairs, report } = candidatePairs(prepared, defaultRules(specs));
    expect(report.reduce((s, r) => s + r.newPairs, 0)).toBe(pairs.length / 2);
    const keys = new Set<number>();
    for (let p = 0; p < pairs.length; p += 2) {
      expect(pairs[p]).toBeLessThan(pairs[p + 1] ?? 0);
      keys.add((pairs[p] ?? 0) * records.length + (pairs[p + 1] ?? 0));
    }
    expect(keys.size).toBe(pairs.length / 2);
    expect(blockingRecall(prepared, pairs, truth).recall).toBeGreaterThan(0.95);
  });

  it('skips oversized blocks and says so; links only across sources', () => {
    const recs = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, source: i % 2, fields: scoringView('Person', { lastName: ['Novak'], idNumber: [`X${i}`] }) }));
    const prepared = prepareRecords(recs, specs);
    const small = candidatePairs(prepared, [{ name: 'surname', parts: [{ fn: 'metaphone', field: 'lastName' }] }], { maxBlockSize: 10 });
    expect(small.pairs.length).toBe(0);
    expect(small.report[0]?.skippedBlocks).toBe(1);
    const all = candidatePairs(prepared, [{ name: 'surname', parts: [{ fn: 'metaphone', field: 'lastName' }] }]);
    expect(all.pairs.length / 2).toBe(15 * 15);
    expect(() => candidatePairs(prepared, [{ name: 'bad', parts: [{ fn: 'exact', field: 'religion' }] }])).toThrow(/not a compared field/);
  });
});
