import type { FormEvent } from 'react';
import { declareCapacity, editCapacityReason, editDraft, runPlan, useTriage, type CapacityDraft } from '../state/triage-actions';

type TeamRow = CapacityDraft['teams'][number];
type MeasureRow = CapacityDraft['partial'][number];

/**
 * The capacity input: teams and their agents, agents per full-time target, partial measures with
 * their cost in agents and the share of risk they cover. "Plan" runs a what-if on this capacity;
 * a supervisor may also declare it as the agency's capacity, with a reason.
 */
export function TriageCapacityForm({ supervisor }: { supervisor: boolean }) {
  const draft = useTriage((s) => s.draft);
  const declared = useTriage((s) => s.capacity);
  const reason = useTriage((s) => s.capacityReason);
  const busy = useTriage((s) => s.busy);
  const setTeam = (i: number, patch: Partial<TeamRow>) => editDraft((d) => ({ ...d, teams: d.teams.map((t, j) => (j === i ? { ...t, ...patch } : t)) }));
  const setMeasure = (i: number, patch: Partial<MeasureRow>) => editDraft((d) => ({ ...d, partial: d.partial.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));
  const agents = draft.teams.reduce((a, t) => a + (Number(t.agents) || 0), 0);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void runPlan();
  };
  return (
    <form className="triage-capacity card" onSubmit={submit} aria-label="Capacity">
      <h3>Capacity</h3>
      <p className="small muted">
        {declared ? `Declared by ${declared.setBy} on ${declared.setAt.slice(0, 10)}: ${declared.reason}` : 'No capacity declared yet: plan a what-if, or (supervisor) declare it.'}
      </p>
      <fieldset>
        <legend>Teams ({agents} agents)</legend>
        {draft.teams.map((t, i) => (
          <div className="row" key={i}>
            <label>
              Team
              <input aria-label={`Team ${i + 1} name`} value={t.id} onChange={(e) => setTeam(i, { id: e.target.value })} />
            </label>
            <label>
              Agents
              <input aria-label={`Team ${i + 1} agents`} type="number" min={0} value={t.agents} onChange={(e) => setTeam(i, { agents: e.target.value })} />
            </label>
            <button type="button" className="link" aria-label={`Remove team ${i + 1}`} onClick={() => editDraft((d) => ({ ...d, teams: d.teams.filter((_, j) => j !== i) }))}>
              remove
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => editDraft((d) => ({ ...d, teams: [...d.teams, { id: `team-${d.teams.length + 1}`, agents: '30' }] }))}>
          Add team
        </button>
      </fieldset>
      <label>
        Agents per full-time target
        <input aria-label="Agents per full-time target" type="number" min={1} value={draft.agentsPerTarget} onChange={(e) => editDraft((d) => ({ ...d, agentsPerTarget: e.target.value }))} />
      </label>
      <fieldset>
        <legend>Partial measures</legend>
        {draft.partial.map((m, i) => (
          <div className="row" key={i}>
            <label>
              Measure
              <input aria-label={`Measure ${i + 1} id`} value={m.id} onChange={(e) => setMeasure(i, { id: e.target.value })} />
            </label>
            <label>
              Agents
              <input aria-label={`Measure ${i + 1} agents`} type="number" min={1} value={m.agents} onChange={(e) => setMeasure(i, { agents: e.target.value })} />
            </label>
            <label>
              Covers (share of risk)
              <input aria-label={`Measure ${i + 1} coverage`} type="number" min={0} max={1} step={0.05} value={m.coverage} onChange={(e) => setMeasure(i, { coverage: e.target.value })} />
            </label>
          </div>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={busy !== undefined}>
          {busy === 'plan' ? 'Planning…' : 'Plan with this capacity'}
        </button>
      </div>
      {supervisor && (
        <div className="declare">
          <label>
            Reason for declaring this capacity
            <input aria-label="Capacity reason" value={reason} onChange={(e) => editCapacityReason(e.target.value)} placeholder="e.g. Teams available in July after the summer rota" />
          </label>
          <button type="button" className="secondary" disabled={busy !== undefined || reason.trim().length < 20} onClick={() => void declareCapacity()}>
            Declare as our capacity
          </button>
        </div>
      )}
    </form>
  );
}
