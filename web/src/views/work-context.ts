import type { SessionInfo } from '../api/types';
import { OVERSIGHT_ROLES, VIEWS, viewFor, type ViewSpec } from './registry';

/** True when the user may choose an oversight context (a purpose and no case): the DPO and auditors. */
export function mayOversee(roles: readonly string[]): boolean {
  return roles.some((r) => OVERSIGHT_ROLES.includes(r));
}

/** True when a view opens in the session's context: case work needs a case, oversight views open without one too. */
export function viewOpens(view: ViewSpec, session: Pick<SessionInfo, 'purpose' | 'caseId' | 'oversight'>): boolean {
  if (!session.purpose) return false;
  return Boolean(session.caseId) || (session.oversight && view.oversight === true);
}

/** True when the view with this id opens in the session's context. */
export function viewIdOpens(id: string, session: Pick<SessionInfo, 'purpose' | 'caseId' | 'oversight'>): boolean {
  return viewOpens(viewFor(id), session);
}

/** The first oversight view the roles may see (where an oversight session starts). */
export function firstOversightView(roles: readonly string[]): ViewSpec | undefined {
  return VIEWS.find((v) => v.oversight && v.nav && (!v.roles || v.roles.some((r) => roles.includes(r))));
}
