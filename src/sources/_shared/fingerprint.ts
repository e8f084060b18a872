/**
 * Stream identity by content: the first line of a stream, hashed. A file keeps its identity when it
 * is renamed, copied, rotated or compressed, because its first line does not change.
 */
import { createHash } from 'node:crypto';

/**
 * Fingerprint of the first line in `head` (the first bytes of a stream): the first 16 hex digits of
 * SHA-256 over the line's bytes without its `\n`, capped at `maxBytes`. Returns undefined when the
 * line is not complete yet (no `\n` and fewer than `maxBytes` bytes) unless `partial` allows hashing
 * what exists; an empty stream never has a fingerprint.
 */
export function fingerprintFirstLine(head: Buffer, maxBytes: number, partial: boolean): string | undefined {
  const nl = head.indexOf(0x0a);
  let line: Buffer;
  if (nl !== -1) line = head.subarray(0, Math.min(nl, maxBytes));
  else if (head.length >= maxBytes) line = head.subarray(0, maxBytes);
  else if (partial && head.length > 0) line = head;
  else return undefined;
  return createHash('sha256').update(line).digest('hex').slice(0, 16);
}
