/**
 * Master key versions held in process memory (from an env var or a key file) and the AES-256-GCM
 * wrapping both local providers use. A key id is derived from the key itself
 * (`mk-` + first 8 bytes of HMAC-SHA256(key, "tributary master key id")): it identifies the key
 * without revealing it, so a wrapped value says which key it needs.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { MasterKeyInvalid, VaultCorrupted, VaultWrongMasterKey } from '../../errors.js';
import type { WrappedKey } from './master-key-provider.js';

/** Bytes of a master key. */
export const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_PREFIX = 'w1';

/** One master key version. */
export interface MasterKeyVersion {
  readonly id: string;
  readonly key: Buffer;
  /** ISO-8601, when known. */
  readonly createdAt?: string;
}

/** The id of a master key (see the module doc). */
export function masterKeyId(key: Buffer): string {
  return `mk-${createHmac('sha256', key).update('tributary master key id').digest('hex').slice(0, 16)}`;
}

/** A new random master key. */
export function newMasterKey(): MasterKeyVersion {
  const key = randomBytes(MASTER_KEY_BYTES);
  return { id: masterKeyId(key), key, createdAt: new Date().toISOString() };
}

/**
 * Decodes a master key written as 64 hex characters or base64 of 32 bytes (`source` names where it
 * came from in errors). Throws `TRB_SECRET_MASTER_KEY_INVALID`.
 */
export function decodeMasterKey(text: string, source: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t) ? Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64')
    : undefined;
  if (key?.length !== MASTER_KEY_BYTES) {
    throw MasterKeyInvalid({ source, reason: 'expected 32 random bytes as 64 hex characters or base64 (generate one with `openssl rand -base64 32`)' });
  }
  return key;
}

/** Wraps `dataKey` under `mk` with AES-256-GCM, binding `context`. */
export function wrapLocal(mk: MasterKeyVersion, dataKey: Buffer, context: string): WrappedKey {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', mk.key, iv);
  c.setAAD(Buffer.from(`${mk.id}|${context}`));
  const ct = Buffer.concat([c.update(dataKey), c.final()]);
  return { keyId: mk.id, wrapped: `${WRAP_PREFIX}.${Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64url')}` };
}

/** Unwraps a key made by {@link wrapLocal} with one of `keys` (errors name `secret`). */
export function unwrapLocal(keys: readonly MasterKeyVersion[], w: WrappedKey, context: string, secret: string, provider: string): Buffer {
  const mk = keys.find((k) => k.id === w.keyId);
  if (mk === undefined) throw VaultWrongMasterKey({ secret, keyId: w.keyId, provider });
  const [prefix, body] = w.wrapped.split('.');
  const raw = Buffer.from(body ?? '', 'base64url');
  if (prefix !== WRAP_PREFIX || raw.length < IV_BYTES + TAG_BYTES + 1) throw VaultCorrupted({ secret, reason: 'the wrapped data key is malformed' });
  try {
    const d = createDecipheriv('aes-256-gcm', mk.key, raw.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(`${mk.id}|${context}`));
    d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]);
  } catch (err) {
    throw VaultCorrupted({ secret, reason: 'the wrapped data key failed authentication' }, err);
  }
}
