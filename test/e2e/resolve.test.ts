import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Runs the real CLI in a child process (worker_threads included), as a user would.
function tessera(args: readonly string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', input, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Each test spawns the CLI once or several times (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const dir = mkdtempSync(join(tmpdir(), 'tessera-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readPairs(path: string): { left: string; right: string; probability: number }[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('left_id,right_id,probability,weight');
  return lines.map((l) => {
    const [left = '', right = '', p = ''] = l.split(',');
    return { left, right, probability: Number(p) };
  });
}

// Invented people, with variant spellings and other date formats in the second agency's file.
const agencyA = `id,first,last,dob,passport
a1,Abdelkarim,Bensaid,1984-03-12,X1234567
a2,Youssef,Haddad,1990-11-02,Y7654321
a3,Lena,Moreau,1979-06-30,Z1111111
a4,Marek,Kowal,1966-01-15,
a5,Samira,El Amrani,1995-09-09,Q9999999
`;
const agencyB = `ref,given,family,birth,doc
b1,Abd al-Karim,Ben Saeed,12/03/1984,X1234567
b2,Yusuf,Hadad,02/11/1990,
b3,Ines,Ferreira,01/01/1988,P5555555
b4,Marek,Kowalski,15/01/1966,
b5,Samira,Amrani,09/09/1995,Q9999998
`;
const mappingA = { id: 'id', columns: { first: 'firstName', last: 'lastName', dob: { property: 'birthDate', format: 'YYYY-MM-DD' }, passport: 'passportNumber' } };
const mappingB = { id: 'ref', columns: { given: 'firstName', family: 'lastName', birth: { property: 'birthDate', format: 'DD/MM/YYYY' }, doc: 'passportNumber' } };

describe('tessera names score', () => {
  it('scores name pairs from stdin, with optional header and CSV quoting', () => {
    const r = tessera(['names', 'score'], 'name_a,name_b\nAbdelkarim Bensaid,Abd al-Karim Ben Saeed\n"Bensaid, Abdelkarim",عبد الكريم بن سعيد\nLena Moreau,Marek Kowal\n');
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('name_a,name_b,score');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatch(/^"Bensaid, Abdelkarim",عبد الكريم بن سعيد,/);
    const scores = rows.slice(1).map((l) => Number(l.split(',').at(-1)));
    expect(scores[0]).toBeGreaterThan(0.8);
    expect(scores[1]).toBeGreaterThan(0.8);
    expect(scores[2]).toBeLessThan(0.3);
  });
  it('accepts input without header and rejects rows with one column', () => {
    expect(tessera(['names', 'score'], 'Ivan Petrov,Иван Петров\n').stdout).toMatch(/^name_a,name_b,score\nIvan Petrov,Иван Петров,1\.0+\n$/);
    const bad = tessera(['names', 'score'], 'only-one-column\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/expected two columns/);
  });
});

describe('tessera match', () => {
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  const ma = join(dir, 'a.json');
  writeFileSync(a, agencyA);
  writeFileSync(b, agencyB);
  writeFileSync(ma, JSON.stringify(mappingA));

  it('deduplicates one file', () => {
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, `${agencyA}a6,Abd al-Karim,Bensaid,1984-03-12,X1234567\n`);
    const out = join(dir, 'dup-pairs.csv');
    const r = tessera(['match', '--mapping', ma, dup, '--out', out, '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const pairs = readPairs(out);
    expect(pairs.map((p) => `${p.left}-${p.right}`)).toEqual(['a1-a6']);
  });

  it('links two files with different columns and date formats (file2 layout in the mapping)', () => {
    const both = join(dir, 'both.json');
    writeFileSync(both, JSON.stringify({ ...mappingA, file2: mappingB }));
    const out = join(dir, 'link-pairs.csv');
    const r = tessera(['match', '--mapping', both, a, b, '--out', out, '--threshold', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/linking/);
    const found = new Set(readPairs(out).map((p) => `${p.left}-${p.right}`));
    for (const expected of ['a1-b1', 'a2-b2', 'a4-b4', 'a5-b5']) expect(found.has(expected), expected).toBe(true);
    expect([...found].some((p) => p.includes('b3'))).toBe(false);
  });

  it('refuses a protected characteristic, an unknown column and an empty mapping with clear errors', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ id: 'id', columns: { last: 'lastName', first: 'religion' } }));
    let r = tessera(['match', '--mapping', bad, a, '--out', join(dir, 'x.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[VALIDATION\]: .*protected characteristic/);
    writeFileSync(bad, JSON.stringify({ id: 'id', columns: { surname: 'lastName' } }));
    r = tessera(['match', '--mapping', bad, a, '--out', join(dir, 'x.csv')]);
    expect(r.stderr).toMatch(/column "surname" named in the mapping is not in the file/);
    writeFileSync(bad, JSON.stringify({ id: 'id', columns: {} }));
    r = tessera(['match', '--mapping', bad, a, '--out', join(dir, 'x.csv')]);
    expect(r.stderr).toMatch(/no comparable column/);
    r = tessera(['match', '--mapping', ma, join(dir, 'missing.csv'), '--out', join(dir, 'x.csv')]);
    expect(r.stderr).toMatch(/input file not found/);
  });

  it('saves a model and scores with it again', () => {
    const model = join(dir, 'model.json');
    const both = join(dir, 'both.json');
    writeFileSync(both, JSON.stringify({ ...mappingA, file2: mappingB }));
    const out1 = join(dir, 'm1.csv');
    expect(tessera(['match', '--mapping', both, a, b, '--out', out1, '--save-model', model]).code).toBe(0);
    const saved = JSON.parse(readFileSync(model, 'utf8')) as { version: number; fields: { name: string }[] };
    expect(saved.version).toBe(1);
    const out2 = join(dir, 'm2.csv');
    const r = tessera(['match', '--mapping', both, a, b, '--out', out2, '--model', model]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out2, 'utf8')).toBe(readFileSync(out1, 'utf8'));
  });
});

const febrl3 = resolve('../shared/data/er/febrl3.csv');
describe.skipIf(!existsSync(febrl3))('tessera match on FEBRL3 (unsupervised)', () => {
  it('reaches F1 ≥ 0.97 at the default threshold', () => {
    const out = join(dir, 'febrl3-pairs.csv');
    const r = tessera(['match', '--mapping', 'examples/match/febrl.json', febrl3, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const entity = (id: string): string => /^rec-(\d+)-/.exec(id)?.[1] ?? id;
    const ids = readFileSync(febrl3, 'utf8').trim().split('\n').slice(1).map((l) => entity((l.split(',')[0] ?? '').trim()));
    const sizes = new Map<string, number>();
    for (const e of ids) sizes.set(e, (sizes.get(e) ?? 0) + 1);
    const truePairs = [...sizes.values()].reduce((s, k) => s + (k * (k - 1)) / 2, 0);
    const pairs = readPairs(out);
    const correct = pairs.filter((p) => entity(p.left) === entity(p.right)).length;
    const precision = correct / pairs.length;
    const recall = correct / truePairs;
    const f1 = (2 * precision * recall) / (precision + recall);
    console.log(`FEBRL3 via CLI: precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}`);
    expect(f1).toBeGreaterThanOrEqual(0.97);
  });
});
if (!existsSync(febrl3)) console.log(`skipping FEBRL3 end-to-end check: ${febrl3} is absent`);
