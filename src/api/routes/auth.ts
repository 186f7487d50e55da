import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { authoriseWorkContext, hashPassword, verifyPassword, type Governance } from '../../governance/index.js';
import { TesseraError } from '../../model/index.js';
import { sessionOf, type ApiServices, type AppEnv } from '../context.js';
import { LoginThrottle } from '../ratelimit.js';
import { createRouter } from '../router.js';
import { ErrorBody, errorResponses, SessionInfo } from '../schemas.js';
import { SESSION_COOKIE, type Session, type SessionStore } from '../session.js';

const SIGN_IN = 'Sign in to the analysis workstation';

/** The session as the web app sees it. */
export async function sessionInfo(gov: Governance, sessions: SessionStore, s: Session): Promise<z.infer<typeof SessionInfo>> {
  const user = await gov.user(s.userId);
  if (!user || !user.active) {
    sessions.close(s.id);
    throw new TesseraError('UNAUTHENTICATED', 'your account is no longer active');
  }
  const c = s.caseId ? await gov.case(s.caseId) : undefined;
  return {
    user: { id: user.id, name: user.name, agency: user.agency, roles: [...user.roles], clearance: user.clearance },
    purpose: s.purpose ?? null,
    caseId: s.caseId ?? null,
    caseName: c?.name ?? null,
    oversight: Boolean(s.purpose) && !s.caseId,
    csrfToken: s.csrfToken,
    expiresAt: new Date(sessions.expiresAt(s)).toISOString(),
  };
}

function clientAddress(c: Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local'; // in-process requests (tests) have no socket
  }
}

let dummyHash: string | undefined;

/** Sign-in, sign-out, the session, and the purpose and case chosen for the work session. */
export function authRoutes(deps: ApiServices) {
  const { gov, sessions } = deps;
  const now = deps.now ?? Date.now;
  const throttle = new LoginThrottle(now, deps.loginAttempts ?? { perUser: 5, perClient: 20, windowMs: 15 * 60_000 });
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['session'],
      summary: 'Sign in with a local user and password; sets an HttpOnly, SameSite=Strict session cookie',
      security: [],
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ userId: z.string().min(1).max(64), password: z.string().min(1).max(256) }).openapi('Login') } },
        },
      },
      responses: {
        200: { description: 'Signed in', content: { 'application/json': { schema: SessionInfo } } },
        400: errorResponses[400],
        401: { description: 'Wrong user or password', content: { 'application/json': { schema: ErrorBody } } },
        429: { description: 'Too many failed attempts', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { userId, password } = c.req.valid('json');
      const client = clientAddress(c);
      throttle.check(userId, client);
      const user = await gov.user(userId);
      // Hash even for unknown users so response time does not reveal which accounts exist.
      const ok = user?.active && user.passwordHash ? verifyPassword(password, user.passwordHash) : verifyPassword(password, (dummyHash ??= hashPassword('not-a-real-password')));
      const ctx = { userId, purpose: SIGN_IN, caseId: null };
      if (!ok || !user || !user.active) {
        throttle.fail(userId, client);
        await gov.audit(ctx, undefined, 'auth.login', 'refused', [], { client });
        throw new TesseraError('UNAUTHENTICATED', 'wrong user name or password', { field: 'password' });
      }
      throttle.succeed(userId);
      const principal = await gov.principalOf(user.id);
      await gov.audit(ctx, principal, 'auth.login', 'allowed', [], { client });
      const session = sessions.open(user.id, user.agency);
      setCookie(c, SESSION_COOKIE, session.id, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: deps.secureCookies ?? false,
        path: '/',
        maxAge: Math.floor(sessions.maxMs / 1000),
      });
      return c.json(await sessionInfo(gov, sessions, session), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['session'],
      summary: 'Sign out: ends the session on the server and clears the cookie',
      responses: { 204: { description: 'Signed out' }, ...errorResponses },
    }),
    async (c) => {
      const s = sessionOf(c);
      sessions.close(s.id);
      await gov.audit({ userId: s.userId, purpose: s.purpose ?? SIGN_IN, caseId: s.caseId ?? null }, undefined, 'auth.logout', 'allowed', []);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/session',
      tags: ['session'],
      summary: 'The current session: user, chosen purpose and case, CSRF token',
      responses: { 200: { description: 'The session', content: { 'application/json': { schema: SessionInfo } } }, ...errorResponses },
    }),
    async (c) => c.json(await sessionInfo(gov, sessions, sessionOf(c)), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/session/context',
      tags: ['session'],
      summary: 'Choose the purpose and case for this work session (checked like any query and audited); caseId null: an oversight context for the DPO and auditors',
      description:
        'With a case, the context is checked like a read (meaningful purpose, open case, membership, legal basis). With `caseId: null` it is an oversight context: a meaningful purpose and the dpo or auditor role; the audit viewer, chain status and DPO report answer in it, every case-bound route refuses it (403 CASE_REQUIRED).',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  purpose: z.string().max(500),
                  caseId: z.string().min(1).max(64).nullable().openapi({ description: 'the case worked on; null for oversight work without a case (DPO, auditor)' }),
                })
                .openapi('WorkContext'),
            },
          },
        },
      },
      responses: { 200: { description: 'Context set', content: { 'application/json': { schema: SessionInfo } } }, ...errorResponses },
    }),
    async (c) => {
      const s = sessionOf(c);
      const { purpose, caseId } = c.req.valid('json');
      const ctx = { userId: s.userId, purpose: purpose.trim(), caseId };
      // Governance decides: meaningful purpose and, with a case, an open case, membership and legal
      // basis; without one, an oversight role. The choice is audited.
      await authoriseWorkContext(gov, ctx);
      s.purpose = ctx.purpose;
      s.caseId = caseId ?? undefined;
      return c.json(await sessionInfo(gov, sessions, s), 200);
    },
  );

  return app;
}
