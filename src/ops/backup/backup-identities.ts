/**
 * The age identities that open a backup's members, from the backup itself: its manifest carries
 * the vault rows of the `backup` key (the key's material encrypted under a data key wrapped by the
 * master key). A vault over just those rows, with the master key configured in the environment,
 * decrypts them; so a backup needs only the master key to restore, never the deployment it came from.
 */
import type { VaultStore, VaultVersion } from '../../seams/control-store/vault-store.js';
import { selectMasterKey } from '../../security/vault/master-key/select-master-key.js';
import { Vault } from '../../security/vault/vault.js';
import type { BackupManifest } from './backup-manifest.js';

/** A read-only VaultStore over fixed rows (writes are refused: restore never changes the escrow). */
function escrowStore(rows: readonly VaultVersion[]): VaultStore {
  const refuse = (): never => { throw new Error('the escrowed keys of a backup are read-only'); };
  return {
    putVersion: () => Promise.resolve(refuse()),
    remove: () => Promise.resolve(refuse()),
    rewrap: () => Promise.resolve(refuse()),
    getVersion: (name, version) => {
      const mine = rows.filter((r) => r.name === name).sort((a, b) => a.version - b.version);
      return Promise.resolve(version === undefined ? mine[mine.length - 1] : mine.find((r) => r.version === version));
    },
    listVersions: (name) => Promise.resolve(rows.filter((r) => name === undefined || r.name === name)
      .sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version)),
  };
}

/**
 * Every version of the backup key escrowed in `m`, as age identity strings. Throws
 * `TRB_SECRET_VAULT_SEALED` when no master key is configured (or the key file is missing), and the
 * vault's errors when the master key is not the one that wrapped the escrowed key.
 */
export async function backupIdentities(m: BackupManifest, env: NodeJS.ProcessEnv): Promise<string[]> {
  const provider = await selectMasterKey(env, { createKeyFile: false });
  const vault = new Vault({ store: escrowStore(m.encryption.escrow), provider });
  const keys = await vault.all(m.encryption.key);
  return keys.filter((k) => k.kind === 'age').map((k) => k.material.toString('utf8'));
}
