/**
 * SQLite adapter of the ControlStore seam (embedded mode): better-sqlite3 behind Kysely's
 * SqliteDialect. The database runs in WAL mode with a busy timeout, so several processes can share
 * one file: readers never block, writers queue for up to `busyTimeoutMs`.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { StoreOptionsInvalid, StoreUnavailable } from '../../store-errors.js';
import type { ControlDb } from '../control-db.js';
import type { ControlStore } from '../control-store.js';
import { CONTROL_MIGRATION_TABLES, createControlMigrationProvider } from '../migrations/control-migrations.js';
import { SqlControlStore } from '../sql-control-store.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { withPathLock } from './path-lock.js';

/** Options of {@link createSqliteControlStore}. */
export interface SqliteControlStoreOptions {
  /** Database file; created (mode 0600, parent dirs 0750) when missing. `:memory:` for a private in-memory store. */
  readonly path: string;
  /** How long a writer waits for another connection's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** True for SQLite errors that a later retry can get past (another connection holds the lock). */
export function isTransientSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** True for a primary-key or unique constraint violation. */
export function isUniqueViolationSqlite(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

let memoryStores = 0;

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    // Pre-create the file so it never exists world-readable; SQLite gives -wal/-shm the same mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens (creating if needed) a SQLite control store. Call `migrate()` before use.
 * Throws `TRB_STORE_OPTIONS_INVALID` for an empty path or bad timeout, `TRB_STORE_UNAVAILABLE` when
 * the file cannot be opened (permissions, missing volume, locked).
 */
export function createSqliteControlStore(opts: SqliteControlStoreOptions): ControlStore {
  if (typeof opts.path !== 'string' || opts.path.trim() === '') {
    throw StoreOptionsInvalid({ store: 'sqlite', option: 'path', reason: 'must be a file path or `:memory:`' });
  }
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw StoreOptionsInvalid({ store: 'sqlite', option: 'busyTimeoutMs', reason: 'must be a non-negative integer' });
  }
  const path = opts.path === ':memory:' ? opts.path : resolve(opts.path);
  let database: Database.Database;
  try {
    database = openDatabase(path, busyTimeoutMs);
  } catch (err) {
    throw StoreUnavailable({ store: 'sqlite', op: 'open', reason: `${path}: ${err instanceof Error ? err.message : String(err)}` }, err);
  }
  const db = new Kysely<ControlDb>({ dialect: new ImmediateSqliteDialect({ database }) });
  const provider = createControlMigrationProvider({ json: 'text', timestamp: 'text', bigint: 'integer' });
  const lockKey = path === ':memory:' ? `:memory:#${++memoryStores}` : path;
  return new SqlControlStore({
    kind: 'sqlite',
    db,
    driverParsesJson: false,
    createMigrator: () => new Migrator({ db, provider, ...CONTROL_MIGRATION_TABLES }),
    isTransient: isTransientSqliteError,
    isUniqueViolation: isUniqueViolationSqlite,
    serializeWrites: (fn) => withPathLock(lockKey, fn),
    destroy: () => db.destroy(),
  });
}
