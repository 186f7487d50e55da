import { logout, navigate, openContextChooser } from '../state/actions';
import { useAppState } from '../state/store';
import { VIEWS } from '../views/registry';

/** The bar shown at all times: who is working, for which case and purpose, and the navigation. */
export function ContextBar() {
  const session = useAppState((s) => s.session);
  const view = useAppState((s) => s.route.view);
  if (!session) return null;
  return (
    <header className="context-bar">
      <span className="brand">Tessera</span>
      <nav>
        {VIEWS.filter((v) => v.nav && (!v.roles || v.roles.some((r) => session.user.roles.includes(r))) && (!session.oversight || v.oversight)).map((v) => (
          <button key={v.id} className={v.id === view ? 'tab active' : 'tab'} onClick={() => navigate(v.id)}>
            {v.label}
          </button>
        ))}
      </nav>
      <div className="work-context" aria-label="Work context" data-testid="work-context">
        <span className="case" title={session.caseId ?? (session.oversight ? 'Oversight work: no case; only oversight views open' : '')}>
          Case: <strong>{session.caseName ? `${session.caseName} (${session.caseId})` : session.oversight ? 'Oversight (no case)' : 'none chosen'}</strong>
        </span>
        <span className="purpose" title={session.purpose ?? ''}>
          Purpose: <em>{session.purpose ?? 'none chosen'}</em>
        </span>
        <button className="link" onClick={() => openContextChooser(true)}>
          Change
        </button>
      </div>
      <div className="user">
        {session.user.name} · {session.user.agency} · cleared {session.user.clearance}
        <button className="link" onClick={() => void logout()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
