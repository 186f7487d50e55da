import type { ComponentType } from 'react';
import { EntityView } from '../components/EntityView';
import { HitsInbox } from '../components/HitsInbox';
import { MapView } from '../components/MapView';
import { WatchlistView } from '../components/WatchlistView';
import { OversightView } from '../components/OversightView';
import { SearchView } from '../components/SearchView';

/**
 * The views of the workstation. To add one (link chart, map, timeline, watchlists, hits inbox,
 * federation inbox, audit viewer, DPO report, dossier): write its component (and its actions in
 * state/), then add an entry here. `nav: true` puts it in the top navigation; the route is
 * `#/<id>` or `#/<id>/<entity id>`.
 */
export interface ViewSpec {
  readonly id: string;
  readonly label: string;
  readonly nav: boolean;
  readonly component: ComponentType;
}

export const VIEWS: readonly ViewSpec[] = [
  { id: 'search', label: 'Search', nav: true, component: SearchView },
  { id: 'entity', label: 'Profile', nav: false, component: EntityView },
  { id: 'oversight', label: 'Oversight', nav: true, component: OversightView },
  { id: 'map', label: 'Map', nav: true, component: MapView },
  { id: 'watchlist', label: 'Watchlist', nav: true, component: WatchlistView },
  { id: 'hits', label: 'Hits inbox', nav: true, component: HitsInbox },
];

export function viewFor(id: string): ViewSpec {
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
}
