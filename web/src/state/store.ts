import { useSyncExternalStore } from 'react';
import type { AuditVerification, CaseSummary, EntityProfile, Meta, SearchResult, SessionInfo, Stats } from '../api/types';
import type { DueAlert, HitDecision, HitReport, MapData, MapFeatureKind, WatchAlert } from '../api/types';
import { initialChart, type ChartState } from './chart-model';
import { initialTimeline, type TimelineState } from './timeline-model';
import { initialAuditView, initialDossier, initialDpo, type AuditViewState, type DossierState, type DpoState } from './oversight-model';

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

/** The map: an entity (with or without its network) or the session's case, in a date window. */
export interface MapState {
  /** What the loaded data answer: entity id, or undefined for the case map. */
  entityId: string | undefined;
  network: boolean;
  from: string;
  to: string;
  /** The request the current data answer (so a late answer to an older request is dropped). */
  requestKey: string | undefined;
  data: MapData | undefined;
  /** Feature kinds switched off in the legend. */
  hidden: MapFeatureKind[];
  loading: boolean;
  error: string | undefined;
}

export type WatchTab = 'alerts' | 'due' | 'approvals';

/** Watchlists: the agency's alerts, the due-for-review queue and removals waiting for a second person. */
export interface WatchState {
  tab: WatchTab;
  alerts: WatchAlert[] | undefined;
  due: DueAlert[] | undefined;
  pending: WatchAlert[] | undefined;
  loading: boolean;
  /** An alert id while its review, removal request or approval is being sent. */
  busyId: string | undefined;
  error: string | undefined;
  /** What the last change did ("removal approved: alert … delisted"). */
  done: string | undefined;
}

export type HitFilter = 'open' | HitDecision | 'all';

/** The hits inbox and the hit report open in it. */
export interface HitsState {
  filter: HitFilter;
  hits: HitReport[] | undefined;
  loading: boolean;
  error: string | undefined;
  openId: string | undefined;
  hit: HitReport | undefined;
  /** The alert the open hit matched (its reasons, grading, subject) when the user may read it. */
  alert: WatchAlert | undefined;
  deciding: boolean;
  decideError: string | undefined;
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
  map: MapState;
  watch: WatchState;
  hits: HitsState;
  chart: ChartState;
  timeline: TimelineState;
  /** Audit viewer, DPO report, dossier export (oversight-model.ts). */
  auditView: AuditViewState;
  dpo: DpoState;
  dossier: DossierState;
  /** A message for the whole app (expired session, network failure). */
  notice: string | undefined;
}

export const initialSearch: SearchState = { query: '', schema: '', agency: '', from: '', to: '', grading: '', results: undefined, tookMs: undefined, loading: false, error: undefined };

export const initialMap: MapState = { entityId: undefined, network: false, from: '', to: '', requestKey: undefined, data: undefined, hidden: [], loading: false, error: undefined };
export const initialWatch: WatchState = { tab: 'alerts', alerts: undefined, due: undefined, pending: undefined, loading: false, busyId: undefined, error: undefined, done: undefined };
export const initialHits: HitsState = { filter: 'open', hits: undefined, loading: false, error: undefined, openId: undefined, hit: undefined, alert: undefined, deciding: false, decideError: undefined };

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
  map: initialMap,
  watch: initialWatch,
  hits: initialHits,
  chart: initialChart,
  timeline: initialTimeline,
  auditView: initialAuditView,
  dpo: initialDpo,
  dossier: initialDossier,
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
