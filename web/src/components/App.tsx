import { useAppState } from '../state/store';
import { viewFor } from '../views/registry';
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
  const View = viewFor(view).component;
  return (
    <div className="app">
      <ContextBar />
      <main>{session.purpose && session.caseId ? <View /> : null}</main>
      {choosing && <ContextChooser />}
    </div>
  );
}
