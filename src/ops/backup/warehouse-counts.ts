/**
 * Row counts of every table of a DuckDB warehouse file, read through a private in-memory instance
 * that attaches the file read-only (never the process-wide instance cache, which would keep the file
 * open after the count).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { connectUtc } from '../../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';

/**
 * `schema.table` → rows of the DuckDB file `file`, or null when DuckDB cannot open it without a key
 * (an encrypted warehouse). Other failures (a file locked by a writing process) are thrown.
 */
export async function warehouseTableCounts(file: string): Promise<Record<string, number> | null> {
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  try {
    const conn = await connectUtc(db);
    try {
      try {
        await conn.run(`ATTACH ${quoteLiteral(file)} AS trb_counted (READ_ONLY)`);
      } catch (err) {
        if (/encrypt/i.test(err instanceof Error ? err.message : String(err))) return null;
        throw err;
      }
      const tables = (await conn.runAndReadAll(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'trb_counted' AND NOT temporary ORDER BY schema_name, table_name",
      )).getRows() as [string, string][];
      const out: Record<string, number> = {};
      for (const [schema, table] of tables) {
        const r = await conn.runAndReadAll(`SELECT count(*) FROM trb_counted.${quoteIdent(schema)}.${quoteIdent(table)}`);
        out[`${schema}.${table}`] = Number(r.getRows()[0]?.[0] ?? 0);
      }
      await conn.run('DETACH trb_counted');
      return out;
    } finally { conn.disconnectSync(); }
  } finally { db.closeSync(); }
}
