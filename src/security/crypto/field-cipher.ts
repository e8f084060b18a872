/**
 * Field-level encryption: one value → one printable token, AES-256-GCM (node:crypto) under a vault
 * `field` data key.
 *
 *   enc:v1:<keyName>:<keyVersion>:<base64url(iv[12] | ciphertext | tag[16])>
 *
 * Each value gets a fresh random 96-bit IV, so equal values give different tokens (no equality
 * leaks, no joins on tokens: use a keyed pseudonym for that). The additional authenticated data
 * binds the token's header (key name, version) and where the value lives (dataset and field), so a
 * token moved to another column or dataset, or relabelled with another key version, fails to
 * decrypt instead of yielding a value. Decryption picks the key version named by the token, so
 * tokens written before a key rotation stay readable as long as their version is in the vault.
 * Values are UTF-8; a lone UTF-16 surrogate comes back as U+FFFD. One key version should encrypt
 * fewer than 2^32 values (random-IV GCM bound): rotate long before.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { DataKeys } from '../vault/data-keys.js';
import { DecryptFailed, FieldTokenInvalid } from './errors.js';

/** Prefix of every token of this format version. */
export const FIELD_TOKEN_PREFIX = 'enc:v1:';

/** One version of a `field` data key (32 bytes of material). */
export interface FieldKey {
  readonly name: string;
  readonly version: number;
  readonly material: Uint8Array;
}

/** Where a value lives; bound into the token, so decryption must name the same place. */
export interface FieldContext {
  /** Dataset (table) name, e.g. `requests`. */
  readonly dataset: string;
  /** Field (column) name, e.g. `client_ip`. */
  readonly field: string;
}

/** The parts of a well-formed token. */
export interface FieldToken {
  readonly keyName: string;
  readonly keyVersion: number;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const VERSION = /^[1-9][0-9]{0,8}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** True when `name` can name a field key inside a token (letters, digits, `_`, `.`, `-`; no `:`). */
export function isFieldKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

// Random IVs are cut from a pooled buffer refilled 4 KiB at a time (one CSPRNG call per ~340 values).
const ivPool = Buffer.alloc(IV_BYTES * 341);
let ivPos = ivPool.length;
function nextIv(): Buffer {
  if (ivPos + IV_BYTES > ivPool.length) { randomFillSync(ivPool); ivPos = 0; }
  const iv = Buffer.from(ivPool.subarray(ivPos, ivPos + IV_BYTES));
  ivPos += IV_BYTES;
  return iv;
}

const aadOf = (keyName: string, keyVersion: number, ctx: FieldContext): Buffer =>
  Buffer.from(`tributary-field\u0000v1\u0000${keyName}\u0000${keyVersion}\u0000${ctx.dataset}\u0000${ctx.field}`, 'utf8');

function checkKey(key: FieldKey): void {
  if (key.material.length !== 32) throw new TypeError(`field key \`${key.name}\` v${key.version} must be 32 bytes, got ${key.material.length}`);
  if (!isFieldKeyName(key.name) || !Number.isInteger(key.version) || key.version < 1) {
    throw new TypeError(`field key name \`${key.name}\` / version ${key.version} cannot be written in a token`);
  }
}

/** Encrypts `value` (UTF-8) under `key` for the field `ctx`. Throws TypeError for an unusable key (a bug). */
export function encryptField(value: string, key: FieldKey, ctx: FieldContext): string {
  checkKey(key);
  const iv = nextIv();
  const c = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: TAG_BYTES });
  c.setAAD(aadOf(key.name, key.version, ctx));
  const body = Buffer.concat([iv, c.update(value, 'utf8'), c.final(), c.getAuthTag()]);
  return `${FIELD_TOKEN_PREFIX}${key.name}:${key.version}:${body.toString('base64url')}`;
}

/** True when `value` looks like a token of this format (prefix only; {@link parseFieldToken} checks the rest). */
export function isFieldToken(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(FIELD_TOKEN_PREFIX);
}

/**
 * Splits a token into its parts, strictly: canonical version number and canonical base64url
 * payload, so no edited token parses to the same bytes. Throws `TRB_SECRET_TOKEN_INVALID` naming
 * `field`.
 */
export function parseFieldToken(token: string, field = 'value'): FieldToken {
  const bad = (reason: string): never => { throw FieldTokenInvalid({ field, reason }); };
  if (typeof token !== 'string' || !token.startsWith(FIELD_TOKEN_PREFIX)) bad(`it does not start with \`${FIELD_TOKEN_PREFIX}\``);
  const parts = token.slice(FIELD_TOKEN_PREFIX.length).split(':');
  if (parts.length !== 3) bad('expected `enc:v1:<key>:<version>:<payload>`');
  const [keyName = '', version = '', payload = ''] = parts;
  if (!isFieldKeyName(keyName)) bad('the key name is malformed');
  if (!VERSION.test(version)) bad('the key version is not a positive integer');
  if (!BASE64URL.test(payload)) bad('the payload is not base64url');
  const body = Buffer.from(payload, 'base64url');
  if (body.toString('base64url') !== payload) bad('the payload is not canonical base64url');
  if (body.length < IV_BYTES + TAG_BYTES) bad('the payload is too short');
  return Object.freeze({
    keyName, keyVersion: Number(version),
    iv: body.subarray(0, IV_BYTES), ciphertext: body.subarray(IV_BYTES, body.length - TAG_BYTES), tag: body.subarray(body.length - TAG_BYTES),
  });
}

/**
 * Decrypts `token` with `key`, which must be the key version the token names. Throws
 * `TRB_SECRET_TOKEN_INVALID` for a malformed token and `TRB_SECRET_DECRYPT_FAILED` for another key
 * version, a token from another field or dataset, or any altered byte. Never returns a wrong value.
 */
export function decryptField(token: string, key: FieldKey, ctx: FieldContext): string {
  const t = parseFieldToken(token, ctx.field);
  const name = `${ctx.dataset}.${ctx.field}`;
  if (t.keyName !== key.name || t.keyVersion !== key.version) {
    throw DecryptFailed({ what: 'the field token in', name, key: `${key.name} v${key.version}`, reason: `the token was encrypted with \`${t.keyName}\` v${t.keyVersion}` });
  }
  checkKey(key);
  try {
    const d = createDecipheriv('aes-256-gcm', key.material, t.iv, { authTagLength: TAG_BYTES });
    d.setAAD(aadOf(t.keyName, t.keyVersion, ctx));
    d.setAuthTag(t.tag);
    return Buffer.concat([d.update(t.ciphertext), d.final()]).toString('utf8');
  } catch (err) {
    throw DecryptFailed({
      what: 'the field token in', name, key: `${key.name} v${key.version}`,
      reason: 'authentication failed (the token was altered, or it belongs to another field or dataset)',
    }, err);
  }
}

/**
 * PRIVILEGED: recovers the plaintext of `token` through the vault, with the key version the token
 * names (the vault audits the key read). Throws like {@link decryptField}, and the vault's errors
 * (`TRB_SECRET_NOT_FOUND` when that version was deleted, sealed vault).
 */
export async function decryptFieldToken(token: string, keys: DataKeys, ctx: FieldContext): Promise<string> {
  const t = parseFieldToken(token, ctx.field);
  const key = await keys.version(t.keyName, t.keyVersion);
  if (key.kind !== 'field') {
    throw DecryptFailed({ what: 'the field token in', name: `${ctx.dataset}.${ctx.field}`, key: t.keyName, reason: `vault entry \`${t.keyName}\` is a ${key.kind} key, not a field key` });
  }
  return decryptField(token, { name: key.name, version: key.version, material: key.material }, ctx);
}
