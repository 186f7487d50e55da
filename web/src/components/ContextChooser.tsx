import { useState, type FormEvent } from 'react';
import { chooseContext, openContextChooser } from '../state/actions';
import { useAppState } from '../state/store';
import { mayOversee } from '../views/work-context';

/** The chooser's value for an oversight context (purpose, no case); never a case id (ids have no spaces). */
const OVERSIGHT = 'oversight (no case)';
/** Roles that work in cases; a user with none of them (a DPO, an auditor) starts on oversight. */
const CASE_WORK = ['analyst', 'supervisor', 'admin'];

/**
 * Chooses the purpose and case once per work session; every query then runs in them. The DPO and
 * auditors may choose "Oversight (no case)" instead: the audit log and DPO report open in it, case
 * views do not.
 */
export function ContextChooser() {
  const cases = useAppState((s) => s.cases);
  const session = useAppState((s) => s.session);
  const error = useAppState((s) => s.contextError);
  const busy = useAppState((s) => s.busy);
  const roles = session?.user.roles ?? [];
  const oversees = mayOversee(roles);
  const [chosen, setChosen] = useState(session?.oversight ? OVERSIGHT : (session?.caseId ?? ''));
  // Cases may arrive after the dialog opens: default until the user picks one.
  const fallback = oversees && (cases.length === 0 || !roles.some((r) => CASE_WORK.includes(r))) ? OVERSIGHT : (cases[0]?.id ?? '');
  const choice = chosen || fallback;
  const [purpose, setPurpose] = useState(session?.purpose ?? '');
  const selected = cases.find((c) => c.id === choice);
  const canCancel = Boolean(session?.purpose && (session.caseId || session.oversight));
  const nothingToChoose = cases.length === 0 && !oversees;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void chooseContext(purpose.trim(), choice === OVERSIGHT ? null : choice);
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="context-title">
      <form className="card context-card" onSubmit={submit}>
        <h2 id="context-title">Purpose and case for this work session</h2>
        <p className="muted">Every search and read is refused without them, and each is logged with them (LED Art. 25).</p>
        {nothingToChoose ? (
          <p className="error">You are not a member of any open case: ask your supervisor to add you to one.</p>
        ) : (
          <label>
            Case
            <select name="caseId" value={choice} onChange={(e) => setChosen(e.target.value)}>
              {cases.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.id})
                </option>
              ))}
              {oversees && <option value={OVERSIGHT}>Oversight (no case)</option>}
            </select>
          </label>
        )}
        {selected && (
          <p className="muted small">
            Legal basis: {selected.legalBasis} — allows {selected.methods.join(', ')}
          </p>
        )}
        {choice === OVERSIGHT && (
          <p className="muted small" data-testid="oversight-note">
            Oversight work: the audit log and the DPO report open without a case; searching, profiles and every other case view need a case. The purpose is recorded
            with each look at the log.
          </p>
        )}
        <label>
          Purpose
          <textarea
            name="purpose"
            rows={3}
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            placeholder={choice === OVERSIGHT ? 'e.g. Quarterly lawfulness review of disclosures to partners' : 'e.g. Establish the contacts of the suspect in Operation Atlas'}
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
          <button type="submit" disabled={busy || nothingToChoose || !choice}>
            Start working
          </button>
        </div>
      </form>
    </div>
  );
}
