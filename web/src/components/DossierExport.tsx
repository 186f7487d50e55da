import type { FormEvent } from 'react';
import type { WithheldReason } from '../api/oversight';
import { closeDossierDialog, editDossier, exportDossier, openDossierDialog } from '../state/oversight-actions';
import type { DossierTarget } from '../state/oversight-model';
import { useAppState } from '../state/store';
import './oversight.css';

const REASONS: readonly WithheldReason[] = ['classification', 'releasability', 'H2', 'H3'];

/**
 * "Export dossier": a subject's or the case's dossier for a recipient agency, redacted by the server
 * (what the recipient may not receive is left out and counted). The dialog and the last result show
 * beside the button that opened them.
 */
export function DossierExportButton({ target }: { target: DossierTarget }) {
  const dossier = useAppState((s) => s.dossier);
  const mine = (t: DossierTarget | undefined) => t !== undefined && t.subject === target.subject && t.caseId === target.caseId;
  const last = dossier.last;
  return (
    <span className="dossier-export">
      <button className="secondary" onClick={() => openDossierDialog(target)}>
        Export dossier
      </button>
      {mine(dossier.target) && <DossierDialog />}
      {last && last.label === target.label && !dossier.target && (
        <p className="dossier-result" data-testid="dossier-result" role="status">
          Exported {last.fileName} for {last.recipient} (disclosure #{last.disclosure}): {last.released} statement{last.released === 1 ? '' : 's'} disclosed, {last.withheld.total} withheld
          {last.withheld.total > 0 && ` (${REASONS.filter((r) => last.withheld[r] > 0).map((r) => `${last.withheld[r]} ${r}`).join(', ')})`}.
        </p>
      )}
    </span>
  );
}

function DossierDialog() {
  const d = useAppState((s) => s.dossier);
  const meta = useAppState((s) => s.meta);
  const ownAgency = useAppState((s) => s.session?.user.agency);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void exportDossier();
  };
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="dossier-title">
      <form className="card context-card" onSubmit={submit}>
        <h2 id="dossier-title">Export dossier: {d.target?.label}</h2>
        <p className="muted small">
          The dossier is redacted for the recipient: statements it may not receive (classification above its clearance, not releasable to it, a partner’s H2, H3 conditions) are left
          out and only counted. The export is logged as a disclosure to the recipient.
        </p>
        <label>
          Recipient agency
          <select value={d.recipient} onChange={(e) => editDossier({ recipient: e.target.value })}>
            {(meta?.agencies ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.id}){a.id === ownAgency ? ' — own agency' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Recipient cleared up to
          <select value={d.clearance} onChange={(e) => editDossier({ clearance: e.target.value })}>
            {(meta?.classifications ?? []).map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="format-choice">
          <legend>Format</legend>
          <label>
            <input type="radio" name="format" value="pdf" checked={d.format === 'pdf'} onChange={() => editDossier({ format: 'pdf' })} /> PDF
          </label>
          <label>
            <input type="radio" name="format" value="html" checked={d.format === 'html'} onChange={() => editDossier({ format: 'html' })} /> HTML
          </label>
        </fieldset>
        <label>
          File name (optional)
          <input value={d.name} maxLength={200} onChange={(e) => editDossier({ name: e.target.value })} placeholder="letters, digits, - and _" />
        </label>
        {d.error && (
          <p className="error" role="alert">
            {d.error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={() => closeDossierDialog()}>
            Cancel
          </button>
          <button type="submit" disabled={d.busy || !d.recipient}>
            {d.busy ? 'Exporting…' : 'Export'}
          </button>
        </div>
      </form>
    </div>
  );
}
