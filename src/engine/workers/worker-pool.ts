/**
 * A fixed pool of batch workers. `submit` sends a chunk to the least busy worker and resolves with
 * its result; callers bound concurrency themselves (the runtime keeps at most
 * `workers × max_inflight_batches` chunks in flight, which is what bounds memory).
 */
import { Worker } from 'node:worker_threads';
import { TributaryError, Internal } from '../../core/errors.js';
import type { ChunkMessage, ChunkResult, InitMessage, WorkerReply } from './worker-protocol.js';

interface Slot {
  readonly worker: Worker;
  inflight: number;
  readonly pending: Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>;
}

/** Spawns a worker for a module URL, registering the TypeScript loader when running from sources. */
export function spawnWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  // Running from .ts sources (tests, tsx): workers do not inherit --import hooks, so register tsx first.
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true });
}

/** A pool of worker threads running the stage chain. */
export class WorkerPool {
  readonly #slots: Slot[] = [];
  #closed = false;
  #fatal: Error | undefined;

  private constructor() { /* use WorkerPool.start */ }

  /** Starts `size` workers and waits until each has built its stages (config errors surface here). */
  static async start(size: number, init: InitMessage): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const url = new URL(`./batch-worker${ext}`, import.meta.url);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const worker = spawnWorker(url);
      const slot: Slot = { worker, inflight: 0, pending: new Map() };
      pool.#slots.push(slot);
      ready.push(new Promise<void>((resolve, reject) => {
        worker.on('message', (m: WorkerReply) => {
          if (m.kind === 'ready') return resolve();
          if (m.kind === 'failure' && m.seq === -1) return reject(pool.#toError(m));
          pool.#settle(slot, m);
        });
        worker.on('error', (err) => { pool.#failAll(err); reject(err); });
        worker.on('exit', (code) => {
          if (!pool.#closed) { const e = Internal({ reason: `batch worker exited with code ${code}` }); pool.#failAll(e); reject(e); }
        });
      }));
      worker.postMessage(init);
    }
    try { await Promise.all(ready); } catch (err) { await pool.close(); throw err; }
    return pool;
  }

  /** Number of workers. */
  get size(): number { return this.#slots.length; }

  /** Sends a chunk (its buffer is transferred) and resolves with the worker's result. */
  submit(msg: ChunkMessage): Promise<ChunkResult> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    const slot = this.#slots.reduce((a, b) => (b.inflight < a.inflight ? b : a));
    slot.inflight++;
    return new Promise((resolve, reject) => {
      slot.pending.set(msg.seq, { resolve, reject });
      slot.worker.postMessage(msg, [msg.data.buffer as ArrayBuffer]);
    });
  }

  #settle(slot: Slot, m: WorkerReply): void {
    if (m.kind === 'ready') return;
    const p = slot.pending.get(m.seq);
    if (!p) return;
    slot.pending.delete(m.seq);
    slot.inflight--;
    if (m.kind === 'result') p.resolve(m);
    else p.reject(this.#toError(m));
  }

  #toError(m: Extract<WorkerReply, { kind: 'failure' }>): Error {
    const family = m.code.startsWith('TRB_CONFIG') ? 'config' : 'internal';
    return new TributaryError(m.code, m.message, { family }, m.details as never);
  }

  #failAll(err: Error): void {
    this.#fatal = err;
    for (const s of this.#slots) { for (const p of s.pending.values()) p.reject(err); s.pending.clear(); }
  }

  /** Terminates every worker. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
