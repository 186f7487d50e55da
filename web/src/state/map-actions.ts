import { api } from '../api/client';
import type { MapFeatureKind } from '../api/types';
import { handleError } from './actions';
import { getState, setState, type Route } from './store';

/** What a map route asks for: `#/map` (the case), `#/map/<entity id>?network=1&from=…&to=…`. */
export interface MapRequest {
  entityId: string | undefined;
  network: boolean;
  from: string;
  to: string;
}

export function mapRequestOf(route: Route): MapRequest {
  return { entityId: route.params.id || undefined, network: route.params.network === '1', from: route.params.from ?? '', to: route.params.to ?? '' };
}

function keyOf(r: MapRequest): string {
  return JSON.stringify([r.entityId ?? '', r.network, r.from, r.to]);
}

/** The hash of a map request (so back/forward and shared links reproduce the map). */
export function mapHash(r: MapRequest): string {
  const q = new URLSearchParams();
  if (r.entityId && r.network) q.set('network', '1');
  if (r.from) q.set('from', r.from);
  if (r.to) q.set('to', r.to);
  const query = q.toString();
  return `#/map${r.entityId ? `/${encodeURIComponent(r.entityId)}` : ''}${query ? `?${query}` : ''}`;
}

/** Loads the map the route asks for, unless it is already loaded or loading. */
export function syncMap(route: Route): void {
  const want = mapRequestOf(route);
  const m = getState().map;
  if (m.requestKey === keyOf(want) && (m.data || m.loading)) return;
  void loadMap(want);
}

/** Fetches the GeoJSON of an entity (and its network) or of the session's case. */
export async function loadMap(r: MapRequest): Promise<void> {
  const key = keyOf(r);
  setState((s) => ({ map: { ...s.map, ...r, requestKey: key, loading: true, error: undefined } }));
  try {
    const q = { network: r.network, ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}) };
    const data = r.entityId ? await api.mapEntity(r.entityId, q) : await api.mapCase(q);
    if (getState().map.requestKey === key) setState((s) => ({ map: { ...s.map, data, loading: false } }));
  } catch (e) {
    const error = handleError(e);
    if (getState().map.requestKey === key) setState((s) => ({ map: { ...s.map, data: undefined, loading: false, error } }));
  }
}

/** Changes what the map shows (network, window, entity) by moving to its URL. */
export function showMap(patch: Partial<MapRequest>): void {
  const m = getState().map;
  const next = { entityId: m.entityId, network: m.network, from: m.from, to: m.to, ...patch };
  // The options show the new choice at once; the hash change then loads the map (syncMap).
  setState((s) => ({ map: { ...s.map, ...next } }));
  window.location.hash = mapHash(next);
}

/** Shows or hides one kind of feature (legend). */
export function toggleMapKind(kind: MapFeatureKind): void {
  setState((s) => ({ map: { ...s.map, hidden: s.map.hidden.includes(kind) ? s.map.hidden.filter((k) => k !== kind) : [...s.map.hidden, kind] } }));
}
