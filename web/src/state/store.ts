import { useSyncExternalStore } from 'react';
import type { AuditVerification, CaseSummary, EntityProfile, Meta, SearchResult, SessionInfo, Stats } from '../api/types';

/** Where the analyst is: one of the registered views and its parameters (kept in the URL hash). */
export interface Route {
  view: string;
  params: Record<string, string>;
}

export interface SearchState {
  query: string;
  schema: string;
  agency: string;
  from: string;
  to: string;
  grading: string;
  results: SearchResult[] | undefined;
  tookMs: number | undefined;
  loading: boolean;
  error: string | undefined;
}

export interface ProfileState {
  id: string | undefined;
  profile: EntityProfile | undefined;
  loading: boolean;
  error: string | undefined;
}

export interface OversightState {
  stats: Stats | undefined;
  audit: AuditVerification | undefined;
  loading: boolean;
  error: string | undefined;
}

/** The whole client state. Components read slices of it; only actions change it. */
export interface AppState {
  /** undefined while the first session check runs; null when signed out. */
  session: SessionInfo | null | undefined;
  loginError: string | undefined;
  busy: boolean;
  cases: CaseSummary[];
  contextError: string | undefined;
  /** The context chooser is open (forced while no purpose/case is chosen). */
  choosingContext: boolean;
  meta: Meta | undefined;
  route: Route;
  search: SearchState;
  profile: ProfileState;
  oversight: OversightState;
  /** A message for the whole app (expired session, network failure). */
  notice: string | undefined;
}

export const initialSearch: SearchState = { query: '', schema: '', agency: '', from: '', to: '', grading: '', results: undefined, tookMs: undefined, loading: false, error: undefined };

const initial: AppState = {
  session: undefined,
  loginError: undefined,
  busy: false,
  cases: [],
  contextError: undefined,
  choosingContext: false,
  meta: undefined,
  route: { view: 'search', params: {} },
  search: initialSearch,
  profile: { id: undefined, profile: undefined, loading: false, error: undefined },
  oversight: { stats: undefined, audit: undefined, loading: false, error: undefined },
  notice: undefined,
};

type Listener = () => void;
let state: AppState = initial;
const listeners = new Set<Listener>();

/** The current state (actions read it). */
export function getState(): AppState {
  return state;
}

/** Replaces parts of the state and notifies subscribers. */
export function setState(patch: Partial<AppState> | ((s: AppState) => Partial<AppState>)): void {
  state = { ...state, ...(typeof patch === 'function' ? patch(state) : patch) };
  for (const l of listeners) l();
}

function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Subscribes a component to one slice of the state (return stored objects, not new ones). */
export function useAppState<T>(select: (s: AppState) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}
