import { randomBytes, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../model/index.js';

/** One signed-in work session. The purpose and case are chosen once and apply to every request. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly agency: string;
  /** Synchronizer token (OWASP CSRF cheat sheet): sent back in X-CSRF-Token on every state change. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  purpose: string | undefined;
  caseId: string | undefined;
}

export const SESSION_COOKIE = 'tessera_session';

/**
 * Server-side sessions kept in memory: the cookie carries only a random 256-bit id, so a session can
 * be revoked at once (logout, expiry) and nothing about the user travels in the cookie. Sessions end
 * after an idle period and after an absolute lifetime (OWASP Session Management: both timeouts).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly now: () => number,
    readonly idleMs: number,
    readonly maxMs: number,
  ) {}

  /** Opens a session for a user who has just proved their password. */
  open(userId: string, agency: string): Session {
    this.sweep();
    const t = this.now();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      userId,
      agency,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: t,
      lastSeenAt: t,
      purpose: undefined,
      caseId: undefined,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for a cookie value; an expired one is removed and reported as such. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeenAt > this.idleMs || t - s.createdAt > this.maxMs) {
      this.sessions.delete(id);
      throw new TesseraError('UNAUTHENTICATED', 'your session has expired: sign in again', { context: { expired: true } });
    }
    s.lastSeenAt = t;
    return s;
  }

  /** When the session ends if left idle (ms since epoch). */
  expiresAt(s: Session): number {
    return Math.min(s.lastSeenAt + this.idleMs, s.createdAt + this.maxMs);
  }

  close(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of a user (deactivation, password change). */
  closeUser(userId: string): void {
    for (const [id, s] of this.sessions) if (s.userId === userId) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) if (t - s.lastSeenAt > this.idleMs || t - s.createdAt > this.maxMs) this.sessions.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfTokenMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
