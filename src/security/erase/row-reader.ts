/**
 * The engine-neutral way erasure reads a relation: a stream of result rows and the few SQL
 * expressions whose spelling differs between DuckDB (warehouse files, lake Parquet) and PostgreSQL
 * (the `postgres` sink's warehouse). Scans, visitor-id recomputation and counts are written once
 * against it, so both engines match a person's rows by the same rules.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { quoteLiteral } from '../../sinks/_shared/sql.js';

/** SQL spellings that differ between engines. Each returns a boolean or text SQL expression. */
export interface SqlDialect {
  /** True when the text expression `expr` matches the regular expression `re` as a whole. */
  fullMatch(expr: string, re: string): string;
  /** True when `expr` starts with `prefix`. */
  startsWith(expr: string, prefix: string): string;
  /** The UTC day `YYYY-MM-DD` of the timestamp expression `expr`. */
  utcDay(expr: string): string;
}

/** Reads rows of SQL on one connection. */
export interface RowReader {
  readonly dialect: SqlDialect;
  /** Streams the rows of `sql` (no parameters), in chunks. */
  rows(sql: string): AsyncIterable<readonly (readonly unknown[])[]>;
}

const DUCKDB: SqlDialect = Object.freeze({
  fullMatch: (expr: string, re: string) => `regexp_full_match(${expr}, ${quoteLiteral(re)})`,
  startsWith: (expr: string, prefix: string) => `starts_with(${expr}, ${quoteLiteral(prefix)})`,
  utcDay: (expr: string) => `strftime(CAST(${expr} AS TIMESTAMP), '%Y-%m-%d')`,
});

const POSTGRES: SqlDialect = Object.freeze({
  fullMatch: (expr: string, re: string) => `(${expr} ~ ${quoteLiteral(`^(${re})$`)})`,
  startsWith: (expr: string, prefix: string) => `starts_with(${expr}::text, ${quoteLiteral(prefix)})`,
  utcDay: (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
});

/** A reader on a DuckDB connection (timestamps are read in UTC: every connection is opened by `connectUtc`). */
export function duckdbReader(conn: DuckDBConnection): RowReader {
  return {
    dialect: DUCKDB,
    async *rows(sql: string) {
      const res = await conn.stream(sql);
      for await (const chunk of res.yieldRows()) yield chunk;
    },
  };
}

/** Rows fetched per round trip from PostgreSQL (a server-side cursor, so a large table is never held in memory at once). */
const PG_FETCH = 10_000;

/**
 * A reader on a PostgreSQL session. Each `rows()` runs in a read-only cursor inside its own
 * transaction (`BEGIN ... COMMIT`); do not call it while the session is inside another transaction.
 */
export function postgresReader(client: pg.Client): RowReader {
  return {
    dialect: POSTGRES,
    async *rows(sql: string) {
      await client.query('BEGIN READ ONLY');
      let ok = false;
      try {
        await client.query(`DECLARE trb_erase_cursor NO SCROLL CURSOR FOR ${sql}`);
        for (;;) {
          const r = await client.query({ text: `FETCH ${PG_FETCH} FROM trb_erase_cursor`, rowMode: 'array' });
          if (r.rows.length > 0) yield r.rows as unknown[][];
          if (r.rows.length < PG_FETCH) break;
        }
        ok = true;
      } finally {
        // Also reached when the consumer stops early: the read-only transaction is simply ended.
        await client.query(ok ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      }
    },
  };
}

/** `src` as a reader: a DuckDB connection is wrapped by {@link duckdbReader}. */
export function asReader(src: DuckDBConnection | RowReader): RowReader {
  return 'dialect' in src && 'rows' in src ? src : duckdbReader(src as DuckDBConnection);
}
