/**
 * DDL of the warehouse: the data table (record schema + lineage columns), the quarantine table,
 * the watermark table and the access-log views. Every statement is idempotent (IF NOT EXISTS /
 * OR REPLACE), so `open()` may run on every start.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RecordSchema } from '../../core/record.js';
import { duckdbType, quoteIdent, quoteLiteral, storedColumns } from '../_shared/sql.js';
import { accessViews } from './access-views.js';

/** Name of the per-stream watermark table. */
export const WATERMARK_TABLE = '_tributary_watermarks';

/** Quarantine table columns, in order. */
export const QUARANTINE_TABLE_COLUMNS: readonly (readonly [string, string])[] = Object.freeze([
  ['source', 'VARCHAR'], ['uri', 'VARCHAR'], ['stream', 'VARCHAR'], ['line', 'BIGINT'], ['offset', 'BIGINT'],
  ['code', 'VARCHAR'], ['reason', 'VARCHAR'], ['field', 'VARCHAR'], ['stage', 'VARCHAR'], ['raw', 'VARCHAR'],
  ['quarantined_at', 'TIMESTAMP'], ['commit_id', 'VARCHAR'],
] as const);

async function existingColumns(conn: DuckDBConnection, table: string): Promise<Set<string>> {
  const r = await conn.runAndReadAll(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ${quoteLiteral(table)}`);
  return new Set(r.getRows().map((row) => String(row[0])));
}

async function ensureTable(conn: DuckDBConnection, table: string, cols: readonly (readonly [string, string])[]): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${cols.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`);
  const have = await existingColumns(conn, table);
  for (const [n, t] of cols) {
    if (!have.has(n)) await conn.run(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(n)} ${t}`);
  }
}

/** Creates (or completes) the table of an additional dataset: its schema's columns + lineage. */
export async function ensureDatasetTable(conn: DuckDBConnection, schema: RecordSchema, table: string): Promise<void> {
  await ensureTable(conn, table, storedColumns(schema).map((c) => [c.name, duckdbType(c.type, 'JSON')] as const));
}

/**
 * Creates (or completes, by adding missing columns) the data, quarantine and watermark tables,
 * then (re)creates the views. Access views are made only when `schema` has the access columns.
 */
export async function ensureWarehouse(conn: DuckDBConnection, schema: RecordSchema, table: string, quarantine: string): Promise<void> {
  await ensureTable(conn, table, storedColumns(schema).map((c) => [c.name, duckdbType(c.type, 'JSON')] as const));
  await ensureTable(conn, quarantine, QUARANTINE_TABLE_COLUMNS);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${WATERMARK_TABLE} (dataset VARCHAR NOT NULL, stream VARCHAR NOT NULL, ` +
    'next_offset BIGINT NOT NULL, PRIMARY KEY (dataset, stream))');
  for (const sql of accessViews(schema, table, quarantine)) await conn.run(sql);
}
