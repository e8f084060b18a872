/**
 * Opens the vault of a deployment. The master-key provider is chosen lazily, on the first operation
 * that needs it, so a deployment without a master key (sealed) still runs everything that needs no
 * secret, and a malformed key setting fails only the operations that need a key.
 */
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { MasterKeyProvider } from './master-key/master-key-provider.js';
import { selectMasterKey } from './master-key/select-master-key.js';
import { Vault } from './vault.js';

/** Options of {@link openVault}. */
export interface OpenVaultOptions {
  readonly control: ControlStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly audit?: AuditTrail;
  /** Told once when the key file is created (the embedded default's first run). Default: stderr. */
  readonly onNotice?: (message: string) => void;
}

/** The vault over `control`, with the provider configured by `env` (see select-master-key.ts). */
export function openVault(opts: OpenVaultOptions): Vault {
  const env = opts.env ?? process.env;
  const notice = opts.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
  let chosen: Promise<MasterKeyProvider> | undefined;
  const provider = (): Promise<MasterKeyProvider> => {
    chosen ??= (async () => {
      // The key file may only be created while the vault is empty: if entries exist, a missing key
      // file means a lost key, and a fresh key would silently orphan them.
      const empty = (await opts.control.vault.listVersions()).length === 0;
      const p = await selectMasterKey(env, {
        createKeyFile: empty,
        onKeyFileCreated: (file) => notice(`Created the vault master key file ${file} (mode 0600), outside the data directory. Back it up separately from the data; to use an environment variable or a KMS instead see docs/security/model.md.`),
      });
      return p;
    })();
    return chosen;
  };
  return new Vault({ store: opts.control.vault, provider: lazyProvider(provider), ...(opts.audit ? { audit: opts.audit } : {}) });
}

/** A provider that picks the real one on first use. */
function lazyProvider(get: () => Promise<MasterKeyProvider>): MasterKeyProvider {
  let location = 'master key provider (not chosen yet)';
  let kind: MasterKeyProvider['kind'] = 'file';
  const use = async <T>(fn: (p: MasterKeyProvider) => Promise<T>): Promise<T> => {
    const p = await get();
    location = p.location;
    kind = p.kind;
    return fn(p);
  };
  return {
    get kind() { return kind; },
    get location() { return location; },
    available: () => use((p) => p.available()),
    currentKeyId: () => use((p) => p.currentKeyId()),
    keyIds: () => use((p) => p.keyIds()),
    wrap: (k, c) => use((p) => p.wrap(k, c)),
    unwrap: (w, c, s) => use((p) => p.unwrap(w, c, s)),
    rotate: () => use((p) => p.rotate()),
    retire: (keep) => use((p) => (p.retire ? p.retire(keep) : Promise.resolve())),
  };
}
