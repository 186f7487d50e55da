import type { FormEvent } from 'react';
import type { AuditChainStatus, AuditEntry } from '../api/oversight';
import { auditNewer, auditOlder, editAuditFilter, openAuditEntry, resetAuditFilter, searchAudit, verifyAuditChain } from '../state/oversight-actions';
import { useAppState } from '../state/store';
import './oversight.css';

/** Common action families offered besides the actions found in the log (a trailing * matches a prefix). */
const ACTION_FAMILIES = ['entity.*', 'search', 'scan.*', 'references.*', 'export.*', 'refused.*', 'auth.*', 'audit.*', 'watch.*', 'resolve.*', 'graph.*'];

/** The audit viewer (DPO, auditor): who read what, why, for which case, when — and whether the chain is intact. */
export function AuditView() {
  const a = useAppState((s) => s.auditView);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void searchAudit();
  };
  const problemSeqs = new Set(a.chain?.problems.map((p) => p.seq) ?? []);
  return (
    <section className="view audit-view">
      <div className="entity-header">
        <h2>Audit log</h2>
        <p className="muted">Every consultation, disclosure and refusal, with who, agency, purpose and case (LED Art. 25). Your searches here are logged too.</p>
        <ChainStatus chain={a.chain} checking={a.checking} />
      </div>
      <form className="audit-filters card" onSubmit={submit} aria-label="Audit filters">
        <label>
          User
          <input list="audit-users" value={a.filter.user} onChange={(e) => editAuditFilter({ user: e.target.value })} placeholder="any user" />
        </label>
        <label>
          Method / action
          <input list="audit-actions" value={a.filter.action} onChange={(e) => editAuditFilter({ action: e.target.value })} placeholder="e.g. entity.* or export.*" />
        </label>
        <label>
          Purpose contains
          <input value={a.filter.purpose} onChange={(e) => editAuditFilter({ purpose: e.target.value })} placeholder="words of the purpose" />
        </label>
        <label>
          Case
          <select value={a.filter.case} onChange={(e) => editAuditFilter({ case: e.target.value })}>
            <option value="">any case</option>
            {a.page?.facets.cases.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={a.filter.outcome} onChange={(e) => editAuditFilter({ outcome: e.target.value })}>
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="refused">refused</option>
            <option value="error">error</option>
          </select>
        </label>
        <label>
          From
          <input type="date" value={a.filter.from} onChange={(e) => editAuditFilter({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={a.filter.to} onChange={(e) => editAuditFilter({ to: e.target.value })} />
        </label>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => resetAuditFilter()}>
            Clear
          </button>
          <button type="submit" disabled={a.loading}>
            {a.loading ? 'Searching…' : 'Filter'}
          </button>
        </div>
        <datalist id="audit-users">
          {a.page?.facets.users.map((u) => <option key={u} value={u} />)}
        </datalist>
        <datalist id="audit-actions">
          {[...ACTION_FAMILIES, ...(a.page?.facets.actions ?? [])].map((x) => (
            <option key={x} value={x} />
          ))}
        </datalist>
      </form>
      {a.error && (
        <p className="error" role="alert">
          {a.error}
        </p>
      )}
      {a.page && (
        <>
          <div className="audit-paging">
            <span data-testid="audit-matched">
              {a.page.matched.toLocaleString('en')} matching entr{a.page.matched === 1 ? 'y' : 'ies'}
              {a.page.entries.length > 0 && ` · showing #${a.page.entries[0]!.seq} – #${a.page.entries[a.page.entries.length - 1]!.seq}`}
            </span>
            <button className="secondary" onClick={() => void auditNewer()} disabled={a.trail.length <= 1 || a.loading}>
              Newer
            </button>
            <button className="secondary" onClick={() => void auditOlder()} disabled={!a.page.nextBeforeSeq || a.loading}>
              Older
            </button>
          </div>
          <table className="audit-table">
            <thead>
              <tr>
                <th>#</th>
                <th>When (UTC)</th>
                <th>User</th>
                <th>Action</th>
                <th>Outcome</th>
                <th>Case</th>
                <th>Purpose</th>
                <th>Entities</th>
                <th>Recipients</th>
              </tr>
            </thead>
            <tbody>
              {a.page.entries.map((e) => (
                <AuditRow key={e.seq} entry={e} open={a.openSeq === e.seq} flagged={problemSeqs.has(e.seq)} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ChainStatus({ chain, checking }: { chain: AuditChainStatus | undefined; checking: boolean }) {
  return (
    <div className="chain-status">
      {chain && (
        <p className={chain.intact ? 'audit-ok' : 'error'} data-testid="chain-status">
          {chain.intact ? `Audit chain intact: ${chain.entries.toLocaleString('en')} entries verified` : `Audit chain BROKEN: ${chain.problems.length} problem(s) in ${chain.entries.toLocaleString('en')} entries`}
          {chain.latestCheckpoint ? `; last signed checkpoint at entry ${chain.latestCheckpoint.seq} (${chain.latestCheckpoint.at.slice(0, 16).replace('T', ' ')}).` : '; no signed checkpoint yet.'}
        </p>
      )}
      {chain && chain.problems.length > 0 && (
        <ul className="chain-problems">
          {chain.problems.map((p) => (
            <li key={`${p.seq}-${p.kind}`}>
              entry {p.seq}: {p.kind} — {p.message}
            </li>
          ))}
        </ul>
      )}
      <button className="secondary" onClick={() => void verifyAuditChain()} disabled={checking}>
        {checking ? 'Verifying…' : 'Verify chain'}
      </button>
    </div>
  );
}

function recipientsOf(e: AuditEntry): string[] {
  const r = e.details.recipients;
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : typeof r === 'string' ? [r] : [];
}

function AuditRow({ entry: e, open, flagged }: { entry: AuditEntry; open: boolean; flagged: boolean }) {
  const cls = [e.outcome === 'refused' ? 'refused' : '', flagged ? 'tampered' : '', open ? 'open' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <tr className={cls} onClick={() => openAuditEntry(e.seq)}>
        <td>{e.seq}</td>
        <td className="nowrap">{e.at.slice(0, 19).replace('T', ' ')}</td>
        <td>
          {e.userId} <span className="muted small">{e.agency}</span>
        </td>
        <td>
          <code>{e.action}</code>
        </td>
        <td>{e.outcome}</td>
        <td>{e.caseId ?? '—'}</td>
        <td className="purpose-cell">{e.purpose}</td>
        <td>{e.entityIds.length}</td>
        <td>{recipientsOf(e).join(', ')}</td>
      </tr>
      {open && (
        <tr className="audit-details">
          <td colSpan={9}>
            {e.entityIds.length > 0 && <p className="small">Entities: {e.entityIds.slice(0, 50).join(', ')}{e.entityIds.length > 50 ? ` … (${e.entityIds.length})` : ''}</p>}
            <pre className="small">{JSON.stringify(e.details, null, 2)}</pre>
            <p className="muted small">
              hash {e.hash.slice(0, 16)}… · previous {e.prevHash.slice(0, 16)}…
            </p>
          </td>
        </tr>
      )}
    </>
  );
}
