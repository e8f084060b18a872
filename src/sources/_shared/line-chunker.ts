/**
 * Cuts a byte stream into chunks of whole lines with exact stream offsets and line numbers. Input
 * arrives as pieces of any size (file reads, gunzip output, stdin); the chunker keeps them in a list
 * and copies only when a chunk spans several pieces, so cost stays linear in the input.
 */

/** A run of lines cut by {@link LineChunker} (the byte part of a `SourceChunk`). */
export interface LineChunk {
  /** Whole lines, each ending with `\n` except an unterminated final line on `take('all')`. */
  readonly data: Buffer;
  /** Stream offset of `data[0]`. */
  readonly startOffset: number;
  /** Stream offset just past the chunk's last real byte (for a truncated line: its real end). */
  readonly endOffset: number;
  /** 1-based number of the first line. */
  readonly firstLine: number;
  readonly lineCount: number;
  /** One over-long line whose `data` is its first `maxLineBytes` bytes plus `\n`. */
  readonly truncated: boolean;
}

/**
 * How much {@link LineChunker.take} may emit: `none` only a full chunk (or a finished over-long
 * line); `lines` also a partial chunk of complete lines (no more input for now); `all` also the
 * unterminated last line (the input is finished).
 */
export type TakeMode = 'none' | 'lines' | 'all';

/** Options of a {@link LineChunker}. */
export interface LineChunkerOptions {
  /** Target chunk size in bytes; a chunk exceeds it only when its single line does. */
  readonly chunkBytes: number;
  /** Longest line (without its `\n`) kept whole; longer lines become truncated one-line chunks. */
  readonly maxLineBytes: number;
  /** Stream offset of the first byte that will be pushed (default 0). */
  readonly offset?: number;
  /** Number of the first line that will be pushed (default 1). */
  readonly line?: number;
}

const NL = 0x0a;
const NL_BUF = Buffer.from('\n');

/**
 * Stateful line chunker. Memory is bounded by about `chunkBytes + maxLineBytes` plus one input
 * piece: an over-long line keeps only its first `maxLineBytes` bytes while the rest is counted and
 * dropped as it arrives.
 */
export class LineChunker {
  readonly #cap: number;
  readonly #max: number;
  #pieces: Buffer[] = [];
  #len = 0;
  #offset: number;
  #line: number;
  // Scan state over the held bytes: complete lines found in [0, #lineStart).
  #pi = 0;
  #at = 0;
  #base = 0;
  #lineStart = 0;
  #lines = 0;
  #skip: { head: Buffer; len: number } | null = null;

  constructor(opts: LineChunkerOptions) {
    this.#cap = Math.max(1, opts.chunkBytes);
    this.#max = Math.max(1, opts.maxLineBytes);
    this.#offset = opts.offset ?? 0;
    this.#line = opts.line ?? 1;
  }

  /** Stream offset of the first byte not yet emitted. */
  get offset(): number { return this.#offset; }
  /** Number of the next line to be emitted. */
  get line(): number { return this.#line; }
  /** Stream offset just past the last byte pushed. */
  get end(): number { return this.#offset + (this.#skip?.len ?? 0) + this.#len; }
  /** Bytes pushed but not yet emitted (including the dropped part of an over-long line). */
  get buffered(): number { return this.end - this.#offset; }

  /** Appends input bytes (the buffer is referenced, not copied: do not reuse it). */
  push(data: Buffer): void {
    if (data.length === 0) return;
    this.#pieces.push(data);
    this.#len += data.length;
  }

  /** Returns the next chunk allowed by `mode`, or undefined when more input is needed. */
  take(mode: TakeMode): LineChunk | undefined {
    if (this.#skip) return this.#takeSkip(mode);
    while (this.#pi < this.#pieces.length) {
      const piece = this.#pieces[this.#pi]!;
      const nl = piece.indexOf(NL, this.#at);
      if (nl === -1) {
        this.#base += piece.length;
        this.#pi++;
        this.#at = 0;
        continue;
      }
      const end = this.#base + nl + 1;
      if (end - 1 - this.#lineStart > this.#max) {
        return this.#lines > 0 ? this.#emit() : this.#emitLong(end);
      }
      if (end > this.#cap && this.#lines > 0) return this.#emit();
      this.#lineStart = end;
      this.#lines++;
      this.#at = nl + 1;
    }
    const tail = this.#len - this.#lineStart;
    if (tail > this.#max) {
      if (this.#lines > 0) return this.#emit();
      this.#skip = { head: this.#copyHead(this.#max), len: this.#len };
      this.#pieces = [];
      this.#len = 0;
      this.#resetScan();
      return this.#takeSkip(mode);
    }
    if (this.#lines > 0 && (mode !== 'none' || this.#len >= this.#cap)) return this.#emit();
    if (mode === 'all' && tail > 0) {
      this.#lineStart = this.#len;
      this.#lines = 1;
      return this.#emit();
    }
    return undefined;
  }

  #takeSkip(mode: TakeMode): LineChunk | undefined {
    const skip = this.#skip!;
    while (this.#pieces.length > 0) {
      const piece = this.#pieces[0]!;
      const nl = piece.indexOf(NL);
      if (nl !== -1) {
        skip.len += nl + 1;
        this.#consume(nl + 1);
        this.#skip = null;
        return this.#truncated(skip.head, skip.len);
      }
      skip.len += piece.length;
      this.#consume(piece.length);
    }
    if (mode === 'all') {
      this.#skip = null;
      return this.#truncated(skip.head, skip.len);
    }
    return undefined;
  }

  #emit(): LineChunk {
    const n = this.#lineStart;
    const lineCount = this.#lines;
    const chunk: LineChunk = {
      data: this.#consume(n), startOffset: this.#offset, endOffset: this.#offset + n,
      firstLine: this.#line, lineCount, truncated: false,
    };
    this.#offset += n;
    this.#line += chunk.lineCount;
    return chunk;
  }

  #emitLong(end: number): LineChunk {
    const head = this.#copyHead(this.#max);
    this.#consume(end);
    return this.#truncated(head, end);
  }

  #truncated(head: Buffer, realLen: number): LineChunk {
    const chunk: LineChunk = {
      data: Buffer.concat([head, NL_BUF]), startOffset: this.#offset, endOffset: this.#offset + realLen,
      firstLine: this.#line, lineCount: 1, truncated: true,
    };
    this.#offset += realLen;
    this.#line += 1;
    return chunk;
  }

  /** A private copy of the first `n` held bytes (so a long line never pins a large read buffer). */
  #copyHead(n: number): Buffer {
    const out = Buffer.allocUnsafe(Math.min(n, this.#len));
    let filled = 0;
    for (const p of this.#pieces) {
      if (filled >= out.length) break;
      filled += p.copy(out, filled, 0, Math.min(p.length, out.length - filled));
    }
    return out;
  }

  /** Removes and returns the first `n` held bytes; resets the scan state. */
  #consume(n: number): Buffer {
    this.#resetScan();
    this.#len -= n;
    const first = this.#pieces[0];
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#pieces.shift();
      else this.#pieces[0] = first.subarray(n);
      return out;
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const p = this.#pieces[0]!;
      if (p.length <= left) {
        parts.push(p);
        left -= p.length;
        this.#pieces.shift();
      } else {
        parts.push(p.subarray(0, left));
        this.#pieces[0] = p.subarray(left);
        left = 0;
      }
    }
    return Buffer.concat(parts, n);
  }

  #resetScan(): void {
    this.#pi = 0;
    this.#at = 0;
    this.#base = 0;
    this.#lineStart = 0;
    this.#lines = 0;
  }
}

/** Counts `\n` bytes in `buf` (Buffer.indexOf loop: memchr speed, no per-byte JS). */
export function countNewlines(buf: Buffer): number {
  let n = 0;
  let i = buf.indexOf(NL);
  while (i !== -1) {
    n++;
    i = buf.indexOf(NL, i + 1);
  }
  return n;
}
