/**
 * Errors of the audit log (`TRB_AUDIT_*`). Write and integrity failures are in the `secret` family,
 * the family of the security foundation (vault, data keys, audit): HTTP 500-class, CLI exit 2.
 * `auth` was considered and rejected: its 401/exit 5 tell a caller that *its credentials* are wrong,
 * which would send API clients into re-authentication loops when the audit store is down or has been
 * tampered with. Problems with what the user handed in (an anchor file, an empty log to anchor) are
 * `request` errors.
 */
import { defineError } from '../../core/errors.js';

/**
 * A privileged action was refused because its audit entry could not be written (fail-closed mode,
 * `TRIBUTARY_AUDIT_FAIL_CLOSED=1`). HTTP 503 and retry `backoff`: the usual cause is an unreachable
 * control store or a sealed vault, and the same action succeeds once the audit log is writable.
 */
export const AuditWriteFailed = defineError<{ action: string; target: string; reason: string }>(
  'TRB_AUDIT_WRITE_FAILED',
  'Refused `{action}` on `{target}`: its audit entry could not be written ({reason}); audit is fail-closed (TRIBUTARY_AUDIT_FAIL_CLOSED=1). Fix the control store or the vault and retry',
  { family: 'secret', status: 503, retry: 'backoff' });

/**
 * `tributary audit verify` found the first entry that does not verify: `seq` names it, `reason` is
 * one of the {@link import('./verify-audit-chain.js').AuditFailureReason} values.
 */
export const AuditChainBroken = defineError<{ seq: number; reason: string; problem: string; verified: number }>(
  'TRB_AUDIT_CHAIN_BROKEN',
  'The audit log does not verify at entry {seq} ({reason}): {problem}. Entries before it verified ({verified}); treat the log from {seq} on as tampered and investigate',
  { family: 'secret' });

/** The file given to `audit verify --anchor` is not an exported anchor. */
export const AuditAnchorInvalid = defineError<{ file: string; reason: string }>(
  'TRB_AUDIT_ANCHOR_INVALID',
  'The anchor file `{file}` is not an exported audit anchor: {reason}. Export one with `tributary audit anchor --export > FILE`',
  { family: 'request' });

/** `audit anchor` on an empty log: there is no head to anchor yet. */
export const AuditLogEmpty = defineError<{ dataDir: string }>(
  'TRB_AUDIT_LOG_EMPTY',
  'The audit log of `{dataDir}` is empty; there is nothing to anchor yet',
  { family: 'request', status: 409 });
