/**
 * The `secret` error family of the vault (exit code 2). Messages name the secret and say how to fix
 * the problem; they never contain a secret value or key material.
 */
import { defineError } from '../core/errors.js';

/** No master key is available: the vault is sealed. Only operations needing a secret fail. */
export const VaultSealed = defineError<{ secret: string; provider: string; howto: string }>(
  'TRB_SECRET_VAULT_SEALED',
  'The vault is sealed: cannot read secret `{secret}` because no master key is available ({provider}). {howto}',
  { family: 'secret' });

/** A stored value is wrapped by a master key the provider does not hold. */
export const VaultWrongMasterKey = defineError<{ secret: string; keyId: string; provider: string }>(
  'TRB_SECRET_WRONG_MASTER_KEY',
  'Secret `{secret}` is wrapped by master key `{keyId}`, which the {provider} does not hold: supply that key (keep old keys until `tributary secrets rotate --master` has re-wrapped everything)',
  { family: 'secret' });

/** Authenticated decryption failed: the ciphertext or wrapped key was altered, or the key is wrong. */
export const VaultCorrupted = defineError<{ secret: string; reason: string }>(
  'TRB_SECRET_CORRUPTED',
  'Secret `{secret}` cannot be decrypted: {reason}. The stored ciphertext was altered or a wrong key was supplied; restore it from a backup',
  { family: 'secret' });

/** The named secret does not exist. */
export const SecretNotFound = defineError<{ secret: string; version?: number }>(
  'TRB_SECRET_NOT_FOUND',
  'Secret `{secret}` does not exist in the vault; store it with `tributary secrets set {secret}`',
  { family: 'secret', status: 404 });

/** An operation expected another kind of vault entry. */
export const SecretKindMismatch = defineError<{ secret: string; kind: string; expected: string }>(
  'TRB_SECRET_KIND_MISMATCH',
  'Vault entry `{secret}` is of kind `{kind}`, not a {expected}',
  { family: 'secret', status: 409 });

/** A secret name or value cannot be stored. */
export const SecretInvalid = defineError<{ secret: string; reason: string }>(
  'TRB_SECRET_INVALID',
  'Cannot store secret `{secret}`: {reason}',
  { family: 'secret', status: 400 });

/** The master key file is readable by others or not owned by this user. */
export const KeyFileInsecure = defineError<{ file: string; reason: string }>(
  'TRB_SECRET_KEY_FILE_INSECURE',
  'Refusing master key file {file}: {reason}. Run `chmod 600 {file}` as its owner (and check who could have read it)',
  { family: 'secret' });

/** A master key (env var, file or KMS answer) is malformed. */
export const MasterKeyInvalid = defineError<{ source: string; reason: string }>(
  'TRB_SECRET_MASTER_KEY_INVALID',
  'Invalid master key from {source}: {reason}',
  { family: 'secret' });

/** The chosen master-key provider cannot create keys itself (env): the operator must do it. */
export const MasterKeyRotationExternal = defineError<{ provider: string; howto: string }>(
  'TRB_SECRET_ROTATION_EXTERNAL',
  'The {provider} cannot create a new master key itself: {howto}',
  { family: 'secret' });

/** The KMS provider module could not be loaded or answered with an error. */
export const KmsFailed = defineError<{ module: string; op: string; reason: string }>(
  'TRB_SECRET_KMS_FAILED',
  'KMS provider {module} failed during {op}: {reason}',
  { family: 'secret', retry: 'backoff' });
