/**
 * The interface every component uses to write audit events. The implementation (`audit-log.ts`)
 * chains and MACs entries into `ControlStore.audit` and mirrors them as JSON lines.
 */

/**
 * Outcome of an audited action. Privileged operations write `attempt` before acting (so a
 * fail-closed trail refuses them before anything happens) and `ok` or `error` after.
 */
export type AuditOutcome = 'attempt' | 'ok' | 'denied' | 'error';

/** One audited action. Never put a secret value in any field. */
export interface AuditEvent {
  /** Who: `cli:<os user>`, `engine`, `api:<key id>`, ... */
  readonly actor: string;
  /** What, dotted: `secret.read`, `secret.write`, `key.rotate`, `config.load`, `run.start`, ... */
  readonly action: string;
  /** On what: a secret name, a pipeline name, a file. */
  readonly target: string;
  readonly outcome: AuditOutcome;
  /** Correlates entries of one request or run; generated when omitted. */
  readonly requestId?: string;
  /** Plain JSON; counts, hashes, versions. Never a secret value. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Where audit events go. */
export interface AuditTrail {
  /**
   * Records `event`. With `privileged: true` (secret reads/writes, key rotation, replays) and the
   * deployment's fail-closed option on, a failed write rejects with `TRB_AUDIT_WRITE_FAILED` so the
   * caller can refuse the operation; otherwise a failed write is reported on the log and the promise
   * resolves, so unrelated work never stalls on the audit log.
   */
  record(event: AuditEvent, opts?: { readonly privileged?: boolean }): Promise<void>;
}
