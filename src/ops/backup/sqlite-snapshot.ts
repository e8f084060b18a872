/**
 * A consistent copy of the SQLite control store while it is in use: SQLite's online backup API
 * (through better-sqlite3) copies the database page by page from one read transaction, so the copy
 * is exactly the state of one moment, including what is still in the WAL, whatever other
 * connections do meanwhile. A plain file copy could tear between the database file and its WAL.
 */
import Database from 'better-sqlite3';

/** Copies the SQLite database `source` to the new file `dest` (a complete database, no WAL needed). */
export async function snapshotSqlite(source: string, dest: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  // The copy is a standalone file: no -wal beside it, readable by any SQLite.
  const copy = new Database(dest);
  try { copy.pragma('journal_mode = DELETE'); } finally { copy.close(); }
}

/** Rows per user table of the SQLite database `file` (read-only), by table name. */
export function sqliteTableCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    const out: Record<string, number> = {};
    for (const { name } of tables) {
      const row = db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number };
      out[name] = row.n;
    }
    return out;
  } finally {
    db.close();
  }
}

/** Names of the migrations applied to the control-store database `file` (read-only), in order. */
export function sqliteAppliedMigrations(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT name FROM "${table.replaceAll('"', '""')}" ORDER BY name`).all() as { name: string }[];
    return rows.map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Rows of a read-only query over the SQLite database `file` (for manifests: lake files, bronze objects, pipelines). */
export function sqliteRows<T>(file: string, query: string): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(query).all() as T[];
  } finally {
    db.close();
  }
}
