/**
 * One open file of the `files` source: its handle (kept across renames), its compression, its
 * stream identity and the chunker that cuts its bytes into lines. Which stream position to read
 * from is decided by the caller, because several files can carry the same stream.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { LineChunker, countNewlines, type LineChunk } from '../_shared/line-chunker.js';
import { fingerprintFirstLine } from '../_shared/fingerprint.js';
import { GzipReader, PlainReader, isGzipMagic, readHead, type ByteReader } from './byte-reader.js';
import type { FoundFile } from './discover-files.js';

/** A stream position: the offset of the next byte and the number of lines before it. */
export interface StreamPos {
  readonly offset: number;
  readonly line: number;
}

/** Sizes the tail needs from the source config. */
export interface TailOptions {
  readonly chunkBytes: number;
  readonly maxLineBytes: number;
  readonly fingerprintBytes: number;
}

const MIN_READ = 64 * 1024;

/** An open file being read. Create with {@link FileTail.open}; call `close` when done. */
export class FileTail {
  readonly key: string;
  /** Path the file was last matched at (renames update it). */
  path: string;
  /** Stream id (`f:` + fingerprint); undefined until the first line is complete. */
  stream: string | undefined;
  gzip = false;
  size: number;
  mtimeMs: number;
  /** Found by the first discovery of the run (`start_at` applies). */
  initial: boolean;
  /** True once `identify` ran (an unchanged file is not fingerprinted again). */
  checked = false;
  /** Glob rounds in a row that did not find the file (renamed away or deleted). */
  missing = 0;
  readonly #fh: FileHandle;
  readonly #opts: TailOptions;
  #reader: ByteReader | null = null;
  #chunker: LineChunker | null = null;
  #ended = false;

  private constructor(fh: FileHandle, key: string, f: FoundFile, size: number, mtimeMs: number, opts: TailOptions, initial: boolean) {
    this.#fh = fh;
    this.key = key;
    this.path = f.path;
    this.size = size;
    this.mtimeMs = mtimeMs;
    this.#opts = opts;
    this.initial = initial;
  }

  /** Opens a found file (through its real path); null when it vanished or is not a regular file. */
  static async open(f: FoundFile, opts: TailOptions, initial: boolean): Promise<FileTail | null> {
    let fh: FileHandle;
    try {
      // O_NONBLOCK: a fifo swapped in after discovery must not block the open.
      fh = await open(f.real, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return null;
      throw err;
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      return null;
    }
    return new FileTail(fh, `${st.dev}:${st.ino}`, f, st.size, st.mtimeMs, opts, initial);
  }

  /** Stream offset just past the bytes read so far (0 before the first read). */
  get readEnd(): number { return this.#chunker?.end ?? 0; }
  /** True when the last read stopped inside a gzip member (file cut off or still being written). */
  get cutOff(): boolean { return this.#reader?.truncated ?? false; }
  /** True when a gzip file was decompressed to its clean end (it will not grow). */
  get finished(): boolean { return this.gzip && this.#ended && !this.cutOff; }

  /** Re-reads size and mtime; true when either changed since the last poll. */
  async poll(): Promise<boolean> {
    const st = await this.#fh.stat();
    const changed = st.size !== this.size || st.mtimeMs !== this.mtimeMs;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    return changed;
  }

  /**
   * Sniffs the compression (gzip magic 1f 8b) and fingerprints the first line. `partial` allows an
   * incomplete first line (one-shot mode). Resets the read state when the identity changed or the
   * file shrank below what was read. Returns the stream id, or undefined (deferred or empty).
   */
  async identify(partial: boolean): Promise<string | undefined> {
    this.checked = true;
    const magic = Buffer.alloc(2);
    const { bytesRead } = await this.#fh.read(magic, 0, 2, 0);
    const gzip = isGzipMagic(magic.subarray(0, bytesRead));
    const reader: ByteReader = gzip ? new GzipReader(this.#fh) : new PlainReader(this.#fh, 0, () => this.size);
    let head: Buffer;
    let ended: boolean;
    try {
      ({ head, ended } = await readHead(reader, this.#opts.fingerprintBytes));
    } finally {
      reader.close();
    }
    const cutOff = reader.truncated;
    const id = fingerprintFirstLine(head, this.#opts.fingerprintBytes, partial || (ended && gzip && !cutOff));
    const stream = id === undefined ? undefined : `f:${id}`;
    if (stream !== this.stream || gzip !== this.gzip || this.size < this.readEnd) this.#reset();
    this.stream = stream;
    this.gzip = gzip;
    return stream;
  }

  /** Drops buffered state; a gzip file is decompressed again from the start on the next read. */
  invalidate(): void { this.#reset(); }

  /**
   * The next chunk of the stream from `pos` on, or undefined at the current end of input. `final`
   * flushes an unterminated last line (one-shot mode); a gzip file that ends cleanly is always final.
   */
  async next(pos: StreamPos, final: boolean): Promise<LineChunk | undefined> {
    let chunker = this.#chunker;
    if (chunker === null || chunker.offset !== pos.offset || chunker.line !== pos.line + 1) chunker = await this.#seek(pos);
    const reader = this.#reader!;
    for (;;) {
      const c = chunker.take('none');
      if (c !== undefined) return c;
      const piece = await reader.read(Math.max(this.#opts.chunkBytes - chunker.buffered, MIN_READ));
      if (piece === null) {
        this.#ended = true;
        const last = this.gzip ? !reader.truncated : final;
        return chunker.take(last ? 'all' : 'lines');
      }
      chunker.push(piece);
    }
  }

  /** Position just past the last complete line at the current end of the file (`start_at: end`). */
  async endPosition(): Promise<StreamPos> {
    const reader: ByteReader = this.gzip ? new GzipReader(this.#fh) : new PlainReader(this.#fh, 0, () => this.size);
    let lines = 0;
    let lastEnd = 0;
    try {
      for (;;) {
        const start = reader.pos;
        const piece = await reader.read(1024 * 1024);
        if (piece === null) break;
        const n = countNewlines(piece);
        if (n > 0) {
          lines += n;
          lastEnd = start + piece.lastIndexOf(0x0a) + 1;
        }
      }
    } finally {
      reader.close();
    }
    return { offset: lastEnd, line: lines };
  }

  /** Closes the handle; safe to call twice. */
  async close(): Promise<void> {
    this.#reset();
    await this.#fh.close().catch(() => undefined);
  }

  async #seek(pos: StreamPos): Promise<LineChunker> {
    let reader = this.#reader;
    if (!this.gzip) {
      reader = new PlainReader(this.#fh, pos.offset, () => this.size);
    } else if (reader === null || reader.pos > pos.offset || this.#ended) {
      reader?.close();
      reader = new GzipReader(this.#fh);
    }
    this.#reader = reader;
    this.#ended = !(await reader.skipTo(pos.offset));
    const chunker = new LineChunker({
      chunkBytes: this.#opts.chunkBytes, maxLineBytes: this.#opts.maxLineBytes, offset: pos.offset, line: pos.line + 1,
    });
    this.#chunker = chunker;
    return chunker;
  }

  #reset(): void {
    this.#reader?.close();
    this.#reader = null;
    this.#chunker = null;
    this.#ended = false;
  }
}
