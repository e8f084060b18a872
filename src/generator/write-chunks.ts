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
 * when the stream errors. Does not end the stream. With `recycle` a buffer is reused once the
 * write callback fired — only for streams that are done with a chunk by then (file and gzip
 * streams; not a PassThrough, whose reader may still hold it). Otherwise each write gets a
 * fresh buffer.
 */
export async function writeLines(factory: LineFactory, lines: number, out: Writable, recycle = false): Promise<number> {
  let bytes = 0;
  let left = lines;
  const free: Buffer[] = [];
  const release = (b: Buffer) => () => { free.push(b); };
  while (left > 0) {
    const buf = free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    const r = factory.fill(buf, left);
    left -= r.lines;
    bytes += r.bytes;
    const chunk = buf.subarray(0, r.bytes);
    if (!(recycle ? out.write(chunk, release(buf)) : out.write(chunk))) await once(out, 'drain');
  }
  return bytes;
}
