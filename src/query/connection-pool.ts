/** A fixed pool of DuckDB connections, leased one query at a time (a streaming result holds its connection). */
import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryEngineUnavailable } from './errors.js';

/** A leased connection; `release` returns it (safe to call twice). */
export interface Lease {
  readonly conn: DuckDBConnection;
  release(): void;
}

/** The pool. Waiters are served first come, first served. */
export class ConnectionPool {
  readonly #free: DuckDBConnection[];
  readonly #waiters: ((c: DuckDBConnection) => void)[] = [];
  #closed = false;

  /** A pool over `conns` (already opened and configured). */
  constructor(conns: readonly DuckDBConnection[]) {
    this.#free = [...conns];
  }

  /** A connection, waiting for one when all are leased. Rejects with `TRB_QUERY_ENGINE_UNAVAILABLE` once closed. */
  async acquire(): Promise<Lease> {
    if (this.#closed) throw QueryEngineUnavailable({ reason: 'the engine is closed' });
    const conn = this.#free.pop() ?? await new Promise<DuckDBConnection>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return {
      conn,
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiters.shift();
        if (next) next(conn); else this.#free.push(conn);
      },
    };
  }

  /** Stops leasing; idle connections are disconnected. */
  close(): void {
    this.#closed = true;
    for (const c of this.#free.splice(0)) c.disconnectSync();
  }
}
