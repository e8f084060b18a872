/**
 * Kysely's SqliteDialect with two changes the control store needs when several connections share a
 * file: transactions start with `BEGIN IMMEDIATE` (the write lock is taken, and waited for, before
 * anything is read, so a transaction can never fail half way on a stale snapshot), and the adapter
 * declares transactional DDL (SQLite has it), so Kysely's Migrator runs all pending migrations in
 * one such transaction: a failed migration leaves no half-created tables, and two processes
 * migrating at once are serialised instead of both creating the same tables.
 */
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** SqliteDialect whose transactions are `BEGIN IMMEDIATE` and whose migrations are transactional. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
