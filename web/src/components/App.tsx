import { useAppState } from '../state/store';
import { viewFor } from '../views/registry';
import { viewOpens } from '../views/work-context';
import { CaseWorkNeeded } from './CaseWorkNeeded';
import { ContextBar } from './ContextBar';
import { ContextChooser } from './ContextChooser';
import { LoginView } from './LoginView';

/** The shell: sign-in, then the context bar, the current view, and the context chooser when needed. */
export function App() {
  const session = useAppState((s) => s.session);
  const choosing = useAppState((s) => s.choosingContext);
  const view = useAppState((s) => s.route.view);
  if (session === undefined) return <p className="muted loading">Loading…</p>;
  if (session === null) return <LoginView />;
  const spec = viewFor(view);
  const View = spec.component;
  // Case views need a case; in an oversight session (purpose, no case) only oversight views open.
  return (
    <div className="app">
      <ContextBar />
      <main>{viewOpens(spec, session) ? <View /> : session.purpose && session.oversight ? <CaseWorkNeeded label={spec.label} /> : null}</main>
      {choosing && <ContextChooser />}
    </div>
  );
}
