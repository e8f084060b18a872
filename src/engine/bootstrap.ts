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
import { openVault } from '../security/vault/open-vault.js';
import type { Vault } from '../security/vault/vault.js';

/** Everything a run needs from its deployment. */
export interface Deployment {
  readonly dataDir: string;
  readonly control: ControlStore;
  /** Where bronze objects live (local directory `<data_dir>/bronze` in the embedded mode). */
  readonly bronze: ObjectStore;
  readonly stagingDir: string;
  /** The secret vault (sealed until a master key is available; see security/vault). */
  readonly vault: Vault;
  /**
   * Data keys held by the vault (or given in {@link DeploymentOptions.keys}): the bronze age key,
   * stage keys (field encryption, pseudonyms) and the audit key. Runs use them unless
   * `RunOptions.keys` is given.
   */
  readonly keys: DataKeys;
  /**
   * The audit log (entries in `control.audit`, mirror `<data_dir>/audit/audit.jsonl`, fail-closed
   * from `TRIBUTARY_AUDIT_FAIL_CLOSED`), keyed by the vault's `audit` key. Vault reads and writes,
   * runs, replays and doctor runs are recorded here.
   */
  readonly audit: AuditLog;
  /** Flushes pending audit writes, then closes the stores. */
  close(): Promise<void>;
}

/** Optional parts of a deployment. */
export interface DeploymentOptions {
  /** Data keys to use instead of the vault's (tests). */
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
  // The audit log is keyed by a vault key, and the vault audits through the log: the log gets the
  // vault's keys through a late-bound reference (the vault never audits the audit key itself).
  let vault: Vault | undefined;
  const vaultKeys: DataKeys = {
    current: (name, kind, o) => (vault as Vault).current(name, kind, o),
    version: (name, v) => (vault as Vault).version(name, v),
    all: (name) => (vault as Vault).all(name),
  };
  const keys = opts.keys ?? vaultKeys;
  const audit = openAuditLog({ control, dataDir, keys, env });
  vault = openVault({ control, env, audit });
  return {
    dataDir, control, bronze, stagingDir: join(dataDir, 'staging'), vault, keys, audit,
    close: async () => { await audit.flush(); await bronze.close(); await control.close(); },
  };
}
