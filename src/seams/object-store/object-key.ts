/**
 * Object key rules, shared by every ObjectStore adapter so all of them refuse the same keys (see
 * object-store.ts). The rules keep a key safe as a relative file path on any filesystem and valid
 * as an S3 key.
 */
import { StoreKeyInvalid } from '../store-errors.js';

/** Maximum key length in UTF-8 bytes (S3's limit). */
export const MAX_KEY_BYTES = 1024;

/** Segment prefix reserved for in-flight writes; adapters skip such names when listing. */
export const TEMP_SEGMENT_PREFIX = '.trb-tmp-';

// Control characters (C0, DEL, C1): never useful in a key and dangerous in logs and terminals.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function fail(key: string, reason: string): never {
  throw StoreKeyInvalid({ key: JSON.stringify(key).slice(1, -1).slice(0, 200), reason });
}

function checkCommon(key: string): void {
  if (typeof key !== 'string') fail(String(key), 'must be a string');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(key, `is longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  if (CONTROL.test(key)) fail(key, 'contains a NUL or control character');
  if (key.includes('\\')) fail(key, 'contains a backslash; use `/` to separate segments');
  if (key.startsWith('/')) fail(key, 'is absolute; keys are relative (no leading `/`)');
}

function checkSegment(key: string, seg: string): void {
  if (seg === '') fail(key, 'has an empty segment (`//` or a trailing `/`)');
  if (seg === '.' || seg === '..') fail(key, `has a \`${seg}\` segment`);
  if (seg.startsWith(TEMP_SEGMENT_PREFIX)) fail(key, `has a segment starting with the reserved \`${TEMP_SEGMENT_PREFIX}\``);
}

/** Returns `key` when it follows the key rules, else throws `TRB_STORE_KEY_INVALID`. */
export function validateObjectKey(key: string): string {
  checkCommon(key);
  if (key === '') fail(key, 'is empty');
  for (const seg of key.split('/')) checkSegment(key, seg);
  return key;
}

/**
 * Returns `prefix` when it is a valid list prefix (empty, or a key optionally ending with `/`,
 * whose last segment may be partial), else throws `TRB_STORE_KEY_INVALID`.
 */
export function validateObjectPrefix(prefix: string): string {
  checkCommon(prefix);
  if (prefix === '') return prefix;
  const segs = prefix.split('/');
  const last = segs.pop() ?? '';
  for (const seg of segs) checkSegment(prefix, seg);
  // A partial last segment may not be `.`/`..`: it would name a path outside its directory.
  if (last === '.' || last === '..') fail(prefix, `ends with a \`${last}\` segment`);
  return prefix;
}
