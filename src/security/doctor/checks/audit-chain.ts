/** The audit log's chain, MACs and stored anchors verify; names the first bad entry. */
import { verifyAuditChain } from '../../audit/verify-audit-chain.js';
import type { DoctorCheck } from '../doctor-check.js';

/** See the module doc. */
export const auditChainCheck: DoctorCheck = {
  id: 'audit-chain',
  description: 'The audit log verifies: no entry edited, deleted, reordered, inserted or truncated',
  run: async (ctx) => {
    if ((await ctx.control.audit.count()) === 0) return { skipped: 'the audit log is empty' };
    if (!(await ctx.vault.unsealed())) return { skipped: 'the vault is sealed, so the audit MACs cannot be checked (see master-key)' };
    const r = await verifyAuditChain(ctx.control.audit, ctx.vault);
    if (r.ok || r.firstBad === undefined) return [];
    return [{
      check: 'audit-chain', severity: 'critical',
      what: `The audit log is broken at entry ${r.firstBad.seq}: ${r.firstBad.problem}`,
      why: 'Someone changed the record of who did what, or the control database is damaged; entries from there on cannot be trusted.',
      fix: 'Investigate (compare with the JSONL mirror and exported anchors, `tributary audit verify`), restore the control database from a backup, and rotate credentials that may be involved.',
      where: `audit seq ${r.firstBad.seq}`,
    }];
  },
};
