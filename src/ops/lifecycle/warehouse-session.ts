/**
 * A private in-memory DuckDB with every existing warehouse of a pipeline ATTACHed for retention.
 * Spills to a temp directory under the data directory, removed on close.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadDuckdbCrypto, requireDuckdbEncryption } from '../../security/crypto/duckdb-encryption.js';
import { connectUtc } from '../../sinks/_shared/duckdb-values.js';
import { quoteLiteral } from '../../sinks/_shared/sql.js';
import { WarehouseRetention, type WarehouseRetentionTarget } from './warehouse-retention.js';

/** The attached warehouses; close when done. */
export class WarehouseSession {
  /** One per target whose file exists (a warehouse never written has nothing to expire). */
  readonly warehouses: readonly WarehouseRetention[];
  readonly #db: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #tempDir: string;

  private constructor(db: DuckDBInstance, conn: DuckDBConnection, tempDir: string, warehouses: WarehouseRetention[]) {
    this.#db = db;
    this.#conn = conn;
    this.#tempDir = tempDir;
    this.warehouses = warehouses;
  }

  /**
   * Starts the DuckDB and ATTACHes every existing target (read-only when `readOnly`, for dry runs). With an encrypted target it first
   * requires DuckDB's OpenSSL crypto (`TRB_SECRET_ENCRYPTION_UNAVAILABLE`).
   */
  static async open(targets: readonly (WarehouseRetentionTarget & { readonly memoryLimit: string })[], tempDir: string, readOnly: boolean): Promise<WarehouseSession> {
    const existing = targets.filter((t) => existsSync(t.path));
    const encrypted = existing.find((t) => t.encryptionKey !== undefined);
    if (encrypted) await requireDuckdbEncryption(`lifecycle (sink \`${encrypted.sink}\`)`, 'its encrypted warehouse');
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
    const conn = await connectUtc(db);
    const warehouses: WarehouseRetention[] = [];
    const s = new WarehouseSession(db, conn, tempDir, warehouses);
    try {
      if (encrypted) await loadDuckdbCrypto(conn);
      await conn.run(`SET memory_limit = ${quoteLiteral(existing[0]?.memoryLimit ?? '256MB')}`);
      await conn.run(`SET temp_directory = ${quoteLiteral(tempDir)}`);
      for (const [i, t] of existing.entries()) warehouses.push(await WarehouseRetention.attach(conn, t, `trb_wh_${i}`, readOnly));
      return s;
    } catch (err) {
      await s.close();
      throw err;
    }
  }

  /** Detaches everything, stops the DuckDB and removes its spill directory. Safe to call twice. */
  async close(): Promise<void> {
    for (const w of this.warehouses) await w.detach();
    try { this.#conn.disconnectSync(); } catch { /* already closed */ }
    try { this.#db.closeSync(); } catch { /* already closed */ }
    await rm(this.#tempDir, { recursive: true, force: true });
  }
}
