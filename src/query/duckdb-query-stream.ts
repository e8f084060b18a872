/**
 * A running query on a leased connection: DuckDB's streaming result read chunk by chunk (one
 * batch per chunk), under the statement timeout, the row and byte limits and the caller's abort
 * signal. Whatever ends it (the last batch, an error, `close`, the consumer breaking out) releases
 * the connection and reports the outcome once.
 */
import type { DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api';
import type { TributaryError } from '../core/errors.js';
import { toJsonSafe } from '../sinks/_shared/duckdb-values.js';
import { QueryAborted, QueryRowLimit, QuerySizeLimit, QueryTimeout } from './errors.js';
import type { Cell, QueryColumn, QueryStream } from './query-engine.js';
import type { RowDecryptor } from './result-decryptor.js';
import type { Lease } from './connection-pool.js';
import { runError } from './safe-error.js';
import type { QueryEnd } from './query-access.js';

/** Limits of one query. */
export interface QueryLimits {
  /** Statement timeout: from the start of execution to the last batch (ms). */
  readonly timeoutMs: number;
  readonly maxRows: number;
  /** Approximate result size: UTF-16 length of text cells, 8 per number, 1 per boolean or null. */
  readonly maxBytes: number;
}

/** How a stream ended (see {@link QueryEnd}). */
export type StreamEnd = QueryEnd;

/** Converts one DuckDB value to a {@link Cell}: nested values become JSON text. */
export function toCell(v: Parameters<typeof toJsonSafe>[0]): Cell {
  const j = toJsonSafe(v);
  return j !== null && typeof j === 'object' ? JSON.stringify(j) : j;
}

const cellBytes = (c: Cell): number => (typeof c === 'string' ? c.length : typeof c === 'number' ? 8 : 1);

/** The stream of one query: construct, {@link DuckdbQueryStream.arm}, then {@link DuckdbQueryStream.start}. */
export class DuckdbQueryStream implements QueryStream {
  #columns: readonly QueryColumn[] = [];
  #result: DuckDBResult | undefined;
  readonly #lease: Lease;
  readonly #limits: QueryLimits;
  readonly #decrypt: RowDecryptor | undefined;
  readonly #onEnd: (end: StreamEnd) => void;
  #stop: 'timeout' | 'abort' | 'close' | undefined;
  #timer: NodeJS.Timeout | undefined;
  #rows = 0;
  #bytes = 0;
  #ended = false;
  #iterating = false;
  #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#interrupt('abort');

  /** `onEnd` is called once, however the stream ends (it also ends when {@link start} fails). */
  constructor(lease: Lease, limits: QueryLimits, decrypt: RowDecryptor | undefined, onEnd: (end: StreamEnd) => void) {
    this.#lease = lease;
    this.#limits = limits;
    this.#decrypt = decrypt;
    this.#onEnd = onEnd;
  }

  get columns(): readonly QueryColumn[] {
    return this.#columns;
  }

  /**
   * Starts executing `prepared` (under the armed timeout: blocking operators such as ORDER BY run
   * here). On failure the stream is ended and the safe error thrown.
   */
  async start(prepared: DuckDBPreparedStatement): Promise<void> {
    try {
      const result = await prepared.stream();
      this.#result = result;
      const names = result.deduplicatedColumnNames();
      this.#columns = Object.freeze(names.map((name, i) => Object.freeze({ name, type: result.columnType(i).toString() })));
    } catch (err) {
      const e = this.#stopError() ?? runError(err);
      this.#end(false, e);
      throw e;
    }
  }

  /** Starts the timeout (`remainingMs`) and listens to `signal`. */
  arm(remainingMs: number, signal: AbortSignal | undefined): void {
    this.#timer = setTimeout(() => this.#interrupt('timeout'), Math.max(0, remainingMs));
    this.#timer.unref?.();
    if (signal) {
      this.#signal = signal;
      if (signal.aborted) this.#interrupt('abort'); else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  #interrupt(why: 'timeout' | 'abort' | 'close'): void {
    if (this.#ended || this.#stop !== undefined) return;
    this.#stop = why;
    this.#lease.conn.interrupt();
  }

  #stopError(): TributaryError | undefined {
    if (this.#stop === 'timeout') return QueryTimeout({ timeoutMs: this.#limits.timeoutMs });
    if (this.#stop === 'abort' || this.#stop === 'close') return QueryAborted({});
    return undefined;
  }

  #end(complete: boolean, error?: TributaryError): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#lease.release();
    this.#onEnd({ rows: this.#rows, complete, ...(error === undefined ? {} : { error }) });
  }

  async *batches(): AsyncIterable<readonly (readonly Cell[])[]> {
    if (this.#iterating || this.#ended) throw QueryAborted({});
    this.#iterating = true;
    const names = this.columns.map((c) => c.name);
    try {
      for (;;) {
        const stopped = this.#stopError();
        if (stopped) throw stopped;
        let chunk;
        try {
          chunk = await this.#result!.fetchChunk();
        } catch (err) {
          throw this.#stopError() ?? runError(err);
        }
        if (chunk === null || chunk.rowCount === 0) break;
        const rows = chunk.getRows().map((r) => r.map(toCell));
        this.#rows += rows.length;
        if (this.#rows > this.#limits.maxRows) throw QueryRowLimit({ maxRows: this.#limits.maxRows });
        for (const r of rows) for (const c of r) this.#bytes += cellBytes(c);
        if (this.#bytes > this.#limits.maxBytes) throw QuerySizeLimit({ maxBytes: this.#limits.maxBytes });
        if (this.#decrypt) await this.#decrypt(rows, names);
        yield rows;
      }
      this.#end(true);
    } catch (err) {
      const e = err as TributaryError;
      this.#end(false, e);
      throw e;
    } finally {
      // The consumer broke out early: the query stops here.
      this.#end(false);
    }
  }

  async close(): Promise<void> {
    if (this.#ended) return;
    this.#interrupt('close');
    this.#end(false);
  }
}
