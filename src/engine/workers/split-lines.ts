/**
 * Splits a chunk of whole lines into strings with exact stream byte offsets and line numbers.
 * ASCII chunks (the common case) are decoded once and split; chunks with multi-byte or invalid
 * UTF-8 fall back to per-line byte accounting so offsets stay exact.
 */
import { isAscii } from 'node:buffer';
import type { BatchMeta, LineBatch } from '../../core/component.js';

/** Decodes `data` (whole lines; a trailing `\n` is optional) into a LineBatch. */
export function splitLines(meta: BatchMeta, data: Uint8Array, startOffset: number, firstLine: number, truncated: boolean): LineBatch {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Pure ASCII (checked natively) decodes as latin1: a plain byte copy, much cheaper than UTF-8 decoding.
  const text = isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8');
  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines: string[] = new Array(raw.length);
  const lineNos: number[] = new Array(raw.length);
  const offsets: number[] = new Array(raw.length);
  const ascii = text.length === buf.length;
  let off = startOffset;
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i]!;
    offsets[i] = off;
    lineNos[i] = firstLine + i;
    off += (ascii ? l.length : Buffer.byteLength(l)) + 1;
    lines[i] = l.length > 0 && l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l;
  }
  return truncated && lines.length > 0 ? { meta, lines, lineNos, offsets, overLong: new Set([0]) } : { meta, lines, lineNos, offsets };
}
