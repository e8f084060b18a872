/**
 * Envelope encryption of one vault value: a fresh random 256-bit data key per version encrypts the
 * value with AES-256-GCM; the data key itself is wrapped by the master key (see master-key/). The
 * associated data binds the ciphertext to its entry (name, version, kind), so a row copied onto
 * another name or version fails authentication instead of decrypting.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VaultCorrupted } from '../errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1';

/** Associated data of a vault value. */
export function entryContext(name: string, version: number, kind: string): string {
  return `tributary-vault/1|${name}|${version}|${kind}`;
}

/** A new random data key (32 bytes). */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** Encrypts `plaintext` under `dataKey`, binding `context`; returns printable text. */
export function sealValue(dataKey: Buffer, plaintext: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', dataKey, iv);
  c.setAAD(Buffer.from(context));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return `${PREFIX}.${Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64url')}`;
}

/** Decrypts what {@link sealValue} made; `TRB_SECRET_CORRUPTED` (naming `secret`) on any mismatch. */
export function openValue(dataKey: Buffer, sealed: string, context: string, secret: string): Buffer {
  const [prefix, body] = sealed.split('.');
  const raw = Buffer.from(body ?? '', 'base64url');
  if (prefix !== PREFIX || raw.length < IV_BYTES + TAG_BYTES) throw VaultCorrupted({ secret, reason: 'the stored ciphertext is malformed' });
  try {
    const d = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, IV_BYTES));
    d.setAAD(Buffer.from(context));
    d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), d.final()]);
  } catch (err) {
    throw VaultCorrupted({ secret, reason: 'the stored ciphertext failed authentication' }, err);
  }
}
