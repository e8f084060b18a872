/**
 * Read access to a DuckDB warehouse file for `tributary query` and the API: SQL in, JSON-safe
 * columns and rows out.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, StatementType } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { JsonSafe } from '../_shared/duckdb-values.js';
import { connectUtc, messageOf, resultColumns, resultRows } from '../_shared/duckdb-values.js';
import { loadDuckdbCrypto } from '../../security/crypto/duckdb-encryption.js';
import { quoteLiteral } from '../_shared/sql.js';
import { WarehouseMissing, WarehouseQueryFailed, WarehouseUnavailable } from '../_shared/errors.js';

/** Positional (`?`, `$1`) or named (`$name`) query parameters. */
export type QueryParams = readonly (string | number | boolean | bigint | null)[] | Readonly<Record<string, string | number | boolean | bigint | null>>;

/** A query's result: column names with DuckDB type names, and rows of JSON-safe values. */
export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly JsonSafe[])[];
}

/** An open warehouse. */
export interface Warehouse {
  /** The database file. */
  readonly path: string;
  /**
   * Runs `sql` (several `;`-separated statements allowed; the last one's result is returned).
   * Values are JSON-safe: BIGINT → number when safe else string, timestamps → ISO-8601 UTC with
   * microseconds. Throws TRB_SINK_QUERY_FAILED for SQL errors, and, on a read-only handle, for any
   * statement other than SELECT / EXPLAIN.
   */
  query(sql: string, params?: QueryParams): Promise<QueryResult>;
  /** Releases the connection and the instance handle. Safe to call twice. */
  close(): Promise<void>;
}

const READ_ONLY_TYPES = new Set<number>([StatementType.SELECT, StatementType.EXPLAIN]);

async function instanceFor(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  if (!readOnly) return DuckDBInstance.fromCache(path);
  try {
    return await DuckDBInstance.fromCache(path, { access_mode: 'READ_ONLY' });
  } catch (err) {
    // A writer in this process (a running pipeline, `serve`) already holds the file: share its
    // instance; read-only is then enforced per statement.
    if (/different configuration/i.test(messageOf(err))) return DuckDBInstance.fromCache(path);
    throw err;
  }
}

/**
 * Opens the warehouse at `path`. With `readOnly` the file is opened read-only when no writer in
 * this process holds it, and non-SELECT statements are refused either way. Throws
 * TRB_SINK_WAREHOUSE_MISSING when the file does not exist (run a pipeline first) and
 * TRB_SINK_WAREHOUSE_UNAVAILABLE when it cannot be opened (e.g. locked by another process).
 */
export async function openWarehouse(path: string, opts: { readonly readOnly?: boolean; readonly encryptionKey?: string } = {}): Promise<Warehouse> {
  if (!existsSync(path)) throw WarehouseMissing({ path });
  const readOnly = opts.readOnly ?? false;
  const key = opts.encryptionKey;
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  try {
    if (key === undefined) {
      db = await instanceFor(path, readOnly);
      conn = await connectUtc(db);
    } else {
      // An encrypted file: a private instance (the process-wide cache would hand it to readers without the key).
      db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
      conn = await connectUtc(db);
      await loadDuckdbCrypto(conn);
      await conn.run(`ATTACH ${quoteLiteral(path)} AS trb_warehouse (${readOnly ? 'READ_ONLY, ' : ''}ENCRYPTION_KEY ${quoteLiteral(key)})`);
      await conn.run('USE trb_warehouse');
    }
  } catch (err) {
    const reason = key === undefined ? messageOf(err) : messageOf(err).replaceAll(key, '[redacted]');
    throw WarehouseUnavailable({ path, reason }, key === undefined ? err : new Error(reason));
  }
  let closed = false;
  return {
    path,
    async query(sql, params) {
      if (closed) throw WarehouseQueryFailed({ reason: 'the warehouse handle is closed' });
      try {
        if (readOnly) {
          const ex = await conn.extractStatements(sql);
          for (let i = 0; i < ex.count; i++) {
            const st = await ex.prepare(i);
            if (!READ_ONLY_TYPES.has(st.statementType)) {
              throw new Error(`only SELECT and EXPLAIN are allowed here, got ${StatementType[st.statementType]}`);
            }
          }
        }
        const reader = await conn.runAndReadAll(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
        return { columns: resultColumns(reader), rows: resultRows(reader) };
      } catch (err) {
        throw WarehouseQueryFailed({ reason: messageOf(err) }, err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      conn.disconnectSync();
      db.closeSync();
    },
  };
}
