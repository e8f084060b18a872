/** Small SQL helpers for the DuckDB-backed sinks: identifier/literal quoting and column types. */
import { z } from 'zod';
import type { ColumnSchema, ColumnType, RecordSchema } from '../../core/record.js';
import { LINEAGE_COLUMNS } from '../../core/record.js';
import { SinkInvalidName } from './errors.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Zod schema for a plain SQL identifier (letters, digits, `_`; starts with a letter or `_`; ≤ 63 chars). */
export const sqlIdentifier = (): z.ZodString =>
  z.string().regex(IDENT, 'must be a plain SQL identifier: letters, digits and _, not starting with a digit');

/** Double-quotes an identifier for DuckDB (embedded `"` doubled). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Single-quotes a string literal for DuckDB (embedded `'` doubled). */
export const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/**
 * Checks that a commit id is safe to embed in file names (`[A-Za-z0-9._-]`, not starting with `.`).
 * Throws TRB_SINK_INVALID_NAME otherwise.
 */
export function assertSafeCommitId(commitId: string): void {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/.test(commitId)) {
    throw SinkInvalidName({ what: 'commit id', value: commitId, rule: 'only letters, digits, `.`, `_` and `-`' });
  }
}

/** The columns every stored row has: the schema's columns then {@link LINEAGE_COLUMNS}. */
export function storedColumns(schema: RecordSchema): readonly ColumnSchema[] {
  return [...schema.columns, ...LINEAGE_COLUMNS];
}

/** DuckDB storage type of a column type (`json` is stored as `jsonType`: JSON in the warehouse, VARCHAR in Parquet). */
export function duckdbType(type: ColumnType, jsonType: 'JSON' | 'VARCHAR' = 'VARCHAR'): string {
  switch (type) {
    case 'varchar': return 'VARCHAR';
    case 'integer': return 'INTEGER';
    case 'bigint': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'boolean': return 'BOOLEAN';
    case 'timestamp': return 'TIMESTAMP';
    case 'json': return jsonType;
  }
}

/**
 * A `read_csv(...)` table expression for a batch CSV in the engine's dialect (see `SinkBatch`):
 * header row, `,`, `"` quote and escape, unquoted empty = NULL, `""` = empty string. Timestamps are
 * read as TIMESTAMPTZ (so both `YYYY-MM-DD HH:MM:SS.ffffff` in UTC and ISO-8601 with `Z`/offsets
 * parse to the right instant); use {@link csvSelectList} to cast them to UTC TIMESTAMP.
 */
export function readCsvSql(csvPath: string, schema: RecordSchema): string {
  const cols = storedColumns(schema)
    .map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type === 'timestamp' ? 'TIMESTAMPTZ' : duckdbType(c.type))}`)
    .join(', ');
  return `read_csv(${quoteLiteral(csvPath)}, header = true, delim = ',', quote = '"', escape = '"', ` +
    `allow_quoted_nulls = false, auto_detect = false, strict_mode = true, columns = {${cols}})`;
}

/** Select list over {@link readCsvSql} (aliased `alias`) yielding the stored columns with their storage types. */
export function csvSelectList(schema: RecordSchema, alias: string, jsonType: 'JSON' | 'VARCHAR' = 'VARCHAR'): string {
  return storedColumns(schema).map((c) => {
    const ref = `${alias}.${quoteIdent(c.name)}`;
    if (c.type === 'timestamp') return `CAST(${ref} AS TIMESTAMP) AS ${quoteIdent(c.name)}`;
    if (c.type === 'json' && jsonType === 'JSON') return `CAST(${ref} AS JSON) AS ${quoteIdent(c.name)}`;
    return `${ref} AS ${quoteIdent(c.name)}`;
  }).join(', ');
}
