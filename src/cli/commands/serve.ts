import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import pino, { type Level } from 'pino';
import { createApp, federationPlugin, graphPlugin, mapPlugin, openApiDocument, resolvePlugin, startServer, triagePlugin, watchPlugin, webRootDefault, type ApiPlugin, type RunningServer } from '../../api/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { Governance } from '../../governance/index.js';
import { DEFAULT_CLASSIFICATIONS, TesseraError } from '../../model/index.js';
import { openStore } from '../../store/index.js';
import { openSession } from '../context.js';
import { servedFederationService } from './node.js';
import { say } from '../output.js';

/** Store meta key where the demo loader records the demo logins to print at start-up (fictional accounts only). */
export const DEMO_LOGINS_KEY = 'demo.logins';

export interface DemoLogin {
  readonly userId: string;
  readonly password: string;
  readonly agency?: string;
  readonly note?: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the web app (Vite) into web/dist when it is missing or older than its sources, so
 * `npm start` on a fresh clone serves the UI. Vite is loaded only when a build is needed.
 */
export async function ensureWebBuild(log: (line: string) => void = say): Promise<string> {
  const webRoot = webRootDefault();
  const index = join(webRoot, 'index.html');
  const web = join(repoRoot, 'web');
  const src = join(web, 'src');
  if (!existsSync(src)) return webRoot; // an installed package ships web/dist only
  const newestSource = Math.max(newestMtime(src), ...['index.html', 'vite.config.ts'].map((f) => statSync(join(web, f)).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return webRoot;
  log('Building the web app (vite build)…');
  const vite = await import('vite');
  // Build beside web/dist and swap it in, so a concurrent build or a running server never sees half a bundle.
  const tmp = `${webRoot}.tmp-${process.pid}-${Date.now()}`;
  await vite.build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
  const old = `${webRoot}.old-${process.pid}-${Date.now()}`;
  if (existsSync(webRoot)) renameSync(webRoot, old);
  renameSync(tmp, webRoot);
  rmSync(old, { recursive: true, force: true });
  return webRoot;
}

/** The capability routes `serve` and `demo` mount beside the core API (one list, so both stay in step). */
export function servedPlugins(): ApiPlugin[] {
  return [watchPlugin(), graphPlugin(), resolvePlugin(), mapPlugin(), triagePlugin(), federationPlugin({ service: ({ gov, config }) => servedFederationService(gov, config) })];
}

export interface ServeOptions {
  readonly config: Config;
  readonly gov: Governance;
  readonly logLevel?: Level | 'silent';
  readonly plugins?: readonly ApiPlugin[];
  /** Skip building the web app (API only). */
  readonly apiOnly?: boolean;
}

/** Builds the web app if needed, starts the server and prints where it listens and the demo logins. */
export async function runServer(options: ServeOptions): Promise<RunningServer> {
  const webRoot = options.apiOnly ? undefined : await ensureWebBuild();
  const logger = pino({ level: options.logLevel ?? 'info', base: { service: 'tessera' } });
  const server = await startServer({
    gov: options.gov,
    config: options.config,
    logger,
    ...(webRoot ? { webRoot } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
  });
  say(`Tessera is serving ${options.gov.store.dialect} store ${options.gov.store.location}`);
  say(`Open ${server.url}`);
  await printLogins(options.gov);
  return server;
}

/** Prints the demo logins recorded by the demo loader, or who can sign in. */
export async function printLogins(gov: Governance): Promise<void> {
  const stored = await gov.store.getMeta(DEMO_LOGINS_KEY);
  if (stored) {
    const logins = JSON.parse(stored) as DemoLogin[];
    say('Demo logins (fictional accounts):');
    for (const l of logins) say(`  ${l.userId.padEnd(16)} password: ${l.password}${l.agency ? `   (${l.agency}${l.note ? `, ${l.note}` : ''})` : ''}`);
    return;
  }
  const users = (await gov.users()).filter((u) => u.active && u.passwordHash);
  if (users.length) say(`Users who can sign in: ${users.map((u) => `${u.id} (${u.agency})`).join(', ')}`);
  else say('No user has a password yet: load the demo (`tessera demo`) or set passwords before signing in.');
}

/**
 * The OpenAPI 3.1 document of the API as served — the core routes and every plug-in of
 * `servedPlugins()` — as committed in docs/openapi.json (pretty JSON, trailing newline).
 * `npm run openapi` rewrites the committed copy; test/e2e/api-hardening.test.ts compares them.
 */
export async function openApiJson(): Promise<string> {
  const store = await openStore({ url: 'sqlite::memory:' });
  try {
    const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
    const { app } = createApp({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:' }), logger: pino({ level: 'silent' }), plugins: servedPlugins() });
    return `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
  } finally {
    await store.close();
  }
}

/** `serve`: the HTTP API and the web app; `openapi`: write the API document. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the API and web app on the configured host and port (default http://127.0.0.1:8080)')
    .option('--host <host>', 'listen address (env TESSERA_HOST)')
    .option('--port <port>', 'listen port (env TESSERA_PORT)')
    .option('--log-level <level>', 'pino log level: fatal, error, warn, info, debug, silent', 'info')
    .option('--api-only', 'do not build or serve the web app')
    .action(async (opts: { host?: string; port?: string; logLevel: string; apiOnly?: boolean }, cmd: Command) => {
      const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
      if (!levels.includes(opts.logLevel)) throw new TesseraError('VALIDATION', `--log-level must be one of ${levels.join(', ')}`, { field: 'log-level' });
      const session = await openSession(cmd);
      const port = opts.port === undefined ? session.config.port : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TesseraError('VALIDATION', `--port must be 0–65535, not "${opts.port}"`, { field: 'port' });
      const config = Object.freeze({ ...session.config, port, ...(opts.host ? { host: opts.host } : {}) });
      const server = await runServer({ config, gov: session.gov, logLevel: opts.logLevel as Level, plugins: servedPlugins(), ...(opts.apiOnly ? { apiOnly: true } : {}) });
      await new Promise<void>((resolve) => {
        const stop = () => {
          say('Stopping…');
          void server
            .close()
            .then(() => session.close())
            .finally(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('openapi')
    .description('print (or write with --out) the OpenAPI 3.1 document of the API')
    .option('--out <file>', 'write to this file, e.g. docs/openapi.json')
    .action(async (opts: { out?: string }) => {
      const json = await openApiJson();
      if (opts.out) {
        writeFileSync(opts.out, json);
        say(`Wrote ${opts.out}`);
      } else process.stdout.write(json);
    });
}
