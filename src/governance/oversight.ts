import { TesseraError } from '../model/index.js';
import type { Principal } from './access.js';
import { purposeProblem, QueryContext } from './context.js';
import type { Role } from './principals.js';
import type { Governance } from './service.js';

/**
 * Authorises an oversight action (DPO audit search, DPO report, subject rights, retention decisions).
 * Oversight is not case work, so no case is required; but the caller must hold one of `roles` and
 * state a meaningful purpose (LED Art. 25(2): logs are used for verifying lawfulness, self-monitoring
 * and data security — the justification is logged like any other consultation). Refusals are audited.
 */
export async function authoriseOversight(gov: Governance, ctxInput: QueryContext, action: string, roles: readonly Role[]): Promise<Principal> {
  const ctx = QueryContext.parse(ctxInput);
  const principal = await gov.principalOf(ctx.userId);
  const refuse = async (code: 'PURPOSE_REQUIRED' | 'FORBIDDEN', message: string, field: string): Promise<never> => {
    await gov.audit(ctx, principal, `refused.${action}`, 'refused', [], { reason: message });
    throw new TesseraError(code, message, { field });
  };
  const issue = purposeProblem(ctx.purpose);
  if (issue) return refuse('PURPOSE_REQUIRED', issue, 'purpose');
  if (!principal.roles.some((r) => roles.includes(r))) {
    return refuse('FORBIDDEN', `${action} needs role ${roles.join(' or ')}; user ${principal.userId} has ${principal.roles.join(', ')}`, 'role');
  }
  return principal;
}

/**
 * Who may work in an oversight context — a purpose and no case. The DPO and internal auditors oversee
 * case work without being members of the cases they oversee (LED Art. 25(2), 34); everyone else works
 * in a case.
 */
export const OVERSIGHT_CONTEXT_ROLES: readonly Role[] = ['dpo', 'auditor'];

/**
 * Authorises the context of a work session and audits the choice (`session.context`). With a case,
 * it is checked like any read (purpose, open case, membership, legal basis). Without one it is an
 * oversight context: a meaningful purpose and a role of `OVERSIGHT_CONTEXT_ROLES`. The context
 * widens nothing: oversight services (audit viewer, chain status, DPO report) need no case, and every
 * case-bound service still refuses it (`CASE_REQUIRED`), so requests in it are only ever oversight.
 */
export async function authoriseWorkContext(gov: Governance, ctxInput: QueryContext): Promise<Principal> {
  const ctx = QueryContext.parse(ctxInput);
  if (ctx.caseId) {
    const principal = await gov.authorise(ctx, 'read');
    await gov.audit(ctx, principal, 'session.context', 'allowed', []);
    return principal;
  }
  const principal = await authoriseOversight(gov, ctx, 'session.context', OVERSIGHT_CONTEXT_ROLES);
  await gov.audit(ctx, principal, 'session.context', 'allowed', [], { oversight: true });
  return principal;
}

