/**
 * Control stores on a fresh database for tests that need a real adapter plus raw SQL access to it
 * (e.g. to tamper with rows behind the store's back). SQLite uses a temp file; PostgreSQL a fresh
 * random schema on `requireService('postgresql')`, dropped afterwards. Filter adapters with
 * `TRB_ADAPTERS=sqlite,postgres`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ControlStore } from '../../src/seams/control-store/control-store.js';
import { createPostgresControlStore } from '../../src/seams/control-store/postgres/index.js';
import { createSqliteControlStore } from '../../src/seams/control-store/sqlite/index.js';
import { requireService } from './services.js';
import { tmpDir } from './tmp.js';

/** Raw SQL on the stores' database. Write `$1, $2, ...` placeholders and `{audit_log}` for a table name. */
export interface RawSql {
  exec(sql: string, params?: readonly unknown[]): Promise<void>;
}

/** N migrated stores sharing one fresh database, and raw access to it. */
export interface StoreFixture {
  readonly stores: readonly ControlStore[];
  readonly raw: RawSql;
}

/** An adapter under test. */
export interface StoreAdapter {
  /** `sqlite` or `postgres [postgresql]` (test titles name the service). */
  readonly label: string;
  /** Opens `n` migrated stores on one fresh database, or returns null after skipping `t`. */
  open(t: TestContext, n?: number): Promise<StoreFixture | null>;
}

const sqlite: StoreAdapter = {
  label: 'sqlite',
  async open(t, n = 1) {
    const path = join(tmpDir(t, 'trb-audit-'), 'control.db');
    const stores = Array.from({ length: n }, () => createSqliteControlStore({ path }));
    for (const s of stores) await s.migrate();
    const db = new Database(path);
    t.after(async () => { db.close(); await Promise.all(stores.map((s) => s.close())); });
    const raw: RawSql = {
      exec: async (sql, params = []) => {
        const args: unknown[] = [];
        const text = sql.replace(/\{(\w+)\}/g, '"$1"').replace(/\$(\d+)/g, (_m, n: string) => { args.push(params[Number(n) - 1]); return '?'; });
        db.prepare(text).run(...args);
      },
    };
    return { stores, raw };
  },
};

/**
 * Kysely's migrator introspects every schema of the database (has_schema_privilege,
 * pg_get_serial_sequence), so a schema that another test file drops at that moment fails the
 * migration with `schema "..." does not exist`; such a failure is retried.
 */
async function migrateRetrying(s: ControlStore): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await s.migrate();
      return;
    } catch (err) {
      if (attempt >= 5 || !/schema "[^"]+" does not exist/.test(err instanceof Error ? err.message : String(err))) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

const postgres: StoreAdapter = {
  label: 'postgres [postgresql]',
  async open(t, n = 1) {
    const url = await requireService(t, 'postgresql');
    if (url === null) return null;
    const schema = `trb_test_${randomBytes(6).toString('hex')}`;
    const stores = Array.from({ length: n }, () => createPostgresControlStore({ url, schema, poolSize: 2 }));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      try { await client.query(`drop schema if exists "${schema}" cascade`); } finally { await client.end(); }
    });
    for (const s of stores) await migrateRetrying(s);
    const raw: RawSql = {
      exec: async (sql, params = []) => { await client.query(sql.replace(/\{(\w+)\}/g, `"${schema}"."$1"`), [...params]); },
    };
    return { stores, raw };
  },
};

const selected = new Set((process.env.TRB_ADAPTERS ?? 'sqlite,postgres').split(',').map((s) => s.trim()));

/** The adapters selected by `TRB_ADAPTERS` (default: both). */
export const STORE_ADAPTERS: readonly StoreAdapter[] = [sqlite, postgres].filter((a) => selected.has(a.label.split(' ')[0]!));
