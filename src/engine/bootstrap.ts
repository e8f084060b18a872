/**
 * The only module that chooses seam adapters. Embedded default: SQLite control store, local-fs
 * object store for bronze and a staging directory under the data directory. `TRIBUTARY_CONTROL_STORE_URL=postgres://...`
 * selects the PostgreSQL control store (distributed mode).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlStore } from '../seams/control-store/control-store.js';
import { createSqliteControlStore } from '../seams/control-store/sqlite/index.js';
import { createPostgresControlStore } from '../seams/control-store/postgres/index.js';
import type { ObjectStore } from '../seams/object-store/object-store.js';
import { createLocalFsObjectStore } from '../seams/object-store/local-fs/index.js';
import type { DataKeys } from '../security/vault/data-keys.js';
import type { AuditLog } from '../security/audit/audit-log.js';
import { openAuditLog } from '../security/audit/open-audit-log.js';

/** Everything a run needs from its deployment. */
export interface Deployment {
  readonly dataDir: string;
  readonly control: ControlStore;
  /** Where bronze objects live (local directory `<data_dir>/bronze` in the embedded mode). */
  readonly bronze: ObjectStore;
  readonly stagingDir: string;
  /** Data keys held by the vault; absent until a vault is wired in ({@link DeploymentOptions.keys}). */
  readonly keys?: DataKeys;
  /**
   * The audit log (entries in `control.audit`, mirror `<data_dir>/audit/audit.jsonl`, fail-closed
   * from `TRIBUTARY_AUDIT_FAIL_CLOSED`); present exactly when `keys` is, since it is keyed by the vault.
   */
  readonly audit?: AuditLog;
  /** Flushes pending audit writes, then closes the stores. */
  close(): Promise<void>;
}

/** Optional parts of a deployment. */
export interface DeploymentOptions {
  /** The vault's data keys; enables {@link Deployment.audit}. */
  readonly keys?: DataKeys;
}

/** Opens (creating if needed) the deployment rooted at `dataDir` and migrates its control store. */
export async function openDeployment(dataDir: string, env: NodeJS.ProcessEnv = process.env, opts: DeploymentOptions = {}): Promise<Deployment> {
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const url = env.TRIBUTARY_CONTROL_STORE_URL;
  const control = url && /^postgres(ql)?:\/\//.test(url)
    ? createPostgresControlStore({ url, ...(env.TRIBUTARY_CONTROL_STORE_SCHEMA ? { schema: env.TRIBUTARY_CONTROL_STORE_SCHEMA } : {}) })
    : createSqliteControlStore({ path: join(dataDir, 'control.db') });
  await control.migrate();
  const bronze = createLocalFsObjectStore({ root: join(dataDir, 'bronze') });
  const audit = opts.keys ? openAuditLog({ control, dataDir, keys: opts.keys, env }) : undefined;
  return {
    dataDir, control, bronze, stagingDir: join(dataDir, 'staging'),
    ...(opts.keys ? { keys: opts.keys } : {}), ...(audit ? { audit } : {}),
    close: async () => { await audit?.flush(); await bronze.close(); await control.close(); },
  };
}
