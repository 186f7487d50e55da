import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AUDIT_GENESIS, AuditEntryInput, auditEntryHash, TesseraError, type AuditEntry, type SchemaName, type Statement, type StatementId } from '../../model/index.js';
import type { BlockingKey, BlockingReport, BulkLoad, CandidatePair, RecordKeys, RecordQuery, SearchHit, SearchOptions, StatementCore, StatementScan, Store, StoreStats, StoredRecord, WriteResult } from '../store.js';
import { auditFromRow, foldForSearch, keyPairs, checkName, type AuditRow, rowToStatement, sameEnvelope, searchTerms, statementEnvelopeValues, statementOwnValues, STATEMENT_ENVELOPE_COLUMNS, STATEMENT_OWN_COLUMNS, statementFromValues, STATEMENTS_VERSION, type StatementRow } from '../rows.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

type Db = Database.Database;
const APP_ID = 'tessera';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  readonly readonly?: boolean;
  /** Seen hashes a bulk load holds back before merging them into the seen index (default 250,000; tests lower it). */
  readonly seenMergeEvery?: number;
}

/** Serialises writers on the single connection so no async caller's write lands inside another's transaction. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function sqliteError(path: string, e: unknown): TesseraError {
  const message = e instanceof Error ? e.message : String(e);
  if (/not a database|malformed|file is encrypted/i.test(message)) {
    return new TesseraError('STORE_CORRUPT', `${path} is not a readable SQLite database (${message}); nothing was changed`, { cause: e });
  }
  return new TesseraError('STORE_UNAVAILABLE', `cannot open SQLite store ${path}: ${message}`, { cause: e });
}

/** Opens (creating if needed) and migrates a SQLite store. */
export async function openSqliteStore(options: SqliteOptions): Promise<Store> {
  const path = options.path;
  const isNew = path === ':memory:' || !existsSync(path) || statSync(path).size === 0;
  let db: Db;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: false });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -262144'); // 256 MB: keeps the id and entity indexes of a few million statements in cache during bulk loads
    db.pragma('temp_store = MEMORY');
  } catch (e) {
    throw sqliteError(path, e);
  }
  try {
    // An orphaned bulk load is finished first: a migration rebuilds the statement indexes it dropped.
    if (!options.readonly && !isNew) recoverBulkLoad(db);
    migrate(db, path, isNew);
  } catch (e) {
    db.close();
    throw e instanceof TesseraError ? e : sqliteError(path, e);
  }
  const state = new ConnectionState();
  if (options.seenMergeEvery !== undefined) state.seenMergeEvery = options.seenMergeEvery;
  return new SqliteStore(db, path, new Mutex(), false, new Map(), state);
}

/** Meta key of an unfinished bulk load: the loading process and when it started. */
const BULK_LOAD_META = 'statements.bulk_load';
const STATEMENT_INDEXES = ['statements_id', 'statements_entity', 'statements_ref'] as const;

/** True while the process that started a bulk load may still finish it itself. */
function loaderAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A bulk load whose process died before finishing (crash, kill): finish it now, before anyone reads. */
function recoverBulkLoad(db: Db): void {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() === undefined) return;
  const raw = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(BULK_LOAD_META) as string | undefined;
  if (raw === undefined) return;
  let pid = -1;
  try {
    pid = Number((JSON.parse(raw) as { pid?: unknown }).pid);
  } catch {
    // An unreadable marker is finished like an orphaned one.
  }
  if (Number.isInteger(pid) && pid > 0 && loaderAlive(pid)) return;
  finishBulkLoad(db);
}

/**
 * Ends a bulk load in one transaction: repeated statement ids keep their first row (and lose their
 * full-text entry), then the id, entity and reference indexes are built by sorting — a few seconds
 * per million statements instead of a random B-tree insert per statement. Sorting runs on two
 * threads and spills to temporary files, so memory stays bounded whatever the size.
 */
function finishBulkLoad(db: Db, cacheSize = db.pragma('cache_size', { simple: true }) as number): void {
  const threads = db.pragma('threads', { simple: true }) as number;
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  mergePendingSeen(db);
  // Changing temp_store drops temporary tables: callers recreate theirs (see ConnectionState).
  db.pragma('temp_store = FILE');
  db.pragma('threads = 2');
  // Each sorting thread holds up to cache_size in memory before spilling to a temporary file.
  db.pragma(`cache_size = ${BULK_SORT_CACHE}`);
  try {
    db.transaction(() => {
      try {
        db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS statements_id ON statements(id)`);
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw e;
        // The same claim was written twice during the load: keep the first, as INSERT OR IGNORE would have.
        const repeats = db
          .prepare(`SELECT r, fts, folded FROM (SELECT rowid AS r, id, fts, folded, lag(id) OVER (ORDER BY id, rowid) AS prev FROM statements) WHERE id = prev`)
          .all() as { r: number; fts: number; folded: string | null }[];
        const ftsDelete = db.prepare(`INSERT INTO statement_fts(statement_fts, rowid, folded) VALUES ('delete', ?, ?)`);
        const del = db.prepare(`DELETE FROM statements WHERE rowid = ?`);
        for (const row of repeats) {
          if (row.fts > 0) ftsDelete.run(row.r, row.folded);
          del.run(row.r);
        }
        db.exec(`CREATE UNIQUE INDEX statements_id ON statements(id)`);
      }
      db.exec(`CREATE INDEX IF NOT EXISTS statements_entity ON statements(entity_id);
        CREATE INDEX IF NOT EXISTS statements_ref ON statements(ref) WHERE ref IS NOT NULL;`);
      db.prepare(`DELETE FROM meta WHERE key = ?`).run(BULK_LOAD_META);
    })();
  } finally {
    db.pragma(`threads = ${threads}`);
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`cache_size = ${cacheSize}`);
  }
}

/**
 * Moves the seen hashes a bulk load appended (seen_pending) into the seen index, in key order: one
 * pass over the index instead of a random insert per hash in every batch, each of which rewrites
 * most of the index's pages into the WAL (measured: 6.6 GB written for 1M hashes).
 */
function mergePendingSeen(db: Db): void {
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO seen (namespace, hash) SELECT namespace, hash FROM seen_pending ORDER BY namespace, hash; DELETE FROM seen_pending;`);
    if (db.prepare(`SELECT 1 FROM sqlite_temp_master WHERE name = 'seen_recent'`).get() !== undefined) db.exec(`DELETE FROM temp.seen_recent`);
  })();
}


/** Page cache during a bulk load (appends touch only the last pages) and while its indexes are sorted: KiB, negative as SQLite wants. */
const BULK_APPEND_CACHE = -32_768;
const BULK_WAL_PAGES = 16_384;
const BULK_SORT_CACHE = -65_536;

/**
 * A provenance row read back: the parts of a statement that every statement of one envelope shares,
 * parsed once and frozen (readers share them).
 */
interface StoredProvenance {
  readonly source: Statement['source'];
  readonly core: Pick<StatementCore, 'source' | 'grading' | 'handling' | 'classification' | 'caseIds'>;
  readonly subjectCategory: Statement['subjectCategory'];
  readonly nature: Statement['nature'];
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly reviewBy: string | null;
  readonly recordedAt: string;
}

/**
 * State one connection's store objects share (the store and its transaction views): the bulk-load
 * flag, and the provenance rows already read (k → parsed provenance). A committed provenance row
 * never changes; a row this connection wrote in a transaction that rolled back is forgotten with the
 * whole cache (its number may be given to another envelope).
 */
class ConnectionState {
  /**
   * The bulk load in progress on this connection, with the page cache size to restore after it and
   * the seen hashes it holds back (appended to seen_pending, looked up in temp.seen_recent).
   */
  bulk: { readonly cacheSize: number; readonly walAutocheckpoint: number; pendingSeen: number } | undefined;
  readonly provenance = new Map<number, StoredProvenance>();
  /** Seen hashes a bulk load holds back before merging them into the seen index. */
  seenMergeEvery = 250_000;
}

const PROVENANCE_CACHE_LIMIT = 100_000;
/** The statement row as the store's readers want it: own columns and the provenance it references. */
const STATEMENT_FROM = `statements s JOIN provenance p ON p.k = s.prov`;
const STATEMENT_SELECT = `SELECT ${[...STATEMENT_OWN_COLUMNS.map((c) => `s.${c}`), ...STATEMENT_ENVELOPE_COLUMNS.map((c) => `p.${c}`)].join(', ')} FROM ${STATEMENT_FROM}`;
/** Own columns a scan reads (the derived search columns are left out), then the provenance number. */
const SCAN_COLUMNS = ['id', 'entity_id', 'schema', 'prop', 'value', 'prov', 'original'] as const;
/** A core scan leaves `original` out too (one string fewer per row on whole-store projections). */
const CORE_SCAN_COLUMNS = SCAN_COLUMNS.slice(0, -1);

function migrate(db: Db, path: string, isNew: boolean): void {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  if (!tables.includes('meta')) {
    if (!isNew && tables.length > 0) {
      throw new TesseraError('STORE_CORRUPT', `${path} is a SQLite database but not a Tessera store (tables: ${tables.slice(0, 5).join(', ')}); nothing was changed`);
    }
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    db.prepare(`INSERT INTO meta(key, value) VALUES ('app', ?), ('schema_version', '0')`).run(APP_ID);
  }
  const app = db.prepare(`SELECT value FROM meta WHERE key = 'app'`).pluck().get();
  if (app !== APP_ID) throw new TesseraError('STORE_CORRUPT', `${path} is not a Tessera store (meta.app = ${String(app)}); nothing was changed`);
  const current = Number(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get());
  const latest = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]!.version;
  if (current > latest) {
    throw new TesseraError('STORE_TOO_NEW', `${path} is at schema version ${current}, newer than this Tessera (${latest}); upgrade Tessera — nothing was changed`);
  }
  for (const m of SQLITE_MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(m.version));
    })();
  }
}


class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly insertFts: Database.Statement;
  private readonly deleteFts: Database.Statement;
  private readonly byEntity: Database.Statement;

  constructor(
    private readonly db: Db,
    readonly location: string,
    private readonly mutex: Mutex,
    private readonly inTransaction: boolean,
    private readonly cache: Map<string, Database.Statement> = new Map(),
    private readonly state: ConnectionState = new ConnectionState(),
  ) {
    this.insertFts = this.sql(`INSERT INTO statement_fts(rowid, folded) VALUES (?, ?)`);
    this.deleteFts = this.sql(`INSERT INTO statement_fts(statement_fts, rowid, folded) VALUES ('delete', ?, ?)`);
    this.byEntity = this.sql(`${STATEMENT_SELECT} WHERE s.entity_id = ? ORDER BY s.prop, s.rowid`);
  }

  /** Prepares each distinct SQL text once per connection (better-sqlite3 statements are reusable). */
  private sql(text: string): Database.Statement {
    let st = this.cache.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.cache.set(text, st);
    }
    return st;
  }

  /** Runs `fn` atomically: as part of the open transaction, or in one of its own. */
  private atomic<T>(fn: () => T): T {
    if (this.inTransaction) return fn();
    try {
      return this.db.transaction(fn)();
    } catch (e) {
      this.state.provenance.clear();
      throw e;
    }
  }

  /** Runs a write: directly inside a transaction, otherwise behind the writer mutex. */
  private write<T>(fn: () => T): Promise<T> {
    if (this.inTransaction) return Promise.resolve(fn());
    return this.mutex.run(async () => fn());
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteStore(this.db, this.location, this.mutex, true, this.cache, this.state));
        this.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.state.provenance.clear();
        throw e;
      }
    });
  }

  /** SQLite runs one write transaction at a time (writer mutex, BEGIN IMMEDIATE): holding it is the lock. */
  async lock(key: string): Promise<void> {
    if (!this.inTransaction) throw new TesseraError('INTERNAL', `store lock "${key}" taken outside a transaction`);
  }

  writeStatements(statements: readonly Statement[]): Promise<WriteResult> {
    const recordedAt = new Date().toISOString();
    return this.write(() => {
      let inserted = 0;
      const run = () => {
        // Positional binding (~30% faster than named parameters); provenance by number.
        const provenanceOf = this.provenanceNumbers(recordedAt);
        const insert = this.sql(`INSERT ${this.state.bulk ? '' : 'OR IGNORE '}INTO statements (${STATEMENT_OWN_COLUMNS.join(', ')}, prov) VALUES (${STATEMENT_OWN_COLUMNS.map(() => '?').join(', ')}, ?)`);
        for (const s of statements) {
          const values = statementOwnValues(s);
          values.push(provenanceOf(s));
          const info = insert.run(values);
          if (info.changes > 0) {
            inserted++;
            if ((values[6] as number) > 0) this.insertFts.run(info.lastInsertRowid, values[7]);
          }
        }
        if (inserted > 0) this.bumpStatementsVersion();
      };
      this.atomic(run);
      return { inserted, duplicates: statements.length - inserted };
    });
  }

  /**
   * The provenance number of each statement of one write: a provenance row is looked up (or added)
   * once per distinct envelope per write, inside the write's transaction. Its key is SQLite's
   * json_array of the envelope values (the migration computed existing keys the same way).
   * Statements sharing provenance objects (those of one ingest batch) skip computing the values.
   */
  private provenanceNumbers(recordedAt: string): (s: Statement) => number {
    const placeholders = STATEMENT_ENVELOPE_COLUMNS.map(() => '?').join(', ');
    const find = this.sql(`SELECT k FROM provenance WHERE key = json_array(${placeholders})`).pluck();
    const add = this.sql(`INSERT INTO provenance (key, ${STATEMENT_ENVELOPE_COLUMNS.join(', ')}) VALUES (json_array(${placeholders}), ${placeholders})`);
    const known = new Map<string, number>();
    let last: Statement | undefined;
    let lastK = 0;
    return (s) => {
      if (last && sameEnvelope(last, s)) return lastK;
      const values = statementEnvelopeValues(s, recordedAt);
      const key = JSON.stringify(values);
      let k = known.get(key);
      if (k === undefined) {
        k = (find.get(values) as number | undefined) ?? Number(add.run(...values, ...values).lastInsertRowid);
        known.set(key, k);
      }
      last = s;
      lastK = k;
      return k;
    };
  }

  /** A provenance row by number, parsed once per connection (see ConnectionState). */
  private provenanceRow(k: number): StoredProvenance {
    const cache = this.state.provenance;
    let p = cache.get(k);
    if (p === undefined) {
      const row = this.sql(`SELECT ${STATEMENT_ENVELOPE_COLUMNS.join(', ')} FROM provenance WHERE k = ?`).raw(true).get(k) as unknown[] | undefined;
      if (!row) throw new TesseraError('STORE_CORRUPT', `${this.location}: a statement references provenance ${k}, which is missing`);
      // statementFromValues parses the envelope (handling and case lists shared and frozen).
      const s = statementFromValues([`provenance ${k}`, '', 'Thing', '', '', null, ...row]);
      const core: StoredProvenance['core'] = { source: Object.freeze({ agency: s.source.agency }), grading: s.grading, handling: s.handling, classification: s.classification, caseIds: s.caseIds };
      p = {
        source: Object.freeze(s.source),
        core: Object.freeze(core),
        subjectCategory: s.subjectCategory,
        nature: s.nature,
        firstSeen: s.firstSeen ?? null,
        lastSeen: s.lastSeen ?? null,
        reviewBy: s.reviewBy ?? null,
        recordedAt: s.recordedAt!,
      };
      if (cache.size >= PROVENANCE_CACHE_LIMIT) cache.clear();
      cache.set(k, p);
    }
    return p;
  }

  beginBulkLoad(): Promise<BulkLoad | undefined> {
    if (this.inTransaction) return Promise.resolve(undefined);
    return this.mutex.run(async () => {
      if (this.state.bulk) return undefined;
      const started = this.db.transaction(() => {
        if (this.db.prepare(`SELECT EXISTS (SELECT 1 FROM statements)`).pluck().get() === 1) return false;
        if (this.db.prepare(`SELECT 1 FROM meta WHERE key = ?`).pluck().get(BULK_LOAD_META) !== undefined) return false;
        for (const index of STATEMENT_INDEXES) this.db.exec(`DROP INDEX IF EXISTS ${index}`);
        this.db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`).run(BULK_LOAD_META, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
        return true;
      })();
      if (!started) return undefined;
      const bulk = { cacheSize: this.db.pragma('cache_size', { simple: true }) as number, walAutocheckpoint: this.db.pragma('wal_autocheckpoint', { simple: true }) as number, pendingSeen: 0 };
      // In memory and inside each batch's transaction: a rolled-back batch takes its hashes with it.
      this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS seen_recent (namespace TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (namespace, hash)) WITHOUT ROWID; DELETE FROM temp.seen_recent;`);
      this.db.pragma(`cache_size = ${BULK_APPEND_CACHE}`);
      // Fewer, larger WAL checkpoints while appending (64 MB instead of 4 MB): each one syncs the file.
      this.db.pragma(`wal_autocheckpoint = ${BULK_WAL_PAGES}`);
      this.state.bulk = bulk;
      return {
        finish: () =>
          this.mutex.run(async () => {
            if (this.state.bulk !== bulk) return;
            this.state.bulk = undefined;
            this.db.pragma(`wal_autocheckpoint = ${bulk.walAutocheckpoint}`);
            finishBulkLoad(this.db, bulk.cacheSize);
          }),
      };
    });
  }

  async bulkWriteStatements(batches: Iterable<readonly Statement[]> | AsyncIterable<readonly Statement[]>, onBatch?: (statementsSoFar: number) => void): Promise<WriteResult> {
    let total = 0;
    if (this.inTransaction || this.sql(`SELECT EXISTS (SELECT 1 FROM statements)`).pluck().get() === 1) {
      let inserted = 0;
      for await (const batch of batches) {
        inserted += (await this.writeStatements(batch)).inserted;
        total += batch.length;
        onBatch?.(total);
      }
      return { inserted, duplicates: total - inserted };
    }
    const recordedAt = new Date().toISOString();
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec('DROP INDEX IF EXISTS statements_id; DROP INDEX IF EXISTS statements_entity; DROP INDEX IF EXISTS statements_ref;');
        const provenanceOf = this.provenanceNumbers(recordedAt);
        const insert = this.sql(`INSERT INTO statements (${STATEMENT_OWN_COLUMNS.join(', ')}, prov) VALUES (${STATEMENT_OWN_COLUMNS.map(() => '?').join(', ')}, ?)`);
        for await (const batch of batches) {
          for (const st of batch) {
            const values = statementOwnValues(st);
            values.push(provenanceOf(st));
            insert.run(values);
          }
          total += batch.length;
          onBatch?.(total);
        }
        // Same claim twice in the input: keep the first, as INSERT OR IGNORE would have.
        this.db.exec(`DELETE FROM statements WHERE rowid NOT IN (SELECT MIN(rowid) FROM statements GROUP BY id)`);
        this.db.exec(`CREATE UNIQUE INDEX statements_id ON statements(id);
          CREATE INDEX statements_entity ON statements(entity_id);
          CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;
          INSERT INTO statement_fts(statement_fts) VALUES ('rebuild');`);
        const inserted = this.db.prepare(`SELECT COUNT(*) FROM statements`).pluck().get() as number;
        if (inserted > 0) this.bumpStatementsVersion();
        this.db.exec('COMMIT');
        return { inserted, duplicates: total - inserted };
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.state.provenance.clear();
        throw e;
      }
    });
  }

  async statementsOf(entityId: string): Promise<Statement[]> {
    return (this.byEntity.all(entityId) as StatementRow[]).map(rowToStatement);
  }

  async statementsOfMany(entityIds: readonly string[]): Promise<Statement[]> {
    if (entityIds.length === 0) return [];
    // One prepared statement for any list size: the ids travel as one JSON parameter.
    const rows = this.sql(`${STATEMENT_SELECT} WHERE s.entity_id IN (SELECT value FROM json_each(?)) ORDER BY s.entity_id, s.prop, s.rowid`).all(JSON.stringify([...new Set(entityIds)])) as StatementRow[];
    return rows.map(rowToStatement);
  }

  async statementsById(ids: readonly string[]): Promise<Statement[]> {
    if (ids.length === 0) return [];
    const rows = this.sql(`${STATEMENT_SELECT} WHERE s.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify([...new Set(ids)])) as StatementRow[];
    return rows.map(rowToStatement);
  }

  async statementsReferencing(values: readonly string[], props?: readonly string[]): Promise<Statement[]> {
    if (values.length === 0) return [];
    const rows = (
      props?.length
        ? this.sql(`${STATEMENT_SELECT} WHERE s.ref IN (SELECT value FROM json_each(?)) AND s.prop IN (SELECT value FROM json_each(?)) ORDER BY s.rowid`).all(JSON.stringify([...new Set(values)]), JSON.stringify(props))
        : this.sql(`${STATEMENT_SELECT} WHERE s.ref IN (SELECT value FROM json_each(?)) ORDER BY s.rowid`).all(JSON.stringify([...new Set(values)]))
    ) as StatementRow[];
    return rows.map(rowToStatement);
  }

  async *scanStatements(filter: StatementScan = {}): AsyncIterable<Statement[]> {
    // Rows as arrays of the columns a statement needs: scans feed projections, resolution and
    // screening over the whole store, where row objects and the search columns cost most of the time.
    // Provenance comes by number from the connection's cache: one parse per envelope, not per row.
    for (const rows of this.scanRows(SCAN_COLUMNS, filter)) {
      yield rows.map((row) => {
        const p = this.provenanceRow(row[6] as number);
        const st: Statement = {
          id: row[1] as StatementId,
          entityId: row[2] as Statement['entityId'],
          schema: row[3] as SchemaName,
          prop: row[4] as string,
          value: row[5] as string,
          source: p.source,
          grading: p.core.grading,
          handling: p.core.handling,
          classification: p.core.classification,
          subjectCategory: p.subjectCategory,
          nature: p.nature,
          caseIds: p.core.caseIds,
          recordedAt: p.recordedAt,
        };
        if (row[7] !== null) st.original = row[7] as string;
        if (p.firstSeen !== null) st.firstSeen = p.firstSeen;
        if (p.lastSeen !== null) st.lastSeen = p.lastSeen;
        if (p.reviewBy !== null) st.reviewBy = p.reviewBy;
        return st;
      });
    }
  }

  async *scanStatementCores(filter: StatementScan = {}): AsyncIterable<StatementCore[]> {
    for (const rows of this.scanRows(CORE_SCAN_COLUMNS, filter)) {
      yield rows.map((row) => {
        const p = this.provenanceRow(row[6] as number).core;
        return { id: row[1] as StatementId, entityId: row[2] as Statement['entityId'], schema: row[3] as SchemaName, prop: row[4] as string, value: row[5] as string, source: p.source, grading: p.grading, handling: p.handling, classification: p.classification, caseIds: p.caseIds };
      });
    }
  }

  /** Batches of [rowid, ...columns] in rowid order, filtered. */
  private *scanRows(columns: readonly string[], filter: StatementScan): Generator<unknown[][]> {
    const where: string[] = [];
    const params: string[] = [];
    const inList = (col: string, vals: readonly string[] | undefined) => {
      if (!vals?.length) return;
      where.push(`${col} IN (${vals.map(() => '?').join(',')})`);
      params.push(...vals);
    };
    inList('schema', filter.schemas);
    inList('prop', filter.props);
    if (filter.agencies?.length) {
      where.push(`prov IN (SELECT k FROM provenance WHERE agency IN (${filter.agencies.map(() => '?').join(',')}))`);
      params.push(...filter.agencies);
    }
    const batch = filter.batchSize ?? 10_000;
    const q = this.sql(`SELECT rowid, ${columns.join(', ')} FROM statements WHERE rowid > ? ${where.length ? `AND ${where.join(' AND ')}` : ''} ORDER BY rowid LIMIT ?`).raw(true);
    let after = 0;
    for (;;) {
      const rows = q.all(after, ...params, batch) as unknown[][];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![0] as number;
      yield rows;
      if (rows.length < batch) return;
    }
  }

  deleteStatements(ids: readonly string[]): Promise<number> {
    return this.write(() => {
      let deleted = 0;
      const del = () => {
        const list = JSON.stringify([...new Set(ids)]);
        const rows = this.sql(`SELECT rowid AS r, folded, fts FROM statements WHERE id IN (SELECT value FROM json_each(?))`).all(list) as { r: number; folded: string | null; fts: number }[];
        for (const row of rows) if (row.fts > 0) this.deleteFts.run(row.r, row.folded);
        deleted += this.sql(`DELETE FROM statements WHERE id IN (SELECT value FROM json_each(?))`).run(list).changes;
        if (deleted > 0) this.bumpStatementsVersion();
      };
      this.atomic(del);
      return deleted;
    });
  }

  updateStatementValue(id: string, value: string, original: string | null): Promise<boolean> {
    return this.write(() => {
      const upd = () => {
        const row = this.sql(`SELECT rowid AS r, folded, fts FROM statements WHERE id = ?`).get(id) as { r: number; folded: string | null; fts: number } | undefined;
        if (!row) return false;
        const folded = row.fts > 0 ? foldForSearch(value) : null;
        if (row.fts > 0) this.deleteFts.run(row.r, row.folded);
        this.sql(`UPDATE statements SET value = ?, original = ?, folded = ?, ref = CASE WHEN ref IS NULL THEN NULL ELSE ? END WHERE rowid = ?`).run(value, original, folded, value, row.r);
        if (row.fts > 0) this.insertFts.run(row.r, folded);
        this.bumpStatementsVersion();
        return true;
      };
      return this.atomic(upd);
    });
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const terms = searchTerms(query);
    if (terms.length === 0) return [];
    const match = terms.map((t) => `"${t}"*`).join(' ');
    const limit = Math.min(options.limit ?? 50, 1000);
    const schemaFilter = options.schemas?.length ? `AND s.schema IN (SELECT value FROM json_each(?))` : '';
    const rows = this.sql(
      `SELECT ${STATEMENT_OWN_COLUMNS.map((c) => `s.${c}`).join(', ')}, ${STATEMENT_ENVELOPE_COLUMNS.map((c) => `p.${c}`).join(', ')}, f.rank AS _rank
       FROM statement_fts f JOIN statements s ON s.rowid = f.rowid JOIN provenance p ON p.k = s.prov
       WHERE statement_fts MATCH ? ${schemaFilter}
       ORDER BY f.rank LIMIT ?`,
    ).all(match, ...(options.schemas?.length ? [JSON.stringify(options.schemas)] : []), limit) as (StatementRow & { _rank: number })[];
    return rows.map((r) => ({ statementId: r.id, entityId: r.entity_id, schema: r.schema, prop: r.prop, value: r.value, rank: r._rank, statement: rowToStatement(r) }));
  }

  async stats(): Promise<StoreStats> {
    const statements = this.sql(`SELECT COUNT(*) FROM statements`).pluck().get() as number;
    const entities = this.sql(`SELECT COUNT(DISTINCT entity_id) FROM statements`).pluck().get() as number;
    const bySchema = Object.fromEntries(
      (this.sql(`SELECT schema, COUNT(DISTINCT entity_id) AS n FROM statements GROUP BY schema ORDER BY schema`).all() as { schema: string; n: number }[]).map((r) => [r.schema, r.n]),
    );
    const byAgency = Object.fromEntries(
      (this.sql(`SELECT p.agency AS agency, COUNT(*) AS n FROM ${STATEMENT_FROM} GROUP BY p.agency ORDER BY p.agency`).all() as { agency: string; n: number }[]).map((r) => [r.agency, r.n]),
    );
    return { statements, entities, bySchema, byAgency };
  }

  appendAudit(input: AuditEntryInput): Promise<AuditEntry> {
    const parsed = AuditEntryInput.parse(input);
    return this.write(() => {
      const append = () => {
        const head = this.sql(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as { seq: number; hash: string } | undefined;
        const seq = (head?.seq ?? 0) + 1;
        const prevHash = head?.hash ?? AUDIT_GENESIS;
        const body = { ...parsed, seq };
        const entry: AuditEntry = { ...body, prevHash, hash: auditEntryHash(prevHash, body) };
        this
          .sql(`INSERT INTO audit_log (seq, at, user_id, agency, purpose, case_id, action, outcome, entity_ids, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`)
          .run(seq, entry.at, entry.userId, entry.agency, entry.purpose, entry.caseId, entry.action, entry.outcome, JSON.stringify(entry.entityIds), JSON.stringify(entry.details), prevHash, entry.hash);
        return entry;
      };
      return this.atomic(append);
    });
  }

  async readAudit(fromSeq = 1, limit = 10_000): Promise<AuditEntry[]> {
    // Ordered by physical rowid order of insertion would hide reordering; seq order is what the chain claims.
    const rows = this.sql(`SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?`).all(fromSeq, limit) as AuditRow[];
    return rows.map(auditFromRow);
  }

  async auditHead(): Promise<AuditEntry | undefined> {
    const row = this.sql(`SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as AuditRow | undefined;
    return row ? auditFromRow(row) : undefined;
  }

  async putRecord<T>(collection: string, id: string, body: T, keys?: RecordKeys): Promise<void> {
    checkName('collection', collection);
    const pairs = keyPairs(keys);
    return this.write(() => {
      const put = () => {
        this.sql(`INSERT INTO records (collection, id, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`).run(collection, id, JSON.stringify(body), new Date().toISOString());
        this.sql(`DELETE FROM record_keys WHERE collection = ? AND id = ?`).run(collection, id);
        const ins = this.sql(`INSERT OR IGNORE INTO record_keys (collection, name, value, id) VALUES (?, ?, ?, ?)`);
        for (const [name, value] of pairs) ins.run(collection, name, value, id);
      };
      this.atomic(put);
    });
  }

  async getRecord<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    const r = this.sql(`SELECT collection, id, body, updated_at FROM records WHERE collection = ? AND id = ?`).get(collection, id) as { collection: string; id: string; body: string; updated_at: string } | undefined;
    return r ? { collection: r.collection, id: r.id, body: JSON.parse(r.body) as T, updatedAt: r.updated_at } : undefined;
  }

  private recordWhere(collection: string, query: RecordQuery): { sql: string; params: unknown[] } {
    const params: unknown[] = [collection];
    const clauses: string[] = [];
    for (const [name, v] of Object.entries(query.where ?? {})) {
      checkName('record key', name);
      const vals = typeof v === 'string' ? [v] : [...v];
      if (vals.length === 0) return { sql: 'SELECT NULL WHERE 0', params: [] };
      clauses.push(`r.id IN (SELECT id FROM record_keys WHERE collection = ? AND name = ? AND value IN (${vals.map(() => '?').join(',')}))`);
      params.push(collection, name, ...vals);
    }
    if (query.afterId !== undefined) {
      clauses.push(query.order === 'desc' ? 'r.id < ?' : 'r.id > ?');
      params.push(query.afterId);
    }
    return { sql: `FROM records r WHERE r.collection = ?${clauses.map((c) => ` AND ${c}`).join('')}`, params };
  }

  async findRecords<T>(collection: string, query: RecordQuery = {}): Promise<StoredRecord<T>[]> {
    const { sql, params } = this.recordWhere(collection, query);
    if (params.length === 0) return [];
    const order = query.order === 'desc' ? 'DESC' : 'ASC';
    const rows = this.sql(`SELECT r.collection, r.id, r.body, r.updated_at ${sql} ORDER BY r.id ${order} LIMIT ?`).all(...params, Math.min(query.limit ?? 10_000, 1_000_000)) as {
      collection: string;
      id: string;
      body: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({ collection: r.collection, id: r.id, body: JSON.parse(r.body) as T, updatedAt: r.updated_at }));
  }

  async countRecords(collection: string, where?: RecordQuery['where']): Promise<number> {
    const { sql, params } = this.recordWhere(collection, where ? { where } : {});
    if (params.length === 0) return 0;
    return this.sql(`SELECT COUNT(*) ${sql}`).pluck().get(...params) as number;
  }

  deleteRecord(collection: string, id: string): Promise<boolean> {
    return this.write(() => {
      const del = () => {
        this.sql(`DELETE FROM record_keys WHERE collection = ? AND id = ?`).run(collection, id);
        return this.sql(`DELETE FROM records WHERE collection = ? AND id = ?`).run(collection, id).changes > 0;
      };
      return this.atomic(del);
    });
  }

  writeBlockingKeys(run: string, keys: readonly BlockingKey[]): Promise<void> {
    return this.write(() => {
      const ins = this.sql(`INSERT OR IGNORE INTO blocking_keys (run, rule, key, record_id) VALUES (?, ?, ?, ?)`);
      const put = () => {
        for (const k of keys) ins.run(run, k.rule, k.key, k.recordId);
      };
      this.atomic(put);
    });
  }

  buildCandidatePairs(run: string, maxBlockSize: number): Promise<BlockingReport> {
    return this.write(() => {
      const build = (): BlockingReport => {
        this.sql(`DELETE FROM candidate_pairs WHERE run = ?`).run(run);
        const blocks = this
          .sql(`SELECT rule, COUNT(*) AS keys, SUM(CASE WHEN n <= ? THEN n * (n - 1) / 2 ELSE 0 END) AS pairs, SUM(CASE WHEN n > ? THEN 1 ELSE 0 END) AS skipped, SUM(CASE WHEN n > ? THEN n * (n - 1) / 2 ELSE 0 END) AS skippedPairs FROM (SELECT rule, key, COUNT(*) AS n FROM blocking_keys WHERE run = ? GROUP BY rule, key) GROUP BY rule`)
          .all(maxBlockSize, maxBlockSize, maxBlockSize, run) as { rule: string; keys: number; pairs: number; skipped: number; skippedPairs: number }[];
        this
          .sql(
            `INSERT INTO candidate_pairs (run, left_id, right_id, rules)
             SELECT ?, a.record_id, b.record_id, group_concat(DISTINCT a.rule)
             FROM (SELECT rule, key FROM blocking_keys WHERE run = ? GROUP BY rule, key HAVING COUNT(*) BETWEEN 2 AND ?) blk
             JOIN blocking_keys a ON a.run = ? AND a.rule = blk.rule AND a.key = blk.key
             JOIN blocking_keys b ON b.run = ? AND b.rule = blk.rule AND b.key = blk.key AND a.record_id < b.record_id
             GROUP BY a.record_id, b.record_id`,
          )
          .run(run, run, maxBlockSize, run, run);
        const pairs = this.sql(`SELECT COUNT(*) FROM candidate_pairs WHERE run = ?`).pluck().get(run) as number;
        return { pairs, byRule: Object.fromEntries(blocks.map((b) => [b.rule, { keys: b.keys, pairs: b.pairs, skippedBlocks: b.skipped, skippedPairs: b.skippedPairs }])) };
      };
      return this.atomic(build);
    });
  }

  async *scanCandidatePairs(run: string, batchSize = 50_000): AsyncIterable<CandidatePair[]> {
    const q = this.sql(`SELECT left_id, right_id, rules FROM candidate_pairs WHERE run = ? AND (left_id > ? OR (left_id = ? AND right_id > ?)) ORDER BY left_id, right_id LIMIT ?`);
    let l = '';
    let r = '';
    for (;;) {
      const rows = q.all(run, l, l, r, batchSize) as { left_id: string; right_id: string; rules: string }[];
      if (rows.length === 0) return;
      l = rows[rows.length - 1]!.left_id;
      r = rows[rows.length - 1]!.right_id;
      yield rows.map((row) => ({ left: row.left_id, right: row.right_id, rules: row.rules.split(',').sort() }));
      if (rows.length < batchSize) return;
    }
  }

  clearBlocking(run: string): Promise<void> {
    return this.write(() => {
      this.sql(`DELETE FROM blocking_keys WHERE run = ?`).run(run);
      this.sql(`DELETE FROM candidate_pairs WHERE run = ?`).run(run);
    });
  }

  markSeen(namespace: string, hashes: readonly string[]): Promise<void> {
    return this.write(() => {
      const bulk = this.state.bulk;
      const put = () => {
        const sorted = [...hashes].sort();
        if (bulk) {
          // A bulk load appends (a few pages per batch) and indexes in memory; the seen index is
          // updated in one ordered pass every `seenMergeEvery` hashes and when the load ends.
          const append = this.sql(`INSERT INTO seen_pending (namespace, hash) VALUES (?, ?)`);
          const recent = this.sql(`INSERT OR IGNORE INTO temp.seen_recent (namespace, hash) VALUES (?, ?)`);
          for (const h of sorted) {
            append.run(namespace, h);
            recent.run(namespace, h);
          }
          bulk.pendingSeen += sorted.length;
          if (bulk.pendingSeen >= this.state.seenMergeEvery) {
            mergePendingSeen(this.db);
            bulk.pendingSeen = 0;
          }
          return;
        }
        const ins = this.sql(`INSERT OR IGNORE INTO seen (namespace, hash) VALUES (?, ?)`);
        // In key order, each B-tree page is visited once per call (~10% cheaper for random content hashes).
        for (const h of sorted) ins.run(namespace, h);
      };
      this.atomic(put);
    });
  }

  async whichSeen(namespace: string, hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const list = JSON.stringify([...new Set(hashes)]);
    const seen = new Set(this.sql(`SELECT hash FROM seen WHERE namespace = ? AND hash IN (SELECT value FROM json_each(?))`).pluck().all(namespace, list) as string[]);
    if (this.state.bulk) for (const h of this.sql(`SELECT hash FROM temp.seen_recent WHERE namespace = ? AND hash IN (SELECT value FROM json_each(?))`).pluck().all(namespace, list) as string[]) seen.add(h);
    return seen;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.sql(`SELECT value FROM meta WHERE key = ?`).pluck().get(key) as string | undefined;
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.write(() => {
      this.sql(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
    });
  }

  async schemaVersion(): Promise<number> {
    return Number(await this.getMeta('schema_version'));
  }

  async statementsVersion(): Promise<number> {
    return Number((await this.getMeta(STATEMENTS_VERSION)) ?? 0);
  }

  /** Inside the writing transaction, so the version moves exactly when the write commits. */
  private bumpStatementsVersion(): void {
    this.sql(`INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`).run(STATEMENTS_VERSION);
  }

  async close(): Promise<void> {
    if (this.inTransaction) return;
    await this.mutex.run(async () => {
      if (!this.db.open) return;
      // A bulk load left open by its caller is finished rather than left to the next open.
      const bulk = this.state.bulk;
      if (bulk) {
        this.state.bulk = undefined;
        this.db.pragma(`wal_autocheckpoint = ${bulk.walAutocheckpoint}`);
        finishBulkLoad(this.db, bulk.cacheSize);
      }
      this.db.close();
    });
  }

  /** Test hook: the raw connection (used by tamper tests to simulate direct database edits). */
  rawDatabase(): Db {
    return this.db;
  }
}

