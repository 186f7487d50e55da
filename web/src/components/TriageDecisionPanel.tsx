import type { TriagePlan } from '../api/triage';
import { decide, editReason, useTriage } from '../state/triage-actions';
import { TriageChart } from './TriageChart';

/**
 * The plan on screen: agents used, risk covered, warnings, the capacity chart, team use with the
 * supervisor's changes applied, and the decision form (accept, or record the changes, with a
 * written reason). Analysts see the plan; only a supervisor decides (the server enforces it too).
 */
export function TriageDecisionPanel({ plan, supervisor }: { plan: TriagePlan; supervisor: boolean }) {
  const changes = useTriage((s) => s.changes);
  const reason = useTriage((s) => s.reason);
  const busy = useTriage((s) => s.busy);
  const decided = useTriage((s) => (s.decided?.planId === plan.id ? s.decided : undefined));
  const p = plan.plan;
  const measureAgents = new Map([...plan.capacity.partial.map((m) => [m.id, m.agents] as const), ['full', plan.capacity.agentsPerTarget] as const]);
  // Team use after the changes (or as decided), so an over-allocation shows before the server refuses it.
  const alloc = new Map((decided?.allocation ?? p.assignments).map((a) => [a.subject, { team: a.team, agents: a.agents }]));
  for (const [subject, c] of decided ? [] : Object.entries(changes)) {
    if (c.measure === 'none') alloc.delete(subject);
    else alloc.set(subject, { team: c.team, agents: measureAgents.get(c.measure) ?? 0 });
  }
  const used = new Map<string, number>();
  for (const a of alloc.values()) used.set(a.team, (used.get(a.team) ?? 0) + a.agents);
  const over = plan.capacity.teams.filter((t) => (used.get(t.id) ?? 0) > t.agents);
  const changed = Object.keys(changes).length;
  return (
    <section className="triage-plan card" aria-label="Plan">
      <div className="plan-head">
        <h3>Plan {plan.id}</h3>
        <span className="small muted">
          as of {plan.asOf.slice(0, 10)} · weights v{plan.weights.version} ({plan.weights.source}) · drawn up by {plan.createdBy}
        </span>
      </div>
      <p data-testid="plan-summary">
        {p.usedAgents} of {p.totalAgents} agents used; {p.assignments.length} subject(s) covered, {p.uncovered.length} uncovered; covered risk {p.coveredRisk.toFixed(2)} of {p.totalRisk.toFixed(2)}.
      </p>
      {p.warnings.map((w) => (
        <p key={w} className="notice" role="status">
          {w}
        </p>
      ))}
      <div className="plan-layout">
        <TriageChart curve={plan.curve} totalRisk={p.totalRisk} />
        <div>
          <table className="teams">
            <caption>{decided ? 'Teams as decided' : 'Teams (with your changes)'}</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Agents</th>
                <th scope="col">Used</th>
              </tr>
            </thead>
            <tbody>
              {plan.capacity.teams.map((t) => (
                <tr key={t.id} className={(used.get(t.id) ?? 0) > t.agents ? 'over' : ''}>
                  <td>{t.id}</td>
                  <td>{t.agents}</td>
                  <td>{used.get(t.id) ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">
            More capacity: {p.marginal.map((m) => `+${m.extraAgents} agents → +${m.extraCoveredRisk.toFixed(2)} risk covered`).join('; ')}
          </p>
        </div>
      </div>
      {decided ? (
        <p className="small decided" data-testid="plan-decided">
          Decided by {decided.decidedBy} ({decided.id}): {decided.action === 'accept' ? 'accepted as proposed' : `${decided.changes.length} change(s)`}, {decided.allocation.length} subject(s) allocated. Plan again to decide anew.
        </p>
      ) : supervisor ? (
        <form
          className="decision-form"
          onSubmit={(e) => {
            e.preventDefault();
            void decide();
          }}
        >
          <p className="small">{changed ? `${changed} change(s) to the proposed allocation.` : 'No change: the plan would be accepted as proposed.'}</p>
          {over.length > 0 && (
            <p className="error" role="alert">
              Over capacity: {over.map((t) => `${t.id} needs ${used.get(t.id)} of ${t.agents} agents`).join('; ')}
            </p>
          )}
          <label>
            Reason for the decision (kept with it and audited)
            <textarea aria-label="Decision reason" rows={2} value={reason} onChange={(e) => editReason(e.target.value)} placeholder="At least 20 characters: why this allocation" />
          </label>
          <div className="actions">
            <button type="submit" disabled={busy !== undefined || reason.trim().length < 20 || over.length > 0}>
              {busy === 'decide' ? 'Recording…' : changed ? 'Record decision with changes' : 'Accept plan'}
            </button>
          </div>
        </form>
      ) : (
        <p className="small muted">Only a supervisor accepts or changes the allocation.</p>
      )}
    </section>
  );
}
