import { useState, type FormEvent } from 'react';
import { chooseContext, openContextChooser } from '../state/actions';
import { useAppState } from '../state/store';

/** Chooses the purpose and case once per work session; every query then runs in them. */
export function ContextChooser() {
  const cases = useAppState((s) => s.cases);
  const session = useAppState((s) => s.session);
  const error = useAppState((s) => s.contextError);
  const busy = useAppState((s) => s.busy);
  const [chosenCase, setCaseId] = useState(session?.caseId ?? '');
  // Cases may arrive after the dialog opens: default to the first until the user picks one.
  const caseId = chosenCase || cases[0]?.id || '';
  const [purpose, setPurpose] = useState(session?.purpose ?? '');
  const selected = cases.find((c) => c.id === caseId);
  const canCancel = Boolean(session?.purpose && session.caseId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void chooseContext(purpose.trim(), caseId);
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="context-title">
      <form className="card context-card" onSubmit={submit}>
        <h2 id="context-title">Purpose and case for this work session</h2>
        <p className="muted">Every search and read is refused without them, and each is logged with them (LED Art. 25).</p>
        {cases.length === 0 ? (
          <p className="error">You are not a member of any open case: ask your supervisor to add you to one.</p>
        ) : (
          <label>
            Case
            <select name="caseId" value={caseId} onChange={(e) => setCaseId(e.target.value)}>
              {cases.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.id})
                </option>
              ))}
            </select>
          </label>
        )}
        {selected && (
          <p className="muted small">
            Legal basis: {selected.legalBasis} — allows {selected.methods.join(', ')}
          </p>
        )}
        <label>
          Purpose
          <textarea
            name="purpose"
            rows={3}
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            placeholder="e.g. Establish the contacts of the suspect in Operation Atlas"
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          {canCancel && (
            <button type="button" className="secondary" onClick={() => openContextChooser(false)}>
              Cancel
            </button>
          )}
          <button type="submit" disabled={busy || cases.length === 0}>
            Start working
          </button>
        </div>
      </form>
    </div>
  );
}
