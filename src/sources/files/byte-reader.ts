/**
 * Sequential readers of a file's (decompressed) bytes from an open handle: positional reads for
 * plain files, a streaming gunzip for gzip files. Both hand out one piece per call, so the caller
 * decides how much is in memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Reads the bytes of one stream in order. */
export interface ByteReader {
  /** Stream offset of the next byte `read` returns. */
  readonly pos: number;
  /** True when the last `read` stopped at a cut-off gzip member (the file is still being written). */
  readonly truncated: boolean;
  /** Up to about `max` next bytes, or null at the current end of input. */
  read(max: number): Promise<Buffer | null>;
  /** Discards bytes up to stream offset `to`; false when the input ends first. */
  skipTo(to: number): Promise<boolean>;
  /** Stops reading; never closes the file handle (its owner does). */
  close(): void;
}

/** True when `head` starts with the gzip magic bytes 1f 8b. */
export function isGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Positional reader of a plain file up to `limit()` bytes (the size the owner last observed). */
export class PlainReader implements ByteReader {
  readonly #fh: FileHandle;
  readonly #limit: () => number;
  #pos: number;

  constructor(fh: FileHandle, pos: number, limit: () => number) {
    this.#fh = fh;
    this.#pos = pos;
    this.#limit = limit;
  }

  get pos(): number { return this.#pos; }
  get truncated(): boolean { return false; }

  async read(max: number): Promise<Buffer | null> {
    // Never allocate more than is there: a small append must not pin a chunk-sized buffer.
    const n = Math.min(max, this.#limit() - this.#pos);
    if (n <= 0) return null;
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.#fh.read(buf, 0, n, this.#pos);
    if (bytesRead === 0) return null;
    this.#pos += bytesRead;
    return bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }

  async skipTo(to: number): Promise<boolean> {
    this.#pos = to;
    return to <= this.#limit();
  }

  close(): void { /* positional reads hold no state */ }
}

/** Z_BUF_ERROR: the compressed input ended inside a member (file cut off or still being written). */
function isCutOff(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'Z_BUF_ERROR';
}

async function* compressedBytes(fh: FileHandle): AsyncGenerator<Buffer> {
  let pos = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** Streaming gunzip of a whole file from its first byte (multi-member files included). */
export class GzipReader implements ByteReader {
  readonly #src: Readable;
  readonly #gunzip: ReturnType<typeof createGunzip>;
  readonly #it: AsyncIterator<Buffer>;
  #pos = 0;
  #stash: Buffer | null = null;
  #truncated = false;
  #ended = false;

  constructor(fh: FileHandle) {
    // Positional reads through our own generator: fs streams on a FileHandle may close it.
    this.#src = Readable.from(compressedBytes(fh), { objectMode: false, highWaterMark: 64 * 1024 });
    this.#gunzip = createGunzip({ chunkSize: 64 * 1024 });
    this.#src.on('error', (err) => this.#gunzip.destroy(err));
    // The iterator reports errors while reading; this keeps a late one (after close) from crashing.
    this.#gunzip.on('error', () => undefined);
    this.#src.pipe(this.#gunzip);
    this.#it = this.#gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get pos(): number { return this.#pos; }
  get truncated(): boolean { return this.#truncated; }

  async read(max: number): Promise<Buffer | null> {
    let piece = this.#stash;
    this.#stash = null;
    if (piece === null) {
      if (this.#ended) return null;
      try {
        const r = await this.#it.next();
        if (r.done === true) { this.#ended = true; return null; }
        piece = r.value;
      } catch (err) {
        this.#ended = true;
        if (isCutOff(err)) { this.#truncated = true; return null; }
        throw err;
      }
    }
    if (piece.length > max) {
      this.#stash = piece.subarray(max);
      piece = piece.subarray(0, max);
    }
    this.#pos += piece.length;
    return piece;
  }

  async skipTo(to: number): Promise<boolean> {
    while (this.#pos < to) {
      const piece = await this.read(to - this.#pos);
      if (piece === null) return false;
    }
    return true;
  }

  close(): void {
    this.#ended = true;
    this.#src.unpipe(this.#gunzip);
    this.#src.destroy();
    this.#gunzip.destroy();
  }
}

/**
 * Reads the first bytes of a stream until a `\n` or `max` bytes (or its end): what a fingerprint
 * needs. Returns what was read and whether the reader hit the end of input.
 */
export async function readHead(reader: ByteReader, max: number): Promise<{ head: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let len = 0;
  while (len < max) {
    const piece = await reader.read(max - len);
    if (piece === null) return { head: Buffer.concat(parts, len), ended: true };
    parts.push(piece);
    len += piece.length;
    if (piece.includes(0x0a)) break;
  }
  return { head: Buffer.concat(parts, len), ended: false };
}
