import { useEffect } from 'react';
import type { TriageDecision, TriagePlan, TriageResolution } from '../api/triage';
import { useAppState } from '../state/store';
import { loadTriage, openReplay, useTriage } from '../state/triage-actions';
import { TriageCapacityForm } from './TriageCapacityForm';
import { TriageDecisionPanel } from './TriageDecisionPanel';
import { TriageTable } from './TriageTable';
import './Triage.css';

function resolutionText(r: TriageResolution | undefined): string {
  if (!r || r.source === 'none') return 'each record ranked on its own';
  return `${r.clusters} person(s) resolved across ${r.records} records`;
}

/**
 * Triage (issue 11): whom to watch with the agents we have. The ranking with its reasons, the
 * capacity form, the plan with its capacity chart, the supervisor's decision, and the history of
 * decisions with a replay of what the system showed at the time. The system proposes and
 * explains; a person decides.
 */
export function TriageView() {
  const session = useAppState((s) => s.session);
  const ranking = useTriage((s) => s.ranking);
  const plan = useTriage((s) => s.plan);
  const busy = useTriage((s) => s.busy);
  const error = useTriage((s) => s.error);
  const done = useTriage((s) => s.done);
  const decisions = useTriage((s) => s.decisions);
  const replay = useTriage((s) => s.replay);
  const supervisor = session?.user.roles.includes('supervisor') ?? false;
  const contextKey = `${session?.user.id ?? ''}|${session?.caseId ?? ''}|${session?.purpose ?? ''}`;
  useEffect(() => {
    void loadTriage();
  }, [contextKey]);
  const shown = plan ? plan.ranking : (ranking?.subjects ?? []);
  const total = plan ? plan.rankingTotal : (ranking?.total ?? 0);
  const risen = shown.filter((s) => s.rose).length;
  return (
    <section className="view triage-view">
      <div className="entity-header triage-header">
        <div>
          <h2>Triage</h2>
          <p className="small muted">
            {ranking
              ? `${ranking.total} subjects ranked as of ${ranking.asOf.slice(0, 10)} · weights v${ranking.weights.version} (${ranking.weights.source}) · ${resolutionText(ranking.resolution)}`
              : busy === 'rank'
                ? 'Ranking every person you may see…'
                : ''}
          </p>
        </div>
        <button className="secondary" onClick={() => void loadTriage(true)} disabled={busy !== undefined}>
          Rank again
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="audit-ok" role="status" data-testid="triage-done">
          {done}
        </p>
      )}
      {ranking && ranking.notes.length > 0 && (
        <ul className="triage-notes small muted">
          {ranking.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="triage-layout">
        <TriageCapacityForm supervisor={supervisor} />
        {plan ? <TriageDecisionPanel plan={plan} supervisor={supervisor} /> : <p className="card muted">Plan a capacity to see the allocation, the uncovered subjects and the marginal value of more teams.</p>}
      </div>
      {shown.length > 0 && (
        <>
          <h3>
            {plan ? 'Ranking as planned' : 'Ranking'} <span className="small muted">(top {shown.length} of {total}{risen ? `; ${risen} rose since the last decision` : ''})</span>
          </h3>
          <TriageTable subjects={shown} plan={plan} editable={supervisor} />
        </>
      )}
      <DecisionHistory decisions={decisions} />
      {replay && <Replay decision={replay.decision} shown={replay.shown} />}
    </section>
  );
}

function DecisionHistory({ decisions }: { decisions: readonly TriageDecision[] | undefined }) {
  if (!decisions?.length) return null;
  return (
    <section className="triage-history">
      <h3>Decisions</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">By</th>
            <th scope="col">Action</th>
            <th scope="col">Allocated</th>
            <th scope="col">Reason</th>
            <th scope="col">
              <span className="visually-hidden">Replay</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <tr key={d.id}>
              <td>{d.decidedAt.slice(0, 16).replace('T', ' ')}</td>
              <td>{d.decidedBy}</td>
              <td>
                {d.action}
                {d.changes.length ? ` (${d.changes.length} change(s))` : ''}
              </td>
              <td>{d.allocation.length}</td>
              <td>{d.reason}</td>
              <td>
                <button className="link" onClick={() => void openReplay(d.id)}>
                  Replay
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** What the system showed when a decision was made, and what was decided and why. */
function Replay({ decision, shown }: { decision: TriageDecision; shown: TriagePlan }) {
  const label = new Map(shown.ranking.map((r) => [r.subject, r.label]));
  return (
    <section className="triage-replay card" data-testid="triage-replay">
      <div className="plan-head">
        <h3>Replay of {decision.id}</h3>
        <button className="link" onClick={() => void openReplay(undefined)}>
          Close
        </button>
      </div>
      <p>
        {decision.decidedBy} {decision.action === 'accept' ? 'accepted' : 'changed'} plan {decision.planId} on {decision.decidedAt.slice(0, 16).replace('T', ' ')}: “{decision.reason}”
      </p>
      <p className="small muted">
        The system showed (as of {shown.asOf.slice(0, 10)}, weights v{shown.weights.version}): {shown.plan.assignments.length} subject(s) covered with {shown.plan.usedAgents} of {shown.plan.totalAgents} agents, covered risk {shown.plan.coveredRisk.toFixed(2)} of {shown.plan.totalRisk.toFixed(2)}; top of the ranking:{' '}
        {shown.ranking
          .slice(0, 5)
          .map((r) => `${r.label} (${r.risk.toFixed(3)})`)
          .join(', ')}
        .
      </p>
      <ul className="small">
        {decision.allocation.slice(0, 20).map((a) => (
          <li key={a.subject}>
            {label.get(a.subject) ?? a.subject}: {a.measure} @{a.team} ({a.agents} agents)
          </li>
        ))}
      </ul>
    </section>
  );
}
