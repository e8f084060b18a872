/**
 * Chooses the master-key provider from the environment:
 * - `TRIBUTARY_MASTER_KEY_PROVIDER=env|file|kms` forces one;
 * - otherwise `kms` when `TRIBUTARY_KMS_MODULE` is set, `env` when `TRIBUTARY_MASTER_KEY` is set,
 *   else the key file (created on first use when the vault is empty: the embedded default).
 */
import { MasterKeyInvalid } from '../../errors.js';
import { createEnvMasterKey, MASTER_KEY_ENV } from './env-master-key.js';
import { createFileMasterKey, defaultKeyFile } from './file-master-key.js';
import { createKmsMasterKey, KMS_MODULE_ENV, loadKmsClient } from './kms-master-key.js';
import type { MasterKeyProvider } from './master-key-provider.js';

/** Variable forcing a provider. */
export const MASTER_KEY_PROVIDER_ENV = 'TRIBUTARY_MASTER_KEY_PROVIDER';

/** Options of {@link selectMasterKey}. */
export interface SelectMasterKeyOptions {
  /** Allow the key file to be created (only when the vault holds no entry yet). */
  readonly createKeyFile: boolean;
  readonly onKeyFileCreated?: (file: string) => void;
}

/** The provider configured by `env`. Throws `TRB_SECRET_MASTER_KEY_INVALID` for a bad setting. */
export async function selectMasterKey(env: NodeJS.ProcessEnv, opts: SelectMasterKeyOptions): Promise<MasterKeyProvider> {
  const forced = env[MASTER_KEY_PROVIDER_ENV];
  const kind = forced !== undefined && forced !== '' ? forced
    : env[KMS_MODULE_ENV] ? 'kms'
    : env[MASTER_KEY_ENV] ? 'env'
    : 'file';
  switch (kind) {
    case 'env': return createEnvMasterKey(env);
    case 'file': return createFileMasterKey({
      file: defaultKeyFile(env), create: opts.createKeyFile, ...(opts.onKeyFileCreated ? { onCreate: opts.onKeyFileCreated } : {}),
    });
    case 'kms': {
      const spec = env[KMS_MODULE_ENV];
      if (spec === undefined || spec === '') throw MasterKeyInvalid({ source: MASTER_KEY_PROVIDER_ENV, reason: `kms needs ${KMS_MODULE_ENV} naming the KMS client module` });
      return createKmsMasterKey(await loadKmsClient(spec, env), spec);
    }
    default:
      throw MasterKeyInvalid({ source: MASTER_KEY_PROVIDER_ENV, reason: `\`${kind}\` is not a provider (env, file or kms)` });
  }
}
