/**
 * The tables a model reads, from its SQL as DuckDB's own parser sees it (`json_serialize_sql`):
 * every `BASE_TABLE` reference anywhere in the tree (joins, subqueries, CTE bodies, EXISTS). No
 * hand-written SQL parsing. CTE names also appear as table references; callers keep only names
 * that are models.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../sinks/_shared/sql.js';
import { ModelInvalid } from './errors.js';

/** Names (without schema) of the tables `sql` references. Throws `TRB_SCHEMA_MODEL_INVALID` when it does not parse. */
export async function referencedTables(conn: DuckDBConnection, model: string, file: string, sql: string): Promise<Set<string>> {
  const r = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
  const tree = JSON.parse(String(r.getRows()[0]?.[0] ?? '{}')) as { error?: boolean; error_message?: string };
  if (tree.error) throw ModelInvalid({ model, file, reason: `its SQL does not parse: ${tree.error_message ?? 'unknown error'}` });
  const names = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) { for (const x of n) walk(x); return; }
    if (n === null || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o['type'] === 'BASE_TABLE' && typeof o['table_name'] === 'string') names.add(o['table_name'].toLowerCase());
    for (const v of Object.values(o)) walk(v);
  };
  walk(tree);
  return names;
}
