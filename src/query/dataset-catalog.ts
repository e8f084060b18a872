/**
 * The datasets of a warehouse as the query engine sees them: every table and view of the attached
 * warehouse's `main` schema (bookkeeping relations starting with `_` excluded), with each column's
 * DuckDB type and `pii` tag.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { PiiClass } from '../core/pii.js';
import { columnPii, type PiiSources } from './column-pii.js';

/** A column of a dataset. */
export interface CatalogColumn {
  readonly name: string;
  /** DuckDB type name (`VARCHAR`, `BIGINT`, `TIMESTAMP`, ...). */
  readonly type: string;
  readonly pii: PiiClass;
}

/** A table or view of the warehouse. */
export interface Dataset {
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly columns: readonly CatalogColumn[];
}

/**
 * Reads the datasets of database `alias` (attached on `conn`), tagging columns from `pii`. Names
 * are returned as stored; datasets sorted by name, columns in table order.
 */
export async function readDatasetCatalog(conn: DuckDBConnection, alias: string, pii: PiiSources): Promise<readonly Dataset[]> {
  const reader = await conn.runAndReadAll(
    `SELECT t.table_name, t.table_type, c.column_name, c.data_type
       FROM information_schema.tables t JOIN information_schema.columns c
         ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema AND c.table_name = t.table_name
      WHERE t.table_catalog = $1 AND t.table_schema = 'main' AND NOT starts_with(t.table_name, '_')
      ORDER BY t.table_name, c.ordinal_position`, [alias]);
  const byName = new Map<string, { kind: 'table' | 'view'; columns: CatalogColumn[] }>();
  for (const [table, kind, column, type] of reader.getRows() as [string, string, string, string][]) {
    let d = byName.get(table);
    if (d === undefined) byName.set(table, d = { kind: kind === 'VIEW' ? 'view' : 'table', columns: [] });
    d.columns.push(Object.freeze({ name: column, type, pii: columnPii(table, column, pii) }));
  }
  return Object.freeze([...byName].map(([name, d]) => Object.freeze({ name, kind: d.kind, columns: Object.freeze(d.columns) })));
}
