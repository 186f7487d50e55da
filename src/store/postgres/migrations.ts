/**
 * PostgreSQL schema migrations (same versions and meaning as the SQLite ones). Full-text search uses a
 * generated tsvector ('simple' configuration: names are not English words) with a GIN index, and
 * pg_trgm on name statements for typo-tolerant matching.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core: statements, full-text, audit chain, records, meta',
    sql: `
CREATE TABLE statements (
  seq BIGSERIAL NOT NULL UNIQUE,
  id TEXT NOT NULL PRIMARY KEY,
  entity_id TEXT NOT NULL,
  schema TEXT NOT NULL,
  prop TEXT NOT NULL,
  value TEXT NOT NULL,
  ref TEXT,
  fts SMALLINT NOT NULL DEFAULT 0,
  folded TEXT,
  original TEXT,
  agency TEXT NOT NULL,
  document_id TEXT,
  collected_at TEXT NOT NULL,
  grading TEXT NOT NULL,
  handling TEXT NOT NULL,
  classification TEXT NOT NULL,
  subject_category TEXT NOT NULL,
  nature TEXT NOT NULL,
  first_seen TEXT,
  last_seen TEXT,
  review_by TEXT,
  case_ids TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  search tsvector GENERATED ALWAYS AS (CASE WHEN fts > 0 THEN to_tsvector('simple', folded) ELSE NULL END) STORED
);
CREATE INDEX statements_entity ON statements(entity_id);
CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;
CREATE INDEX statements_search ON statements USING gin(search) WHERE fts > 0;
CREATE INDEX statements_name_trgm ON statements USING gin(folded gin_trgm_ops) WHERE fts = 1;
CREATE TABLE audit_log (
  seq BIGINT NOT NULL PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  agency TEXT NOT NULL,
  purpose TEXT NOT NULL,
  case_id TEXT,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  entity_ids TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TABLE records (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE TABLE record_keys (
  collection TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (collection, name, value, id)
);
CREATE INDEX record_keys_by_id ON record_keys(collection, id);
`,
  },
  {
    version: 2,
    name: 'resolution: blocking keys and candidate pairs',
    sql: `
CREATE TABLE blocking_keys (
  run TEXT NOT NULL,
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  record_id TEXT NOT NULL,
  PRIMARY KEY (run, rule, key, record_id)
);
CREATE TABLE candidate_pairs (
  run TEXT NOT NULL,
  left_id TEXT NOT NULL,
  right_id TEXT NOT NULL,
  rules TEXT NOT NULL,
  PRIMARY KEY (run, left_id, right_id)
);
`,
  },
  {
    version: 3,
    name: 'idempotency: seen content hashes per namespace',
    sql: `
CREATE TABLE seen (
  namespace TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (namespace, hash)
);
`,
  },
  {
    version: 4,
    name: 'no change on PostgreSQL (SQLite made id uniqueness a droppable index); kept so versions align',
    sql: `SELECT 1;`,
  },
];
