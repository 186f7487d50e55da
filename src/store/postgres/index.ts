import pg from 'pg';
import { AUDIT_GENESIS, AuditEntryInput, auditEntryHash, TesseraError, type AuditEntry, type Statement } from '../../model/index.js';
import type { BlockingKey, BlockingReport, BulkLoad, CandidatePair, RecordKeys, RecordQuery, SearchHit, SearchOptions, StatementCore, StatementScan, Store, StoreStats, StoredRecord, WriteResult } from '../store.js';
import { auditFromRow, checkName, foldForSearch, keyPairs, type AuditRow, rowToStatement, searchTerms, statementCoreFromValues, sameEnvelope, statementEnvelopeValues, statementOwnValues, statementToRow, STATEMENT_COLUMNS, STATEMENT_ENVELOPE_COLUMNS, STATEMENT_OWN_COLUMNS, STATEMENT_CORE_COLUMNS, STATEMENTS_VERSION, type StatementRow } from '../rows.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

const APP_ID = 'tessera';
// Advisory lock keys: migrations, and the audit chain head (one writer extends the chain at a time).
const MIGRATION_LOCK = 7_301_001;
const AUDIT_LOCK = 7_301_002;

export interface PostgresOptions {
  /** postgres://user@host:port/db */
  readonly url: string;
  /** A PostgreSQL schema to live in (created if missing); tests use one per run. */
  readonly schema?: string;
  readonly poolSize?: number;
}

type Queryable = pg.Pool | pg.PoolClient;

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/** Opens a PostgreSQL store, creating its schema and applying migrations. */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const schema = options.schema ?? 'public';
  checkName('schema', schema.toLowerCase());
  const location = `${redact(options.url)}${options.schema ? ` (schema ${schema})` : ''}`;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 8,
    connectionTimeoutMillis: 5_000,
    options: `-c search_path=${schema},public`,
  });
  pool.on('error', () => undefined); // idle client errors surface on the next query instead of crashing the process
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new TesseraError('STORE_UNAVAILABLE', `cannot reach PostgreSQL at ${location}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public');
    await migrate(client, schema, location);
  } catch (e) {
    client.release();
    await pool.end().catch(() => undefined);
    if (e instanceof TesseraError) throw e;
    throw new TesseraError('STORE_UNAVAILABLE', `cannot prepare PostgreSQL store ${location}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
  client.release();
  return new PostgresStore(pool, pool, location, false);
}

async function migrate(c: pg.PoolClient, schema: string, location: string): Promise<void> {
  const tables = (await c.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema])).rows.map((r) => r.table_name);
  if (!tables.includes('meta')) {
    if (tables.length > 0) throw new TesseraError('STORE_CORRUPT', `schema ${schema} at ${location} holds tables that are not a Tessera store (${tables.slice(0, 5).join(', ')}); nothing was changed`);
    await c.query(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    await c.query(`INSERT INTO meta(key, value) VALUES ('app', $1), ('schema_version', '0')`, [APP_ID]);
  }
  const meta = new Map((await c.query<{ key: string; value: string }>(`SELECT key, value FROM meta`)).rows.map((r) => [r.key, r.value]));
  if (meta.get('app') !== APP_ID) throw new TesseraError('STORE_CORRUPT', `${location} is not a Tessera store; nothing was changed`);
  const current = Number(meta.get('schema_version') ?? 0);
  const latest = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;
  if (current > latest) throw new TesseraError('STORE_TOO_NEW', `${location} is at schema version ${current}, newer than this Tessera (${latest}); upgrade Tessera — nothing was changed`);
  for (const m of POSTGRES_MIGRATIONS) {
    if (m.version <= current) continue;
    await c.query('BEGIN');
    try {
      await c.query(m.sql);
      await c.query(`UPDATE meta SET value = $1 WHERE key = 'schema_version'`, [String(m.version)]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    }
  }
}


const COLUMN_TYPES: Record<(typeof STATEMENT_COLUMNS)[number], string> = {
  id: 'text',
  entity_id: 'text',
  schema: 'text',
  prop: 'text',
  value: 'text',
  ref: 'text',
  fts: 'smallint',
  folded: 'text',
  original: 'text',
  agency: 'text',
  document_id: 'text',
  collected_at: 'text',
  grading: 'text',
  handling: 'text',
  classification: 'text',
  subject_category: 'text',
  nature: 'text',
  first_seen: 'text',
  last_seen: 'text',
  review_by: 'text',
  case_ids: 'text',
  recorded_at: 'text',
};
// One INSERT … SELECT FROM unnest(arrays) per batch: a single round trip, ~10× fewer than multi-row VALUES.
const INSERT_UNNEST = `INSERT INTO statements (${STATEMENT_COLUMNS.join(', ')})
  SELECT * FROM unnest(${STATEMENT_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')})
  ON CONFLICT (id) DO NOTHING`;
const BATCH = 5_000;
// Statements sharing their provenance (an ingest batch): nine arrays and the envelope once, instead
// of 22 arrays of which 13 repeat one value 5,000 times (serialised and parsed for nothing).
const INSERT_UNNEST_ENVELOPE = `INSERT INTO statements (${STATEMENT_COLUMNS.join(', ')})
  SELECT u.*, ${STATEMENT_ENVELOPE_COLUMNS.map((c, i) => `$${STATEMENT_OWN_COLUMNS.length + i + 1}::${COLUMN_TYPES[c]}`).join(', ')}
  FROM unnest(${STATEMENT_OWN_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`).join(', ')}) AS u
  ON CONFLICT (id) DO NOTHING`;

/** Consecutive statements with the same provenance, at most `max` per run (input order kept: the first of a repeated id wins). */
function envelopeRuns(statements: readonly Statement[], max: number): Statement[][] {
  const runs: Statement[][] = [];
  let run: Statement[] = [];
  let key = '';
  for (const s of statements) {
    const prev = run[run.length - 1];
    const same = prev !== undefined && run.length < max && (sameEnvelope(prev, s) || JSON.stringify(statementEnvelopeValues(s, '')) === key);
    if (!same) {
      if (run.length) runs.push(run);
      run = [];
      key = JSON.stringify(statementEnvelopeValues(s, ''));
    }
    run.push(s);
  }
  if (run.length) runs.push(run);
  return runs;
}

class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly db: Queryable,
    readonly location: string,
    private readonly inTransaction: boolean,
  ) {}

  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R>(sql, params)).rows;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresStore(this.pool, client, this.location, true));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** A transaction-scoped advisory lock on the key's 64-bit hash: released at COMMIT or ROLLBACK. */
  async lock(key: string): Promise<void> {
    if (!this.inTransaction) throw new TesseraError('INTERNAL', `store lock "${key}" taken outside a transaction`);
    await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7301))', [`tessera:${key}`]);
  }

  async writeStatements(statements: readonly Statement[]): Promise<WriteResult> {
    if (statements.length === 0) return { inserted: 0, duplicates: 0 };
    const recordedAt = new Date().toISOString();
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      let inserted = 0;
      const runs = envelopeRuns(statements, BATCH);
      if (runs.length <= Math.max(1, statements.length / 500)) {
        for (const run of runs) {
          const own = STATEMENT_OWN_COLUMNS.map(() => [] as unknown[]);
          for (const s of run) statementOwnValues(s).forEach((v, c) => own[c]!.push(v));
          const res = await self.db.query(INSERT_UNNEST_ENVELOPE, [...own, ...statementEnvelopeValues(run[0]!, recordedAt)]);
          inserted += res.rowCount ?? 0;
        }
      } else {
        // Provenance varies statement by statement: every column as an array.
        for (let i = 0; i < statements.length; i += BATCH) {
          const rows = statements.slice(i, i + BATCH).map((s) => statementToRow(s, recordedAt));
          const arrays = STATEMENT_COLUMNS.map((c) => rows.map((r) => r[c]));
          const res = await self.db.query(INSERT_UNNEST, arrays);
          inserted += res.rowCount ?? 0;
        }
      }
      if (inserted > 0) await self.bumpStatementsVersion();
      return { inserted, duplicates: statements.length - inserted };
    });
  }

  /** PostgreSQL keeps its indexes during loads (one unnest round trip per 5,000 statements): no bulk mode. */
  async beginBulkLoad(): Promise<BulkLoad | undefined> {
    return undefined;
  }

  async bulkWriteStatements(batches: Iterable<readonly Statement[]> | AsyncIterable<readonly Statement[]>, onBatch?: (statementsSoFar: number) => void): Promise<WriteResult> {
    // One round trip per 5,000 statements already; PostgreSQL keeps its indexes during the load.
    let inserted = 0;
    let total = 0;
    for await (const batch of batches) {
      inserted += (await this.writeStatements(batch)).inserted;
      total += batch.length;
      onBatch?.(total);
    }
    return { inserted, duplicates: total - inserted };
  }

  async statementsOf(entityId: string): Promise<Statement[]> {
    return (await this.q<StatementRow>(`SELECT * FROM statements WHERE entity_id = $1 ORDER BY prop, seq`, [entityId])).map(rowToStatement);
  }

  async statementsOfMany(entityIds: readonly string[]): Promise<Statement[]> {
    if (entityIds.length === 0) return [];
    return (await this.q<StatementRow>(`SELECT * FROM statements WHERE entity_id = ANY($1::text[]) ORDER BY entity_id, prop, seq`, [[...new Set(entityIds)]])).map(rowToStatement);
  }

  async statementsById(ids: readonly string[]): Promise<Statement[]> {
    if (ids.length === 0) return [];
    return (await this.q<StatementRow>(`SELECT * FROM statements WHERE id = ANY($1::text[])`, [[...new Set(ids)]])).map(rowToStatement);
  }

  async statementsReferencing(values: readonly string[], props?: readonly string[]): Promise<Statement[]> {
    if (values.length === 0) return [];
    const rows = props?.length
      ? await this.q<StatementRow>(`SELECT * FROM statements WHERE ref = ANY($1::text[]) AND prop = ANY($2::text[]) ORDER BY seq`, [[...new Set(values)], [...props]])
      : await this.q<StatementRow>(`SELECT * FROM statements WHERE ref = ANY($1::text[]) ORDER BY seq`, [[...new Set(values)]]);
    return rows.map(rowToStatement);
  }

  async *scanStatements(filter: StatementScan = {}): AsyncIterable<Statement[]> {
    for await (const rows of this.scanRows<StatementRow & { seq: string }>('*', filter)) yield rows.map(rowToStatement);
  }

  async *scanStatementCores(filter: StatementScan = {}): AsyncIterable<StatementCore[]> {
    for await (const rows of this.scanRows<Record<(typeof STATEMENT_CORE_COLUMNS)[number], string> & { seq: string }>(`seq, ${STATEMENT_CORE_COLUMNS.join(', ')}`, filter)) {
      yield rows.map((r) => statementCoreFromValues(STATEMENT_CORE_COLUMNS.map((c) => r[c])));
    }
  }

  /** Batches of rows in seq order, filtered. */
  private async *scanRows<R extends pg.QueryResultRow & { seq: string }>(columns: string, filter: StatementScan): AsyncIterable<R[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, vals: readonly string[] | undefined) => {
      if (!vals?.length) return;
      params.push([...vals]);
      where.push(`${col} = ANY($${params.length + 1}::text[])`);
    };
    inList('schema', filter.schemas);
    inList('prop', filter.props);
    inList('agency', filter.agencies);
    const batch = filter.batchSize ?? 10_000;
    let after = 0;
    for (;;) {
      const rows = await this.q<R>(`SELECT ${columns} FROM statements WHERE seq > $1 ${where.length ? `AND ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ${Math.floor(batch)}`, [after, ...params]);
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.seq);
      yield rows;
      if (rows.length < batch) return;
    }
  }

  async deleteStatements(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      const res = await self.db.query(`DELETE FROM statements WHERE id = ANY($1::text[])`, [[...new Set(ids)]]);
      const deleted = res.rowCount ?? 0;
      if (deleted > 0) await self.bumpStatementsVersion();
      return deleted;
    });
  }

  async updateStatementValue(id: string, value: string, original: string | null): Promise<boolean> {
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      const res = await self.db.query(
        `UPDATE statements SET value = $2, original = $3, folded = CASE WHEN fts > 0 THEN $4 ELSE NULL END, ref = CASE WHEN ref IS NULL THEN NULL ELSE $2 END WHERE id = $1`,
        [id, value, original, foldForSearch(value)],
      );
      const updated = (res.rowCount ?? 0) > 0;
      if (updated) await self.bumpStatementsVersion();
      return updated;
    });
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const tsquery = terms.map((t) => `${t.replace(/'/g, '')}:*`).join(' & ');
    const limit = Math.min(options.limit ?? 50, 1000);
    const params: unknown[] = [tsquery, limit];
    let schemaFilter = '';
    if (options.schemas?.length) {
      params.push([...options.schemas]);
      schemaFilter = `AND schema = ANY($3::text[])`;
    }
    const rows = await this.q<StatementRow & { _rank: number }>(
      `SELECT *, -ts_rank(search, q) AS _rank
       FROM statements, to_tsquery('simple', $1) q
       WHERE fts > 0 AND search @@ q ${schemaFilter}
       ORDER BY _rank LIMIT $2`,
      params,
    );
    return rows.map((r) => ({ statementId: r.id, entityId: r.entity_id, schema: r.schema, prop: r.prop, value: r.value, rank: Number(r._rank), statement: rowToStatement(r) }));
  }

  async stats(): Promise<StoreStats> {
    const [totals] = await this.q<{ statements: string; entities: string }>(`SELECT COUNT(*) AS statements, COUNT(DISTINCT entity_id) AS entities FROM statements`);
    const bySchema = await this.q<{ schema: string; n: string }>(`SELECT schema, COUNT(DISTINCT entity_id) AS n FROM statements GROUP BY schema ORDER BY schema`);
    const byAgency = await this.q<{ agency: string; n: string }>(`SELECT agency, COUNT(*) AS n FROM statements GROUP BY agency ORDER BY agency`);
    return {
      statements: Number(totals?.statements ?? 0),
      entities: Number(totals?.entities ?? 0),
      bySchema: Object.fromEntries(bySchema.map((r) => [r.schema, Number(r.n)])),
      byAgency: Object.fromEntries(byAgency.map((r) => [r.agency, Number(r.n)])),
    };
  }

  async appendAudit(input: AuditEntryInput): Promise<AuditEntry> {
    const parsed = AuditEntryInput.parse(input);
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      // Transaction-scoped lock: concurrent appenders extend the chain one after another.
      await self.db.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const [head] = await self.q<{ seq: string; hash: string }>(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
      const seq = Number(head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? AUDIT_GENESIS;
      const body = { ...parsed, seq };
      const entry: AuditEntry = { ...body, prevHash, hash: auditEntryHash(prevHash, body) };
      await self.db.query(
        `INSERT INTO audit_log (seq, at, user_id, agency, purpose, case_id, action, outcome, entity_ids, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
        [seq, entry.at, entry.userId, entry.agency, entry.purpose, entry.caseId, entry.action, entry.outcome, JSON.stringify(entry.entityIds), JSON.stringify(entry.details), prevHash, entry.hash],
      );
      return entry;
    });
  }

  async readAudit(fromSeq = 1, limit = 10_000): Promise<AuditEntry[]> {
    return (await this.q<AuditRow>(`SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, [fromSeq, limit])).map(auditFromRow);
  }

  async auditHead(): Promise<AuditEntry | undefined> {
    const [row] = await this.q<AuditRow>(`SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1`);
    return row ? auditFromRow(row) : undefined;
  }

  async putRecord<T>(collection: string, id: string, body: T, keys?: RecordKeys): Promise<void> {
    checkName('collection', collection);
    const pairs = keyPairs(keys);
    await this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      await self.db.query(
        `INSERT INTO records (collection, id, body, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
        [collection, id, JSON.stringify(body), new Date().toISOString()],
      );
      await self.db.query(`DELETE FROM record_keys WHERE collection = $1 AND id = $2`, [collection, id]);
      if (pairs.length) {
        await self.db.query(
          `INSERT INTO record_keys (collection, name, value, id) SELECT $1, n, v, $2 FROM unnest($3::text[], $4::text[]) AS t(n, v) ON CONFLICT DO NOTHING`,
          [collection, id, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
        );
      }
    });
  }

  async getRecord<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    const [r] = await this.q<{ id: string; body: string; updated_at: string }>(`SELECT id, body, updated_at FROM records WHERE collection = $1 AND id = $2`, [collection, id]);
    return r ? { collection, id: r.id, body: JSON.parse(r.body) as T, updatedAt: r.updated_at } : undefined;
  }

  private recordWhere(collection: string, query: RecordQuery): { sql: string; params: unknown[] } | undefined {
    const params: unknown[] = [collection];
    const clauses: string[] = [];
    for (const [name, v] of Object.entries(query.where ?? {})) {
      checkName('record key', name);
      const vals = typeof v === 'string' ? [v] : [...v];
      if (vals.length === 0) return undefined;
      params.push(name, vals);
      clauses.push(`r.id IN (SELECT id FROM record_keys WHERE collection = $1 AND name = $${params.length - 1} AND value = ANY($${params.length}::text[]))`);
    }
    if (query.afterId !== undefined) {
      params.push(query.afterId);
      clauses.push(`r.id ${query.order === 'desc' ? '<' : '>'} $${params.length}`);
    }
    return { sql: `FROM records r WHERE r.collection = $1${clauses.map((c) => ` AND ${c}`).join('')}`, params };
  }

  async findRecords<T>(collection: string, query: RecordQuery = {}): Promise<StoredRecord<T>[]> {
    const w = this.recordWhere(collection, query);
    if (!w) return [];
    const limit = Math.min(query.limit ?? 10_000, 1_000_000);
    const rows = await this.q<{ id: string; body: string; updated_at: string }>(
      `SELECT r.id, r.body, r.updated_at ${w.sql} ORDER BY r.id COLLATE "C" ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ${limit}`,
      w.params,
    );
    return rows.map((r) => ({ collection, id: r.id, body: JSON.parse(r.body) as T, updatedAt: r.updated_at }));
  }

  async countRecords(collection: string, where?: RecordQuery['where']): Promise<number> {
    const w = this.recordWhere(collection, where ? { where } : {});
    if (!w) return 0;
    const [r] = await this.q<{ n: string }>(`SELECT COUNT(*) AS n ${w.sql}`, w.params);
    return Number(r?.n ?? 0);
  }

  async deleteRecord(collection: string, id: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      await self.db.query(`DELETE FROM record_keys WHERE collection = $1 AND id = $2`, [collection, id]);
      return ((await self.db.query(`DELETE FROM records WHERE collection = $1 AND id = $2`, [collection, id])).rowCount ?? 0) > 0;
    });
  }

  async writeBlockingKeys(run: string, keys: readonly BlockingKey[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH * 4) {
      const part = keys.slice(i, i + BATCH * 4);
      await this.db.query(
        `INSERT INTO blocking_keys (run, rule, key, record_id) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [run, part.map((k) => k.rule), part.map((k) => k.key), part.map((k) => k.recordId)],
      );
    }
  }

  async buildCandidatePairs(run: string, maxBlockSize: number): Promise<BlockingReport> {
    return this.transaction(async (tx) => {
      const self = tx as PostgresStore;
      await self.db.query(`DELETE FROM candidate_pairs WHERE run = $1`, [run]);
      const blocks = await self.q<{ rule: string; keys: string; pairs: string; skipped: string; skippedpairs: string }>(
        `SELECT rule, COUNT(*) AS keys, SUM(CASE WHEN n <= $2 THEN n * (n - 1) / 2 ELSE 0 END) AS pairs, SUM(CASE WHEN n > $2 THEN 1 ELSE 0 END) AS skipped, SUM(CASE WHEN n > $2 THEN n * (n - 1) / 2 ELSE 0 END) AS skippedPairs
         FROM (SELECT rule, key, COUNT(*) AS n FROM blocking_keys WHERE run = $1 GROUP BY rule, key) t GROUP BY rule`,
        [run, maxBlockSize],
      );
      await self.db.query(
        `INSERT INTO candidate_pairs (run, left_id, right_id, rules)
         SELECT $1, a.record_id, b.record_id, string_agg(DISTINCT a.rule, ',')
         FROM (SELECT rule, key FROM blocking_keys WHERE run = $1 GROUP BY rule, key HAVING COUNT(*) BETWEEN 2 AND $2) blk
         JOIN blocking_keys a ON a.run = $1 AND a.rule = blk.rule AND a.key = blk.key
         JOIN blocking_keys b ON b.run = $1 AND b.rule = blk.rule AND b.key = blk.key AND a.record_id < b.record_id
         GROUP BY a.record_id, b.record_id`,
        [run, maxBlockSize],
      );
      const [count] = await self.q<{ n: string }>(`SELECT COUNT(*) AS n FROM candidate_pairs WHERE run = $1`, [run]);
      return {
        pairs: Number(count?.n ?? 0),
        byRule: Object.fromEntries(blocks.map((b) => [b.rule, { keys: Number(b.keys), pairs: Number(b.pairs), skippedBlocks: Number(b.skipped), skippedPairs: Number(b.skippedpairs) }])),
      };
    });
  }

  async *scanCandidatePairs(run: string, batchSize = 50_000): AsyncIterable<CandidatePair[]> {
    let l = '';
    let r = '';
    for (;;) {
      const rows = await this.q<{ left_id: string; right_id: string; rules: string }>(
        `SELECT left_id, right_id, rules FROM candidate_pairs WHERE run = $1 AND (left_id, right_id) > ($2 COLLATE "C", $3 COLLATE "C") ORDER BY left_id COLLATE "C", right_id COLLATE "C" LIMIT ${Math.floor(batchSize)}`,
        [run, l, r],
      );
      if (rows.length === 0) return;
      l = rows[rows.length - 1]!.left_id;
      r = rows[rows.length - 1]!.right_id;
      yield rows.map((row) => ({ left: row.left_id, right: row.right_id, rules: row.rules.split(',').sort() }));
      if (rows.length < batchSize) return;
    }
  }

  async clearBlocking(run: string): Promise<void> {
    await this.db.query(`DELETE FROM blocking_keys WHERE run = $1`, [run]);
    await this.db.query(`DELETE FROM candidate_pairs WHERE run = $1`, [run]);
  }

  async markSeen(namespace: string, hashes: readonly string[]): Promise<void> {
    for (let i = 0; i < hashes.length; i += BATCH * 4) {
      await this.db.query(`INSERT INTO seen (namespace, hash) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [namespace, hashes.slice(i, i + BATCH * 4)]);
    }
  }

  async whichSeen(namespace: string, hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.q<{ hash: string }>(`SELECT hash FROM seen WHERE namespace = $1 AND hash = ANY($2::text[])`, [namespace, [...new Set(hashes)]]);
    return new Set(rows.map((r) => r.hash));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const [r] = await this.q<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [key]);
    return r?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
  }

  async schemaVersion(): Promise<number> {
    return Number(await this.getMeta('schema_version'));
  }

  async statementsVersion(): Promise<number> {
    return Number((await this.getMeta(STATEMENTS_VERSION)) ?? 0);
  }

  /** Last in the writing transaction (the meta row stays locked only until its COMMIT). */
  private async bumpStatementsVersion(): Promise<void> {
    await this.db.query(`INSERT INTO meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text`, [STATEMENTS_VERSION]);
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.pool.end();
  }
}
