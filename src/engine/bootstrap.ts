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

/** Everything a run needs from its deployment. */
export interface Deployment {
  readonly dataDir: string;
  readonly control: ControlStore;
  /** Where bronze objects live (local directory `<data_dir>/bronze` in the embedded mode). */
  readonly bronze: ObjectStore;
  readonly stagingDir: string;
  /**
   * Vault data keys of this deployment (bronze age key, stage keys), when it has a vault. Runs use
   * them unless `RunOptions.keys` is given; without them `engine.bronze.encryption: auto` archives
   * plaintext (with a warning) and stages needing keys fail with `TRB_SECRET_KEYS_UNAVAILABLE`.
   */
  readonly keys?: DataKeys;
  close(): Promise<void>;
}

/** Opens (creating if needed) the deployment rooted at `dataDir` and migrates its control store. */
export async function openDeployment(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Deployment> {
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const url = env.TRIBUTARY_CONTROL_STORE_URL;
  const control = url && /^postgres(ql)?:\/\//.test(url)
    ? createPostgresControlStore({ url, ...(env.TRIBUTARY_CONTROL_STORE_SCHEMA ? { schema: env.TRIBUTARY_CONTROL_STORE_SCHEMA } : {}) })
    : createSqliteControlStore({ path: join(dataDir, 'control.db') });
  await control.migrate();
  const bronze = createLocalFsObjectStore({ root: join(dataDir, 'bronze') });
  return {
    dataDir, control, bronze, stagingDir: join(dataDir, 'staging'),
    close: async () => { await bronze.close(); await control.close(); },
  };
}
