import { TesseraError } from '../model/index.js';

/**
 * Fixed-window counter of failed logins, keyed by user name and by client address separately, so
 * neither guessing one account's password nor spraying many accounts from one client goes far
 * (OWASP Authentication cheat sheet: throttle per account and per source).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly now: () => number,
    private readonly limits: { readonly perUser: number; readonly perClient: number; readonly windowMs: number },
  ) {}

  /** Throws RATE_LIMITED when either key has used its attempts in the current window. */
  check(userId: string, client: string): void {
    for (const [key, limit] of [
      [`u:${userId.toLowerCase()}`, this.limits.perUser],
      [`c:${client}`, this.limits.perClient],
    ] as const) {
      const f = this.current(key);
      if (f && f.count >= limit) {
        const retryAfter = Math.ceil((f.windowStart + this.limits.windowMs - this.now()) / 1000);
        throw new TesseraError('RATE_LIMITED', `too many failed sign-in attempts: try again in ${retryAfter} s`, { context: { retryAfter } });
      }
    }
  }

  /** Counts a failed attempt against both keys. */
  fail(userId: string, client: string): void {
    for (const key of [`u:${userId.toLowerCase()}`, `c:${client}`]) {
      const f = this.current(key);
      if (f) f.count++;
      else this.failures.set(key, { count: 1, windowStart: this.now() });
    }
    if (this.failures.size > 100_000) this.failures.clear(); // bound memory under a spraying attack
  }

  /** A successful login clears the account's counter (not the client's). */
  succeed(userId: string): void {
    this.failures.delete(`u:${userId.toLowerCase()}`);
  }

  private current(key: string): { count: number; windowStart: number } | undefined {
    const f = this.failures.get(key);
    if (f && this.now() - f.windowStart >= this.limits.windowMs) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }
}
