import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** The PostgreSQL URL tests use (TESSERA_DATABASE_URL when it names PostgreSQL). */
export const PG_URL = process.env.TESSERA_TEST_DATABASE_URL ?? (process.env.TESSERA_DATABASE_URL?.startsWith('postgres') ? process.env.TESSERA_DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/test');

let reachable: Promise<string | undefined> | undefined;

/**
 * Whether PostgreSQL tests run: undefined when the server answers, else the reason to skip.
 * With CI=true an unreachable server is an error, never a silent skip.
 */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (e) {
      const reason = `PostgreSQL at ${PG_URL} is unreachable (${e instanceof Error ? e.message : String(e)})`;
      if (process.env.CI === 'true') throw new Error(`${reason}: with CI=true the PostgreSQL suite must run`);
      console.warn(`[skip] ${reason}: PostgreSQL tests skipped (set CI=true to make this an error)`);
      return reason;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A fresh schema name for one test run, so concurrent runs never collide. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Runs SQL directly against a test schema (used to simulate tampering). */
export async function rawPostgres(schema: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema},public` });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}
