import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frCtx, seedWorld } from '../../test/support/governance.js';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable, rawPostgres } from '../../test/support/postgres.js';
import { stmt } from '../../test/support/statements.js';
import { openStore } from '../store/index.js';

/**
 * Tampering is simulated as an insider with database access would do it: drop the append-only
 * triggers, then edit, delete or reorder rows directly. The chain must name the entry.
 */
interface Tamperer {
  url: string;
  schema?: string;
  sql(statement: string): Promise<void>;
  cleanup(): Promise<void>;
}

async function sqliteTarget(): Promise<Tamperer> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tamper-'));
  const path = join(dir, 'audit.sqlite');
  return {
    url: `sqlite:${path}`,
    async sql(statement) {
      const db = new Database(path);
      db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
      db.exec(statement);
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Tamperer | undefined> {
  if (await postgresUnavailable()) return undefined;
  const schema = freshSchema('tamper');
  return {
    url: PG_URL,
    schema,
    async sql(statement) {
      await rawPostgres(schema, `DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log; ${statement}`);
    },
    cleanup: () => dropSchema(schema),
  };
}

for (const [name, make] of [
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
] as const) {
  describe(`audit chain tampering is detected (${name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups) await c();
    });

    async function withLog(): Promise<{ t: Tamperer; verify: () => Promise<{ problems: { seq: number; kind: string }[] }> } | undefined> {
      const t = await make();
      if (!t) return undefined;
      cleanups.push(t.cleanup);
      const store = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
      const gov = await seedWorld(store);
      await gov.systemWrite('test', 'fixture load for audit tamper test', [stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Karim Benali' })]);
      for (let i = 0; i < 5; i++) await gov.readEntity(frCtx, 'fr-ct:p1');
      await store.close();
      return {
        t,
        verify: async () => {
          const s = await openStore({ url: t.url, ...(t.schema ? { schema: t.schema } : {}) });
          try {
            const g = await seedWorld(s);
            const r = await g.verifyAudit();
            return { problems: r.problems.map((p) => ({ seq: p.seq, kind: p.kind })) };
          } finally {
            await s.close();
          }
        },
      };
    }

    it('the triggers refuse a direct update', async (ctx) => {
      const log = await withLog();
      if (!log) return ctx.skip();
      const store = await openStore({ url: log.t.url, ...(log.t.schema ? { schema: log.t.schema } : {}) });
      try {
        const raw = name === 'sqlite' ? new Database(log.t.url.slice('sqlite:'.length)) : undefined;
        if (raw) {
          expect(() => raw.exec(`UPDATE audit_log SET purpose = 'x' WHERE seq = 2`)).toThrow(/append-only/);
          raw.close();
        } else {
          await expect(rawPostgres(log.t.schema!, `UPDATE audit_log SET purpose = 'x' WHERE seq = 2`)).rejects.toThrow(/append-only/);
        }
      } finally {
        await store.close();
      }
      expect((await log.verify()).problems).toEqual([]);
    });

    it('detects an edited entry and names it', async (ctx) => {
      const log = await withLog();
      if (!log) return ctx.skip();
      await log.t.sql(`UPDATE audit_log SET purpose = 'Innocent purpose, nothing to see here' WHERE seq = 3`);
      expect((await log.verify()).problems).toEqual([{ seq: 3, kind: 'edited' }]);
    });

    it('detects a deleted entry', async (ctx) => {
      const log = await withLog();
      if (!log) return ctx.skip();
      await log.t.sql(`DELETE FROM audit_log WHERE seq = 4`);
      const { problems } = await log.verify();
      expect(problems[0]).toEqual({ seq: 4, kind: 'missing' });
    });

    it('detects reordered entries', async (ctx) => {
      const log = await withLog();
      if (!log) return ctx.skip();
      // Swap the sequence numbers of entries 3 and 4 (keeping their hashes).
      await log.t.sql(`UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1;`);
      const { problems } = await log.verify();
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0]!.seq).toBe(3);
    });

    it('detects a re-hashed forgery by the broken link to the next entry', async (ctx) => {
      const log = await withLog();
      if (!log) return ctx.skip();
      // The forger recomputes entry 2's own hash; entry 3 still links to the old one.
      const { auditEntryHash } = await import('../model/index.js');
      const s = await openStore({ url: log.t.url, ...(log.t.schema ? { schema: log.t.schema } : {}) });
      const [e2] = await s.readAudit(2, 1);
      await s.close();
      const forged = { ...e2!, purpose: 'Forged purpose for the record' };
      const hash = auditEntryHash(forged.prevHash, forged);
      await log.t.sql(`UPDATE audit_log SET purpose = 'Forged purpose for the record', hash = '${hash}' WHERE seq = 2`);
      expect((await log.verify()).problems).toEqual([{ seq: 3, kind: 'link-broken' }]);
    });
  });
}
