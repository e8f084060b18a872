/**
 * The audit log of a deployment: entries in its control store, the JSONL mirror under its data
 * directory, fail-closed mode from the environment.
 */
import { join } from 'node:path';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { DataKeys } from '../vault/data-keys.js';
import { AuditLog } from './audit-log.js';

/** Options of {@link openAuditLog}. */
export interface OpenAuditLogOptions {
  readonly control: Pick<ControlStore, 'audit'>;
  /** The deployment's data directory; the mirror is `<dataDir>/audit/audit.jsonl`. */
  readonly dataDir: string;
  readonly keys: DataKeys;
  /** Default: {@link auditFailClosed} of `env`. */
  readonly failClosed?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (msg: string) => void;
  /** Automatic anchor interval in entries (default 1000; 0 = off). */
  readonly anchorEvery?: number;
}

/** Path of the JSONL mirror of the deployment rooted at `dataDir`. */
export function auditMirrorPath(dataDir: string): string {
  return join(dataDir, 'audit', 'audit.jsonl');
}

/**
 * True when `TRIBUTARY_AUDIT_FAIL_CLOSED` is `1` or `true`: privileged actions (secret reads and
 * writes, key rotation, bronze replays) are refused when their audit entry cannot be written.
 */
export function auditFailClosed(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.TRIBUTARY_AUDIT_FAIL_CLOSED?.trim().toLowerCase();
  return v === '1' || v === 'true';
}

/** Creates the audit log of a deployment (no I/O until the first write). */
export function openAuditLog(o: OpenAuditLogOptions): AuditLog {
  return new AuditLog({
    store: o.control.audit, keys: o.keys, mirrorPath: auditMirrorPath(o.dataDir),
    failClosed: o.failClosed ?? auditFailClosed(o.env),
    ...(o.log ? { log: o.log } : {}), ...(o.anchorEvery !== undefined ? { anchorEvery: o.anchorEvery } : {}),
  });
}
