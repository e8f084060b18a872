/**
 * Master key held by a KMS. The vault sends each data key to the KMS to be wrapped (encrypted) and
 * unwrapped (decrypted); the master key never leaves the KMS. A KMS is plugged in as a module named
 * by `TRIBUTARY_KMS_MODULE` (a file path or package name) whose export `createKmsClient(env)` returns
 * a {@link KmsClient}. docs/security/model.md shows AWS KMS and HashiCorp Vault Transit adapters.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTributaryError } from '../../../core/errors.js';
import { KmsFailed, MasterKeyRotationExternal, VaultCorrupted } from '../../errors.js';
import type { MasterKeyProvider, WrappedKey } from './master-key-provider.js';

/** Variable naming the KMS client module. */
export const KMS_MODULE_ENV = 'TRIBUTARY_KMS_MODULE';

/** What a KMS adapter implements. `context` must be bound as encryption context / associated data. */
export interface KmsClient {
  /** A label for messages, e.g. `aws-kms arn:aws:kms:...:key/...`. */
  readonly name: string;
  /** Id of the key (and version, where the KMS versions keys) new encryptions use. */
  currentKeyId(): Promise<string>;
  /** Encrypts a 32-byte data key; returns the key id used and printable ciphertext. */
  encrypt(plaintext: Buffer, context: string): Promise<{ readonly keyId: string; readonly ciphertext: string }>;
  /**
   * Decrypts what {@link encrypt} returned. Must reject when the ciphertext or context was altered
   * (set `authentication: true` on the error to report it as tampering rather than an outage).
   */
  decrypt(keyId: string, ciphertext: string, context: string): Promise<Buffer>;
  /** Creates a new key version and returns its id (Vault Transit `rotate`); omit when the KMS rotates by itself. */
  rotate?(): Promise<string>;
}

/** Shape of a KMS module. */
export interface KmsModule {
  createKmsClient(env: NodeJS.ProcessEnv): KmsClient | Promise<KmsClient>;
}

/** Loads the module named by `spec` (resolved against `cwd` when relative). */
export async function loadKmsClient(spec: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): Promise<KmsClient> {
  const url = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(cwd, spec)).href : spec;
  let mod: Partial<KmsModule>;
  try {
    mod = await import(url) as Partial<KmsModule>;
  } catch (err) {
    throw KmsFailed({ module: spec, op: 'load', reason: (err as Error).message }, err);
  }
  if (typeof mod.createKmsClient !== 'function') throw KmsFailed({ module: spec, op: 'load', reason: 'the module does not export createKmsClient(env)' });
  return mod.createKmsClient(env);
}

/** A provider over a KMS client (`spec` names it in errors). */
export function createKmsMasterKey(client: KmsClient, spec: string): MasterKeyProvider {
  const call = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (isTributaryError(err)) throw err;
      throw KmsFailed({ module: spec, op, reason: (err as Error).message }, err);
    }
  };
  return {
    kind: 'kms',
    location: `KMS ${client.name}`,
    available: () => Promise.resolve(true),
    currentKeyId: () => call('currentKeyId', () => client.currentKeyId()),
    keyIds: async () => [await call('currentKeyId', () => client.currentKeyId())],
    wrap: async (dataKey, context): Promise<WrappedKey> => {
      const r = await call('encrypt', () => client.encrypt(dataKey, context));
      return { keyId: r.keyId, wrapped: r.ciphertext };
    },
    unwrap: async (w, context, secret) => {
      try {
        return await client.decrypt(w.keyId, w.wrapped, context);
      } catch (err) {
        if ((err as { authentication?: unknown }).authentication === true) {
          throw VaultCorrupted({ secret, reason: `the KMS refused the wrapped data key (${(err as Error).message})` }, err);
        }
        throw KmsFailed({ module: spec, op: 'decrypt', reason: (err as Error).message }, err);
      }
    },
    rotate: () => (client.rotate
      ? call('rotate', () => (client.rotate as () => Promise<string>)())
      : Promise.reject(MasterKeyRotationExternal({ provider: `KMS ${client.name}`, howto: 'rotate the key in the KMS (most rotate automatically), then run `tributary secrets rotate --master` to re-wrap every entry with the new version' }))),
  };
}
