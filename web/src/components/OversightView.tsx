import { loadOversight } from '../state/actions';
import { useAppState } from '../state/store';

/** Store counts and the audit-chain check (the DPO report and audit viewer will join this view). */
export function OversightView() {
  const { stats, audit, loading, error } = useAppState((s) => s.oversight);
  return (
    <section className="view oversight-view">
      <div className="entity-header">
        <h2>Oversight</h2>
        <button onClick={() => void loadOversight()} disabled={loading}>
          {loading ? 'Checking…' : 'Verify again'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {audit && (
        <p className={audit.intact ? 'audit-ok' : 'error'} data-testid="audit-status">
          {audit.intact ? `Audit chain intact: ${audit.entries} entries verified.` : `Audit chain BROKEN: ${audit.problems.length} problem(s) in ${audit.entries} entries.`}
        </p>
      )}
      {audit && audit.problems.length > 0 && (
        <ul>
          {audit.problems.map((p) => (
            <li key={`${p.seq}-${p.kind}`}>
              entry {p.seq}: {p.kind} — {p.message}
            </li>
          ))}
        </ul>
      )}
      {stats && (
        <div className="stats">
          <p>
            {stats.statements.toLocaleString('en')} statements about {stats.entities.toLocaleString('en')} entities
          </p>
          <div className="stat-tables">
            <CountTable title="Entities by type" counts={stats.bySchema} />
            <CountTable title="Statements by agency" counts={stats.byAgency} />
          </div>
        </div>
      )}
    </section>
  );
}

function CountTable({ title, counts }: { title: string; counts: Record<string, number> }) {
  return (
    <table>
      <caption>{title}</caption>
      <tbody>
        {Object.entries(counts).map(([k, n]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{n.toLocaleString('en')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
