/** store: where statements live — one Store interface, dialects sqlite (default) and postgres. */
import { TesseraError } from '../model/index.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

export type * from './store.js';
export { openSqliteStore } from './sqlite/index.js';
export { openPostgresStore } from './postgres/index.js';

export interface OpenStoreOptions {
  /** `sqlite:PATH`, `sqlite::memory:`, a plain file path, or `postgres://…`. */
  readonly url: string;
  /** PostgreSQL schema (tests use one per run). */
  readonly schema?: string;
}

/** Opens the store a URL names, migrating it to the current schema. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.url.trim();
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return openPostgresStore({ url, ...(options.schema ? { schema: options.schema } : {}) });
  }
  if (/^[a-z][a-z0-9+]*:\/\//i.test(url) && !url.startsWith('sqlite:')) {
    throw new TesseraError('CONFIG', `unsupported database URL scheme in "${url.replace(/:[^:@/]*@/, ':***@')}" (use sqlite:PATH or postgres://…)`);
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\//, '') : url;
  return openSqliteStore({ path: path || ':memory:' });
}
