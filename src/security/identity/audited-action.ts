/**
 * Runs an identity admin action (API keys, wire users) as a privileged, audited operation, the way
 * the vault does: an `attempt` entry first (a fail-closed audit trail refuses the action here,
 * before anything changes), then `ok` with the action's details or `error` with the error code.
 * Details must never hold a key, a password or a verifier.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditTrail } from '../audit/audit-trail.js';

/** Runs `fn` between the `attempt` and `ok`/`error` entries of `event`; returns its result. */
export async function auditedAction<T>(
  audit: AuditTrail, event: Omit<AuditEvent, 'outcome'>,
  fn: () => Promise<{ readonly result: T; readonly details: Readonly<Record<string, unknown>> }>,
): Promise<T> {
  const base = { ...event, requestId: event.requestId ?? randomUUID() };
  await audit.record({ ...base, outcome: 'attempt' }, { privileged: true });
  let out: { readonly result: T; readonly details: Readonly<Record<string, unknown>> };
  try {
    out = await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    await audit.record({ ...base, outcome: 'error', details: { error: typeof code === 'string' ? code : 'TRB_INTERNAL' } });
    throw err;
  }
  await audit.record({ ...base, outcome: 'ok', details: out.details }, { privileged: true });
  return out.result;
}
