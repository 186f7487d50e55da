import { afterAll, describe, expect, it } from 'vitest';
import { frCtx, seedWorld } from '../../test/support/governance.js';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable, rawPostgres } from '../../test/support/postgres.js';
import { addOversightUsers, dpoCtx, FIXTURE_NOW, privacyFixture } from '../../test/support/privacy.js';
import { openStore, type Store } from '../store/index.js';
import {
  checkpointKeyFromPem,
  createCheckpoint,
  dpoReport,
  eraseSubject,
  exportEntities,
  generateCheckpointKeyPem,
  generateReidKeyPair,
  installReidPublicKey,
  isMasked,
  runRetention,
  setAccessLimits,
  verifyAnchoredAudit,
  type ActiveAlertLookup,
} from './index.js';

/**
 * The privacy flows on PostgreSQL: the same behaviour as on SQLite (they use only the Store port),
 * including detection of a truncated log after the append-only trigger is dropped.
 */
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await dropSchema(s);
});

async function pgStore(): Promise<{ store: Store; schema: string } | undefined> {
  if (await postgresUnavailable()) return undefined;
  const schema = freshSchema('privacy');
  schemas.push(schema);
  return { store: await openStore({ url: PG_URL, schema }), schema };
}

const alertOn = (id: string): ActiveAlertLookup => ({ activeAlerts: async (ids) => new Map(ids.filter((x) => x === id).map((x) => [x, { alertId: 'a1', entityId: x }])) });

describe('privacy on PostgreSQL', () => {
  it('retention masks, deletes and holds; erasure and limits behave as on SQLite', async (ctx) => {
    const pg = await pgStore();
    if (!pg) return ctx.skip();
    const { store } = pg;
    try {
      const gov = await seedWorld(store);
      await addOversightUsers(gov);
      await gov.systemWrite('test', 'fixture load for postgres privacy test', privacyFixture());
      await installReidPublicKey(store, generateReidKeyPair(2048).publicPem);
      const held = await runRetention(gov, { now: FIXTURE_NOW, alerts: alertOn('fr-ct:t-ancient') });
      expect(held).toMatchObject({ depersonalised: 3, deleted: 0 });
      expect(held.held.map((h) => h.entityId)).toEqual(['fr-ct:t-ancient']);
      expect((await store.statementsOf('fr-ct:t-old')).filter((s) => isMasked(s.value))).toHaveLength(3);
      const run = await runRetention(gov, { now: FIXTURE_NOW });
      expect(run).toMatchObject({ depersonalised: 0, deleted: 4 });
      await setAccessLimits(gov, dpoCtx, { exportsPerDay: 1 });
      await exportEntities(gov, frCtx, ['fr-ct:c1'], { recipients: ['BE-CT'] });
      await expect(exportEntities(gov, frCtx, ['fr-ct:p1'])).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      const erased = await eraseSubject(gov, dpoCtx, 'fr-ct:c1');
      expect(erased.deleted).toBe(1);
      const report = await dpoReport(gov, dpoCtx);
      expect(report.bulkExportAttempts).toHaveLength(1);
      expect(report.disclosures.map((d) => d.recipient)).toEqual(['BE-CT']);
    } finally {
      await store.close();
    }
  });
  it('a truncated log is caught by a signed checkpoint', async (ctx) => {
    const pg = await pgStore();
    if (!pg) return ctx.skip();
    const { store, schema } = pg;
    try {
      const gov = await seedWorld(store);
      await gov.systemWrite('test', 'fixture load for postgres privacy test', privacyFixture());
      for (let i = 0; i < 4; i++) await gov.readEntity(frCtx, 'fr-ct:p1');
      const key = checkpointKeyFromPem(generateCheckpointKeyPem());
      const cp = await createCheckpoint(gov, key);
      expect((await verifyAnchoredAudit(gov, { trustedKeys: [key.publicKey], anchors: [cp] })).problems).toEqual([]);
      await rawPostgres(schema, `DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log; DELETE FROM audit_log WHERE seq > ${cp.seq - 2}`);
      expect((await gov.verifyAudit()).problems).toEqual([]);
      const r = await verifyAnchoredAudit(gov, { trustedKeys: [key.publicKey], anchors: [cp] });
      expect(r.problems[0]).toMatchObject({ kind: 'missing' });
    } finally {
      await store.close();
    }
  });
});
