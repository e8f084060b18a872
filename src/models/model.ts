/**
 * A gold model: a named SQL `SELECT` materialised in the warehouse. Its settings are leading
 * comment lines of the file, so a model stays a plain SQL file any editor and linter understands:
 *
 * ```sql
 * -- materialized: incremental        table (default) | view | incremental | dimension
 * -- partition_by: day                incremental: the DATE column whose partitions are rebuilt
 * -- source: stg_requests             incremental: the source whose changed days trigger a rebuild
 * -- unique_key: geo_key              dimension: the key column
 * -- referenced_by: fact_requests     dimension: the table whose rows keep old keys alive
 * select ...
 * ```
 *
 * Dependencies are not declared: they are read from the SQL itself (see sql-dependencies.ts).
 */
import { ModelInvalid } from './errors.js';

/** How a model is materialised. */
export type Materialization = 'table' | 'view' | 'incremental' | 'dimension';

/** A parsed model. */
export interface Model {
  readonly name: string;
  /** Where it came from (a path, or `builtin:web/<name>.sql`). */
  readonly file: string;
  readonly sql: string;
  readonly materialized: Materialization;
  /** Incremental only: the DATE column partitions are rebuilt by. */
  readonly partitionBy?: string;
  /** Incremental only: the table or view whose per-day row counts decide which partitions to rebuild. */
  readonly source?: string;
  /** Dimension only: the key column. */
  readonly uniqueKey?: string;
  /** Dimension only: rows of this table (same key column) keep keys the new data no longer has. */
  readonly referencedBy?: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const HEADER = /^--\s*([a-z_]+)\s*:\s*(\S+)\s*$/;

/** Parses a model file's text. Throws `TRB_SCHEMA_MODEL_INVALID` naming the model and file. */
export function parseModel(name: string, file: string, text: string): Model {
  const bad = (reason: string): never => { throw ModelInvalid({ model: name, file, reason }); };
  if (!NAME.test(name)) bad('the file name must be a lower-case SQL identifier (letters, digits, _)');
  const settings: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    const m = HEADER.exec(l);
    if (!m) break;
    settings[m[1]!] = m[2]!;
  }
  const sql = lines.slice(i).join('\n').trim().replace(/;\s*$/, '');
  if (sql === '') bad('no SQL after the header');
  const known = new Set(['materialized', 'partition_by', 'source', 'unique_key', 'referenced_by']);
  for (const k of Object.keys(settings)) if (!known.has(k)) bad(`unknown setting \`${k}\` (known: ${[...known].join(', ')})`);
  const materialized = (settings['materialized'] ?? 'table') as Materialization;
  if (!['table', 'view', 'incremental', 'dimension'].includes(materialized)) bad(`materialized must be table, view, incremental or dimension, not \`${materialized}\``);
  if (materialized === 'dimension') {
    const uniqueKey = settings['unique_key'] ?? bad('a dimension needs `-- unique_key: <key column>`');
    const referencedBy = settings['referenced_by'] ?? bad('a dimension needs `-- referenced_by: <table with the same key column>`');
    if (!NAME.test(uniqueKey) || !NAME.test(referencedBy)) bad('unique_key and referenced_by must be plain identifiers');
    return { name, file, sql, materialized, uniqueKey, referencedBy };
  }
  if (materialized !== 'incremental') return { name, file, sql, materialized };
  const partitionBy = settings['partition_by'] ?? bad('an incremental model needs `-- partition_by: <date column>`');
  const source = settings['source'] ?? bad('an incremental model needs `-- source: <table>` (whose changed days trigger a rebuild)');
  if (!NAME.test(partitionBy) || !NAME.test(source)) bad('partition_by and source must be plain identifiers');
  return { name, file, sql, materialized, partitionBy, source };
}
