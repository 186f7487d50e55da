import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storeConformance } from './conformance.js';
import { openStore } from './index.js';

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

  it('rejects unsupported URL schemes', async () => {
    await expect(openStore({ url: 'mysql://root@localhost/test' })).rejects.toMatchObject({ code: 'CONFIG' });
  });
});
