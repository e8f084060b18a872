/**
 * Normalises an {@link ObjectBody} into a stream of Buffers, so every adapter consumes bodies the
 * same way (and hashes them with {@link Sha256Counter} while they pass).
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { ObjectBody } from './object-store.js';

/** Yields the body's bytes as Buffers, in order. A body stream's error is rethrown as is. */
export async function* bodyChunks(body: ObjectBody): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(body)) { yield body; return; }
  if (body instanceof Uint8Array) { yield Buffer.from(body.buffer, body.byteOffset, body.byteLength); return; }
  for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Running sha256 and byte count of what passed through {@link Sha256Counter.update}. */
export class Sha256Counter {
  readonly #hash: Hash = createHash('sha256');
  #size = 0;

  /** Adds a chunk. */
  update(chunk: Buffer): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** Lowercase hex digest; call once, after the last chunk. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}
