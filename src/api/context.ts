import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Governance, QueryContext } from '../governance/index.js';
import type { ProjectionCache } from '../graph/index.js';
import { TesseraError } from '../model/index.js';
import type { Session, SessionStore } from './session.js';

/** What the server needs: governance (over the store), configuration, a logger, and where the built web app lives. */
export interface ApiDeps {
  readonly gov: Governance;
  readonly config: Config;
  readonly logger: Logger;
  /** Directory of the built web app (web/dist); omitted → the API only. */
  readonly webRoot?: string;
  /** Clock (tests: expired sessions). */
  readonly now?: () => number;
  /** Session lifetimes in milliseconds. */
  readonly sessionIdleMs?: number;
  readonly sessionMaxMs?: number;
  /** Login throttling: failed attempts allowed per user name and per client in one window. */
  readonly loginAttempts?: { readonly perUser: number; readonly perClient: number; readonly windowMs: number };
  /** Largest request body accepted, in bytes (default 64 KiB). */
  readonly maxBodyBytes?: number;
  /** Send cookies with `Secure` (set behind TLS; off for plain http on loopback). */
  readonly secureCookies?: boolean;
  /** Routes of other capabilities, mounted under /api/<path> behind the same session, CSRF and error handling. */
  readonly plugins?: readonly ApiPlugin[];
  /** The projection cache the capability routes share (graph, triage); default: a new one per app. */
  readonly projections?: ProjectionCache;
}

/** A capability's routes (graph, watch, federation…): `{ path: 'graph', routes: (deps) => graphRoutes(deps) }`. */
export interface ApiPlugin {
  /** Mount point below /api, e.g. `graph` → /api/graph. */
  readonly path: string;
  readonly routes: (deps: ApiServices) => OpenAPIHono<AppEnv>;
}

/** Dependencies as route factories see them (the session store and the shared projection cache included). */
export interface ApiServices extends ApiDeps {
  readonly sessions: SessionStore;
  /** One per app: /api/graph and /api/triage reuse each other's projections of an unchanged store. */
  readonly projections: ProjectionCache;
}

/** Per-request variables. */
export interface AppEnv {
  Variables: {
    requestId: string;
    session: Session | undefined;
  };
}

/** The signed-in session of a request, or UNAUTHENTICATED. */
export function sessionOf(c: { get(key: 'session'): Session | undefined }): Session {
  const s = c.get('session');
  if (!s) throw new TesseraError('UNAUTHENTICATED', 'sign in first');
  return s;
}

/**
 * The QueryContext of a request: the signed-in user with the purpose and case chosen for this work
 * session. Routes pass it to services unchanged; the services decide (purpose, case, legal basis,
 * handling) — a missing purpose or case is refused there, and the refusal is audited.
 */
export function workContext(c: { get(key: 'session'): Session | undefined }): QueryContext {
  const s = sessionOf(c);
  return { userId: s.userId, purpose: s.purpose ?? '', caseId: s.caseId ?? null };
}
