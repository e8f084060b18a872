/**
 * The `stdin` source: standard input (or any injected Readable) as one stream of whole-line chunks,
 * identified by `stdin:` + the fingerprint of its first line. It never resumes: stdin cannot seek.
 */
import type { Readable } from 'node:stream';
import type { Source, SourceChunk, SourceContext } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import { fingerprintFirstLine } from '../_shared/fingerprint.js';
import { LineChunker, type LineChunk } from '../_shared/line-chunker.js';
import type { StdinConfig } from './config.js';
import { StdinReadFailed } from './errors.js';

const ABORTED = Symbol('aborted');

/** Reads one Readable to its end (or until the run's signal aborts). */
export class StdinSource implements Source {
  readonly id: string;
  readonly type = 'stdin';
  readonly #cfg: StdinConfig;
  readonly #input: Readable;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  #started = false;
  #closed = false;

  /**
   * `input` defaults to `process.stdin`; tests inject their own stream. `ctx.checkpoints` are ignored
   * (stdin cannot seek). No I/O happens here.
   */
  constructor(id: string, cfg: StdinConfig, ctx: SourceContext, input: Readable = process.stdin) {
    this.id = id;
    this.#cfg = cfg;
    this.#input = input;
    this.#signal = AbortSignal.any([ctx.signal, this.#stop.signal]);
  }

  /** Yields the input's chunks in order; ends at end of input or when the run aborts. */
  chunks(): AsyncIterable<SourceChunk> {
    if (this.#started) throw Invariant({ reason: `chunks() of source \`${this.id}\` may be iterated once` });
    this.#started = true;
    return this.#run();
  }

  /** Stops reading and releases the input; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    // Not iterator.return(): it queues behind a pending next() that may never settle.
    this.#input.destroy();
  }

  async *#run(): AsyncGenerator<SourceChunk> {
    const it = this.#input[Symbol.asyncIterator]() as AsyncIterator<unknown>;
    const aborted = new Promise<typeof ABORTED>((resolve) => {
      if (this.#signal.aborted) resolve(ABORTED);
      else this.#signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
    });
    const next = async (): Promise<Buffer | null | typeof ABORTED> => {
      const step = it.next();
      step.catch(() => undefined);
      let r: IteratorResult<unknown> | typeof ABORTED;
      try {
        r = await Promise.race([step, aborted]);
      } catch (err) {
        if (this.#closed) return ABORTED;
        throw StdinReadFailed({ source: this.id, reason: err instanceof Error ? err.message : String(err) }, err);
      }
      if (r === ABORTED) return ABORTED;
      if (r.done === true) return null;
      const v = r.value;
      return Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array);
    };

    // The stream id needs the first line, so gather input until it is complete (or the input ends).
    const fp = this.#cfg.fingerprint_bytes;
    const head: Buffer[] = [];
    let headLen = 0;
    let ended = false;
    while (headLen < fp && !head.some((b) => b.includes(0x0a))) {
      const piece = await next();
      if (piece === ABORTED) return;
      if (piece === null) { ended = true; break; }
      head.push(piece);
      headLen += piece.length;
    }
    const id = fingerprintFirstLine(Buffer.concat(head, headLen), fp, true);
    if (id === undefined) return;
    const stream = `stdin:${id}`;
    const chunker = new LineChunker({ chunkBytes: this.#cfg.chunk_bytes, maxLineBytes: this.#cfg.max_line_bytes });
    for (const b of head) chunker.push(b);
    for (;;) {
      // A pause in the input (nothing buffered) sends complete lines now rather than at chunk size.
      const mode = ended ? 'all' : this.#input.readableLength === 0 ? 'lines' : 'none';
      const c = chunker.take(mode);
      if (c !== undefined) {
        yield this.#toSourceChunk(stream, c);
        continue;
      }
      if (ended) return;
      const piece = await next();
      if (piece === ABORTED) return;
      if (piece === null) ended = true;
      else chunker.push(piece);
    }
  }

  #toSourceChunk(stream: string, c: LineChunk): SourceChunk {
    const chunk: SourceChunk = {
      meta: { source: this.id, uri: 'stdin', stream },
      data: c.data, startOffset: c.startOffset, endOffset: c.endOffset, firstLine: c.firstLine, lineCount: c.lineCount,
      checkpoint: { key: stream, value: { offset: c.endOffset, line: c.firstLine + c.lineCount - 1 } },
    };
    return c.truncated ? { ...chunk, truncated: true } : chunk;
  }
}
