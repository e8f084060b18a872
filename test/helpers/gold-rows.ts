/**
 * Reading a gold model from the DuckDB and the PostgreSQL warehouse in one comparable shape, for
 * the gold parity test. Normalisation is explicit: the DuckDB column types decide; numbers become
 * JS numbers (integers of any width, decimals and doubles alike), timestamps lose PostgreSQL's
 * `+00` suffix (the gold sessions run in UTC) and trailing fractional zeros, and rows are sorted by
 * their text with floats rounded to 6 significant digits, so neither engine's row order matters.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';

/** A model's rows: column names and normalised values, sorted. */
export interface GoldRows {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TIME = /^TIMESTAMP/;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

function normalise(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (NUMERIC.test(type)) return Number(v);
  if (TIME.test(type)) return String(v).replace(/\+00$/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return v;
}

const sortKey = (row: readonly unknown[]): string => JSON.stringify(row.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v)));

function finish(columns: string[], types: readonly string[], raw: readonly (readonly unknown[])[]): GoldRows {
  const rows = raw.map((r) => r.map((v, i) => normalise(v, types[i]!)));
  return { columns, rows: rows.map((r) => [sortKey(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r) };
}

/** Rows of `sql` in the DuckDB warehouse file `path`, and the column types that normalise both sides. */
export async function duckdbGoldRows(path: string, sql: string): Promise<GoldRows & { readonly types: readonly string[] }> {
  const conn = await connectUtc(await DuckDBInstance.fromCache(path));
  try {
    const r = await conn.runAndReadAll(sql);
    const types = r.columnTypes().map(String);
    return { ...finish(r.columnNames(), types, r.getRowsJson() as unknown[][]), types };
  } finally { conn.disconnectSync(); }
}

/** Rows of `sql` in schema `schema` of the PostgreSQL at `url`, normalised with the DuckDB side's `types`. */
export async function postgresGoldRows(url: string, schema: string, sql: string, types: readonly string[]): Promise<GoldRows> {
  // A one-connection pool: pool.query opens and releases the connection itself.
  const pool = new pg.Pool({
    max: 1, connectionString: url, options: `-c TimeZone=UTC -c DateStyle=ISO -c search_path=${schema}`,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => ([DATE, TIMESTAMP, TIMESTAMPTZ].includes(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
  });
  try {
    const r = await pool.query({ text: sql, rowMode: 'array' });
    return finish(r.fields.map((f) => f.name), types, r.rows as unknown[][]);
  } finally { await pool.end(); }
}

/**
 * Where `a` and `b` differ (undefined when they agree): columns by name and order, row counts, then
 * each value, numbers within `relTol` of each other relative to the larger magnitude (at least 1).
 */
export function goldRowsDiffer(a: GoldRows, b: GoldRows, relTol: number): string | undefined {
  if (a.columns.join(',') !== b.columns.join(',')) return `columns (${a.columns.join(', ')}) vs (${b.columns.join(', ')})`;
  if (a.rows.length !== b.rows.length) return `${a.rows.length} rows vs ${b.rows.length}`;
  for (let i = 0; i < a.rows.length; i++) {
    for (let j = 0; j < a.columns.length; j++) {
      const x = a.rows[i]![j];
      const y = b.rows[i]![j];
      const same = typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) <= relTol * Math.max(1, Math.abs(x), Math.abs(y)) : x === y;
      if (!same) return `row ${i} column ${a.columns[j]}: ${JSON.stringify(x)} vs ${JSON.stringify(y)} (rows ${JSON.stringify(a.rows[i])} vs ${JSON.stringify(b.rows[i])})`;
    }
  }
  return undefined;
}
