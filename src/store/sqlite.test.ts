import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { validateStatement } from '../model/index.js';
import { storeConformance } from './conformance.js';
import { openSqliteStore, openStore } from './index.js';
import { rowValues, statementToRow, STATEMENT_COLUMNS } from './rows.js';
import { SQLITE_MIGRATIONS } from './sqlite/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
const badDir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-bad-'));

storeConformance('sqlite (file)', async () => {
  const path = join(dir, 'conformance.sqlite');
  return {
    open: () => openStore({ url: `sqlite:${path}` }),
    reopen: () => openStore({ url: `sqlite:${path}` }),
    another: () => openStore({ url: `sqlite:${join(dir, `another-${Math.random().toString(36).slice(2)}.sqlite`)}` }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('sqlite store: bad files', () => {
  it('refuses a file that is not a database, without changing it', async () => {
    const path = join(badDir, 'garbage.sqlite');
    writeFileSync(path, Buffer.from('this is not a database at all, just some bytes'.repeat(200)));
    await expect(openStore({ url: path })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('refuses a foreign SQLite database', async () => {
    const path = join(badDir, 'foreign.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    await expect(openStore({ url: `sqlite:${path}` })).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining('not a Tessera store') });
    const after = new Database(path);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).pluck().all()).toEqual(['customers']);
    after.close();
  });

  it('refuses a store migrated by a newer Tessera', async () => {
    const path = join(badDir, 'newer.sqlite');
    const s = await openStore({ url: path });
    await s.setMeta('schema_version', '999');
    await s.close();
    await expect(openStore({ url: path })).rejects.toMatchObject({ code: 'STORE_TOO_NEW' });
  });

  it('finishes a bulk load whose process died when the store is next opened (indexes built, repeats removed)', async () => {
    const path = join(badDir, 'bulk-crash.sqlite');
    const person = (id: string, name: string) =>
      validateStatement({ entityId: `fr-ct:${id}`, schema: 'Person', prop: 'name', value: name, source: { agency: 'FR-CT', collectedAt: '2024-01-15T10:00:00Z' }, grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { codes: [], releasableTo: [] } });
    const s = await openStore({ url: `sqlite:${path}` });
    expect(await s.beginBulkLoad()).toBeDefined();
    await s.writeStatements([person('c1', 'Amira Said'), person('c2', 'Nour Said')]);
    await s.writeStatements([person('c1', 'Amira Said')]);
    await s.markSeen('ingest:FR-CT/subjects', ['r1', 'r2']);
    // The loading process dies: its marker names a process that has exited, its connection closes unfinished.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const raw = (s as unknown as { rawDatabase(): Database.Database }).rawDatabase();
    raw.prepare(`UPDATE meta SET value = ? WHERE key = 'statements.bulk_load'`).run(JSON.stringify({ pid: deadPid }));
    const indexes = (db: Database.Database) => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'statements_%' ORDER BY name`).pluck().all();
    expect(indexes(raw)).toEqual([]);
    raw.close();
    const again = await openStore({ url: `sqlite:${path}` });
    try {
      expect((await again.stats()).statements).toBe(2);
      expect((await again.search('amira')).length).toBe(1);
      expect(await again.getMeta('statements.bulk_load')).toBeUndefined();
      // The row hashes the load held back were merged into the seen index.
      expect([...(await again.whichSeen('ingest:FR-CT/subjects', ['r1', 'r2', 'r3']))].sort()).toEqual(['r1', 'r2']);
      const check = new Database(path, { readonly: true });
      expect(indexes(check)).toEqual(['statements_entity', 'statements_id', 'statements_ref']);
      check.close();
    } finally {
      await again.close();
    }
  });

  it('migrates a version-4 store: provenance stored once per envelope, statements and search unchanged, new writes reuse the rows', async () => {
    const path = join(badDir, 'v4.sqlite');
    const make = (entity: string, prop: string, value: string, conditions: string) =>
      validateStatement({
        entityId: `fr-ct:${entity}`,
        schema: 'Person',
        prop,
        value,
        source: { agency: 'FR-CT', documentId: 'FR-CT/ÉTÉ/2024', collectedAt: '2024-01-15T10:00:00Z' },
        grading: { system: 'EU4x4', source: 'B', info: '2' },
        handling: { codes: ['H3'], conditions, releasableTo: ['BE'] },
        caseIds: ['FR-OP-1'],
        recordedAt: '2024-01-16T08:00:00.000Z',
      });
    // Free-text conditions with a newline, quotes and non-Latin script: the key must read the same in SQL and JS.
    const tricky = 'not for "court"\nسري — only BE';
    const before = [make('p1', 'name', 'Amira Said', tricky), make('p1', 'birthDate', '1990-04-02', tricky), make('p2', 'name', 'Nour Haddad', 'plain')];
    const stored = before.map((st) => ({ ...st, recordedAt: '2024-01-16T08:00:00.000Z' }));
    const db = new Database(path);
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('app', 'tessera'), ('schema_version', '4');`);
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 4)) db.exec(m.sql);
    const insert = db.prepare(`INSERT INTO statements (${STATEMENT_COLUMNS.join(', ')}) VALUES (${STATEMENT_COLUMNS.map(() => '?').join(', ')})`);
    for (const st of before) {
      const row = statementToRow(st, '2024-01-16T08:00:00.000Z');
      const { lastInsertRowid } = insert.run(rowValues(row));
      if (row.fts > 0) db.prepare(`INSERT INTO statement_fts(rowid, folded) VALUES (?, ?)`).run(lastInsertRowid, row.folded);
    }
    db.close();

    const s = await openStore({ url: `sqlite:${path}` });
    try {
      expect(await s.schemaVersion()).toBe(SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version);
      expect(await s.statementsOf('fr-ct:p1')).toEqual(await s.statementsById(before.slice(0, 2).map((x) => x.id)).then((r) => r.sort((a, b) => a.prop.localeCompare(b.prop))));
      const [got] = await s.statementsById([before[0]!.id]);
      expect(got).toEqual(stored[0]);
      expect((await s.search('amira'))[0]?.statement).toEqual(stored[0]);
      const scanned = [];
      for await (const batch of s.scanStatements()) scanned.push(...batch);
      expect(scanned.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...stored].sort((a, b) => a.id.localeCompare(b.id)));
      const cores = [];
      for await (const batch of s.scanStatementCores({ agencies: ['FR-CT'] })) cores.push(...batch);
      expect(cores.sort((a, b) => a.id.localeCompare(b.id)).map((c) => [c.id, c.handling, c.caseIds])).toEqual(scanned.map((c) => [c.id, c.handling, c.caseIds]));
      // A new statement with a migrated envelope finds its provenance row instead of adding one.
      expect((await s.writeStatements([{ ...make('p3', 'name', 'Samir Haddad', tricky), recordedAt: '2024-01-16T08:00:00.000Z' }])).inserted).toBe(1);
      const raw = (s as unknown as { rawDatabase(): Database.Database }).rawDatabase();
      expect(raw.prepare(`SELECT COUNT(*) FROM provenance`).pluck().get()).toBe(2);
      expect(raw.prepare(`SELECT name FROM pragma_table_info('statements')`).pluck().all()).not.toContain('handling');
    } finally {
      await s.close();
    }
  });

  it('merges the seen hashes a bulk load holds back every few batches, keeping them through a rolled-back batch', async () => {
    const s = await openSqliteStore({ path: join(badDir, 'seen-merge.sqlite'), seenMergeEvery: 3 });
    try {
      const bulk = await s.beginBulkLoad();
      const raw = (s as unknown as { rawDatabase(): Database.Database }).rawDatabase();
      const count = (table: string) => raw.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
      await s.markSeen('ns', ['a', 'b']);
      expect([count('seen'), count('seen_pending')]).toEqual([0, 2]);
      await s.markSeen('ns', ['c']);
      expect([count('seen'), count('seen_pending'), count('temp.seen_recent')]).toEqual([3, 0, 0]);
      await expect(
        s.transaction(async (tx) => {
          await tx.markSeen('ns', ['d', 'e', 'f']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect([count('seen'), count('seen_pending')]).toEqual([3, 0]);
      await s.markSeen('ns', ['d']);
      expect([...(await s.whichSeen('ns', ['a', 'c', 'd', 'e']))].sort()).toEqual(['a', 'c', 'd']);
      await bulk?.finish();
      expect([count('seen'), count('seen_pending')]).toEqual([4, 0]);
    } finally {
      await s.close();
    }
  });

  it('rejects unsupported URL schemes', async () => {
    await expect(openStore({ url: 'mysql://root@localhost/test' })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
