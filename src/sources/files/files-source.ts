/**
 * The `files` source: reads plain and gzip files matched by globs as streams identified by their
 * first line, resumes from checkpoints, and in watch mode follows appends, new files and rotations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CheckpointValue, Source, SourceChunk, SourceContext } from '../../core/component.js';
import { Invariant, isTributaryError } from '../../core/errors.js';
import type { LineChunk } from '../_shared/line-chunker.js';
import type { FilesConfig } from './config.js';
import { discoverFiles, planFiles, type FilePlan, type FoundFile } from './discover-files.js';
import { FileCheckpointInvalid, FileReadFailed } from './errors.js';
import { FileTail, type StreamPos, type TailOptions } from './file-tail.js';

/** Checkpoint value of a files stream (key = stream id). `size` is the file's on-disk size. */
export const FileCheckpoint = z.object({
  offset: z.int().min(0), line: z.int().min(0), path: z.string(), size: z.int().min(0),
});

/** Rounds a renamed-away or deleted file stays open after its last glob match (writers may lag). */
const ORPHAN_ROUNDS = 2;

/** Reads files matched by globs; see the package README for identity and rotation rules. */
export class FilesSource implements Source {
  readonly id: string;
  readonly type = 'files';
  readonly #cfg: FilesConfig;
  readonly #ctx: SourceContext;
  readonly #plan: FilePlan;
  readonly #opts: TailOptions;
  readonly #stop = new AbortController();
  readonly #signal: AbortSignal;
  /** Open files by `dev:ino`. */
  readonly #tails = new Map<string, FileTail>();
  /** Gzip files read to their clean end and closed, by `dev:ino`: skipped while unchanged. */
  readonly #finished = new Map<string, { size: number; mtimeMs: number }>();
  /** Position reached per stream in this run (so a copy is never read twice). */
  readonly #positions = new Map<string, StreamPos>();
  #started = false;
  #closed = false;

  /** Validates the patterns (throws `TRB_CONFIG_PATH_TRAVERSAL`); does no I/O. */
  constructor(id: string, cfg: FilesConfig, ctx: SourceContext) {
    this.id = id;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#plan = planFiles(id, cfg, ctx.baseDir);
    this.#opts = { chunkBytes: cfg.chunk_bytes, maxLineBytes: cfg.max_line_bytes, fingerprintBytes: cfg.fingerprint_bytes };
    this.#signal = AbortSignal.any([ctx.signal, this.#stop.signal]);
  }

  /** The allowed roots (absolute), for messages and tests. */
  get roots(): readonly string[] { return this.#plan.roots; }

  /**
   * Total on-disk bytes of the matched files (progress), or undefined in watch mode or when a file
   * is gzip (decompressed size unknown). Refuses files outside the roots like `chunks`.
   */
  async totalBytes(): Promise<number | undefined> {
    if (this.#ctx.watch) return undefined;
    let total = 0;
    for (const f of await this.#discover()) {
      const tail = await FileTail.open(f, this.#opts, false);
      if (tail === null) continue;
      try {
        await tail.identify(true);
        if (tail.gzip) return undefined;
        total += tail.size;
      } finally {
        await tail.close();
      }
    }
    return total;
  }

  /** Yields chunks oldest file first; one-shot ends at the current ends, watch mode on abort. */
  chunks(): AsyncIterable<SourceChunk> {
    if (this.#started) throw Invariant({ reason: `chunks() of source \`${this.id}\` may be iterated once` });
    this.#started = true;
    return this.#run();
  }

  /** Closes every open file; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    const tails = [...this.#tails.values()];
    this.#tails.clear();
    await Promise.all(tails.map((t) => t.close()));
  }

  async *#run(): AsyncGenerator<SourceChunk> {
    try {
      if (this.#ctx.watch) yield* this.#watch();
      else yield* this.#oneShot();
    } catch (err) {
      if (this.#closed) return;
      throw err;
    }
  }

  async *#oneShot(): AsyncGenerator<SourceChunk> {
    for (const f of await this.#discover()) {
      if (this.#signal.aborted) return;
      const tail = await this.#guard(f.path, () => FileTail.open(f, this.#opts, true));
      if (tail === null) continue;
      this.#tails.set(tail.key, tail);
      try {
        await this.#guard(tail.path, () => tail.identify(true));
        yield* this.#drain(tail, true);
        if (tail.cutOff) this.#ctx.log.warn({ source: this.id, file: tail.path }, 'Gzip file ends inside a member; its last partial line is left for the next run');
      } finally {
        this.#tails.delete(tail.key);
        await tail.close();
      }
    }
  }

  async *#watch(): AsyncGenerator<SourceChunk> {
    let nextGlob = 0;
    let first = true;
    while (!this.#signal.aborted) {
      if (Date.now() >= nextGlob) {
        await this.#rescan(first);
        first = false;
        nextGlob = Date.now() + this.#cfg.glob_interval_ms;
      }
      let progressed = false;
      for (const tail of this.#ordered()) {
        if (this.#signal.aborted) return;
        const changed = await this.#guard(tail.path, () => tail.poll());
        if (changed || !tail.checked) await this.#reidentify(tail);
        // readEnd 0: never read (or gzip state dropped), so read even without a change.
        if (changed || tail.readEnd === 0) {
          for await (const c of this.#drain(tail, false)) {
            progressed = true;
            yield c;
          }
        }
        if (tail.finished || (tail.missing >= ORPHAN_ROUNDS && !tail.cutOff)) await this.#retire(tail);
      }
      if (!progressed) await sleep(this.#cfg.poll_interval_ms, undefined, { signal: this.#signal }).catch(() => undefined);
    }
  }

  /** Reads `tail` from its stream's position to the current end of input. */
  async *#drain(tail: FileTail, final: boolean): AsyncGenerator<SourceChunk> {
    const stream = tail.stream;
    if (stream === undefined) return;
    await this.#positionOf(tail, stream);
    while (!this.#signal.aborted) {
      const pos = this.#positions.get(stream)!;
      const c = await this.#guard(tail.path, () => tail.next(pos, final));
      if (c === undefined) return;
      this.#positions.set(stream, { offset: c.endOffset, line: c.firstLine + c.lineCount - 1 });
      yield this.#toSourceChunk(tail, stream, c);
    }
  }

  async #positionOf(tail: FileTail, stream: string): Promise<void> {
    const initial = tail.initial;
    tail.initial = false;
    if (this.#positions.has(stream)) return;
    const cp = this.#ctx.checkpoints.get(stream);
    let pos: StreamPos = { offset: 0, line: 0 };
    if (cp !== undefined) {
      const parsed = FileCheckpoint.safeParse(cp);
      if (!parsed.success) throw FileCheckpointInvalid({ source: this.id, key: stream, reason: z.prettifyError(parsed.error).replace(/\n/g, '; ') });
      pos = { offset: parsed.data.offset, line: parsed.data.line };
    } else if (initial && this.#cfg.start_at === 'end') {
      pos = await this.#guard(tail.path, () => tail.endPosition());
    }
    this.#positions.set(stream, pos);
  }

  #toSourceChunk(tail: FileTail, stream: string, c: LineChunk): SourceChunk {
    const value: CheckpointValue = { offset: c.endOffset, line: c.firstLine + c.lineCount - 1, path: tail.path, size: tail.size };
    const chunk: SourceChunk = {
      meta: { source: this.id, uri: tail.path, stream },
      data: c.data, startOffset: c.startOffset, endOffset: c.endOffset, firstLine: c.firstLine, lineCount: c.lineCount,
      checkpoint: { key: stream, value },
    };
    return c.truncated ? { ...chunk, truncated: true } : chunk;
  }

  async #reidentify(tail: FileTail): Promise<void> {
    const before = tail.stream;
    const readEnd = tail.readEnd;
    if (tail.gzip) tail.invalidate();
    const after = await this.#guard(tail.path, () => tail.identify(false));
    if (before === undefined || before === after) {
      if (after !== undefined && tail.size < readEnd) {
        this.#ctx.log.warn({ source: this.id, file: tail.path, stream: after }, 'File shrank but kept its first line; reading on from the known position');
      }
      return;
    }
    this.#ctx.log.info({ source: this.id, file: tail.path, from: before, to: after ?? null }, 'File content replaced (truncated or rewritten); reading it as a new stream');
  }

  /** Matches the patterns again: opens new files, updates paths of renamed ones, counts misses. */
  async #rescan(first: boolean): Promise<void> {
    const found = await this.#discover();
    const seen = new Set<string>();
    for (const f of found) {
      seen.add(f.key);
      const known = this.#tails.get(f.key);
      if (known !== undefined) {
        known.path = f.path;
        known.missing = 0;
        continue;
      }
      const fin = this.#finished.get(f.key);
      if (fin !== undefined && fin.size === f.size && fin.mtimeMs === f.mtimeMs) continue;
      this.#finished.delete(f.key);
      const tail = await this.#guard(f.path, () => FileTail.open(f, this.#opts, first));
      if (tail === null) continue;
      seen.add(tail.key);
      if (this.#tails.has(tail.key)) {
        await tail.close();
        continue;
      }
      this.#tails.set(tail.key, tail);
    }
    for (const t of this.#tails.values()) if (!seen.has(t.key)) t.missing++;
    for (const k of [...this.#finished.keys()]) if (!seen.has(k)) this.#finished.delete(k);
  }

  async #retire(tail: FileTail): Promise<void> {
    if (tail.finished) this.#finished.set(tail.key, { size: tail.size, mtimeMs: tail.mtimeMs });
    this.#tails.delete(tail.key);
    await tail.close();
  }

  #ordered(): FileTail[] {
    return [...this.#tails.values()].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async #discover(): Promise<FoundFile[]> {
    return this.#guard(this.#plan.include.join(', '), () => discoverFiles(this.#plan));
  }

  /** Runs an I/O step; errors other than TributaryErrors become `TRB_SOURCE_FILE_READ_FAILED`. */
  async #guard<T>(file: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (isTributaryError(err) || this.#closed) throw err;
      throw FileReadFailed({ source: this.id, file, reason: err instanceof Error ? err.message : String(err) }, err);
    }
  }
}
