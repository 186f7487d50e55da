import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/index.js';
import { Governance, type QueryContext } from '../governance/index.js';
import { TesseraError } from '../model/index.js';
import { openStore, type Store } from '../store/index.js';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  db?: string;
  user?: string;
  purpose?: string;
  case?: string;
  json?: boolean;
}

/** Adds the global options to the root program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--db <url>', 'store: sqlite:PATH (default .tessera/tessera.sqlite) or postgres://… (env TESSERA_DATABASE_URL)')
    .option('--user <id>', 'who is asking (env TESSERA_USER; the demo sets a default)')
    .option('--purpose <text>', 'why: required for every read (env TESSERA_PURPOSE)')
    .option('--case <id>', 'the case the query serves (env TESSERA_CASE)')
    .option('--json', 'machine-readable output');
}

/** What a command needs: config, an open store, governance, and the caller's context. */
export interface CliSession {
  readonly config: Config;
  readonly store: Store;
  readonly gov: Governance;
  readonly json: boolean;
  /** The query context from options, env, or the demo defaults stored by `load`. */
  context(): Promise<QueryContext>;
  close(): Promise<void>;
}

/** Demo defaults (user, purpose, case) that `tessera load` records in the store's meta. */
export const DEMO_DEFAULTS_KEY = 'demo.defaults';

/** Opens the configured store and governance for one command; always close it. */
export async function openSession(cmd: Command, defaults: { databaseUrl?: string } = {}): Promise<CliSession> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const databaseUrl = opts.db ?? (process.env.TESSERA_DATABASE_URL ? undefined : defaults.databaseUrl);
  const config = loadConfig(process.env, databaseUrl ? { databaseUrl } : {});
  const store = await openStore({ url: config.databaseUrl, ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) });
  const gov = new Governance(store, { classifications: config.classifications });
  return {
    config,
    store,
    gov,
    json: opts.json ?? false,
    async context() {
      const stored = await store.getMeta(DEMO_DEFAULTS_KEY);
      const demo = stored ? (JSON.parse(stored) as Partial<QueryContext>) : {};
      const userId = opts.user ?? config.defaultUser ?? demo.userId;
      if (!userId) throw new TesseraError('UNAUTHENTICATED', 'no user: pass --user ID (or set TESSERA_USER)', { field: 'user' });
      const usingDemoUser = !opts.user && !config.defaultUser;
      return {
        userId,
        purpose: opts.purpose ?? config.defaultPurpose ?? (usingDemoUser ? (demo.purpose ?? '') : ''),
        caseId: opts.case ?? config.defaultCase ?? (usingDemoUser ? (demo.caseId ?? null) : null),
      };
    },
    close: () => store.close(),
  };
}

/** Runs a command body with a session, closing it whatever happens. */
export async function withSession<T>(cmd: Command, body: (s: CliSession) => Promise<T>, defaults: { databaseUrl?: string } = {}): Promise<T> {
  const session = await openSession(cmd, defaults);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
