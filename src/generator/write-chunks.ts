/**
 * Moves generated lines into a Writable in 4 MiB buffers, waiting for `drain` whenever the
 * stream asks, so memory stays flat however many lines are written.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { LineFactory } from './line-factory.js';

/** Size of one write (bytes); a buffer holds ~15k typical lines. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Writes the next `lines` lines of `factory` to `out`; resolves with the bytes written. Rejects
 * when the stream errors. Does not end the stream. Each write gets a fresh buffer because the
 * stream may hold on to it until the bytes are flushed.
 */
export async function writeLines(factory: LineFactory, lines: number, out: Writable): Promise<number> {
  let bytes = 0;
  let left = lines;
  while (left > 0) {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const r = factory.fill(buf, left);
    left -= r.lines;
    bytes += r.bytes;
    if (!out.write(buf.subarray(0, r.bytes))) await once(out, 'drain');
  }
  return bytes;
}
