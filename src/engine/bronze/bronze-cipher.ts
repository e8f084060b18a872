/**
 * Encryption at rest of bronze objects with age, to the recipient of a vault `age` data key
 * (default name `bronze`). The writer side ({@link openBronzeCipher}) encrypts to the key's current
 * version; the reader side ({@link createBronzeDecryptor}) tries every version of the key, so
 * objects written before a rotation stay readable.
 */
import type { Readable } from 'node:stream';
import { identityToRecipient } from 'age-encryption';
import type { BronzeEncryption, Logger } from '../../core/component.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { ageDecryptStream, ageEncryptStream } from '../../security/crypto/age-stream.js';
import { KeysUnavailable } from '../../security/crypto/errors.js';

/** `engine.bronze.encryption`: `auto` = age when the run has a vault, else none (with a warning). */
export type BronzeEncryptionMode = 'auto' | 'age' | 'none';

/** The `engine.bronze` settings of a pipeline. */
export interface BronzeSettings {
  readonly encryption: BronzeEncryptionMode;
  /** Vault data key (kind `age`) the objects are encrypted to. */
  readonly key: string;
}

/** Encrypts bronze objects as they stream to the object store. */
export interface BronzeCipher {
  /** What the manifest records for every object this cipher encrypts. */
  readonly encryption: BronzeEncryption;
  /** The age ciphertext stream of `plain` (errors of `plain` error it). */
  encrypt(plain: Readable): Readable;
}

const HOWTO_WRITE = 'Open the run with a vault (the deployment\'s `keys`, or `RunOptions.keys`), or set `engine.bronze.encryption: none` to archive raw input unencrypted';
const HOWTO_READ = 'Replay with the vault of the deployment that wrote it (its `age` key decrypts it)';

/**
 * The cipher for a run, or undefined when bronze is stored unencrypted: `none`, or `auto` without a
 * vault (logged as a warning). Fetches (creating on first use) the current version of the `age`
 * key `settings.key`. Throws `TRB_SECRET_KEYS_UNAVAILABLE` for `age` without a vault, and the
 * vault's own errors (sealed, kind mismatch) as they are: a sealed vault never downgrades `auto`.
 */
export async function openBronzeCipher(settings: BronzeSettings, keys: DataKeys | undefined, log: Logger): Promise<BronzeCipher | undefined> {
  if (settings.encryption === 'none') return undefined;
  if (!keys) {
    if (settings.encryption === 'age') throw KeysUnavailable({ what: 'Bronze encryption (`engine.bronze.encryption: age`)', key: settings.key, howto: HOWTO_WRITE });
    log.warn({ key: settings.key }, 'Bronze is archived UNENCRYPTED: this run has no vault (engine.bronze.encryption: auto).');
    return undefined;
  }
  const key = await keys.current(settings.key, 'age', { create: true });
  // The recipient is derived from the identity itself, so whatever is written can be read back.
  const recipient = await identityToRecipient(key.material.toString('utf8'));
  const encryption: BronzeEncryption = Object.freeze({ scheme: 'age', keyName: key.name, keyVersion: key.version });
  return Object.freeze({ encryption, encrypt: (plain: Readable) => ageEncryptStream(plain, [recipient]) });
}

/** Decrypts bronze objects; identities are fetched from the vault once per key name (and again after a newer version shows up). */
export interface BronzeDecryptor {
  /** The plaintext of `cipher`, the object `objectKey` encrypted as `encryption` says (see {@link ageDecryptStream}). */
  decrypt(cipher: Readable, objectKey: string, encryption: BronzeEncryption): Promise<Readable>;
}

/** A decryptor over `keys`; without keys every decrypt rejects with `TRB_SECRET_KEYS_UNAVAILABLE`. */
export function createBronzeDecryptor(keys: DataKeys | undefined): BronzeDecryptor {
  const cache = new Map<string, { readonly maxVersion: number; readonly identities: readonly string[] }>();
  const identities = async (enc: BronzeEncryption): Promise<readonly string[]> => {
    const hit = cache.get(enc.keyName);
    if (hit && hit.maxVersion >= enc.keyVersion) return hit.identities;
    const versions = (await keys!.all(enc.keyName)).filter((k) => k.kind === 'age');
    const entry = { maxVersion: Math.max(0, ...versions.map((k) => k.version)), identities: versions.map((k) => k.material.toString('utf8')) };
    cache.set(enc.keyName, entry);
    return entry.identities;
  };
  return {
    async decrypt(cipher, objectKey, encryption) {
      if (!keys) {
        cipher.destroy();
        throw KeysUnavailable({ what: `Bronze object \`${objectKey}\` (age-encrypted)`, key: encryption.keyName, howto: HOWTO_READ });
      }
      let ids: readonly string[];
      try { ids = await identities(encryption); } catch (err) { cipher.destroy(); throw err; }
      if ((cache.get(encryption.keyName)?.maxVersion ?? 0) < encryption.keyVersion) {
        cipher.destroy();
        throw KeysUnavailable({ what: `Bronze object \`${objectKey}\` (age-encrypted)`, key: `${encryption.keyName}\` version \`${encryption.keyVersion}`, howto: HOWTO_READ });
      }
      return ageDecryptStream(cipher, ids, { what: 'bronze object', name: objectKey, key: `${encryption.keyName}` });
    },
  };
}
