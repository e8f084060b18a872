/**
 * A source of generated lines for one timeline, written to one or more files in order: either
 * in this thread, or block-parallel on worker threads (same bytes either way, see BLOCK_LINES).
 */
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { GenerateWorkerReply, GenerateWorkerRequest } from './generate-worker.js';
import { BLOCK_LINES, createLineFactory, type LineFactoryOptions } from './line-factory.js';
import { emptyMalformedCounts, MALFORMED_KINDS, type MalformedCounts } from './malformed-kinds.js';
import { writeLines } from './write-chunks.js';

/** Produces the lines of one factory's timeline, in order, into successive Writables. */
export interface LineSource {
  /**
   * Writes the next `lines` lines to `out` (backpressure respected; `out` is not ended); resolves
   * with the bytes. `recycle`: see writeLines (true only for file and gzip streams).
   */
  writeTo(out: Writable, lines: number, recycle?: boolean): Promise<number>;
  /** Malformed lines produced so far (for the parallel source: in blocks already handed out). */
  malformed(): MalformedCounts;
  /** Stops the workers, if any. Safe to call twice. */
  close(): Promise<void>;
}

/** Below this many lines the worker start-up (~0.1 s each) costs more than it saves. */
export const PARALLEL_MIN_LINES = 300_000;

/**
 * Resolves the `workers` option: undefined → one per core beyond the first up to 4 when `lines`
 * is at least PARALLEL_MIN_LINES, else 0 (in-thread). Throws RangeError on a negative or
 * non-integer count.
 */
export function resolveWorkers(workers: number | undefined, lines: number): number {
  if (workers !== undefined) {
    if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`generator: workers must be a non-negative integer, got ${workers}`);
    return workers;
  }
  const cores = availableParallelism();
  return lines >= PARALLEL_MIN_LINES && cores > 1 ? Math.min(4, cores) : 0;
}

/** Creates a source for `o`; with `workers` > 0 blocks are generated on that many threads. */
export function createLineSource(o: LineFactoryOptions, workers: number): LineSource {
  return workers > 0 ? parallelSource(o, workers) : inThreadSource(o);
}

function inThreadSource(o: LineFactoryOptions): LineSource {
  const f = createLineFactory(o);
  return {
    writeTo: (out, lines, recycle) => writeLines(f, lines, out, recycle),
    malformed: () => ({ ...f.malformed }),
    close: async () => undefined,
  };
}

function spawn(): Worker {
  const url = new URL(`./generate-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  // From .ts sources (tests, tsx) workers do not inherit --import hooks: register tsx first.
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`, { eval: true });
}

function parallelSource(o: LineFactoryOptions, size: number): LineSource {
  const blocks = Math.ceil(o.lines / BLOCK_LINES);
  const ahead = size * 2;
  const done = new Map<number, GenerateWorkerReply>();
  const waiting = new Map<number, (r: GenerateWorkerReply) => void>();
  const counts = emptyMalformedCounts();
  let failure: Error | undefined;
  let nextToAsk = 0;
  let nextToTake = 0;
  let pending: Uint8Array[] = [];
  let pendingLines = 0;
  const init: GenerateWorkerRequest = { kind: 'init', opts: { ...o, start: o.start.getTime() } };
  const workers = Array.from({ length: size }, () => {
    const w = spawn();
    w.postMessage(init);
    w.on('message', (r: GenerateWorkerReply) => {
      const wake = waiting.get(r.block);
      if (wake) { waiting.delete(r.block); wake(r); } else done.set(r.block, r);
    });
    w.on('error', (e) => { failure = e; for (const wake of waiting.values()) wake(undefined as never); });
    return w;
  });
  const ask = (): void => {
    while (nextToAsk < blocks && nextToAsk < nextToTake + ahead) {
      const b = nextToAsk++;
      workers[b % size]!.postMessage({ kind: 'block', block: b } satisfies GenerateWorkerRequest);
    }
  };
  const take = async (): Promise<void> => {
    ask();
    const b = nextToTake++;
    const r = done.get(b) ?? (await new Promise<GenerateWorkerReply>((res) => waiting.set(b, res)));
    if (failure) throw failure;
    done.delete(b);
    MALFORMED_KINDS.forEach((k, i) => { counts[k.kind] += r.malformed[i]!; });
    pending = [...r.buffers];
    pendingLines = r.lines;
    ask();
  };
  const write = async (out: Writable, buf: Uint8Array): Promise<void> => {
    if (buf.length > 0 && !out.write(buf)) await once(out, 'drain');
  };
  return {
    async writeTo(out, lines) {
      let bytes = 0;
      let left = lines;
      while (left > 0) {
        if (pendingLines === 0) await take();
        if (pendingLines <= left) {
          for (const b of pending) { bytes += b.length; await write(out, b); }
          left -= pendingLines;
          pending = [];
          pendingLines = 0;
          continue;
        }
        // The file ends inside this block: cut after the `left`-th line (lines never contain `\n`).
        while (left > 0) {
          const b = pending[0]!;
          let i = -1;
          let n = 0;
          while (n < left && (i = b.indexOf(10, i + 1)) !== -1) n++;
          const cut = n === left ? i + 1 : b.length;
          bytes += cut;
          await write(out, b.subarray(0, cut));
          left -= n;
          pendingLines -= n;
          if (cut === b.length) pending.shift();
          else pending[0] = b.subarray(cut);
        }
      }
      return bytes;
    },
    malformed: () => ({ ...counts }),
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
