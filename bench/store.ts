/**
 * Store benchmark (issue 3): bulk load into SQLite and PostgreSQL, entity fetch p95 and full-text
 * name search p95 at ≥ 1M statements. Statements come from the `large` synthetic scenario, validated
 * before timing so only the store is measured. Writes bench/results/store.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { validateStatement, type Statement } from '../src/model/index.js';
import { generateScenario } from '../src/scenario/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { percentile, writeResult } from './_util.js';

const PG_URL = process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_LIMIT = Number(process.env.BENCH_PG_STATEMENTS ?? 300_000);

function* validatedBatches(limit = Infinity): Generator<Statement[]> {
  let n = 0;
  for (const batch of generateScenario({ size: 'large', seed: 11 }).statements({ batchSize: 10_000 })) {
    const valid = batch.map((s) => validateStatement(s));
    yield valid;
    n += valid.length;
    if (n >= limit) return;
  }
}

async function load(store: Store, limit: number, sample: (s: Statement) => void): Promise<{ statements: number; seconds: number; perSecond: number }> {
  let statements = 0;
  let ms = 0;
  let last = Date.now();
  for (const batch of validatedBatches(limit)) {
    for (const s of batch) sample(s);
    const t = performance.now();
    await store.writeStatements(batch);
    ms += performance.now() - t;
    statements += batch.length;
    if (Date.now() - last > 5000) {
      last = Date.now();
      process.stdout.write(`  ${store.dialect}: ${statements.toLocaleString('en')} statements, ${Math.round(statements / (ms / 1000)).toLocaleString('en')}/s\n`);
    }
  }
  return { statements, seconds: ms / 1000, perSecond: Math.round(statements / (ms / 1000)) };
}

async function fetchAndSearch(store: Store, entityIds: readonly string[], names: readonly string[]): Promise<Record<string, number>> {
  const fetch: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const id = entityIds[(i * 7919) % entityIds.length]!;
    const t = performance.now();
    await store.statementsOf(id);
    fetch.push(performance.now() - t);
  }
  const search: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const q = names[(i * 104_729) % names.length]!;
    const t = performance.now();
    await store.search(q, { limit: 50 });
    search.push(performance.now() - t);
  }
  return {
    entityFetchP50Ms: +percentile(fetch, 50).toFixed(3),
    entityFetchP95Ms: +percentile(fetch, 95).toFixed(3),
    nameSearchP50Ms: +percentile(search, 50).toFixed(3),
    nameSearchP95Ms: +percentile(search, 95).toFixed(3),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-store-'));
  const result: Record<string, unknown> = {};
  try {
    const entityIds: string[] = [];
    const names: string[] = [];
    const seen = new Set<string>();
    const sample = (s: Statement) => {
      if (!seen.has(s.entityId) && seen.size < 200_000) {
        seen.add(s.entityId);
        entityIds.push(s.entityId);
      }
      if (s.prop === 'name' && s.schema === 'Person' && names.length < 20_000) {
        const words = s.value.split(' ');
        names.push(words.length > 1 ? `${words[0]} ${words[1]!.slice(0, 3)}` : words[0]!);
      }
    };
    process.stdout.write('SQLite: loading the large scenario…\n');
    const sqlite = await openStore({ url: `sqlite:${join(dir, 'bench.sqlite')}` });
    const sqliteLoad = await load(sqlite, Infinity, sample);
    const sqliteQueries = await fetchAndSearch(sqlite, entityIds, names);
    await sqlite.close();
    // Bulk path: an empty store, indexes and full-text built once after the data (one transaction).
    process.stdout.write('SQLite: bulk-loading the same statements into an empty store…\n');
    const all = [...validatedBatches()];
    const bulkStore = await openStore({ url: `sqlite:${join(dir, 'bulk.sqlite')}` });
    const t0 = performance.now();
    const bulk = await bulkStore.bulkWriteStatements(all);
    const bulkSeconds = (performance.now() - t0) / 1000;
    const bulkQueries = await fetchAndSearch(bulkStore, entityIds, names);
    await bulkStore.close();
    result.sqlite = {
      ...sqliteLoad,
      ...sqliteQueries,
      bulkLoad: { statements: bulk.inserted + bulk.duplicates, seconds: +bulkSeconds.toFixed(2), perSecond: Math.round((bulk.inserted + bulk.duplicates) / bulkSeconds), ...bulkQueries },
      goals: { loadPerSecond: 100_000, entityFetchP95Ms: 2, nameSearchP95Ms: 20 },
    };
    process.stdout.write(`SQLite: ${JSON.stringify(result.sqlite)}\n`);

    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    let pgUp = true;
    try {
      await client.connect();
    } catch {
      pgUp = false;
    } finally {
      await client.end().catch(() => undefined);
    }
    if (pgUp) {
      const schema = `bench_${process.pid}`;
      process.stdout.write(`PostgreSQL: loading ${PG_LIMIT.toLocaleString('en')} statements…\n`);
      const store = await openStore({ url: PG_URL, schema });
      try {
        const pgLoad = await load(store, PG_LIMIT, () => undefined);
        const pgQueries = await fetchAndSearch(store, entityIds.filter((_, i) => i % 3 === 0), names);
        result.postgres = { ...pgLoad, ...pgQueries, goals: { loadPerSecond: 30_000 } };
        process.stdout.write(`PostgreSQL: ${JSON.stringify(result.postgres)}\n`);
      } finally {
        await store.close();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    } else {
      result.postgres = { skipped: `PostgreSQL unreachable at ${PG_URL}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${writeResult('store', result)}\n`);
}

await main();
