/** DuckDB's parse tree of a SQL text, as JSON: the input of the statement check. */
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * `json_serialize_sql(sql)` on `conn`, parsed. The SQL travels as a bound parameter, so it is
 * parsed only by the serializer and never spliced into the outer statement. The result has
 * `error: true` (with `error_type`, `error_message`) for a parse error or a non-SELECT statement.
 */
export async function parseTree(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  return JSON.parse(String(reader.getRows()[0]?.[0] ?? '{"error":true}'));
}
