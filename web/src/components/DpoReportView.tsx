import type { FormEvent, ReactNode } from 'react';
import type { DpoReport } from '../api/oversight';
import { editDpoWindow, loadDpoReport } from '../state/oversight-actions';
import { useAppState } from '../state/store';
import './oversight.css';

/** The DPO report (LED Art. 34): lawfulness of use over a time window, from the audit log and the retention state. */
export function DpoReportView() {
  const d = useAppState((s) => s.dpo);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void loadDpoReport();
  };
  return (
    <section className="view dpo-view">
      <div className="entity-header">
        <h2>DPO report</h2>
        <form className="dpo-window" onSubmit={submit}>
          <label>
            From
            <input type="date" value={d.from} onChange={(e) => editDpoWindow({ from: e.target.value })} />
          </label>
          <label>
            To
            <input type="date" value={d.to} onChange={(e) => editDpoWindow({ to: e.target.value })} />
          </label>
          <button type="submit" disabled={d.loading}>
            {d.loading ? 'Building…' : 'Build report'}
          </button>
          <span className="muted small">Default: the last 30 days. Building the report is logged.</span>
        </form>
      </div>
      {d.error && (
        <p className="error" role="alert">
          {d.error}
        </p>
      )}
      {d.report && <Report r={d.report} />}
    </section>
  );
}

function Section({ title, count, children }: { title: string; count?: number; children: ReactNode }) {
  return (
    <section className="dpo-section card">
      <h3>
        {title}
        {count !== undefined && <span className="badge">{count}</span>}
      </h3>
      {children}
    </section>
  );
}

function Empty({ rows, children }: { rows: number; children: ReactNode }) {
  return rows === 0 ? <p className="muted">None in this window.</p> : <>{children}</>;
}

function Report({ r }: { r: DpoReport }) {
  const chainOk = r.auditChain.problems.length === 0;
  const overdue = r.expiredReviews.filter((x) => x.overdue).length;
  return (
    <div className="dpo-report" data-testid="dpo-report">
      <p className="muted">
        {r.window.from.slice(0, 10)} – {r.window.to.slice(0, 10)} · generated {r.generatedAt.slice(0, 16).replace('T', ' ')} UTC
      </p>
      <p className={chainOk ? 'audit-ok' : 'error'} data-testid="dpo-chain">
        Audit chain {chainOk ? 'intact' : 'BROKEN'}: {r.auditChain.entries.toLocaleString('en')} entries
        {r.auditChain.latestCheckpoint ? `, last signed checkpoint at entry ${String(r.auditChain.latestCheckpoint.seq)}` : ', no signed checkpoint yet'}.
      </p>
      <Section title="Disclosures per partner" count={r.disclosures.length}>
        <Empty rows={r.disclosures.length}>
          <table data-testid="dpo-disclosures">
            <thead>
              <tr>
                <th>Recipient</th>
                <th>Country</th>
                <th>Disclosures</th>
                <th>Subjects</th>
                <th>Last</th>
              </tr>
            </thead>
            <tbody>
              {r.disclosures.map((x) => (
                <tr key={x.recipient}>
                  <td>
                    {x.recipient}
                    {x.crossBorder && <span className="badge">cross-border</span>}
                  </td>
                  <td>{x.country}</td>
                  <td>{x.disclosures}</td>
                  <td>{x.subjects}</td>
                  <td>{x.last.slice(0, 16).replace('T', ' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Empty>
      </Section>
      <Section title="Unusual access (robust z > 3.5 against peers)" count={r.unusualAccess.length}>
        <Empty rows={r.unusualAccess.length}>
          <ul>
            {r.unusualAccess.map((u) => (
              <li key={u.userId}>
                <strong>{u.userId}</strong> ({u.agency}): {u.subjects} subjects against a peer median of {u.peerMedian} — z = {u.robustZ} over {u.peers} users
              </li>
            ))}
          </ul>
        </Empty>
      </Section>
      <Section title="Refusals" count={r.refusals.reduce((n, x) => n + x.count, 0)}>
        <Empty rows={r.refusals.length}>
          <table>
            <thead>
              <tr>
                <th>User</th>
                <th>Kind</th>
                <th>Action</th>
                <th>Count</th>
                <th>Latest reason</th>
              </tr>
            </thead>
            <tbody>
              {r.refusals.map((x) => (
                <tr key={`${x.userId}-${x.kind}-${x.action}`}>
                  <td>{x.userId}</td>
                  <td>{x.kind}</td>
                  <td>
                    <code>{x.action}</code>
                  </td>
                  <td>{x.count}</td>
                  <td className="purpose-cell">{x.lastReason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Empty>
      </Section>
      <Section title="Access outside cases" count={r.outsideCases.length}>
        <Empty rows={r.outsideCases.length}>
          <ul>
            {r.outsideCases.slice(0, 50).map((o) => (
              <li key={o.seq}>
                #{o.seq} {o.at.slice(0, 16).replace('T', ' ')} {o.userId} · case {o.caseId ?? '—'}: {o.reason}
              </li>
            ))}
          </ul>
        </Empty>
      </Section>
      <Section title="Bulk export attempts refused" count={r.bulkExportAttempts.length}>
        <Empty rows={r.bulkExportAttempts.length}>
          <ul>
            {r.bulkExportAttempts.slice(0, 50).map((b) => (
              <li key={b.seq}>
                #{b.seq} {b.userId} <code>{b.action}</code>: {b.reason}
              </li>
            ))}
          </ul>
        </Empty>
      </Section>
      <Section title="Queries per user and purpose" count={r.queries.length}>
        <Empty rows={r.queries.length}>
          <table>
            <thead>
              <tr>
                <th>User</th>
                <th>Case</th>
                <th>Purpose</th>
                <th>Queries</th>
                <th>Subjects</th>
              </tr>
            </thead>
            <tbody>
              {r.queries.slice(0, 100).map((q) => (
                <tr key={`${q.userId}-${q.caseId ?? ''}-${q.purpose}`}>
                  <td>
                    {q.userId} <span className="muted small">{q.agency}</span>
                  </td>
                  <td>{q.caseId ?? '—'}</td>
                  <td className="purpose-cell">{q.purpose}</td>
                  <td>{q.queries}</td>
                  <td>{q.subjects}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Empty>
      </Section>
      <Section title="Reviews and retention">
        <p>
          {r.expiredReviews.length} undecided reviews, {overdue} overdue (data past retention). {r.pastRetention.depersonalisePending} statements awaiting depersonalisation,{' '}
          {r.pastRetention.deletePending} awaiting deletion; {r.pastRetention.held.length} entities held by active alerts.
        </p>
        {r.pastRetention.skipped.map((s, i) => (
          <p key={i} className="notice small">
            skipped: {String(s.ruleId)} ({String(s.statements)} statements) — {String(s.reason)}
          </p>
        ))}
      </Section>
      <p className="muted small">
        Limits per user and day{r.limitsConfigured ? '' : ' (defaults)'}: {r.limits.subjectsPerDay.toLocaleString('en')} subjects read, {r.limits.exportsPerDay} exports, {r.limits.exportSubjectsPerDay.toLocaleString('en')} exported subjects.
      </p>
    </div>
  );
}
