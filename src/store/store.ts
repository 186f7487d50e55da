import type { AuditEntry, AuditEntryInput, Statement } from '../model/index.js';

/** A page of statements matching a scan filter, in stable order. */
export interface StatementScan {
  /** Only these schemas. */
  readonly schemas?: readonly string[];
  /** Only these properties. */
  readonly props?: readonly string[];
  /** Only statements of these agencies. */
  readonly agencies?: readonly string[];
  /** Statements per batch (default 10,000). */
  readonly batchSize?: number;
}

/**
 * The part of a statement that access control and whole-store analysis (graph projections) need:
 * what it says, whose it is, its grading and how it may be used — without document, dates and
 * categories, so that scans over millions of statements read and allocate far less.
 */
export type StatementCore = Pick<Statement, 'id' | 'entityId' | 'schema' | 'prop' | 'value' | 'grading' | 'handling' | 'classification' | 'caseIds'> & {
  readonly source: Pick<Statement['source'], 'agency'>;
};

/** A full-text hit: the statement that matched and its rank (lower is better). */
export interface SearchHit {
  readonly statementId: string;
  readonly entityId: string;
  readonly schema: string;
  readonly prop: string;
  readonly value: string;
  readonly rank: number;
  /** The matched statement (so callers can apply the read rule without reading it again). */
  readonly statement: Statement;
}

export interface SearchOptions {
  readonly limit?: number;
  readonly schemas?: readonly string[];
}

export interface WriteResult {
  /** Statements newly stored. */
  readonly inserted: number;
  /** Statements already present (same content id): re-ingestion is idempotent. */
  readonly duplicates: number;
}

/** A bulk load in progress (`Store.beginBulkLoad`). */
export interface BulkLoad {
  /** Removes repeated statement ids and builds the statement indexes, in one transaction. */
  finish(): Promise<void>;
}

export interface StoreStats {
  readonly statements: number;
  readonly entities: number;
  readonly bySchema: Readonly<Record<string, number>>;
  readonly byAgency: Readonly<Record<string, number>>;
}

/** One blocking key of a record under a rule (entity resolution: records sharing a key become candidates). */
export interface BlockingKey {
  readonly recordId: string;
  readonly rule: string;
  readonly key: string;
}

/** A candidate pair from blocking: left < right, with every rule under which they share a key. */
export interface CandidatePair {
  readonly left: string;
  readonly right: string;
  readonly rules: readonly string[];
}

/** What candidate generation did, per rule. */
export interface BlockingReport {
  readonly pairs: number;
  readonly byRule: Readonly<Record<string, { keys: number; pairs: number; skippedBlocks: number; skippedPairs: number }>>;
}

/** A stored record of a module's own state (alerts, hits, judgements, quarantine, outbox…). */
export interface StoredRecord<T = unknown> {
  readonly collection: string;
  readonly id: string;
  readonly body: T;
  readonly updatedAt: string;
}

export interface RecordQuery {
  /** Index keys to match (all must match; an array value matches any of its members). */
  readonly where?: Readonly<Record<string, string | readonly string[]>>;
  /** Only ids after this one (ids sort as strings; ULIDs sort by time). */
  readonly afterId?: string;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
}

/** Index keys of a record: name → one value or several. */
export type RecordKeys = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The one storage port of Tessera. Dialects (sqlite, postgres) implement it with the same behaviour,
 * checked by one conformance suite. It knows nothing of users or purposes: access control and audit
 * policy live in governance, which every service goes through.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the store lives, for messages (file path or URL without password). */
  readonly location: string;

  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: waits until no other transaction holds `key`, then holds it until this
   * transaction ends, so read-modify-write of shared state (counters, sequence numbers) is not lost
   * to a concurrent writer — also across processes sharing a PostgreSQL database. Outside a
   * transaction it throws.
   */
  lock(key: string): Promise<void>;

  /** Writes validated statements in one transaction (all or nothing); existing ids are skipped. */
  writeStatements(statements: readonly Statement[]): Promise<WriteResult>;
  /**
   * Loads batches fastest into an EMPTY statements table: the id, entity and reference indexes and
   * the full-text index are built once after the data (sort-based, far cheaper than per-row
   * maintenance), all in one transaction — a failure leaves the store as it was. On a store that
   * already holds statements it writes batch by batch like writeStatements. Duplicate ids are kept once.
   */
  bulkWriteStatements(batches: Iterable<readonly Statement[]> | AsyncIterable<readonly Statement[]>, onBatch?: (statementsSoFar: number) => void): Promise<WriteResult>;
  /**
   * Starts a bulk load into an EMPTY statements table that still commits batch by batch (an ingest
   * keeps its per-batch atomicity and checkpoints). Until `finish()`, statement writes append
   * without id, entity and reference index upkeep — far cheaper than random B-tree inserts — and
   * report every statement as inserted; reads stay correct but are slow and may return a statement
   * twice. `finish()` keeps the first of repeated ids and builds the indexes in one transaction.
   * If the loading process dies first, the next open of the store finishes the load. Returns
   * undefined when the table holds statements, another load runs, or the dialect keeps its indexes
   * (PostgreSQL): the caller then writes as usual.
   */
  beginBulkLoad(): Promise<BulkLoad | undefined>;
  /** All statements about one entity. */
  statementsOf(entityId: string): Promise<Statement[]>;
  /** All statements about several entities. */
  statementsOfMany(entityIds: readonly string[]): Promise<Statement[]>;
  /** Statements by id. */
  statementsById(ids: readonly string[]): Promise<Statement[]>;
  /**
   * Statements whose value is exactly one of `values` and whose property holds a reference or
   * selector (entity ids, phones, IMEIs, e-mails, IBANs, identifiers): links pointing at an entity,
   * records sharing a document number.
   */
  statementsReferencing(values: readonly string[], props?: readonly string[]): Promise<Statement[]>;
  /** Streams statements in batches (stable order) for projections and resolution. */
  scanStatements(filter?: StatementScan): AsyncIterable<Statement[]>;
  /** As scanStatements, with only each statement's core (same order, same filters). */
  scanStatementCores(filter?: StatementScan): AsyncIterable<StatementCore[]>;
  /** Deletes statements (erasure, retention); returns how many were deleted. */
  deleteStatements(ids: readonly string[]): Promise<number>;
  /** Replaces a statement's value and original (depersonalisation, rectification), keeping its id. */
  updateStatementValue(id: string, value: string, original: string | null): Promise<boolean>;
  /** Full-text search over names and texts. */
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
  /** Counts by schema and agency. */
  stats(): Promise<StoreStats>;

  /** Appends an audit entry, extending the hash chain atomically. */
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Audit entries with seq ≥ fromSeq in seq order (as stored: no check). */
  readAudit(fromSeq?: number, limit?: number): Promise<AuditEntry[]>;
  /** The last entry of the chain, or undefined for an empty log. */
  auditHead(): Promise<AuditEntry | undefined>;

  /** Creates or replaces a record with its index keys. */
  putRecord<T>(collection: string, id: string, body: T, keys?: RecordKeys): Promise<void>;
  getRecord<T>(collection: string, id: string): Promise<StoredRecord<T> | undefined>;
  findRecords<T>(collection: string, query?: RecordQuery): Promise<StoredRecord<T>[]>;
  deleteRecord(collection: string, id: string): Promise<boolean>;
  countRecords(collection: string, where?: RecordQuery['where']): Promise<number>;

  /** Stores blocking keys of a resolution run (namespace), in batches. */
  writeBlockingKeys(run: string, keys: readonly BlockingKey[]): Promise<void>;
  /**
   * Generates the run's candidate pairs set-wise (SQL self-join on the key table), each pair once with
   * its rules. Blocks larger than `maxBlockSize` are skipped (counted in the report) so a common key
   * cannot explode the pair count.
   */
  buildCandidatePairs(run: string, maxBlockSize: number): Promise<BlockingReport>;
  /** Streams the pairs built by buildCandidatePairs, ordered by (left, right). */
  scanCandidatePairs(run: string, batchSize?: number): AsyncIterable<CandidatePair[]>;
  /** Removes a run's keys and pairs. */
  clearBlocking(run: string): Promise<void>;

  /** Remembers content hashes in a namespace (row hashes of an ingest source, message ids of a peer). */
  markSeen(namespace: string, hashes: readonly string[]): Promise<void>;
  /** Which of these hashes the namespace has already seen. */
  whichSeen(namespace: string, hashes: readonly string[]): Promise<Set<string>>;

  /**
   * A number that grows with every committed statement write, deletion or value update, from any
   * process sharing this store (kept in meta, in the writing transaction). Caches of data derived
   * from statements (graph projections) compare it instead of re-reading; record and audit writes do
   * not move it.
   */
  statementsVersion(): Promise<number>;

  /** Small key/value settings of this store (node identity, checkpoints). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /** The schema version this store is migrated to. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
