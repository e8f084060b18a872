/**
 * The "unrestricted" baseline of `npm run bench:serve`: a {@link QueryEngine} over a plain
 * read-only DuckDB attachment of the warehouse, with NO roles, secure views, statement check,
 * masks, row filters, decryption or query audit. Everything else matches the secure engine: the
 * same instance settings, a pool of the same number of connections, prepared statements cached per
 * connection, and the same {@link DuckdbQueryStream} (chunk streaming, limits, timeout). The bench
 * runs it behind the same HTTP path, so the difference to SecureDuckdbEngine is role enforcement.
 * Benchmark only: it must never serve real users.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { ConnectionPool } from '../src/query/connection-pool.js';
import { DuckdbQueryStream } from '../src/query/duckdb-query-stream.js';
import type { QueryEngine, QueryStream } from '../src/query/query-engine.js';
import { DEFAULT_QUERY_LIMITS } from '../src/query/secure-duckdb-engine.js';
import { connectUtc } from '../src/sinks/_shared/duckdb-values.js';

/** Opens the warehouse read-only with `connections` pooled connections (default 4, as the secure engine). */
export async function openPlainDuckdbEngine(warehouse: string, connections = 4): Promise<QueryEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const conns: DuckDBConnection[] = [];
  for (let i = 0; i < connections; i++) conns.push(await connectUtc(instance));
  await conns[0]!.run(`ATTACH '${warehouse.replaceAll("'", "''")}' AS w (READ_ONLY)`);
  for (const c of conns) await c.run('USE w');
  const pool = new ConnectionPool(conns);
  const prepared = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
  return {
    async query(_id, sql, opts): Promise<QueryStream> {
      const lease = await pool.acquire();
      try {
        let cache = prepared.get(lease.conn);
        if (cache === undefined) prepared.set(lease.conn, cache = new Map());
        let p = cache.get(sql);
        if (p === undefined) cache.set(sql, p = await lease.conn.prepare(sql));
        p.clearBindings();
        if (opts.params && opts.params.length > 0) p.bind(opts.params as DuckDBValue[]);
        const stream = new DuckdbQueryStream(lease, DEFAULT_QUERY_LIMITS, undefined, () => {});
        stream.arm(DEFAULT_QUERY_LIMITS.timeoutMs, opts.signal);
        await stream.start(p);
        return stream;
      } catch (err) {
        lease.release();
        throw err;
      }
    },
    async describe() { return { params: [], columns: [] }; },
    async relations() { return []; },
    async close() { pool.close(); instance.closeSync(); },
  };
}
