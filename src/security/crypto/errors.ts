/**
 * Errors of encryption at rest (bronze archives, field tokens, DuckDB/Parquet encryption). All are
 * in the `secret` family (CLI exit 2, HTTP 500). Messages name the object, field or key and say what
 * to do; they never contain key material or plaintext.
 */
import { defineError } from '../../core/errors.js';

/**
 * Authenticated decryption failed: the bytes were altered or truncated, or none of the key's
 * versions can open them. Never returns partial plaintext: the whole read fails.
 */
export const DecryptFailed = defineError<{ what: string; name: string; key: string; reason: string }>(
  'TRB_SECRET_DECRYPT_FAILED',
  'Cannot decrypt {what} `{name}` with vault data key `{key}`: {reason}. Nothing of it was returned; restore the data from a backup, or the key version that encrypted it',
  { family: 'secret' });

/** A string given as a field token is not a well-formed `enc:v1:<key>:<version>:<payload>` token. */
export const FieldTokenInvalid = defineError<{ field: string; reason: string }>(
  'TRB_SECRET_TOKEN_INVALID',
  'Value of field `{field}` is not a valid encrypted field token: {reason}',
  { family: 'secret', status: 400 });

/** Something needs a vault data key but the run (or command) was given no key service. */
export const KeysUnavailable = defineError<{ what: string; key: string; howto: string }>(
  'TRB_SECRET_KEYS_UNAVAILABLE',
  '{what} needs the vault data key `{key}`, but no vault is available here. {howto}',
  { family: 'secret' });

/** Encryption was asked of DuckDB (database file or Parquet), but this DuckDB cannot write it securely. */
export const EncryptionUnavailable = defineError<{ component: string; target: string; reason: string }>(
  'TRB_SECRET_ENCRYPTION_UNAVAILABLE',
  '`{component}` is configured to encrypt {target}, but DuckDB cannot write encrypted files securely here: {reason}. Install DuckDB\'s OpenSSL crypto with `INSTALL httpfs` (once, online, as the user running Tributary; see docs/security/encryption.md) or remove `encryption_key`. Tributary never falls back to DuckDB\'s unsafe mbedtls mode',
  { family: 'secret' });
