/**
 * The API key format: `trb_<prefix>_<secret>`, where `prefix` is 12 characters of base64url (72
 * random bits, the public lookup id, shown in listings and audit lines) and `secret` is 43
 * characters of base64url (256 random bits, never stored). The fixed `trb_` marker lets secret
 * scanners and the server recognise a key pasted in the wrong place (a query string, a log).
 */
import { randomBytes } from 'node:crypto';

/** Length of the public prefix (the key id). */
export const KEY_PREFIX_LENGTH = 12;
/** Length of the base64url secret part. */
export const KEY_SECRET_LENGTH = 43;

const KEY_RE = /^trb_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;
const LOOSE_RE = /trb_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{20,}/;
const ID_RE = /^[A-Za-z0-9_-]{12}$/;

/** A parsed key. `key` is the whole text; treat it as a secret. */
export interface ParsedApiKey {
  readonly id: string;
  readonly key: string;
}

/** A fresh key with 72 bits of public id and 256 bits of secret from the CSPRNG. */
export function generateApiKey(): ParsedApiKey {
  const id = randomBytes(9).toString('base64url');
  const key = `trb_${id}_${randomBytes(32).toString('base64url')}`;
  return Object.freeze({ id, key });
}

/** The key's parts when `text` is exactly a well-formed key, else undefined. */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const m = KEY_RE.exec(text);
  return m === null ? undefined : Object.freeze({ id: m[1]!, key: text });
}

/**
 * True when `s` contains something shaped like an API key (also when part of a longer text, e.g. a
 * query string value). The server refuses such requests so keys do not end up in access logs.
 */
export function looksLikeApiKey(s: string): boolean {
  return LOOSE_RE.test(s);
}

/** True when `id` has the shape of a key id (the public prefix). */
export function isApiKeyId(id: string): boolean {
  return ID_RE.test(id);
}
