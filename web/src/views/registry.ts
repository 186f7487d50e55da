import type { ComponentType } from 'react';
import { EntityView } from '../components/EntityView';
import { HitsInbox } from '../components/HitsInbox';
import { MapView } from '../components/MapView';
import { WatchlistView } from '../components/WatchlistView';
import { OversightView } from '../components/OversightView';
import { SearchView } from '../components/SearchView';
import { LinkChartView } from '../components/LinkChartView';
import { TimelineView } from '../components/TimelineView';
import { AuditView } from '../components/AuditView';
import { CaseView } from '../components/CaseView';
import { DpoReportView } from '../components/DpoReportView';
import { TriageView } from '../components/TriageView';
import { FederationInbox } from '../components/FederationInbox';

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
  /** Shown in the navigation only to users with one of these roles (the server enforces them anyway). */
  readonly roles?: readonly string[];
  /** Oversight work, not case work: opens in an oversight context (a purpose and no case) too. */
  readonly oversight?: boolean;
}

/** Roles that may choose an oversight context (purpose, no case); the server decides (governance OVERSIGHT_CONTEXT_ROLES). */
export const OVERSIGHT_ROLES: readonly string[] = ['dpo', 'auditor'];

export const VIEWS: readonly ViewSpec[] = [
  { id: 'search', label: 'Search', nav: true, component: SearchView },
  { id: 'entity', label: 'Profile', nav: false, component: EntityView },
  { id: 'oversight', label: 'Oversight', nav: true, component: OversightView },
  { id: 'map', label: 'Map', nav: true, component: MapView },
  { id: 'watchlist', label: 'Watchlist', nav: true, component: WatchlistView },
  { id: 'hits', label: 'Hits inbox', nav: true, component: HitsInbox },
  { id: 'chart', label: 'Link chart', nav: true, component: LinkChartView },
  { id: 'timeline', label: 'Timeline', nav: true, component: TimelineView },
  { id: 'case', label: 'Case', nav: true, component: CaseView },
  { id: 'audit', label: 'Audit log', nav: true, component: AuditView, roles: ['dpo', 'auditor'], oversight: true },
  { id: 'dpo', label: 'DPO report', nav: true, component: DpoReportView, roles: ['dpo'], oversight: true },
  { id: 'triage', label: 'Triage', nav: true, component: TriageView },
  { id: 'federation', label: 'Federation', nav: true, component: FederationInbox },
];

export function viewFor(id: string): ViewSpec {
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
}
