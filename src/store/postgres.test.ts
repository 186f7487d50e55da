import { describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, PG_URL, postgresUnavailable, rawPostgres } from '../../test/support/postgres.js';
import { storeConformance } from './conformance.js';
import { openStore } from './index.js';

const schema = freshSchema('conf');
const others: string[] = [];

storeConformance('postgres', async () => {
  if (await postgresUnavailable()) return undefined;
  return {
    open: () => openStore({ url: PG_URL, schema }),
    reopen: () => openStore({ url: PG_URL, schema }),
    another: () => {
      const other = freshSchema('conf2');
      others.push(other);
      return openStore({ url: PG_URL, schema: other });
    },
    cleanup: async () => {
      for (const o of [schema, ...others]) await dropSchema(o);
    },
  };
});

describe('postgres store: bad targets', () => {
  it('says clearly when the server is unreachable', async () => {
    await expect(openStore({ url: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('cannot reach PostgreSQL') });
  });

  it('refuses a schema that holds foreign tables, and a newer version', async (ctx) => {
    if (await postgresUnavailable()) return ctx.skip();
    const foreign = freshSchema('foreign');
    await rawPostgres('public', `CREATE SCHEMA "${foreign}"`);
    await rawPostgres(foreign, `CREATE TABLE "${foreign}".customers (id int)`);
    await expect(openStore({ url: PG_URL, schema: foreign })).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await dropSchema(foreign);
    const newer = freshSchema('newer');
    const s = await openStore({ url: PG_URL, schema: newer });
    await s.setMeta('schema_version', '999');
    await s.close();
    await expect(openStore({ url: PG_URL, schema: newer })).rejects.toMatchObject({ code: 'STORE_TOO_NEW' });
    await dropSchema(newer);
  });
});
