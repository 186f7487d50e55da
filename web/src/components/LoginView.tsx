import { useState, type FormEvent } from 'react';
import { login } from '../state/actions';
import { useAppState } from '../state/store';

/** Sign-in form. */
export function LoginView() {
  const busy = useAppState((s) => s.busy);
  const error = useAppState((s) => s.loginError);
  const notice = useAppState((s) => s.notice);
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login(userId.trim(), password);
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-label="Sign in">
        <h1>Tessera</h1>
        <p className="muted">Federated intelligence sharing and link analysis</p>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label>
          User
          <input name="userId" autoComplete="username" value={userId} onChange={(e) => setUserId(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">Every query you make is recorded with its purpose and case.</p>
      </form>
    </main>
  );
}
