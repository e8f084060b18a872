/**
 * Master key from environment variables: `TRIBUTARY_MASTER_KEY` holds the current key (64 hex
 * characters or base64 of 32 bytes) and `TRIBUTARY_MASTER_KEY_PREVIOUS` optionally holds older keys
 * (comma separated) still needed to unwrap entries not yet re-wrapped. Rotation is done by the
 * operator: put a new key in `TRIBUTARY_MASTER_KEY`, the old one in `..._PREVIOUS`, run
 * `tributary secrets rotate --master`, then drop `..._PREVIOUS`.
 */
import { MasterKeyRotationExternal, VaultSealed } from '../../errors.js';
import { decodeMasterKey, masterKeyId, unwrapLocal, wrapLocal, type MasterKeyVersion } from './local-keyring.js';
import type { MasterKeyProvider, WrappedKey } from './master-key-provider.js';

/** Variable holding the current master key. */
export const MASTER_KEY_ENV = 'TRIBUTARY_MASTER_KEY';
/** Variable holding older master keys, comma separated. */
export const MASTER_KEY_PREVIOUS_ENV = 'TRIBUTARY_MASTER_KEY_PREVIOUS';

/** A provider reading `env` once, at construction. Malformed keys throw `TRB_SECRET_MASTER_KEY_INVALID`. */
export function createEnvMasterKey(env: NodeJS.ProcessEnv): MasterKeyProvider {
  const current = env[MASTER_KEY_ENV];
  const keys: MasterKeyVersion[] = [];
  if (current !== undefined && current.trim() !== '') {
    const key = decodeMasterKey(current, MASTER_KEY_ENV);
    keys.push({ id: masterKeyId(key), key });
  }
  for (const part of (env[MASTER_KEY_PREVIOUS_ENV] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const key = decodeMasterKey(part, MASTER_KEY_PREVIOUS_ENV);
    keys.push({ id: masterKeyId(key), key });
  }
  const location = `environment variable ${MASTER_KEY_ENV}`;
  const head = (): MasterKeyVersion => {
    const [k] = current !== undefined && current.trim() !== '' ? keys : [];
    if (k === undefined) throw VaultSealed({ secret: '(master key)', provider: location, howto: `Set ${MASTER_KEY_ENV}.` });
    return k;
  };
  return {
    kind: 'env',
    location,
    available: async () => current !== undefined && current.trim() !== '',
    currentKeyId: async () => head().id,
    keyIds: async () => keys.map((k) => k.id),
    wrap: async (dataKey: Buffer, context: string) => wrapLocal(head(), dataKey, context),
    unwrap: async (w: WrappedKey, context: string, secret: string) => unwrapLocal(keys, w, context, secret, `master key in ${MASTER_KEY_ENV} or ${MASTER_KEY_PREVIOUS_ENV}`),
    rotate: () => Promise.reject(MasterKeyRotationExternal({
      provider: location,
      howto: `generate a key (\`openssl rand -base64 32\`), move the current one to ${MASTER_KEY_PREVIOUS_ENV}, put the new one in ${MASTER_KEY_ENV}, then run \`tributary secrets rotate --master\` again to re-wrap every entry`,
    })),
  };
}
