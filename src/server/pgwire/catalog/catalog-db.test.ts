/** The session catalog database: only visible relations, and locked down (unit, in-memory DuckDB). */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogDb, CatalogStatementRefused } from './catalog-db.js';
import { rewriteCatalogSql } from './catalog-sql.js';

describe('catalog database', async () => {
  const db = await CatalogDb.open([
    { name: 'requests', columns: [{ name: 'id', type: 'BIGINT', pii: 'none', masked: false }, { name: 'price', type: 'DECIMAL(10,2)', pii: 'none', masked: false }] },
  ], { database: 'tributary', user: 'alice', backendPid: 42, settings: new Map([['DateStyle', 'ISO, MDY']]), versionString: 'PostgreSQL 15.0 (test)' });
  after(() => db.close());

  it('describes exactly the relations it was given, with PostgreSQL types', async () => {
    const r = await db.query(rewriteCatalogSql(`SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS t
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid ORDER BY a.attnum`));
    assert.deepEqual(r.rows, [['requests', 'id', 'bigint'], ['requests', 'price', 'numeric(10,2)']]);
  });

  it('answers the session functions, and SET changes current_setting()', async () => {
    const r = await db.query(rewriteCatalogSql("SELECT version(), current_database(), current_user, pg_backend_pid(), current_setting('datestyle')"));
    assert.deepEqual(r.rows[0], ['PostgreSQL 15.0 (test)', 'tributary', 'alice', 42, 'ISO, MDY']);
    assert.deepEqual(r.columns.map((c) => c.name), ['version', 'current_database', 'current_user', 'pg_backend_pid', 'current_setting']);
    await db.setSetting('application_name', "o'brien");
    assert.deepEqual((await db.query("SELECT current_setting('application_name')")).rows, [["o'brien"]]);
  });

  it('refuses anything but one SELECT, and has no file or network access', async () => {
    for (const q of ["ATTACH '/tmp/x.db'", 'SET lock_configuration = false', 'CREATE TABLE t(a INT)', 'SELECT 1; SELECT 2', 'INSTALL httpfs']) {
      await assert.rejects(db.query(q), (e: unknown) => e instanceof CatalogStatementRefused || /Permission|disabled/.test(String(e)), q);
    }
    for (const q of ["SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "COPY (SELECT 1) TO '/tmp/x.csv'"]) {
      await assert.rejects(db.query(q), /Permission|disabled|Only SELECT/, q);
    }
  });
});
