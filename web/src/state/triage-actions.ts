import { useSyncExternalStore } from 'react';
import { triageApi, type TriageCapacity, type TriageCapacityRecord, type TriageChange, type TriageDecision, type TriageEvidenceRef, type TriagePlan, type TriageRanking } from '../api/triage';
import { handleError } from './actions';
import { getState as getAppState } from './store';

/**
 * Triage state and actions (issue 11): the ranking, the capacity being drafted, the plan on screen,
 * the supervisor's changes and reason, the decision history and a replay. Kept in its own small
 * store beside the app's (same pattern: components read slices, only these actions change it).
 */

/** A capacity being edited: numbers as typed, parsed when a plan is asked for. */
export interface CapacityDraft {
  teams: { id: string; agents: string }[];
  agentsPerTarget: string;
  partial: { id: string; label: string; agents: string; coverage: string }[];
}

export interface TriageState {
  /** Purpose and case the data on screen was loaded under (a context change reloads). */
  loadedFor: string | undefined;
  ranking: TriageRanking | undefined;
  capacity: TriageCapacityRecord | null | undefined;
  draft: CapacityDraft;
  capacityReason: string;
  plan: TriagePlan | undefined;
  /** Supervisor's changes to the plan's allocation, by subject. */
  changes: Record<string, { measure: string; team: string }>;
  reason: string;
  decisions: TriageDecision[] | undefined;
  /** The decision just recorded on the plan on screen (the plan then shows what was decided). */
  decided: TriageDecision | undefined;
  replay: { decision: TriageDecision; shown: TriagePlan } | undefined;
  expanded: Record<string, boolean>;
  evidence: Record<string, TriageEvidenceRef>;
  busy: 'rank' | 'plan' | 'decide' | 'capacity' | 'replay' | undefined;
  error: string | undefined;
  done: string | undefined;
}

/** Placeholders until the agency declares its own figures (the service's defaults). */
const DEFAULT_DRAFT: CapacityDraft = {
  teams: [{ id: 'team-1', agents: '30' }],
  agentsPerTarget: '27',
  partial: [
    { id: 'technical', label: 'technical surveillance (lines, location)', agents: '6', coverage: '0.3' },
    { id: 'periodic', label: 'periodic checks', agents: '2', coverage: '0.15' },
  ],
};

const initial: TriageState = {
  loadedFor: undefined,
  ranking: undefined,
  capacity: undefined,
  draft: DEFAULT_DRAFT,
  capacityReason: '',
  plan: undefined,
  changes: {},
  reason: '',
  decisions: undefined,
  decided: undefined,
  replay: undefined,
  expanded: {},
  evidence: {},
  busy: undefined,
  error: undefined,
  done: undefined,
};

let state: TriageState = initial;
const listeners = new Set<() => void>();

function set(patch: Partial<TriageState> | ((s: TriageState) => Partial<TriageState>)): void {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const l of listeners) l();
}

/** Subscribes a component to one slice of the triage state. */
export function useTriage<T>(select: (s: TriageState) => T): T {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => select(state),
  );
}

function contextKey(): string {
  const s = getAppState().session;
  return s ? `${s.user.id}|${s.caseId ?? ''}|${s.purpose ?? ''}` : '';
}

function draftOf(c: TriageCapacity): CapacityDraft {
  return {
    teams: c.teams.map((t) => ({ id: t.id, agents: String(t.agents) })),
    agentsPerTarget: String(c.agentsPerTarget),
    partial: c.partial.length ? c.partial.map((m) => ({ id: m.id, label: m.label, agents: String(m.agents), coverage: String(m.coverage) })) : DEFAULT_DRAFT.partial,
  };
}

/** The draft as the API takes it; the server validates it again (duplicates, costs, coverage). */
export function capacityFromDraft(d: CapacityDraft): TriageCapacity {
  const int = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
  return {
    teams: d.teams.filter((t) => t.id.trim() !== '').map((t) => ({ id: t.id.trim(), agents: int(t.agents) })),
    agentsPerTarget: int(d.agentsPerTarget),
    partial: d.partial.filter((m) => m.id.trim() !== '').map((m) => ({ id: m.id.trim(), label: m.label.trim() || m.id.trim(), agents: int(m.agents), coverage: int(m.coverage) })),
  };
}

/** Loads the ranking, the declared capacity and the decision history (once per purpose and case). */
export async function loadTriage(force = false): Promise<void> {
  const key = contextKey();
  if (!force && (state.loadedFor === key || state.busy === 'rank')) return;
  // Ranking again in the same context keeps the capacity being drafted.
  const keep = state.loadedFor === key ? { draft: state.draft, capacityReason: state.capacityReason } : {};
  set({ ...initial, ...keep, loadedFor: key, busy: 'rank' });
  try {
    const [ranking, capacity, history] = await Promise.all([triageApi.rank(), triageApi.capacity(), triageApi.decisions()]);
    const draft = 'draft' in keep ? keep.draft : capacity.capacity ? draftOf(capacity.capacity) : DEFAULT_DRAFT;
    set({ ranking, capacity: capacity.capacity, decisions: history.decisions, draft, busy: undefined });
  } catch (e) {
    set({ busy: undefined, error: handleError(e) });
  }
}

export function editDraft(update: (d: CapacityDraft) => CapacityDraft): void {
  set((s) => ({ draft: update(s.draft) }));
}

export function editCapacityReason(capacityReason: string): void {
  set({ capacityReason });
}

/** Plans the drafted capacity over the ranking (a what-if until a supervisor declares it). */
export async function runPlan(): Promise<void> {
  set({ busy: 'plan', error: undefined, done: undefined, changes: {}, decided: undefined, replay: undefined });
  try {
    const plan = await triageApi.plan(capacityFromDraft(state.draft));
    set({ plan, busy: undefined });
  } catch (e) {
    set({ busy: undefined, error: handleError(e) });
  }
}

/** A supervisor declares the drafted capacity as the agency's, with a reason. */
export async function declareCapacity(): Promise<void> {
  set({ busy: 'capacity', error: undefined, done: undefined });
  try {
    const capacity = await triageApi.setCapacity(capacityFromDraft(state.draft), state.capacityReason);
    set({ capacity, capacityReason: '', busy: undefined, done: `Capacity declared: ${capacity.teams.length} team(s), ${capacity.teams.reduce((a, t) => a + t.agents, 0)} agents.` });
  } catch (e) {
    set({ busy: undefined, error: handleError(e) });
  }
}

/** Changes one subject's measure (and team) in the plan on screen; back to the proposal clears it. */
export function setChange(subject: string, measure: string, team: string): void {
  const proposed = state.plan?.plan.assignments.find((a) => a.subject === subject);
  const same = proposed ? proposed.measure === measure && proposed.team === team : measure === 'none';
  set((s) => {
    const changes = { ...s.changes };
    if (same) delete changes[subject];
    else changes[subject] = { measure, team };
    return { changes };
  });
}

export function editReason(reason: string): void {
  set({ reason });
}

/** Records the supervisor's decision on the plan on screen: accepted as proposed, or with the changes. */
export async function decide(): Promise<void> {
  const plan = state.plan;
  if (!plan) return;
  const changes: TriageChange[] = Object.entries(state.changes).map(([subject, c]) => (c.measure === 'none' ? { subject, measure: 'none' } : { subject, measure: c.measure, team: c.team }));
  set({ busy: 'decide', error: undefined, done: undefined });
  try {
    const d = await triageApi.decide({ planId: plan.id, action: changes.length ? 'change' : 'accept', changes, reason: state.reason });
    const history = await triageApi.decisions();
    set({ busy: undefined, reason: '', changes: {}, decided: d, decisions: history.decisions, done: `Decision ${d.id} recorded: ${d.action === 'accept' ? 'plan accepted as proposed' : `${d.changes.length} change(s)`}, ${d.allocation.length} subject(s) allocated.` });
  } catch (e) {
    set({ busy: undefined, error: handleError(e) });
  }
}

/** Opens the replay of a decision: what the supervisor decided and what the system showed then. */
export async function openReplay(id: string | undefined): Promise<void> {
  if (!id) return set({ replay: undefined });
  set({ busy: 'replay', error: undefined });
  try {
    set({ replay: await triageApi.replay(id), busy: undefined });
  } catch (e) {
    set({ busy: undefined, error: handleError(e) });
  }
}

/** Expands a subject's explanation and looks up which entities its evidence statements belong to. */
export async function toggleExplanation(subject: string, evidence: readonly string[]): Promise<void> {
  const open = !state.expanded[subject];
  set((s) => ({ expanded: { ...s.expanded, [subject]: open } }));
  if (!open) return;
  const unknown = [...new Set(evidence.filter((id) => !id.includes(':') && !state.evidence[id]))].slice(0, 400);
  if (!unknown.length) return;
  try {
    const r = await triageApi.evidence(unknown);
    set((s) => ({ evidence: { ...s.evidence, ...Object.fromEntries(r.evidence.map((e) => [e.statementId, e])) } }));
  } catch (e) {
    set({ error: handleError(e) });
  }
}
