import { useSyncExternalStore } from 'react';
import { api } from '../api/client';
import { federationApi, type FederationInbox, type Urgency } from '../api/federation';
import type { Handling } from '../api/types';
import { handleError } from './actions';
import { getState as getAppState } from './store';

/**
 * Federation inbox state and actions (issue 8): hits both ways, requests with deadlines and
 * escalation, answers received, deconfliction notices — and the actions on them (request, release,
 * refuse, ask for more, approve a notice). Kept in its own small store beside the app's (the same
 * pattern: components read slices, only these actions change it).
 */

/** A statement the holder may pick for a release (from the entity its pointer stands for). */
export interface ReleaseCandidate {
  statementId: string;
  entityId: string;
  prop: string;
  value: string;
  agency: string;
  handling: Handling;
}

export interface FederationState {
  /** Purpose and case the inbox was loaded under (a context change reloads). */
  loadedFor: string | undefined;
  inbox: FederationInbox | undefined;
  loading: boolean;
  /** The hit, request or notice an action is running on. */
  busyId: string | undefined;
  error: string | undefined;
  done: string | undefined;
  /** Statements the holder may release, by request id (loaded when the answer form opens). */
  candidates: Record<string, ReleaseCandidate[] | undefined>;
}

const initial: FederationState = { loadedFor: undefined, inbox: undefined, loading: false, busyId: undefined, error: undefined, done: undefined, candidates: {} };

let state: FederationState = initial;
const listeners = new Set<() => void>();

function set(patch: Partial<FederationState> | ((s: FederationState) => Partial<FederationState>)): void {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const l of listeners) l();
}

/** Subscribes a component to one slice of the federation state. */
export function useFederation<T>(select: (s: FederationState) => T): T {
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

/** Loads the inbox (once per purpose and case, or again on `force`). */
export async function loadFederation(force = false): Promise<void> {
  const key = contextKey();
  if (!force && (state.loadedFor === key || state.loading)) return;
  if (state.loadedFor !== key) set({ ...initial });
  set({ loadedFor: key, loading: true, error: undefined });
  try {
    set({ inbox: await federationApi.inbox(), loading: false });
  } catch (e) {
    set({ loading: false, error: handleError(e) });
  }
}

async function act(id: string, run: () => Promise<string>): Promise<boolean> {
  set({ busyId: id, error: undefined, done: undefined });
  try {
    const done = await run();
    set({ busyId: undefined, done });
    await loadFederation(true);
    return true;
  } catch (e) {
    set({ busyId: undefined, error: handleError(e) });
    return false;
  }
}

/** Asks the holder of one of our hits (the deadline follows from the urgency). */
export function requestHit(hitId: string, urgency: Urgency, question: string): Promise<boolean> {
  return act(hitId, async () => {
    const r = await federationApi.request(hitId, urgency, question);
    return `Request sent to ${r.holder}: answer due by ${r.deadline.slice(0, 16).replace('T', ' ')}.`;
  });
}

/** Loads the statements of the entities a request's hit points at, for the holder to pick from. */
export async function loadCandidates(requestId: string, entityIds: readonly string[]): Promise<void> {
  try {
    const out: ReleaseCandidate[] = [];
    for (const id of entityIds) {
      const profile = await api.entity(id);
      for (const [prop, values] of Object.entries(profile.entity?.properties ?? {})) {
        for (const v of values) for (const p of v.provenance) out.push({ statementId: p.statementId, entityId: id, prop, value: v.value, agency: p.agency, handling: p.handling });
      }
    }
    set((s) => ({ candidates: { ...s.candidates, [requestId]: out } }));
  } catch (e) {
    set({ error: handleError(e) });
  }
}

/** Releases the chosen statements; the server keeps back what the handling codes forbid and says so. */
export function releaseStatements(requestId: string, statementIds: string[], grant: boolean): Promise<boolean> {
  return act(requestId, async () => {
    const r = await federationApi.answer(requestId, statementIds, grant);
    const kept = r.withheld.length ? ` Kept back ${r.withheld.length}: ${r.withheld.map((w) => w.message).join('; ')}` : '';
    return `Released ${r.released.length} statement(s) to ${r.request.asker}.${kept}`;
  });
}

export function refuseRequest(requestId: string, reason: string): Promise<boolean> {
  return act(requestId, async () => `Request of ${(await federationApi.refuse(requestId, reason)).asker} refused.`);
}

export function askForMore(requestId: string, question: string): Promise<boolean> {
  return act(requestId, async () => `Asked ${(await federationApi.moreInfo(requestId, question)).asker} for more.`);
}

/** A supervisor approves (sends) or declines a deconfliction notice. */
export function decideNotice(id: string, approve: boolean, note: string): Promise<boolean> {
  return act(id, async () => {
    const n = await federationApi.decide(id, approve, note);
    return n.status === 'sent' ? `Deconfliction notice sent to ${n.partner}.` : 'Deconfliction notice declined.';
  });
}
