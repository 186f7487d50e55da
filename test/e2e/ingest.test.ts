import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tessera } from '../support/spawn-cli.js';

// Every shipped mapping through the CLI, FollowTheMoney in and out, a free-text report.
const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-maps-e2e-'));
const db = ['--db', `sqlite:${join(dir, 'a.sqlite')}`];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  read: number;
  written: number;
  quarantined: number;
  duplicates: number;
  entitiesScreened: number;
  screeningErrors: number;
}

describe('tessera ingest: shipped mappings, FtM, reports', () => {
  beforeAll(() => {
    const r = tessera([...db, 'load', '--size', 'tiny', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    ['examples/data/subjects.csv', 'examples/mappings/subjects.yaml', [8, 5, 3]],
    ['examples/data/pnr.jsonl', 'examples/mappings/pnr.yaml', [5, 3, 2]],
    ['examples/data/border-crossings.xml', 'examples/mappings/border-crossings.yaml', [4, 3, 1]],
    // FEBRL lives beside the repository; CI without it skips that case.
    ...(existsSync('../shared/data/er/febrl1.csv') ? [['../shared/data/er/febrl1.csv', 'examples/mappings/febrl.yaml', [1000, 1000, 0]] as const] : []),
  ] as const)('%s through %s', (file, mapping, [read, written, quarantined]) => {
    // Admin-free users may only write their own agency's statements: state it explicitly where the mapping names another.
    const r = tessera([...db, '--json', 'ingest', file!, '--mapping', mapping!, '--agency', 'FR-CT']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect([rep.read, rep.written, rep.quarantined]).toEqual([read, written, quarantined]);
    // Every written entity went to watchlist screening as it arrived.
    expect(rep.entitiesScreened).toBeGreaterThan(0);
    expect(rep.screeningErrors).toBe(0);
  });

  it('rejects a mapping that names an unknown column, naming the mapping key', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync('examples/mappings/cdr.yaml', 'utf8').replace('cellId: cell_id', 'cellId: cell'));
    const r = tessera([...db, 'ingest', 'examples/data/cdr.csv', '--mapping', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.yaml: entities\.call\.properties\.cellId: column "cell" is not in/);
  });

  it('exports FollowTheMoney and imports it into another store without loss', () => {
    const out = join(dir, 'subjects.ftm.jsonl');
    const e = tessera([...db, 'ftm', 'export', '--schema', 'Person', 'IdentityDocument', '--out', out]);
    expect(e.code, e.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    const other = ['--db', `sqlite:${join(dir, 'b.sqlite')}`];
    expect(tessera([...other, 'load', '--size', 'tiny', '--seed', '4']).code).toBe(0);
    const i = tessera([...other, '--json', 'ftm', 'import', out, '--grading', 'B2']);
    expect(i.code, i.stderr).toBe(0);
    const rep = JSON.parse(i.stdout) as Report;
    expect(rep.read).toBe(lines.length);
    expect(rep.written + rep.quarantined + rep.duplicates).toBe(rep.read);
    expect(rep.written).toBeGreaterThan(0);
  });

  it('stores a free-text report with Mention links and spans', () => {
    const f = join(dir, 'FR-RPT-2024-0099.txt');
    const text = 'Subject: Marco Bellandi, holder of passport YA1234567, uses +33 6 39 98 12 34 and m.bellandi@example.org. On 14 March 2024 he met RENNART Sofia in Lyon.\n';
    writeFileSync(f, text);
    const r = tessera([...db, '--json', 'report', 'ingest', f, '--grading', 'B2', '--agency', 'FR-CT']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { reportId: string; mentions: { type: string; start: number; end: number; value: string }[] };
    expect(out.reportId).toBe('fr-ct:report.FR-RPT-2024-0099');
    const types = out.mentions.map((m) => m.type);
    for (const t of ['person', 'passport', 'phone', 'email', 'date', 'place']) expect(types).toContain(t);
    const phone = out.mentions.find((m) => m.type === 'phone')!;
    expect(text.slice(phone.start, phone.end)).toBe('+33 6 39 98 12 34');
    expect(phone.value).toBe('+33639981234');
  });
});
