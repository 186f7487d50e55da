import { useAppState } from '../state/store';
import { DossierExportButton } from './DossierExport';

/** The case of the work session: what its legal basis allows, and its dossier for a partner. */
export function CaseView() {
  const session = useAppState((s) => s.session);
  const cases = useAppState((s) => s.cases);
  const c = cases.find((x) => x.id === session?.caseId);
  if (!session || !c) return <section className="view muted">Choose a case for this work session.</section>;
  return (
    <section className="view case-view">
      <div className="entity-header">
        <h2 className="entity-caption">{c.name}</h2>
        <span className="badge schema">Case</span>
        <span className="muted small">{c.id}</span>
        <p className="muted">
          Owner {c.agency} · {c.status} · legal basis: {c.legalBasis}
        </p>
        <p>
          Allowed methods:{' '}
          {c.methods.map((m) => (
            <span key={m} className="chip">
              {m}
            </span>
          ))}
        </p>
        <DossierExportButton target={{ caseId: c.id, label: `${c.name} (${c.id})` }} />
        {!c.methods.includes('export') && <p className="notice small">The legal basis of this case does not allow exports: the server will refuse a dossier.</p>}
      </div>
    </section>
  );
}
