import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { ProjectionCache } from '../graph/index.js';
import { TesseraError } from '../model/index.js';
import type { ApiDeps, ApiServices, AppEnv } from './context.js';
import { errorResponse } from './errors.js';
import { authRoutes } from './routes/auth.js';
import { caseRoutes } from './routes/cases.js';
import { entityRoutes } from './routes/entities.js';
import { oversightRoutes } from './routes/oversight.js';
import { auditRoutes } from './routes/audit.js';
import { dossierRoutes } from './routes/dossiers.js';
import { recordRoutes } from './routes/records.js';
import { createRouter } from './router.js';
import { csrfTokenMatches, SESSION_COOKIE, SessionStore } from './session.js';

/** Paths under /api reachable without a session. Everything else is refused without one (default deny). */
const PUBLIC_API = new Set(['/api/auth/login', '/api/openapi.json']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const API_VERSION = '0.1.0';

/**
 * Content Security Policy: only this origin's scripts, styles, images and API; no framing, no
 * plugins, no inline script (stored XSS in a name cannot execute even if it reached the DOM).
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The application with its session store (tests reach the store to expire sessions). */
export interface TesseraApp {
  readonly app: OpenAPIHono<AppEnv>;
  readonly sessions: SessionStore;
}

/**
 * Builds the HTTP application: request ids and structured logs, security headers, body limits,
 * sessions (default deny under /api), CSRF protection, the core routes, capability plug-ins, the
 * OpenAPI 3.1 document and the built web app. One error mapping answers every failure.
 */
export function createApp(deps: ApiDeps): TesseraApp {
  const now = deps.now ?? Date.now;
  const sessions = new SessionStore(now, deps.sessionIdleMs ?? 30 * 60_000, deps.sessionMaxMs ?? 10 * 60 * 60_000);
  const services: ApiServices = { ...deps, sessions, projections: deps.projections ?? new ProjectionCache() };
  const log = deps.logger;
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new TesseraError('VALIDATION', result.error.issues[0]?.message ?? 'invalid request');
    },
  });

  app.onError((e, c) => errorResponse(c, e, log));
  app.notFound((c) => errorResponse(c, new TesseraError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), log));

  // Request id and one structured log line per request (no query strings: search text is personal data).
  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    log.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started), user: c.get('session')?.userId }, 'request');
  });

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CSP,
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
      referrerPolicy: 'no-referrer',
      crossOriginOpenerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    }),
  );

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 64 * 1024,
      onError: (c) => errorResponse(c, new TesseraError('LIMIT', `request body larger than ${deps.maxBodyBytes ?? 64 * 1024} bytes`), log),
    }),
  );

  app.use('/api/*', async (c, next) => {
    c.header('cache-control', 'no-store');
    await next();
  });

  app.use('/api/*', sessionGate(sessions));
  app.use('/api/*', csrfGuard());

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    try {
      const version = await deps.gov.store.schemaVersion();
      return c.json({ status: 'ready', store: deps.gov.store.dialect, schemaVersion: version });
    } catch (e) {
      log.warn({ err: e }, 'store not ready');
      return c.json({ status: 'unavailable', store: deps.gov.store.dialect }, 503);
    }
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE });
  for (const router of [authRoutes(services), caseRoutes(services), entityRoutes(services), oversightRoutes(services)]) app.route('/api', router);
  // Audit viewer, DPO report, redacted dossiers, recording entities (issue 10).
  for (const router of [auditRoutes(services), dossierRoutes(services), recordRoutes(services)]) app.route('/api', router);
  for (const plugin of deps.plugins ?? []) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(plugin.path)) throw new TesseraError('CONFIG', `API plug-in path "${plugin.path}" must be a lower-case word`);
    app.route(`/api/${plugin.path}`, plugin.routes(services));
  }
  app.doc31('/api/openapi.json', openApiConfig);
  app.all('/api/*', (c) => errorResponse(c, new TesseraError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), log));

  if (deps.webRoot) mountWebApp(app, deps.webRoot);
  return { app, sessions };
}

export const openApiConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Tessera API',
    version: API_VERSION,
    description:
      'Every route but sign-in needs the session cookie; state-changing routes need the X-CSRF-Token header from GET /api/session. Reads run in the purpose and case chosen with PUT /api/session/context.',
  },
  security: [{ session: [] }],
};

/** The OpenAPI 3.1 document of an app (the committed docs/openapi.json is this, pretty-printed). */
export function openApiDocument(app: OpenAPIHono<AppEnv>): unknown {
  return app.getOpenAPI31Document(openApiConfig);
}

/** Resolves the session cookie; refuses /api routes without a live session. */
function sessionGate(sessions: SessionStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = sessions.touch(getCookie(c, SESSION_COOKIE));
    c.set('session', session);
    if (!session && !PUBLIC_API.has(c.req.path)) throw new TesseraError('UNAUTHENTICATED', 'sign in first');
    await next();
  };
}

/**
 * CSRF defence in depth (OWASP CSRF cheat sheet): SameSite=Strict cookies; state changes must come
 * from this origin (Origin / Sec-Fetch-Site), carry JSON (no simple cross-site form posts), and —
 * once signed in — present the session's synchronizer token in X-CSRF-Token.
 */
function csrfGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const self = new URL(c.req.url).origin;
    if (origin && origin !== self) throw new TesseraError('FORBIDDEN', `cross-origin request from ${origin} refused`, { field: 'origin', context: { csrf: true } });
    if (c.req.header('sec-fetch-site') === 'cross-site') throw new TesseraError('FORBIDDEN', 'cross-site request refused', { context: { csrf: true } });
    const length = Number(c.req.header('content-length') ?? '0');
    const type = c.req.header('content-type') ?? '';
    if ((type || length > 0 || c.req.header('transfer-encoding')) && !/^application\/json\b/i.test(type)) {
      throw new TesseraError('VALIDATION', 'request bodies must be application/json', { field: 'content-type' });
    }
    const session = c.get('session');
    if (session && !csrfTokenMatches(session, c.req.header('x-csrf-token'))) {
      throw new TesseraError('FORBIDDEN', 'missing or wrong X-CSRF-Token header (reload the page)', { field: 'x-csrf-token', context: { csrf: true } });
    }
    await next();
  };
}

/** Serves the built web app: hashed assets cached for good, every other non-API path gets index.html. */
function mountWebApp(app: OpenAPIHono<AppEnv>, webRoot: string): void {
  const indexPath = join(webRoot, 'index.html');
  app.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable');
  });
  app.use('/assets/*', serveStatic({ root: webRoot }));
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/assets/')) return c.notFound();
    if (!existsSync(indexPath)) {
      return c.text('The web app is not built: run `npm run build:web` (or start with `npm start`, which builds it).', 503);
    }
    c.header('cache-control', 'no-cache');
    return c.html(readFileSync(indexPath, 'utf8'));
  });
}

export { createRouter };
