import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './ratelimit.js';
import { candidateQueries, fuzzyScore } from './services/search.js';
import { csrfTokenMatches, SessionStore } from './session.js';

describe('SessionStore', () => {
  it('opens sessions with unguessable distinct ids and CSRF tokens', () => {
    const store = new SessionStore(() => 0, 1000, 5000);
    const a = store.open('u1', 'FR-CT');
    const b = store.open('u1', 'FR-CT');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(a.csrfToken).not.toBe(a.id);
    expect(store.touch(a.id)).toBe(a);
    expect(store.touch('made-up')).toBeUndefined();
  });

  it('ends a session after the idle period and after the absolute lifetime, whichever comes first', () => {
    let t = 0;
    const store = new SessionStore(() => t, 1000, 2500);
    const s = store.open('u1', 'FR-CT');
    for (t = 900; t <= 2400; t += 500) expect(store.touch(s.id)).toBe(s); // kept alive by activity…
    t = 2600;
    expect(() => store.touch(s.id)).toThrow(/expired/); // …but not beyond the absolute lifetime
    expect(store.touch(s.id)).toBeUndefined();
    const idle = store.open('u2', 'FR-CT');
    t += 1001;
    expect(() => store.touch(idle.id)).toThrow(/expired/);
  });

  it('closes all sessions of a user', () => {
    const store = new SessionStore(() => 0, 1000, 5000);
    store.open('u1', 'FR-CT');
    store.open('u1', 'FR-CT');
    const other = store.open('u2', 'FR-CT');
    store.closeUser('u1');
    expect(store.size).toBe(1);
    expect(store.touch(other.id)).toBe(other);
  });

  it('compares CSRF tokens exactly', () => {
    const s = new SessionStore(() => 0, 1000, 5000).open('u', 'FR-CT');
    expect(csrfTokenMatches(s, s.csrfToken)).toBe(true);
    expect(csrfTokenMatches(s, `${s.csrfToken}x`)).toBe(false);
    expect(csrfTokenMatches(s, s.csrfToken.slice(1))).toBe(false);
    expect(csrfTokenMatches(s, undefined)).toBe(false);
  });
});

describe('LoginThrottle', () => {
  it('blocks an account after its failures, per window, and reports when to retry', () => {
    let t = 0;
    const th = new LoginThrottle(() => t, { perUser: 2, perClient: 100, windowMs: 60_000 });
    th.fail('Fr.Analyst', 'c1');
    th.check('fr.analyst', 'c2');
    th.fail('fr.analyst', 'c2');
    expect(() => th.check('fr.analyst', 'c3')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED', context: { retryAfter: 60 } }));
    t = 60_000;
    expect(() => th.check('fr.analyst', 'c3')).not.toThrow();
  });

  it('blocks a client spraying many accounts', () => {
    const th = new LoginThrottle(() => 0, { perUser: 100, perClient: 3, windowMs: 60_000 });
    for (const u of ['a', 'b', 'c']) th.fail(u, '10.0.0.9');
    expect(() => th.check('d', '10.0.0.9')).toThrow(/too many/);
    expect(() => th.check('d', '10.0.0.10')).not.toThrow();
  });

  it('clears an account’s failures on success', () => {
    const th = new LoginThrottle(() => 0, { perUser: 1, perClient: 100, windowMs: 60_000 });
    th.fail('a', 'c');
    th.succeed('a');
    expect(() => th.check('a', 'c')).not.toThrow();
  });
});

describe('fuzzyScore', () => {
  it('scores typos and reordered tokens high and different names low', () => {
    expect(fuzzyScore('Benalli', 'Karim Benali')).toBeGreaterThan(0.9);
    expect(fuzzyScore('benali karim', 'Karim Benali')).toBe(1);
    expect(fuzzyScore('Kareem Benali', 'Karim Benali')).toBeGreaterThan(0.86);
    expect(fuzzyScore('Quentin Marchal', 'Karim Benali')).toBeLessThan(0.7);
    expect(fuzzyScore('', 'Karim')).toBe(0);
  });

  it('transliterates before comparing', () => {
    expect(fuzzyScore('Karim', 'Карим')).toBe(1);
  });
});

describe('candidateQueries', () => {
  it('cuts tokens to two letters, and each token to its first letter in turn', () => {
    expect(candidateQueries(['karim', 'bnali'])).toEqual(['ka bn', 'k bnali', 'karim b']);
    expect(candidateQueries(['benali'])).toEqual(['be']);
  });
});
