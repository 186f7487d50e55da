import { describe, expect, it } from 'vitest';
import type { Statement } from '../../model/index.js';
import type { SourceRecord } from '../readers/index.js';
import type { Envelope } from '../statements.js';
import { compileMapping } from './compile.js';
import { createRowMapper, type RowResult } from './engine.js';

const envelope: Envelope = {
  source: { agency: 'FR-CT', documentId: 'cdr.csv', collectedAt: '2024-08-01T00:00:00Z' },
  grading: { system: 'EU4x4', source: 'A', info: '1' },
  handling: { codes: ['H1'], releasableTo: [] },
  caseIds: [],
};
const mapping = compileMapping({
  name: 'calls',
  format: 'csv',
  source: { agency: 'FR-CT', grading: 'A1' },
  defaults: { phoneRegion: 'FR' },
  entities: {
    caller: { schema: 'Phone', key: ['number'], properties: { number: 'caller' } },
    call: { schema: 'Communication', key: '$row', properties: { caller: { entity: 'caller' }, duration: { column: 'duration', required: true } } },
  },
});
const columns = ['caller', 'duration'];
let line = 1;
const row = (...values: string[]): SourceRecord => ({ line: ++line, raw: values.join(','), values });
const ok = (r: RowResult) => {
  if (!r.ok) throw new Error(`${r.field}: ${r.reason}`);
  return r;
};
const props = (sts: readonly Statement[]) => sts.map((s) => `${s.schema}.${s.prop}=${s.value}`);

describe('row mapper', () => {
  it('returns a recurring entity\'s statements with the first row that succeeds, then only references it', () => {
    const map = createRowMapper(mapping, envelope, columns, 'calls.csv');
    const first = ok(map(row('06 12 34 56 78', '10'), 'a'.repeat(64)));
    expect(props(first.fresh)).toEqual(['Phone.number=+33612345678', 'Communication.caller=fr-ct:phone.+33612345678', 'Communication.duration=10']);
    const second = ok(map(row('0612345678', '20'), 'b'.repeat(64)));
    // Another spelling of the same number: another memo entry, and a statement with another original (the same id).
    expect(props(second.fresh)).toEqual(['Phone.number=+33612345678', 'Communication.caller=fr-ct:phone.+33612345678', 'Communication.duration=20']);
    const third = ok(map(row('06 12 34 56 78', '30'), 'c'.repeat(64)));
    expect(props(third.fresh)).toEqual(['Communication.caller=fr-ct:phone.+33612345678', 'Communication.duration=30']);
    // Every statement of the row, and its entities, whether fresh or not.
    expect(props(third.statements)).toEqual(['Phone.number=+33612345678', 'Communication.caller=fr-ct:phone.+33612345678', 'Communication.duration=30']);
    expect(third.entities.map((e) => [e.schema, e.statements.length])).toEqual([
      ['Phone', 1],
      ['Communication', 2],
    ]);
  });

  it('returns an entity again after the row that first named it was quarantined, and not after that', () => {
    const map = createRowMapper(mapping, envelope, columns, 'calls.csv');
    const bad = map(row('06 98 76 54 32', ''), 'd'.repeat(64));
    expect(bad).toEqual({ ok: false, field: 'duration', reason: 'required value for Communication.duration is empty' });
    // The phone was memoised by the failed row: its statement is still due.
    expect(props(ok(map(row('06 98 76 54 32', '5'), 'e'.repeat(64))).fresh)).toContain('Phone.number=+33698765432');
    // Once returned by a row that succeeded it stays returned, even if a later row naming it fails.
    expect(map(row('06 98 76 54 32', ''), 'f'.repeat(64)).ok).toBe(false);
    expect(props(ok(map(row('06 98 76 54 32', '6'), '1'.repeat(64))).fresh)).toEqual(['Communication.caller=fr-ct:phone.+33698765432', 'Communication.duration=6']);
  });

  it('keeps invalid values in notes after a mapped notes property, in order', () => {
    const m = compileMapping({
      name: 'people',
      format: 'csv',
      source: { agency: 'FR-CT', grading: 'B2' },
      defaults: { dateFormats: ['DD/MM/YYYY'] },
      entities: {
        person: {
          schema: 'Person',
          key: [{ column: 'id' }],
          properties: { name: 'name', notes: 'remark', birthDate: { column: 'dob', onInvalid: 'note' }, email: { column: 'email', onInvalid: 'skip' } },
        },
      },
    });
    const map = createRowMapper(m, envelope, ['id', 'name', 'remark', 'dob', 'email'], 'people.csv');
    const r = ok(map({ line: 2, raw: 'x', values: ['P1', 'Ann', 'seen in Lyon', '31/02/1990', 'nope'] }, '2'.repeat(64)));
    expect(r.statements.map((s) => s.prop)).toEqual(['name', 'notes', 'notes']);
    expect(r.statements[2]!.value).toMatch(/^birthDate as received: "31\/02\/1990"/);
    expect(r.warnings).toEqual(['email: not an e-mail address: "nope" (value skipped)']);
  });
});
