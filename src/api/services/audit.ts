import type { Governance, QueryContext } from '../../governance/index.js';
import type { AuditChainProblem } from '../../model/index.js';

/**
 * Verifies the audit chain for a user in a work context: the context is authorised like any read
 * (purpose, case), and the verification itself is recorded in the chain it checked.
 */
export async function verifyAuditFor(gov: Governance, ctx: QueryContext): Promise<{ entries: number; problems: AuditChainProblem[]; intact: boolean }> {
  const principal = await gov.authorise(ctx, 'read');
  const result = await gov.verifyAudit();
  await gov.audit(ctx, principal, 'audit.verify', 'allowed', [], { entries: result.entries, problems: result.problems.length });
  return { ...result, intact: result.problems.length === 0 };
}
