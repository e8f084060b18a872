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
  const vault = openVault({ control, env });
  return {
    dataDir, control, bronze, stagingDir: join(dataDir, 'staging'), vault,
    close: async () => { await bronze.close(); await control.close(); },
  };
}
