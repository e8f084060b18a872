/**
 * PostgreSQL adapter of the ControlStore seam (distributed mode): a pg Pool behind Kysely's
 * PostgresDialect. All tables live in one schema (default `tributary`), created by `migrate()`, so
 * the control plane can share a database with the warehouse and tests can isolate themselves in a
 * fresh schema.
 */
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { StoreOptionsInvalid } from '../../store-errors.js';
import type { ControlDb } from '../control-db.js';
import type { ControlStore } from '../control-store.js';
import { CONTROL_MIGRATION_TABLES, createControlMigrationProvider } from '../migrations/control-migrations.js';
import { SqlControlStore } from '../sql-control-store.js';

/** Options of {@link createPostgresControlStore}. */
export interface PostgresControlStoreOptions {
  /** Connection URL (`postgres://user@host:5432/db`); TLS and auth options go in the URL. */
  readonly url: string;
  /** Schema holding the control tables; a lowercase SQL identifier. Default `tributary`. */
  readonly schema?: string;
  /** Maximum pool connections (default 5). */
  readonly poolSize?: number;
  /** How long to wait for a connection, in ms (default 10000). */
  readonly connectTimeoutMs?: number;
}

/** Schema used when none is given. */
export const DEFAULT_CONTROL_SCHEMA = 'tributary';

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Connection-class, lock and serialization SQLSTATEs plus socket errnos: retrying can help. */
const TRANSIENT_SQLSTATE = /^(08...|40001|40P01|55P03|57P0[123]|53300)$/;
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** True for PostgreSQL / socket errors that a later retry can get past. */
export function isTransientPostgresError(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isTransientPostgresError);
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && (TRANSIENT_SQLSTATE.test(e.code) || TRANSIENT_ERRNO.has(e.code))) return true;
  return typeof e?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(e.message);
}

/**
 * Creates a PostgreSQL control store. Connections are opened lazily, so an unreachable server
 * surfaces on the first call as `TRB_STORE_UNAVAILABLE`. Call `migrate()` before use (it creates the
 * schema). Throws `TRB_STORE_OPTIONS_INVALID` for a bad schema name or pool size.
 */
export function createPostgresControlStore(opts: PostgresControlStoreOptions): ControlStore {
  const schema = opts.schema ?? DEFAULT_CONTROL_SCHEMA;
  if (!SCHEMA_RE.test(schema)) {
    throw StoreOptionsInvalid({ store: 'postgres', option: 'schema', reason: 'must match [a-z_][a-z0-9_]* (at most 63 characters)' });
  }
  if (typeof opts.url !== 'string' || opts.url === '') {
    throw StoreOptionsInvalid({ store: 'postgres', option: 'url', reason: 'must be a postgres:// connection URL' });
  }
  const max = opts.poolSize ?? 5;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw StoreOptionsInvalid({ store: 'postgres', option: 'poolSize', reason: 'must be a positive integer' });
  }
  const pool = new pg.Pool({
    connectionString: opts.url, max, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'tributary-control',
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const root = new Kysely<ControlDb>({ dialect: new PostgresDialect({ pool }) });
  const provider = createControlMigrationProvider({ schema, json: 'jsonb', timestamp: 'timestamptz', bigint: 'bigint' });
  return new SqlControlStore({
    kind: 'postgres',
    db: root.withSchema(schema),
    driverParsesJson: true,
    createMigrator: () => new Migrator({ db: root, provider, migrationTableSchema: schema, ...CONTROL_MIGRATION_TABLES }),
    isTransient: isTransientPostgresError,
    isUniqueViolation: (err) => (err as { code?: unknown } | null)?.code === '23505',
    // Kysely's migrator introspects the whole catalog; another client dropping or altering a schema,
    // table or column meanwhile fails it: 3F000 invalid_schema_name, 42P01 undefined_table,
    // 42703 undefined_column, XX000 (`cache lookup failed for relation`). Retried by migrate().
    isMigrationRace: (err) => ['3F000', '42P01', '42703', 'XX000'].includes(String((err as { code?: unknown } | null)?.code)),
    // Key derived from the schema: stores on other schemas of the same database do not wait for each other.
    lockAuditAppends: async (trx) => { await sql`select pg_advisory_xact_lock(hashtext(${`tributary.audit_log:${schema}`}))`.execute(trx); },
    destroy: () => root.destroy(),
  });
}
