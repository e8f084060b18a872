/**
 * A benchmark-only {@link QueryEngine}: runs SQL on an in-memory DuckDB table of synthetic access
 * rows with NO grants, masks or row filters, streaming results in 2,048-row chunks. It measures the
 * HTTP layer (auth, rate limits, streaming, encoding) in isolation; the secure engine of
 * security/rbac replaces it to measure role enforcement (issue 6's ≤ 10 % target).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { Cell, QueryEngine, QueryStream } from '../src/query/query-engine.js';
import { connectUtc, toJsonSafe } from '../src/sinks/_shared/duckdb-values.js';

/** Creates the engine with `rows` synthetic rows in table `access` (vhost, status, bytes, ts). */
export async function createBenchQueryEngine(rows = 100_000): Promise<QueryEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await connectUtc(instance);
  await conn.run(`CREATE TABLE access AS SELECT
      'site' || (i % 20) || '.example.com' AS vhost, (ARRAY[200, 200, 200, 304, 404, 500])[1 + i % 6] AS status,
      (i * 7919) % 50000 AS bytes, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i) AS ts
    FROM range(${rows}) t(i)`);
  const engine: QueryEngine = {
    async query(_id, sql, opts): Promise<QueryStream> {
      const c = await connectUtc(instance);
      const result = await c.stream(sql, (opts.params ?? []) as never);
      const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
      let closed = false;
      return {
        columns,
        async *batches() {
          while (!closed) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) return;
            yield chunk.getRows().map((r) => r.map((v) => toJsonSafe(v) as Cell));
          }
        },
        async close() { if (!closed) { closed = true; c.closeSync(); } },
      };
    },
    async describe() { return { params: [], columns: [] }; },
    async relations() { return []; },
    async close() { conn.closeSync(); instance.closeSync(); },
  };
  return engine;
}
