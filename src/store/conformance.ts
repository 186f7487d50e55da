/**
 * The store conformance suite: the same behavioural tests for every dialect (run by
 * sqlite.test.ts and postgres.test.ts). Imported only by tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateStatement, verifyAuditEntries, type Statement, type StatementInput } from '../model/index.js';
import type { StatementCore, Store } from './store.js';

function stmt(overrides: Partial<StatementInput> & Pick<StatementInput, 'entityId' | 'schema' | 'prop' | 'value'>): Statement {
  return validateStatement({
    source: { agency: 'FR-CT', documentId: 'doc-1', collectedAt: '2024-01-15T10:00:00Z' },
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    handling: { codes: ['H2'], releasableTo: ['BE-CT', 'ES'] },
    classification: 'RESTRICTED',
    subjectCategory: 'suspect',
    nature: 'fact',
    caseIds: ['FR-OP-ATLAS'],
    ...overrides,
  });
}

export interface ConformanceTarget {
  /** Opens a fresh, empty store. */
  open(): Promise<Store>;
  /** Reopens the same store (same file / schema). */
  reopen(): Promise<Store>;
  /** Opens another, empty store (its own file / schema), cleaned up with the rest. */
  another(): Promise<Store>;
  cleanup?(): Promise<void>;
}

export function storeConformance(name: string, target: () => Promise<ConformanceTarget | undefined>): void {
  describe(`store conformance: ${name}`, () => {
    let t: ConformanceTarget | undefined;
    let store: Store;

    beforeAll(async () => {
      t = await target();
      if (t) store = await t.open();
    });
    afterAll(async () => {
      if (!t) return;
      await store.close();
      await t.cleanup?.();
    });

    const person = (id: string, name: string, extra: Partial<StatementInput> = {}) => stmt({ entityId: `fr-ct:${id}`, schema: 'Person', prop: 'name', value: name, ...extra });

    it('migrates to the latest schema version and reopens idempotently', async (ctx) => {
      if (!t) return ctx.skip();
      expect(await store.schemaVersion()).toBeGreaterThanOrEqual(1);
      const again = await t.reopen();
      expect(await again.schemaVersion()).toBe(await store.schemaVersion());
      await again.close();
    });

    it('round-trips every statement field exactly', async (ctx) => {
      if (!t) return ctx.skip();
      const s = stmt({
        entityId: 'fr-ct:rt1',
        schema: 'Person',
        prop: 'birthDate',
        value: '1987-03',
        original: '03/1987',
        grading: { system: 'ADMIRALTY', source: 'C', info: '3' },
        handling: { codes: ['H1', 'H3'], conditions: 'not before 2025', releasableTo: ['*'] },
        subjectCategory: 'contact',
        nature: 'assessment',
        firstSeen: '2023-01-01',
        lastSeen: '2024-02-01',
        reviewBy: '2026-01-01',
        caseIds: ['FR-OP-ATLAS', 'FR-OP-BORA'],
      });
      await store.writeStatements([s]);
      const [back] = await store.statementsOf('fr-ct:rt1');
      const { recordedAt, ...rest } = back!;
      expect(recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(rest).toEqual(s);
    });

    it('is idempotent: writing the same statements twice stores them once', async (ctx) => {
      if (!t) return ctx.skip();
      const batch = [person('dup1', 'Karim Benali'), person('dup1', 'Karim Ben Ali', { source: { agency: 'BE-CT', collectedAt: '2024-02-01T00:00:00Z' } })];
      expect(await store.writeStatements(batch)).toEqual({ inserted: 2, duplicates: 0 });
      expect(await store.writeStatements(batch)).toEqual({ inserted: 0, duplicates: 2 });
      const back = await store.statementsOf('fr-ct:dup1');
      expect(back.map((s) => s.value).sort()).toEqual(['Karim Ben Ali', 'Karim Benali']);
    });

    it('bulk-loads batches (duplicates once, indexes and search working) and appends to a non-empty store', async (ctx) => {
      if (!t) return ctx.skip();
      const fresh = await t.another();
      try {
        const batches = [
          [person('bulk1', 'Yusuf Karimov'), person('bulk2', 'Lina Haddad')],
          [person('bulk1', 'Yusuf Karimov'), stmt({ entityId: 'fr-ct:bulkph', schema: 'Phone', prop: 'number', value: '+33611111111' })],
        ];
        const seen: number[] = [];
        const r = await fresh.bulkWriteStatements(batches, (n) => seen.push(n));
        expect(r).toEqual({ inserted: 3, duplicates: 1 });
        expect(seen).toEqual([2, 4]);
        expect((await fresh.search('karimov')).map((h) => h.entityId)).toContain('fr-ct:bulk1');
        expect((await fresh.statementsOf('fr-ct:bulk2')).length).toBe(1);
        expect((await fresh.statementsReferencing(['+33611111111'])).length).toBe(1);
        expect(await fresh.writeStatements([person('bulk2', 'Lina Haddad')])).toEqual({ inserted: 0, duplicates: 1 });
        const again = await fresh.bulkWriteStatements([[person('bulk3', 'Omar Chaoui'), person('bulk1', 'Yusuf Karimov')]]);
        expect(again).toEqual({ inserted: 1, duplicates: 1 });
        expect((await fresh.search('chaoui')).length).toBe(1);
      } finally {
        await fresh.close();
      }
    });

    it('bulk-loads batch by batch into an empty store: readable during the load, repeats kept once and indexes built by finish', async (ctx) => {
      if (!t) return ctx.skip();
      const fresh = await t.another();
      try {
        const bulk = await fresh.beginBulkLoad();
        expect(await fresh.beginBulkLoad()).toBeUndefined();
        await fresh.writeStatements([person('bl1', 'Yusuf Karimov'), person('bl2', 'Lina Haddad')]);
        await fresh.transaction(async (tx) => {
          await tx.writeStatements([person('bl1', 'Yusuf Karimov'), stmt({ entityId: 'fr-ct:blph', schema: 'Phone', prop: 'number', value: '+33611111112' })]);
        });
        await expect(
          fresh.transaction(async (tx) => {
            await tx.writeStatements([person('bl3', 'Omar Chaoui')]);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect((await fresh.statementsOf('fr-ct:bl2')).length).toBe(1);
        await bulk?.finish();
        await bulk?.finish();
        expect((await fresh.stats()).statements).toBe(3);
        expect((await fresh.statementsOf('fr-ct:bl1')).length).toBe(1);
        expect((await fresh.search('karimov')).map((h) => h.entityId)).toEqual(['fr-ct:bl1']);
        expect((await fresh.statementsReferencing(['+33611111112'])).length).toBe(1);
        expect(await fresh.statementsOf('fr-ct:bl3')).toEqual([]);
        expect(await fresh.writeStatements([person('bl2', 'Lina Haddad')])).toEqual({ inserted: 0, duplicates: 1 });
        expect(await fresh.beginBulkLoad()).toBeUndefined();
      } finally {
        await fresh.close();
      }
    });

    it('stores a statement whole when its provenance first appeared in a rolled-back transaction', async (ctx) => {
      if (!t) return ctx.skip();
      const source = { agency: 'FR-CT' as const, documentId: 'rollback-doc', collectedAt: '2024-05-05T05:05:05Z' };
      await expect(
        store.transaction(async (tx) => {
          await tx.writeStatements([person('rb1', 'Idris Kaya', { source })]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const s = person('rb2', 'Selim Kaya', { source });
      expect(await store.writeStatements([s])).toEqual({ inserted: 1, duplicates: 0 });
      const [back] = await store.statementsOf('fr-ct:rb2');
      const { recordedAt: _r, ...rest } = back!;
      expect(rest).toEqual(s);
    });

    it('reads the right provenance after a rolled-back transaction whose provenance was read inside it', async (ctx) => {
      if (!t) return ctx.skip();
      const gone = { agency: 'FR-CT' as const, documentId: 'rolled-back-read', collectedAt: '2024-06-06T06:06:06Z' };
      await expect(
        store.transaction(async (tx) => {
          await tx.writeStatements([person('rb3', 'Leila Kaya', { source: gone, classification: 'SECRET' })]);
          for await (const batch of tx.scanStatementCores({ agencies: ['FR-CT'] })) expect(batch.length).toBeGreaterThan(0);
          expect((await tx.statementsOf('fr-ct:rb3'))[0]?.classification).toBe('SECRET');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // Another envelope written next may be given the number the rolled-back one had.
      const kept = person('rb4', 'Omar Kaya', { source: { agency: 'FR-CT', documentId: 'kept-after-rollback', collectedAt: '2024-07-07T07:07:07Z' }, classification: 'RESTRICTED' });
      await store.writeStatements([kept]);
      const cores: StatementCore[] = [];
      for await (const batch of store.scanStatementCores()) cores.push(...batch.filter((c) => c.entityId === 'fr-ct:rb4' || c.entityId === 'fr-ct:rb3'));
      expect(cores.map((c) => [c.entityId, c.classification])).toEqual([['fr-ct:rb4', 'RESTRICTED']]);
      const scanned: Statement[] = [];
      for await (const batch of store.scanStatements()) scanned.push(...batch.filter((c) => c.entityId === 'fr-ct:rb4'));
      expect(scanned.map((c) => [c.source.documentId, c.classification])).toEqual([['kept-after-rollback', 'RESTRICTED']]);
    });

    it('writes nothing of a transaction that fails', async (ctx) => {
      if (!t) return ctx.skip();
      await expect(
        store.transaction(async (tx) => {
          await tx.writeStatements([person('tx1', 'Nadia Ferhat')]);
          await tx.putRecord('alerts', 'a1', { x: 1 }, { subject: 'fr-ct:tx1' });
          await tx.appendAudit({ at: new Date().toISOString(), userId: 'u1', agency: 'FR-CT', purpose: 'p', caseId: null, action: 'write', outcome: 'allowed', entityIds: [] });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.statementsOf('fr-ct:tx1')).toEqual([]);
      expect(await store.getRecord('alerts', 'a1')).toBeUndefined();
      expect((await store.search('Ferhat')).length).toBe(0);
    });

    it('commits a successful transaction', async (ctx) => {
      if (!t) return ctx.skip();
      await store.transaction(async (tx) => {
        await tx.writeStatements([person('tx2', 'Samir Haddad')]);
        await tx.putRecord('alerts', 'a2', { level: 3 });
      });
      expect((await store.statementsOf('fr-ct:tx2')).length).toBe(1);
      expect((await store.getRecord<{ level: number }>('alerts', 'a2'))?.body.level).toBe(3);
    });

    it('finds names by full text, folding diacritics and scripts, by prefix', async (ctx) => {
      if (!t) return ctx.skip();
      await store.writeStatements([
        person('ft1', 'Zoë Lefèvre'),
        person('ft2', 'Мухаммад Рахими'),
        person('ft3', 'Abdelhamid El Mansouri'),
        stmt({ entityId: 'fr-ct:rep1', schema: 'Report', prop: 'bodyText', value: 'The subject met an associate near the Gare du Nord in Paris.' }),
      ]);
      expect((await store.search('zoe lefevre')).map((h) => h.entityId)).toContain('fr-ct:ft1');
      expect((await store.search('Mukhammad')).map((h) => h.entityId)).toContain('fr-ct:ft2');
      expect((await store.search('abdelham')).map((h) => h.entityId)).toContain('fr-ct:ft3');
      expect((await store.search('gare nord')).map((h) => h.entityId)).toContain('fr-ct:rep1');
      expect((await store.search('gare nord', { schemas: ['Person'] })).length).toBe(0);
      expect(await store.search('   ')).toEqual([]);
      expect(await store.search(`'; DROP TABLE statements; --`)).toEqual([]);
    });

    it('finds statements referencing an entity or a selector', async (ctx) => {
      if (!t) return ctx.skip();
      await store.writeStatements([
        stmt({ entityId: 'fr-ct:ph1', schema: 'Phone', prop: 'number', value: '+33612345678' }),
        stmt({ entityId: 'fr-ct:use1', schema: 'PhoneUse', prop: 'person', value: 'fr-ct:ft3' }),
        stmt({ entityId: 'fr-ct:use1', schema: 'PhoneUse', prop: 'phone', value: 'fr-ct:ph1' }),
        stmt({ entityId: 'be-ct:p9', schema: 'Person', prop: 'phone', value: '+33 6 12 34 56 78', source: { agency: 'BE-CT', collectedAt: '2024-01-01T00:00:00Z' } }),
      ]);
      const refs = await store.statementsReferencing(['fr-ct:ph1']);
      expect(refs.map((s) => s.entityId)).toEqual(['fr-ct:use1']);
      const sharing = await store.statementsReferencing(['+33612345678']);
      expect(sharing.map((s) => s.entityId).sort()).toEqual(['be-ct:p9', 'fr-ct:ph1']);
      expect((await store.statementsReferencing(['+33612345678'], ['phone'])).map((s) => s.entityId)).toEqual(['be-ct:p9']);
    });

    it('scans statements in batches with filters, in a stable order', async (ctx) => {
      if (!t) return ctx.skip();
      const seen: string[] = [];
      let batches = 0;
      for await (const batch of store.scanStatements({ schemas: ['Person'], batchSize: 2 })) {
        batches++;
        expect(batch.length).toBeLessThanOrEqual(2);
        for (const s of batch) {
          expect(s.schema).toBe('Person');
          seen.push(s.id);
        }
      }
      expect(batches).toBeGreaterThan(1);
      expect(new Set(seen).size).toBe(seen.length);
      const all: string[] = [];
      for await (const batch of store.scanStatements({ agencies: ['BE-CT'] })) all.push(...batch.map((s) => s.source.agency));
      expect(all.length).toBeGreaterThan(0);
      expect(new Set(all)).toEqual(new Set(['BE-CT']));
    });

    it('scans statement cores: the same statements, order and filters, with their core fields', async (ctx) => {
      if (!t) return ctx.skip();
      const full: Statement[] = [];
      for await (const batch of store.scanStatements({ props: ['name', 'birthDate'], batchSize: 3 })) full.push(...batch);
      const cores = [];
      for await (const batch of store.scanStatementCores({ props: ['name', 'birthDate'], batchSize: 3 })) cores.push(...batch);
      expect(full.length).toBeGreaterThan(3);
      expect(cores).toEqual(
        full.map((s) => ({ id: s.id, entityId: s.entityId, schema: s.schema, prop: s.prop, value: s.value, source: { agency: s.source.agency }, grading: s.grading, handling: s.handling, classification: s.classification, caseIds: s.caseIds })),
      );
    });

    it('gets statements of many entities and by id', async (ctx) => {
      if (!t) return ctx.skip();
      const many = await store.statementsOfMany(['fr-ct:ft1', 'fr-ct:ft2', 'fr-ct:none']);
      expect(new Set(many.map((s) => s.entityId))).toEqual(new Set(['fr-ct:ft1', 'fr-ct:ft2']));
      const byId = await store.statementsById([many[0]!.id]);
      expect(byId[0]!.value).toBe(many[0]!.value);
      expect(await store.statementsOfMany([])).toEqual([]);
    });

    it('updates a value (depersonalisation) and keeps search consistent', async (ctx) => {
      if (!t) return ctx.skip();
      const [s] = await store.statementsOf('fr-ct:ft1');
      expect(await store.updateStatementValue(s!.id, '[masked]', null)).toBe(true);
      expect((await store.search('lefevre')).map((h) => h.entityId)).not.toContain('fr-ct:ft1');
      expect((await store.statementsOf('fr-ct:ft1'))[0]!.value).toBe('[masked]');
      expect(await store.updateStatementValue('0'.repeat(40), 'x', null)).toBe(false);
    });

    it('deletes statements (erasure) and removes them from search', async (ctx) => {
      if (!t) return ctx.skip();
      const ids = (await store.statementsOf('fr-ct:ft2')).map((s) => s.id);
      expect(await store.deleteStatements(ids)).toBe(ids.length);
      expect(await store.statementsOf('fr-ct:ft2')).toEqual([]);
      expect((await store.search('Rakhimi')).length).toBe(0);
    });

    it('counts statements and entities by schema and agency', async (ctx) => {
      if (!t) return ctx.skip();
      const st = await store.stats();
      expect(st.statements).toBeGreaterThan(5);
      expect(st.entities).toBeLessThanOrEqual(st.statements);
      expect(st.bySchema.Person).toBeGreaterThan(0);
      expect(st.byAgency['BE-CT']).toBeGreaterThan(0);
    });

    it('extends the audit hash chain, concurrently and in order', async (ctx) => {
      if (!t) return ctx.skip();
      const base = (await store.auditHead())?.seq ?? 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.appendAudit({ at: new Date().toISOString(), userId: `u${i}`, agency: 'FR-CT', purpose: 'Investigation of network ATLAS', caseId: 'FR-OP-ATLAS', action: 'entity.read', outcome: 'allowed', entityIds: [`fr-ct:${i}`], details: { i } }),
        ),
      );
      const entries = await store.readAudit(1);
      expect(entries.length).toBe(base + 20);
      expect(verifyAuditEntries(entries)).toEqual([]);
      expect((await store.auditHead())!.seq).toBe(base + 20);
    });

    it('stores records with index keys, finds, counts, pages and deletes them', async (ctx) => {
      if (!t) return ctx.skip();
      await store.putRecord('hits', '01A', { n: 1 }, { agency: 'FR-CT', status: 'open', subjects: ['s1', 's2'] });
      await store.putRecord('hits', '01B', { n: 2 }, { agency: 'FR-CT', status: 'closed', subjects: ['s2'] });
      await store.putRecord('hits', '01C', { n: 3 }, { agency: 'BE-CT', status: 'open' });
      expect((await store.findRecords<{ n: number }>('hits', { where: { agency: 'FR-CT' } })).map((r) => r.body.n)).toEqual([1, 2]);
      expect((await store.findRecords('hits', { where: { subjects: 's2', status: 'open' } })).map((r) => r.id)).toEqual(['01A']);
      expect((await store.findRecords('hits', { where: { status: ['open', 'closed'] }, order: 'desc', limit: 2 })).map((r) => r.id)).toEqual(['01C', '01B']);
      expect((await store.findRecords('hits', { afterId: '01A' })).map((r) => r.id)).toEqual(['01B', '01C']);
      expect(await store.countRecords('hits', { status: 'open' })).toBe(2);
      expect(await store.findRecords('hits', { where: { status: [] } })).toEqual([]);
      // Replacing a record replaces its keys.
      await store.putRecord('hits', '01A', { n: 10 }, { agency: 'FR-CT', status: 'closed' });
      expect(await store.countRecords('hits', { status: 'open' })).toBe(1);
      expect(await store.deleteRecord('hits', '01A')).toBe(true);
      expect(await store.deleteRecord('hits', '01A')).toBe(false);
      expect(await store.getRecord('hits', '01A')).toBeUndefined();
      await expect(store.putRecord('Bad Name', 'x', {})).rejects.toThrow(/invalid collection/);
    });

    it('generates candidate pairs set-wise from blocking keys, each pair once, skipping oversized blocks', async (ctx) => {
      if (!t) return ctx.skip();
      const keys = [
        { recordId: 'r1', rule: 'surname+year', key: 'BNL|1990' },
        { recordId: 'r2', rule: 'surname+year', key: 'BNL|1990' },
        { recordId: 'r3', rule: 'surname+year', key: 'BNL|1990' },
        { recordId: 'r1', rule: 'document', key: 'X123' },
        { recordId: 'r2', rule: 'document', key: 'X123' },
        { recordId: 'r4', rule: 'document', key: 'Y9' },
        // A block of 5 (above the cap of 4) is skipped and reported.
        ...['r5', 'r6', 'r7', 'r8', 'r9'].map((r) => ({ recordId: r, rule: 'phone', key: '+3300000000' })),
      ];
      await store.writeBlockingKeys('run-a', keys);
      await store.writeBlockingKeys('run-a', keys.slice(0, 2)); // duplicates are ignored
      await store.writeBlockingKeys('run-b', [{ recordId: 'r1', rule: 'document', key: 'X123' }, { recordId: 'r9', rule: 'document', key: 'X123' }]);
      const report = await store.buildCandidatePairs('run-a', 4);
      expect(report.pairs).toBe(3);
      expect(report.byRule['surname+year']).toEqual({ keys: 1, pairs: 3, skippedBlocks: 0, skippedPairs: 0 });
      expect(report.byRule.phone).toEqual({ keys: 1, pairs: 0, skippedBlocks: 1, skippedPairs: 10 });
      const pairs: { left: string; right: string; rules: readonly string[] }[] = [];
      for await (const batch of store.scanCandidatePairs('run-a', 2)) pairs.push(...batch);
      expect(pairs).toEqual([
        { left: 'r1', right: 'r2', rules: ['document', 'surname+year'] },
        { left: 'r1', right: 'r3', rules: ['surname+year'] },
        { left: 'r2', right: 'r3', rules: ['surname+year'] },
      ]);
      await store.clearBlocking('run-a');
      expect((await store.buildCandidatePairs('run-a', 4)).pairs).toBe(0);
      expect((await store.buildCandidatePairs('run-b', 4)).pairs).toBe(1);
    });

    it('remembers seen hashes per namespace, idempotently and atomically with other writes', async (ctx) => {
      if (!t) return ctx.skip();
      await store.markSeen('src-a', ['h1', 'h2', 'h2']);
      await store.markSeen('src-a', ['h2', 'h3']);
      expect([...(await store.whichSeen('src-a', ['h1', 'h3', 'h4']))].sort()).toEqual(['h1', 'h3']);
      expect((await store.whichSeen('src-b', ['h1'])).size).toBe(0);
      expect((await store.whichSeen('src-a', [])).size).toBe(0);
      await expect(
        store.transaction(async (tx) => {
          await tx.markSeen('src-a', ['h9']);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await store.whichSeen('src-a', ['h9'])).size).toBe(0);
    });

    it('remembers seen hashes during a bulk load: across batches, not those of a rolled-back batch, and after the load', async (ctx) => {
      if (!t) return ctx.skip();
      const fresh = await t.another();
      try {
        await fresh.markSeen('src-old', ['o1']);
        const bulk = await fresh.beginBulkLoad();
        await fresh.transaction(async (tx) => {
          await tx.writeStatements([person('sb1', 'Rania Said')]);
          await tx.markSeen('src-new', ['n1', 'n2']);
        });
        await expect(
          fresh.transaction(async (tx) => {
            await tx.markSeen('src-new', ['n3']);
            expect([...(await tx.whichSeen('src-new', ['n1', 'n3']))].sort()).toEqual(['n1', 'n3']);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect([...(await fresh.whichSeen('src-new', ['n1', 'n2', 'n3']))].sort()).toEqual(['n1', 'n2']);
        expect([...(await fresh.whichSeen('src-old', ['o1', 'n1']))]).toEqual(['o1']);
        await fresh.markSeen('src-new', ['n2', 'n4']);
        await bulk?.finish();
        expect([...(await fresh.whichSeen('src-new', ['n1', 'n2', 'n3', 'n4']))].sort()).toEqual(['n1', 'n2', 'n4']);
      } finally {
        await fresh.close();
      }
    });

    it('serialises read-modify-write under a lock: concurrent increments are never lost', async (ctx) => {
      if (!t) return ctx.skip();
      await expect(store.lock('counter')).rejects.toThrow(/outside a transaction/);
      // PostgreSQL: two pools on the same schema (two processes' worth). SQLite: one handle, since
      // better-sqlite3 is synchronous and a second connection would busy-wait on the event loop.
      const other = store.dialect === 'postgres' ? await t.reopen() : store;
      try {
        const bump = (s: Store) =>
          s.transaction(async (tx) => {
            await tx.lock('counter:1');
            const cur = (await tx.getRecord<{ n: number }>('counters', '1'))?.body.n ?? 0;
            await new Promise((r) => setTimeout(r, 2));
            await tx.putRecord('counters', '1', { n: cur + 1 });
          });
        await Promise.all(Array.from({ length: 12 }, (_, i) => bump(i % 2 ? store : other)));
        expect((await store.getRecord<{ n: number }>('counters', '1'))?.body.n).toBe(12);
      } finally {
        if (other !== store) await other.close();
      }
    });

    it('moves the statements version with every committed statement change, and only then', async (ctx) => {
      if (!t) return ctx.skip();
      const v0 = await store.statementsVersion();
      await store.writeStatements([person('ver1', 'Ilse Varga')]);
      const v1 = await store.statementsVersion();
      expect(v1).toBeGreaterThan(v0);
      // Duplicates, records and audit entries change no statement.
      await store.writeStatements([person('ver1', 'Ilse Varga')]);
      await store.putRecord('versions', 'r1', { n: 1 });
      await store.appendAudit({ at: '2024-01-01T00:00:00Z', userId: 'u', agency: 'FR-CT', purpose: 'version test', caseId: null, action: 'test', outcome: 'allowed', entityIds: [] });
      expect(await store.statementsVersion()).toBe(v1);
      const [written] = await store.statementsOf('fr-ct:ver1');
      expect(await store.updateStatementValue(written!.id, 'I. V.', null)).toBe(true);
      const v2 = await store.statementsVersion();
      expect(v2).toBeGreaterThan(v1);
      expect(await store.deleteStatements([written!.id])).toBe(1);
      const v3 = await store.statementsVersion();
      expect(v3).toBeGreaterThan(v2);
      // A failed transaction leaves the version where it was; another connection sees committed moves.
      await expect(
        store.transaction(async (tx) => {
          await tx.writeStatements([person('ver2', 'Otto Brandl')]);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.statementsVersion()).toBe(v3);
      const again = await t.reopen();
      await again.writeStatements([person('ver3', 'Mira Holt')]);
      await again.close();
      expect(await store.statementsVersion()).toBeGreaterThan(v3);
    });

    it('keeps meta settings', async (ctx) => {
      if (!t) return ctx.skip();
      expect(await store.getMeta('node.key')).toBeUndefined();
      await store.setMeta('node.key', 'abc');
      await store.setMeta('node.key', 'def');
      expect(await store.getMeta('node.key')).toBe('def');
    });
  });
}
