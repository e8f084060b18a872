/**
 * The tables a model reads, from its SQL as DuckDB's own parser sees it (`json_serialize_sql`):
 * every `BASE_TABLE` reference anywhere in the tree (joins, subqueries, CTE bodies, EXISTS). No
 * hand-written SQL parsing. CTE names also appear as table references; callers keep only names
 * that are models.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../sinks/_shared/sql.js';
import { ModelInvalid } from './errors.js';

/** DuckDB's parse tree of `sql`. Throws `TRB_SCHEMA_MODEL_INVALID` when it does not parse. */
async function parseTree(conn: DuckDBConnection, model: string, file: string, sql: string): Promise<Record<string, unknown>> {
  const r = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
  const tree = JSON.parse(String(r.getRows()[0]?.[0] ?? '{}')) as { error?: boolean; error_message?: string };
  if (tree.error) throw ModelInvalid({ model, file, reason: `its SQL does not parse: ${tree.error_message ?? 'unknown error'}` });
  return tree as Record<string, unknown>;
}

/** Names (without schema) of the tables `sql` references. Throws `TRB_SCHEMA_MODEL_INVALID` when it does not parse. */
export async function referencedTables(conn: DuckDBConnection, model: string, file: string, sql: string): Promise<Set<string>> {
  const tree = await parseTree(conn, model, file, sql);
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

type Node = { readonly type?: string; readonly left?: Node; readonly select_list?: readonly { readonly class?: string; readonly alias?: string; readonly column_names?: readonly string[] }[] };

/**
 * The output column names of `sql` from its parse tree (the first branch of a UNION): an alias, or
 * a plain column reference's name. Undefined when a column has neither (`*`, an unaliased
 * expression): the names then depend on the engine. Throws `TRB_SCHEMA_MODEL_INVALID` when it does not parse.
 */
export async function outputColumns(conn: DuckDBConnection, model: string, file: string, sql: string): Promise<string[] | undefined> {
  const tree = await parseTree(conn, model, file, sql) as { statements?: readonly { readonly node?: Node }[] };
  let node = tree.statements?.[0]?.node;
  while (node?.type === 'SET_OPERATION_NODE') node = node.left;
  const names: string[] = [];
  for (const e of node?.select_list ?? []) {
    if (e.alias) names.push(e.alias.toLowerCase());
    else if (e.class === 'COLUMN_REF' && e.column_names?.length) names.push(e.column_names[e.column_names.length - 1]!.toLowerCase());
    else return undefined;
  }
  return node?.select_list ? names : undefined;
}
