/**
 * Keyed pseudonyms: `ps<epoch>_<24 hex>` = HMAC-SHA256(vault key of version `epoch`, field name ∥ 0x00
 * ∥ value), truncated to 96 bits. The same value gives the same pseudonym within an epoch (joins
 * and counts keep working); without the key nobody can compute or reverse it (unlike a plain hash,
 * which an attacker can brute-force over the 2^32 IPv4 addresses); rotating the key starts a new
 * epoch, after which old and new pseudonyms no longer link. Binding the field name keeps a user
 * name and an IP with the same text from sharing a pseudonym.
 */
import { createHmac } from 'node:crypto';

/** Pseudonym of `value` in field `field` under `key` (epoch = key version). */
export function pseudonym(key: Uint8Array, epoch: number, field: string, value: string): string {
  const mac = createHmac('sha256', key).update(field).update('\0').update(value).digest('hex');
  return `ps${epoch}_${mac.slice(0, 24)}`;
}

/** True for text shaped like a pseudonym made by {@link pseudonym}. */
export function isPseudonym(text: string): boolean {
  return /^ps[1-9][0-9]*_[0-9a-f]{24}$/.test(text);
}
