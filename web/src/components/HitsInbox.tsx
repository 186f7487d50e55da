import type { HitDecision, HitReport, WatchAlert } from '../api/types';
import { navigate } from '../state/actions';
import { showMap } from '../state/map-actions';
import { decideHit } from '../state/watch-actions';
import { useAppState, type HitFilter } from '../state/store';
import { AssessmentForm } from './AssessmentForm';
import { gradingCode, gradingTitle } from './format';

const FILTER_LABEL: Record<HitFilter, string> = {
  open: 'Open',
  escalated: 'Escalated to supervisors',
  confirmed: 'Confirmed',
  'false-positive': 'Dismissed',
  'needs-info': 'Needs information',
  all: 'All',
};
const STATUS_LABEL: Record<HitReport['status'], string> = {
  open: 'open',
  confirmed: 'confirmed',
  'false-positive': 'dismissed (false positive)',
  'needs-info': 'needs more information',
  escalated: 'escalated to supervisors',
};
/** Roles that decide escalated hits (the server enforces it). */
const SUPERVISES = ['supervisor', 'admin'];

function useSupervises(): boolean {
  const roles = useAppState((s) => s.session?.user.roles);
  return Boolean(roles?.some((r) => SUPERVISES.includes(r)));
}

/** The escalation a hit waits on: who escalated it, when and why (the latest `escalated` decision). */
function escalationOf(hit: HitReport): HitReport['decisions'][number] | undefined {
  return hit.status === 'escalated' ? hit.decisions.findLast((d) => d.decision === 'escalated') : undefined;
}

function hitHash(id: string | undefined, filter: HitFilter): string {
  return `#/hits${id ? `/${encodeURIComponent(id)}` : ''}${filter === 'open' ? '' : `?status=${filter}`}`;
}

/** The issuing agency's inbox: automated hits and post-delisting notices, each decided by a person. */
export function HitsInbox() {
  const h = useAppState((s) => s.hits);
  const supervises = useSupervises();
  // The supervisors' queue is a filter of supervisors; others see escalated hits under "All".
  const filters = (Object.keys(FILTER_LABEL) as HitFilter[]).filter((f) => f !== 'escalated' || supervises || h.filter === 'escalated');
  return (
    <section className="view hits-view">
      <div className="entity-header hits-header">
        <h2>Hits inbox</h2>
        <label className="inline">
          Show
          <select aria-label="Show hits" value={h.filter} onChange={(e) => (window.location.hash = hitHash(h.openId, e.target.value as HitFilter))}>
            {filters.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABEL[f]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {h.error && (
        <p className="error" role="alert">
          {h.error}
        </p>
      )}
      <div className="inbox-layout">
        <div className="hit-list">
          {h.loading && <p className="muted">Loading…</p>}
          {h.hits && h.hits.length === 0 && <p className="muted">No {FILTER_LABEL[h.filter].toLowerCase()} hits.</p>}
          <ul className="result-list" data-testid="hit-list">
            {h.hits?.map((hit) => (
              <li key={hit.id}>
                <button className={hit.id === h.openId ? 'result hit selected' : 'result hit'} onClick={() => (window.location.hash = hitHash(hit.id, h.filter))}>
                  <span className={`badge priority-${hit.priority}`}>{hit.priority}</span>
                  {hit.kind === 'notice' && <span className="badge">notice</span>}
                  <span className="caption">{hit.encountered.what}</span>
                  <span className="muted small">
                    score {hit.score.toFixed(2)} · {hit.threatLevel} · {hit.createdAt.slice(0, 10)} · {STATUS_LABEL[hit.status]}
                  </span>
                  {escalationOf(hit) && (
                    <span className="small escalation-reason">
                      escalated by {escalationOf(hit)!.by}: {escalationOf(hit)!.note}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="hit-detail">
          {h.openId && !h.hit && !h.decideError && <p className="muted">Loading the report…</p>}
          {h.hit ? <HitReportView hit={h.hit} alert={h.alert} /> : h.decideError && <p className="error">{h.decideError}</p>}
          {!h.openId && h.hits && h.hits.length > 0 && <p className="muted">Choose a hit to read its report and decide it.</p>}
        </div>
      </div>
    </section>
  );
}

/** A hit report: what was encountered, why it matched (fields, scores, how), the alert, and the decision. */
function HitReportView({ hit, alert }: { hit: HitReport; alert: WatchAlert | undefined }) {
  const { deciding, decideError } = useAppState((s) => s.hits);
  const supervises = useSupervises();
  const decide = (d: HitDecision) => (note: string) => decideHit(hit.id, d, note);
  const escalation = escalationOf(hit);
  return (
    <article className="card hit-report" data-testid="hit-report">
      <header>
        <h3>
          {hit.kind === 'notice' ? 'Post-delisting notice' : 'Hit'} on alert {hit.alertId}
        </h3>
        <p className="small">
          <span className={`badge priority-${hit.priority}`}>{hit.priority} priority</span> threat level <strong>{hit.threatLevel}</strong> · recommended action{' '}
          <strong>{hit.recommendedAction}</strong> · status <strong data-testid="hit-status">{STATUS_LABEL[hit.status]}</strong>
        </p>
      </header>
      <section>
        <h4>Encountered</h4>
        <dl className="details">
          <div>
            <dt>What</dt>
            <dd>{hit.encountered.what}</dd>
          </div>
          {hit.encountered.where && (
            <div>
              <dt>Where</dt>
              <dd>{hit.encountered.where}</dd>
            </div>
          )}
          {hit.encountered.when && (
            <div>
              <dt>When</dt>
              <dd>{hit.encountered.when}</dd>
            </div>
          )}
          <div>
            <dt>Source</dt>
            <dd>{hit.encountered.by}</dd>
          </div>
          <div>
            <dt>Record</dt>
            <dd>
              <button className="link" onClick={() => navigate('entity', hit.encountered.ref)}>
                {hit.encountered.ref}
              </button>{' '}
              ({hit.encountered.schema})
              <button className="link small" onClick={() => showMap({ entityId: hit.encountered.ref, network: false, from: '', to: '' })}>
                map
              </button>
            </dd>
          </div>
        </dl>
      </section>
      <section>
        <h4>Why it matched · score {hit.score.toFixed(2)}</h4>
        <table className="matched" data-testid="matched-fields">
          <thead>
            <tr>
              <th>Feature</th>
              <th>In the record</th>
              <th>On the alert</th>
              <th>Score</th>
              <th>How compared</th>
            </tr>
          </thead>
          <tbody>
            {hit.matched.map((m, i) => (
              <tr key={`${m.field}-${i}`}>
                <th scope="row">{m.field}</th>
                <td>{m.recordValue}</td>
                <td>{m.alertValue}</td>
                <td>
                  <meter min={0} max={1} value={m.score} /> {m.score.toFixed(2)}
                </td>
                <td className="small">{m.how}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {hit.explanation.length > 0 && (
          <ul className="explanation small">
            {hit.explanation.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        )}
      </section>
      {alert && (
        <section>
          <h4>The alert</h4>
          <p className="small">
            <strong>{alert.subject.names.join(' · ') || alert.id}</strong>
            {alert.subject.birthDates.length > 0 && ` · born ${alert.subject.birthDates.join(', ')}`} · issued by {alert.agency} ({alert.createdBy}, {alert.createdAt.slice(0, 10)}) · graded{' '}
            <span className="chip grading" title={gradingTitle(alert.grading)}>
              {gradingCode(alert.grading)}
            </span>{' '}
            · review by {alert.reviewBy} · {alert.status}
          </p>
          <p className="small">{alert.reasons}</p>
        </section>
      )}
      {hit.decisions.length > 0 && (
        <section>
          <h4>Decisions</h4>
          <ol className="decisions small" data-testid="hit-decisions">
            {hit.decisions.map((d, i) => (
              <li key={i}>
                {d.at.slice(0, 16).replace('T', ' ')} · {d.by}: <strong>{STATUS_LABEL[d.decision]}</strong> — {d.note}
              </li>
            ))}
          </ol>
        </section>
      )}
      {escalation && (
        <p className="escalation card" data-testid="hit-escalation">
          Escalated to the supervisors of {hit.agency} by <strong>{escalation.by}</strong> on {escalation.at.slice(0, 16).replace('T', ' ')}: {escalation.note}
        </p>
      )}
      <section>
        <h4>{escalation ? 'Supervisor’s decision' : hit.status === 'open' ? 'Decide' : 'Change the decision'}</h4>
        {decideError && (
          <p className="error" role="alert">
            {decideError}
          </p>
        )}
        {escalation && !supervises ? (
          <p className="muted" data-testid="awaiting-supervisor">
            Waiting for a supervisor: only a supervisor decides an escalated hit.
          </p>
        ) : (
          <>
            <AssessmentForm
              label="Reason (kept with the decision)"
              minLength={5}
              busy={deciding}
              actions={[
                { label: 'Confirm', run: decide('confirmed') },
                { label: 'Dismiss', className: 'secondary', run: decide('false-positive') },
                { label: 'Needs information', className: 'secondary', run: decide('needs-info') },
                ...(escalation ? [] : [{ label: 'Escalate to a supervisor', className: 'secondary', run: decide('escalated') }]),
              ]}
            />
            <p className="muted small">
              Confirm: it is the subject. Dismiss: a false positive; the same record is not raised again against this alert until its data change. Needs information: more is needed before a decision.
              {!escalation && ' Escalate: a supervisor decides (the reason, at least 10 characters, goes with it to their queue).'}
            </p>
          </>
        )}
      </section>
    </article>
  );
}
