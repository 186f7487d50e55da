import { useState } from 'react';
import type { DueAlert, WatchAlert } from '../api/types';
import { navigate } from '../state/actions';
import { askRemoval, decideRemoval, extendAlert } from '../state/watch-actions';
import { useAppState, type WatchTab } from '../state/store';
import { AssessmentForm } from './AssessmentForm';
import { gradingCode, gradingTitle } from './format';

/** Documented re-assessments must say why (the watch service's minimum, docs/watch.md). */
const MIN_ASSESSMENT = 20;
const TAB_LABEL: Record<WatchTab, string> = { alerts: 'Alerts', due: 'Due for review', approvals: 'Removals awaiting approval' };

/** The agency's watchlist: alerts, the due-for-review queue and four-eyes approvals of removals. */
export function WatchlistView() {
  const w = useAppState((s) => s.watch);
  return (
    <section className="view watch-view">
      <div className="entity-header">
        <h2>Watchlist</h2>
        <nav className="tabs" aria-label="Watchlist sections">
          {(Object.keys(TAB_LABEL) as WatchTab[]).map((t) => (
            <button key={t} className={t === w.tab ? 'tab-button active' : 'tab-button'} aria-pressed={t === w.tab} onClick={() => (window.location.hash = `#/watchlist?tab=${t}`)}>
              {TAB_LABEL[t]}
            </button>
          ))}
        </nav>
      </div>
      {w.error && (
        <p className="error" role="alert">
          {w.error}
        </p>
      )}
      {w.done && (
        <p className="audit-ok" role="status" data-testid="watch-done">
          {w.done}
        </p>
      )}
      {w.loading && <p className="muted">Loading…</p>}
      {w.tab === 'alerts' && w.alerts && <AlertTable alerts={w.alerts} />}
      {w.tab === 'due' && w.due && <DueQueue due={w.due} />}
      {w.tab === 'approvals' && w.pending && <Approvals pending={w.pending} />}
    </section>
  );
}

function SubjectCell({ a }: { a: WatchAlert }) {
  return (
    <>
      <strong>{a.subject.names[0] ?? a.subject.selectors[0]?.value ?? a.id}</strong>
      {a.subject.names.length > 1 && <span className="muted small"> aka {a.subject.names.slice(1, 4).join(', ')}</span>}
      <div className="small">
        {a.subject.entityIds.slice(0, 3).map((id) => (
          <button key={id} className="link small" onClick={() => navigate('entity', id)}>
            {id}
          </button>
        ))}
      </div>
    </>
  );
}

function AlertTable({ alerts }: { alerts: WatchAlert[] }) {
  const busyId = useAppState((s) => s.watch.busyId);
  const [removing, setRemoving] = useState<string | undefined>(undefined);
  if (alerts.length === 0) return <p className="muted">Your agency has issued no alerts.</p>;
  return (
    <table className="alerts" data-testid="alert-table">
      <thead>
        <tr>
          <th>Subject</th>
          <th>Threat</th>
          <th>Action on encounter</th>
          <th>Status</th>
          <th>Review by</th>
          <th>Grading</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} className={`status-${a.status}`}>
            <td>
              <SubjectCell a={a} />
              <div className="muted small">{a.reasons}</div>
              {removing === a.id && (
                <AssessmentForm
                  label="Re-assessment justifying the removal"
                  minLength={MIN_ASSESSMENT}
                  busy={busyId === a.id}
                  onCancel={() => setRemoving(undefined)}
                  actions={[
                    {
                      label: 'Ask for removal',
                      run: async (t) => {
                        const ok = await askRemoval(a.id, t);
                        if (ok) setRemoving(undefined);
                        return ok;
                      },
                    },
                  ]}
                />
              )}
            </td>
            <td>{a.threatLevel}</td>
            <td>{a.action}</td>
            <td>
              <span className={`badge status-${a.status}`}>{a.status}</span>
              {a.quietUntil && <div className="muted small">quiet watch until {a.quietUntil.slice(0, 10)}</div>}
            </td>
            <td>{a.reviewBy}</td>
            <td title={gradingTitle(a.grading)}>{gradingCode(a.grading)}</td>
            <td>
              {a.status === 'active' && removing !== a.id && (
                <button className="secondary" onClick={() => setRemoving(a.id)}>
                  Remove…
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DueQueue({ due }: { due: DueAlert[] }) {
  const busyId = useAppState((s) => s.watch.busyId);
  if (due.length === 0) return <p className="muted">No alert is due for review.</p>;
  return (
    <ol className="due-queue" data-testid="due-queue">
      {due.map(({ alert: a, daysLeft, overdue }) => (
        <li key={a.id} className="card due-item">
          <div className="due-head">
            <SubjectCell a={a} />
            <span className={overdue ? 'badge conflict' : 'badge fuzzy'}>{overdue ? `lapsed ${-daysLeft} days ago` : `${daysLeft} days left`}</span>
            <span className="muted small">
              {a.threatLevel} · {a.action} · review by {a.reviewBy}
            </span>
          </div>
          <p className="small">{a.reasons}</p>
          <AssessmentForm
            label="Documented re-assessment"
            minLength={MIN_ASSESSMENT}
            busy={busyId === a.id}
            actions={[
              { label: 'Extend', run: (t) => extendAlert(a.id, t) },
              { label: 'Ask for removal', className: 'secondary', run: (t) => askRemoval(a.id, t) },
            ]}
          />
        </li>
      ))}
    </ol>
  );
}

function Approvals({ pending }: { pending: WatchAlert[] }) {
  const busyId = useAppState((s) => s.watch.busyId);
  const user = useAppState((s) => s.session?.user);
  if (pending.length === 0) return <p className="muted">No removal is waiting for a decision.</p>;
  const supervisor = user?.roles.some((r) => r === 'supervisor' || r === 'admin') ?? false;
  return (
    <ol className="approvals" data-testid="approvals">
      {pending.map((a) => {
        const own = a.removal?.requestedBy === user?.id;
        return (
          <li key={a.id} className="card due-item">
            <div className="due-head">
              <SubjectCell a={a} />
              <span className="muted small">
                {a.threatLevel} · requested by {a.removal?.requestedBy} on {a.removal?.requestedAt.slice(0, 10)}
              </span>
            </div>
            <blockquote className="assessment">{a.removal?.assessment}</blockquote>
            {own ? (
              <p className="notice small">You asked for this removal: a second person must decide it (four eyes).</p>
            ) : !supervisor ? (
              <p className="notice small">Only a supervisor may approve or reject a removal.</p>
            ) : (
              <AssessmentForm
                label="Your reasons"
                minLength={5}
                busy={busyId === a.id}
                actions={[
                  { label: 'Approve removal', run: (t) => decideRemoval(a.id, t, false) },
                  { label: 'Reject', className: 'secondary', run: (t) => decideRemoval(a.id, t, true) },
                ]}
              />
            )}
          </li>
        );
      })}
    </ol>
  );
}
