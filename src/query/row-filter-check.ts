/** Validation of a role's row filter with DuckDB's parser, before any view uses it. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { TributaryError } from '../core/errors.js';
import { RowFilterInvalid } from '../security/rbac/errors.js';
import { quoteIdent } from '../sinks/_shared/sql.js';
import { checkStatementTree } from './check-statement.js';
import { parseTree } from './parse-tree.js';

/**
 * Throws `TRB_RBAC_ROW_FILTER_INVALID` unless `filter` is one boolean expression that, put in
 * `SELECT 1 FROM <dataset> WHERE (<filter>)`, leaves that statement one plain SELECT over the
 * dataset: no subquery, no extra clause, no second statement, no table or denied function.
 * (Unknown columns are caught when the view is created.)
 */
export async function checkRowFilter(conn: DuckDBConnection, role: string, dataset: string, filter: string): Promise<void> {
  const bad = (reason: string): never => { throw RowFilterInvalid({ role, dataset, reason }); };
  const tree = await parseTree(conn, `SELECT 1 FROM ${quoteIdent(dataset)} WHERE (${filter})`) as {
    error?: boolean; statements?: { node?: Record<string, unknown> }[];
  };
  if (tree.error === true || tree.statements?.length !== 1) bad('it does not parse as one predicate');
  const node = tree.statements![0]!.node ?? {};
  const from = node['from_table'] as Record<string, unknown> | undefined;
  const plain = node['type'] === 'SELECT_NODE' && from?.['type'] === 'BASE_TABLE' && from['table_name'] === dataset
    && (node['modifiers'] as unknown[]).length === 0 && (node['group_expressions'] as unknown[]).length === 0
    && node['having'] === null && node['qualify'] === null && node['sample'] === null && node['where_clause'] !== null;
  if (!plain) bad('it changes the statement around it');
  if (JSON.stringify(node['where_clause']).includes('"class":"SUBQUERY"')) bad('subqueries are not allowed');
  try {
    checkStatementTree(tree, { relations: new Set([dataset.toLowerCase()]), reserved: new Set() });
  } catch (err) {
    bad(err instanceof TributaryError ? err.message : 'it is refused');
  }
}
