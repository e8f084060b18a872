/**
 * The statement check: a walk over DuckDB's own parse tree (`json_serialize_sql`), never over the
 * SQL text. It runs before anything is bound or executed and refuses, with typed errors:
 * - a parse tree that is not exactly one SELECT (DuckDB serialises SELECT statements only);
 * - a table reference that is qualified (`catalog.schema.table`, `schema.table`), time-travelling
 *   (`AT (...)`), or not the name of a relation the role may see or a CTE in scope;
 * - a table function outside {@link ALLOWED_TABLE_FUNCTIONS} (`read_parquet`, `read_csv`, `glob`,
 *   `query`, `query_table`, `duckdb_*`, `pragma_*`, ...), and `DESCRIBE`/`SHOW`/`SUMMARIZE` as tables;
 * - a scalar function that reads or changes settings, reads variables, files or the catalog, or runs
 *   SQL of its own ({@link isDeniedFunction}; `set_config('role', ...)` matters on PostgreSQL);
 * - a CTE named like a system relation (so that a name resolved outside the CTE's scope can never
 *   reach a catalog table instead).
 */
import { QueryFunctionDenied, QueryInvalid, QueryRefused, QueryRelationDenied } from './errors.js';

/** Table functions a query may call. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest']);

const DENIED_FUNCTIONS = new Set([
  'current_setting', 'getenv', 'getvariable', 'read_text', 'read_blob', 'query', 'query_table',
  'json_serialize_sql', 'json_deserialize_sql', 'json_execute_serialized_sql', 'json_serialize_plan',
  'sql_auto_complete', 'has_table_privilege', 'has_column_privilege', 'has_schema_privilege',
  'has_database_privilege', 'has_any_column_privilege', 'has_function_privilege', 'current_schemas',
  'which_secret', 'glob', 'set_config', 'query_to_xml', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'table_to_xml',
  'schema_to_xml', 'database_to_xml', 'lo_import', 'lo_export', 'parquet_metadata', 'parquet_schema', 'parquet_file_metadata', 'parquet_kv_metadata',
]);

/** True for scalar/aggregate functions a query may not call (settings, variables, files, catalog, SQL-in-SQL). */
export function isDeniedFunction(name: string): boolean {
  const n = name.toLowerCase();
  return DENIED_FUNCTIONS.has(n) || n.startsWith('duckdb_') || n.startsWith('pg_') || n.startsWith('pragma_') || n.startsWith('read_') || n.startsWith('dblink');
}

/** What a statement may refer to. Names lower-cased. */
export interface StatementScope {
  /** Relations the role may query (its secure views). */
  readonly relations: ReadonlySet<string>;
  /** System relation names a CTE may not take. */
  readonly reserved: ReadonlySet<string>;
}

type Json = Record<string, unknown>;

/**
 * Checks the output of `json_serialize_sql(sql)` (already JSON-parsed) against `scope`. Returns
 * normally when the statement may run; throws `TRB_QUERY_REFUSED`, `TRB_QUERY_INVALID`,
 * `TRB_QUERY_RELATION_DENIED` or `TRB_QUERY_FUNCTION_DENIED` otherwise.
 */
export function checkStatementTree(tree: unknown, scope: StatementScope): void {
  const t = tree as { error?: boolean; error_type?: string; error_message?: string; statements?: unknown[] };
  if (t.error === true) {
    if (t.error_type === 'parser') throw QueryInvalid({ reason: firstLine(t.error_message ?? 'syntax error') });
    throw QueryRefused({ reason: 'not a SELECT statement' });
  }
  if (!Array.isArray(t.statements) || t.statements.length !== 1) throw QueryRefused({ reason: 'exactly one statement is allowed' });
  walk(t.statements[0], new Set(), scope);
}

function walk(node: unknown, ctes: ReadonlySet<string>, scope: StatementScope): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, ctes, scope);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Json;
  const inScope = withCtes(o, ctes, scope);
  switch (o['type']) {
    case 'BASE_TABLE': checkTable(o, inScope, scope); break;
    case 'TABLE_FUNCTION': {
      const fn = (o['function'] ?? {}) as Json;
      const name = String(fn['function_name'] ?? '').toLowerCase();
      if (fn['schema'] || fn['catalog'] || !ALLOWED_TABLE_FUNCTIONS.has(name)) throw QueryFunctionDenied({ function: name });
      break;
    }
    case 'SHOW_REF': throw QueryRefused({ reason: 'DESCRIBE, SHOW and SUMMARIZE are not allowed; use `relations` to list columns' });
    default: break;
  }
  if (o['class'] === 'FUNCTION' && o['type'] !== 'TABLE_FUNCTION') {
    const name = String(o['function_name'] ?? '');
    if (o['schema'] || o['catalog'] || isDeniedFunction(name)) throw QueryFunctionDenied({ function: name.toLowerCase() });
  }
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') walk(v, inScope, scope);
}

function withCtes(o: Json, ctes: ReadonlySet<string>, scope: StatementScope): ReadonlySet<string> {
  const map = (o['cte_map'] as { map?: { key?: unknown }[] } | undefined)?.map;
  if (!Array.isArray(map) || map.length === 0) return ctes;
  const next = new Set(ctes);
  for (const e of map) {
    const key = String(e.key ?? '').toLowerCase();
    if (scope.reserved.has(key)) throw QueryRefused({ reason: `a CTE may not be named \`${key}\`` });
    next.add(key);
  }
  return next;
}

function checkTable(o: Json, ctes: ReadonlySet<string>, scope: StatementScope): void {
  const name = String(o['table_name'] ?? '');
  const lower = name.toLowerCase();
  if (o['catalog_name'] || o['schema_name']) {
    throw QueryRelationDenied({ relation: [o['catalog_name'], o['schema_name'], name].filter(Boolean).join('.') });
  }
  if (o['at_clause'] !== null && o['at_clause'] !== undefined) throw QueryRefused({ reason: 'time travel (AT) is not allowed' });
  if (!ctes.has(lower) && !scope.relations.has(lower)) throw QueryRelationDenied({ relation: name });
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
