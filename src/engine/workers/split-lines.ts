/**
 * Splits a chunk of whole lines into strings with exact stream byte offsets and line numbers.
 * Pure-ASCII chunks (the common case) are decoded once as latin1 (a plain copy) and split; other
 * chunks are cut at newline bytes and each line decoded on its own, so offsets always come from
 * byte positions (a decoded string's UTF-8 length differs from its source bytes when they held
 * invalid UTF-8: each bad byte becomes a 3-byte U+FFFD).
 */
import { isAscii } from 'node:buffer';
import type { BatchMeta, LineBatch } from '../../core/component.js';

const NL = 10;
const stripCr = (l: string): string => (l.length > 0 && l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l);

/** Decodes `data` (whole lines; a trailing `\n` is optional) into a LineBatch. */
export function splitLines(meta: BatchMeta, data: Uint8Array, startOffset: number, firstLine: number, truncated: boolean): LineBatch {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const lines: string[] = [];
  const offsets: number[] = [];
  if (isAscii(buf)) {
    const raw = buf.toString('latin1').split('\n');
    if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
    let off = startOffset;
    for (const l of raw) { offsets.push(off); off += l.length + 1; lines.push(stripCr(l)); }
  } else {
    for (let pos = 0; pos < buf.length;) {
      const nl = buf.indexOf(NL, pos);
      const end = nl === -1 ? buf.length : nl;
      offsets.push(startOffset + pos);
      lines.push(stripCr(buf.toString('utf8', pos, end)));
      pos = end + 1;
    }
  }
  const lineNos = lines.map((_l, i) => firstLine + i);
  return truncated && lines.length > 0 ? { meta, lines, lineNos, offsets, overLong: new Set([0]) } : { meta, lines, lineNos, offsets };
}
