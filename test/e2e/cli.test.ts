import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tessera } from '../support/spawn-cli.js';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
const db = `sqlite:${join(dir, 'e2e.sqlite')}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera CLI (SQLite)', () => {
  it('initialises a store', () => {
    const r = tessera(['--db', db, 'init', '--agency', 'FR-CT']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Initialised sqlite store .* \(schema v\d+\); agency FR-CT, administrator admin/);
  });

  it('loads the tiny scenario and reports counts per agency', () => {
    const r = tessera(['--db', db, 'load', '--size', 'tiny', '--seed', '3', '--truth', join(dir, 'truth.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Loaded 6 agencies, \d+ users, \d+ cases and [\d,]+ statements/);
    const stats = tessera(['--db', db, '--json', 'stats']);
    expect(stats.code, stats.stderr).toBe(0);
    const parsed = JSON.parse(stats.stdout) as { statements: number; byAgency: Record<string, number>; bySchema: Record<string, number> };
    expect(parsed.statements).toBeGreaterThan(5_000);
    expect(Object.keys(parsed.byAgency).sort()).toEqual(['AT-CT', 'BE-CT', 'DE-CT', 'ES-CT', 'FR-CT', 'NL-CT']);
    expect(parsed.bySchema.Person).toBeGreaterThan(50);
    expect(parsed.bySchema.Communication).toBeGreaterThan(50);
  });

  it('re-loading the same scenario writes no duplicates', () => {
    const r = tessera(['--db', db, '--json', 'load', '--size', 'tiny', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { inserted: number; duplicates: number; statements: number };
    expect(summary.inserted).toBe(0);
    expect(summary.duplicates).toBe(summary.statements);
  });

  it('searches and shows an entity with provenance, as the demo analyst', () => {
    const search = tessera(['--db', db, '--json', 'search', 'a', '--schema', 'Person', '--limit', '5']);
    expect(search.code, search.stderr).toBe(0);
    const hits = JSON.parse(search.stdout) as { entityId: string; caption: string }[];
    expect(hits.length).toBeGreaterThan(0);
    const show = tessera(['--db', db, 'entity', 'show', hits[0]!.entityId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(hits[0]!.caption);
    expect(show.stdout).toMatch(/property\s+value\s+original\s+agency\s+grading\s+handling/);
  });

  it('refuses a read without purpose, a meaningless purpose and a foreign case, with clear errors', () => {
    const noPurpose = tessera(['--db', db, '--user', 'fr.analyst', '--case', 'FR-OP-ATLAS', 'stats']);
    expect(noPurpose.code).toBe(1);
    expect(noPurpose.stderr).toMatch(/PURPOSE_REQUIRED.*purpose is required/);
    const test = tessera(['--db', db, '--user', 'fr.analyst', '--case', 'FR-OP-ATLAS', '--purpose', 'test', 'stats']);
    expect(test.stderr).toMatch(/"test" is not a purpose/);
    const foreign = tessera(['--db', db, '--user', 'fr.analyst', '--purpose', 'Cross-check a Belgian lead for the case', '--case', 'BE-OP-DUNE', 'stats']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/FORBIDDEN|CASE_REQUIRED/);
    const unknown = tessera(['--db', db, 'entity', 'show', 'fr-ct:does-not-exist']);
    expect(unknown.stderr).toMatch(/NOT_FOUND.*fr-ct:does-not-exist/);
  });

  it('verifies the audit chain, then names the entry an insider edited', () => {
    const ok = tessera(['--db', db, 'audit', 'verify']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Audit chain intact: \d+ entries verified/);
    const raw = new Database(db.slice('sqlite:'.length));
    raw.exec(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET purpose = 'Routine check' WHERE seq = 5`);
    raw.close();
    const broken = tessera(['--db', db, 'audit', 'verify']);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toContain('entry 5: edited');
    expect(broken.stderr).toMatch(/AUDIT_TAMPERED/);
  });

  it('refuses a corrupt store file without touching it', () => {
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, 'garbage '.repeat(1000));
    const r = tessera(['--db', `sqlite:${bad}`, 'stats']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/STORE_CORRUPT.*not a readable SQLite database/);
    expect(readFileSync(bad, 'utf8')).toBe('garbage '.repeat(1000));
  });
});

describe('tessera CLI (PostgreSQL)', () => {
  const schema = freshSchema('e2e');
  afterAll(async () => {
    if (!(await postgresUnavailable())) await dropSchema(schema);
  });

  it('loads, counts and searches the same scenario on PostgreSQL', async (ctx) => {
    if (await postgresUnavailable()) return ctx.skip();
    const env = { TESSERA_DATABASE_URL: PG_URL, TESSERA_PG_SCHEMA: schema };
    const load = tessera(['--json', 'load', '--size', 'tiny', '--seed', '3'], { env });
    expect(load.code, load.stderr).toBe(0);
    const stats = tessera(['--json', 'stats'], { env });
    expect(stats.code, stats.stderr).toBe(0);
    expect((JSON.parse(stats.stdout) as { statements: number }).statements).toBe((JSON.parse(load.stdout) as { inserted: number }).inserted);
    const verify = tessera(['audit', 'verify'], { env });
    expect(verify.stdout).toMatch(/intact/);
  });
});
