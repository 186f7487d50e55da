/**
 * SQLite schema migrations, applied in order inside one transaction each. The version reached is kept
 * in `meta.schema_version`; a store at a newer version than this code knows is refused untouched.
 */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'core: statements, full-text, audit chain, records, meta',
    sql: `
CREATE TABLE statements (
  id TEXT NOT NULL PRIMARY KEY,
  entity_id TEXT NOT NULL,
  schema TEXT NOT NULL,
  prop TEXT NOT NULL,
  value TEXT NOT NULL,
  ref TEXT,
  fts INTEGER NOT NULL DEFAULT 0,
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
  recorded_at TEXT NOT NULL
);
CREATE INDEX statements_entity ON statements(entity_id);
CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;
-- External-content FTS5 over name and text statements only (rowid = statements.rowid).
CREATE VIRTUAL TABLE statement_fts USING fts5(folded, content='statements', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE audit_log (
  seq INTEGER NOT NULL PRIMARY KEY,
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
-- Append-only by construction; the hash chain still detects whoever drops these triggers.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TABLE records (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE record_keys (
  collection TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (collection, name, value, id)
) WITHOUT ROWID;
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
) WITHOUT ROWID;
CREATE TABLE candidate_pairs (
  run TEXT NOT NULL,
  left_id TEXT NOT NULL,
  right_id TEXT NOT NULL,
  rules TEXT NOT NULL,
  PRIMARY KEY (run, left_id, right_id)
) WITHOUT ROWID;
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
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    name: 'statements: id uniqueness as a droppable index (bulk loads build indexes after the data)',
    sql: `
CREATE TABLE statements_v4 (
  id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  schema TEXT NOT NULL,
  prop TEXT NOT NULL,
  value TEXT NOT NULL,
  ref TEXT,
  fts INTEGER NOT NULL DEFAULT 0,
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
  recorded_at TEXT NOT NULL
);
INSERT INTO statements_v4 (rowid, id, entity_id, schema, prop, value, ref, fts, folded, original, agency, document_id, collected_at, grading, handling, classification, subject_category, nature, first_seen, last_seen, review_by, case_ids, recorded_at) SELECT rowid, id, entity_id, schema, prop, value, ref, fts, folded, original, agency, document_id, collected_at, grading, handling, classification, subject_category, nature, first_seen, last_seen, review_by, case_ids, recorded_at FROM statements;
DROP TABLE statements;
ALTER TABLE statements_v4 RENAME TO statements;
CREATE UNIQUE INDEX statements_id ON statements(id);
CREATE INDEX statements_entity ON statements(entity_id);
CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;
`,
  },
  {
    version: 5,
    name: 'statements: provenance stored once per distinct envelope and referenced (prov), not repeated in every statement row',
    sql: `
CREATE TABLE provenance (
  k INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
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
  recorded_at TEXT NOT NULL
);
INSERT INTO provenance (key, agency, document_id, collected_at, grading, handling, classification, subject_category, nature, first_seen, last_seen, review_by, case_ids, recorded_at) SELECT DISTINCT json_array(agency, document_id, collected_at, grading, handling, classification, subject_category, nature, first_seen, last_seen, review_by, case_ids, recorded_at), agency, document_id, collected_at, grading, handling, classification, subject_category, nature, first_seen, last_seen, review_by, case_ids, recorded_at FROM statements;
CREATE TABLE statements_v5 (
  id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  schema TEXT NOT NULL,
  prop TEXT NOT NULL,
  value TEXT NOT NULL,
  ref TEXT,
  fts INTEGER NOT NULL DEFAULT 0,
  folded TEXT,
  original TEXT,
  prov INTEGER NOT NULL
);
INSERT INTO statements_v5 (rowid, id, entity_id, schema, prop, value, ref, fts, folded, original, prov) SELECT s.rowid, s.id, s.entity_id, s.schema, s.prop, s.value, s.ref, s.fts, s.folded, s.original, p.k FROM statements s JOIN provenance p ON p.key = json_array(s.agency, s.document_id, s.collected_at, s.grading, s.handling, s.classification, s.subject_category, s.nature, s.first_seen, s.last_seen, s.review_by, s.case_ids, s.recorded_at);
DROP TABLE statements;
ALTER TABLE statements_v5 RENAME TO statements;
CREATE UNIQUE INDEX statements_id ON statements(id);
CREATE INDEX statements_entity ON statements(entity_id);
CREATE INDEX statements_ref ON statements(ref) WHERE ref IS NOT NULL;
`,
  },
  {
    version: 6,
    name: 'idempotency: seen hashes of a bulk load appended, merged into seen when the load ends',
    sql: `
CREATE TABLE seen_pending (
  namespace TEXT NOT NULL,
  hash TEXT NOT NULL
);
`,
  },
];
