import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { readCsv, readJsonArray, readJsonLines, readXml, type SourceRecord } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer): string {
  const f = join(dir, `f${n++}`);
  writeFileSync(f, content);
  return f;
}
async function all(it: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('CSV reader', () => {
  it('reads header, quoted multi-line fields, CRLF and BOM with line numbers', async () => {
    const s = await readCsv(file('\uFEFFname, phone\r\n"Doe, Jane",0612\r\n\r\n"multi\nline ""quoted""",07\nplain,08\n'));
    expect(s.columns).toEqual(['name', 'phone']);
    const recs = await all(s.records);
    expect(recs.map((r) => [r.line, r.values])).toEqual([
      [2, ['Doe, Jane', '0612']],
      [4, ['multi\nline "quoted"', '07']],
      [6, ['plain', '08']],
    ]);
  });

  it('turns malformed rows into error records and keeps reading', async () => {
    const content = Buffer.concat([
      Buffer.from('a,b,c\n1,2,3\n4,"5,6\n7,8,9\n10,11\n12,13,14,15\n"x"y,1,2\n'),
      Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x2c, 0x63, 0x0a]),
      Buffer.from('\u0000\u0001garbage\n16,17,18\n'),
    ]);
    const recs = await all((await readCsv(file(content), { maxRecordLines: 3 })).records);
    const summary = recs.map((r) => `${r.line} ${r.values?.join('|') ?? `ERR ${r.error!.reason}`}`);
    const expected = ['2 1|2|3', '3 ERR unbalanced quote', '4 7|8|9', '5 ERR wrong column count', '6 ERR wrong column count', '7 ERR malformed CSV', '8 ERR invalid UTF-8', '9 ERR binary content', '10 16|17|18'];
    expect(summary.length).toBe(expected.length);
    summary.forEach((line, i) => expect(line.startsWith(expected[i]!), line).toBe(true));
    // Every non-empty physical line is accounted for by exactly one record.
    expect(recs.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reads latin1 when declared and bounds over-long lines', async () => {
    const latin = await all((await readCsv(file(Buffer.from('name\nJos\xe9\n', 'latin1')), { encoding: 'latin1' })).records);
    expect(latin[0]!.values).toEqual(['José']);
    const long = await all((await readCsv(file(`h\n${'x'.repeat(5000)}\nok\n`), { maxLineBytes: 1000 })).records);
    expect(long.map((r) => [r.line, r.error ? 'ERR' : r.values![0]])).toEqual([
      [2, 'ERR'],
      [3, 'ok'],
    ]);
  });

  it('handles an empty file and a header-only file', async () => {
    const e = await readCsv(file(''));
    expect(e.columns).toBeUndefined();
    expect(await all(e.records)).toEqual([]);
    const h = await readCsv(file('a,b\n'));
    expect(h.columns).toEqual(['a', 'b']);
    expect(await all(h.records)).toEqual([]);
  });
});

describe('JSON readers', () => {
  it('reads JSON Lines with bad lines as errors', async () => {
    const recs = await all(readJsonLines(file('{"a":1}\n\n{"a":\n[1,2]\n{"a":"é"}\n')).records);
    expect(recs.map((r) => [r.line, r.error ? 'ERR' : JSON.stringify(r.object)])).toEqual([
      [1, '{"a":1}'],
      [3, 'ERR'],
      [4, 'ERR'],
      [5, '{"a":"é"}'],
    ]);
  });
  it('streams a JSON array, element by element with lines', async () => {
    const recs = await all(readJsonArray(file('[\n {"a": "x,]}", "b": [1, {"c": 2}]},\n {"a": 2},\n {"a": oops},\n 7\n]\n')).records);
    expect(recs.map((r) => [r.line, r.error ? 'ERR' : JSON.stringify(r.object)])).toEqual([
      [2, '{"a":"x,]}","b":[1,{"c":2}]}'],
      [3, '{"a":2}'],
      [4, 'ERR'],
      [5, 'ERR'],
    ]);
    const truncated = await all(readJsonArray(file('[{"a":1},{"a":')).records);
    expect(truncated.map((r) => (r.error ? 'ERR' : 'ok'))).toEqual(['ok', 'ERR']);
    await expect(all(readJsonArray(file('{"a":1}')).records)).rejects.toThrow(/expected a JSON array/);
  });
});

describe('XML reader', () => {
  it('cuts record elements, parses attributes and reports malformed records', async () => {
    const xml = `<?xml version="1.0"?>\n<crossings>\n  <crossing id="c1">\n    <name>Ana Vlasić</name>\n    <point code="HR-BAJ">Bajakovo</point>\n  </crossing>\n  <crossing id="c2"><name>Bad &amp; <b></name></crossing>\n  <crossing id="c3"><name>Ok</name></crossing>\n</crossings>\n`;
    const recs = await all(readXml(file(xml), { record: 'crossing' }).records);
    expect(recs.map((r) => [r.line, r.error ? 'ERR' : JSON.stringify(r.object)])).toEqual([
      [3, JSON.stringify({ name: 'Ana Vlasić', point: { '#text': 'Bajakovo', '@code': 'HR-BAJ' }, '@id': 'c1' })],
      [7, 'ERR'],
      [8, JSON.stringify({ name: 'Ok', '@id': 'c3' })],
    ]);
  });
});
