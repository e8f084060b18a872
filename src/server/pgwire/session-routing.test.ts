/** Session commands and catalog routing of the gateway (unit). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSettable, parseSessionCommand } from './session-commands.js';
import { isCatalogQuery, rewriteCatalogSql } from './catalog/catalog-sql.js';

describe('session commands', () => {
  it('recognises the SETs drivers send at startup, SHOW and transaction control', () => {
    assert.deepEqual(parseSessionCommand('SET extra_float_digits = 3'), { kind: 'set', name: 'extra_float_digits', value: '3' });
    assert.deepEqual(parseSessionCommand("SET application_name TO 'Metabase v0.50'"), { kind: 'set', name: 'application_name', value: 'Metabase v0.50' });
    assert.deepEqual(parseSessionCommand('SET DateStyle=ISO'), { kind: 'set', name: 'datestyle', value: 'ISO' });
    assert.deepEqual(parseSessionCommand("SET TIME ZONE 'UTC';"), { kind: 'set', name: 'timezone', value: 'UTC' });
    assert.equal(parseSessionCommand('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')?.kind, 'set');
    assert.deepEqual(parseSessionCommand('show transaction isolation level'), { kind: 'show', name: 'transaction_isolation' });
    assert.deepEqual(parseSessionCommand('BEGIN READ ONLY'), { kind: 'tx', tag: 'BEGIN' });
    assert.deepEqual(parseSessionCommand('rollback'), { kind: 'tx', tag: 'ROLLBACK' });
    assert.deepEqual(parseSessionCommand('  ;'), { kind: 'empty' });
    assert.equal(parseSessionCommand('SELECT 1'), undefined);
    assert.equal(parseSessionCommand("SELECT 'SET x = 1'"), undefined);
  });

  it('accepts only harmless settings, and never one that changes the output format', () => {
    assert.ok(isSettable('extra_float_digits', '3'));
    assert.ok(isSettable('client_encoding', 'UTF8'));
    assert.ok(!isSettable('client_encoding', 'LATIN1'));
    assert.ok(!isSettable('enable_external_access', 'true'));
    assert.ok(!isSettable('lock_configuration', 'false'));
  });
});

describe('catalog routing', () => {
  it('sends catalog reads and catalog functions to the catalog database, everything else to the engine', () => {
    for (const q of ['SELECT version()', "SELECT current_setting('server_version_num')", 'SELECT * FROM pg_catalog.pg_type',
      'select relname from pg_class', 'SELECT table_name FROM information_schema.tables', 'SELECT current_schema()']) {
      assert.ok(isCatalogQuery(q), q);
    }
    for (const q of ['SELECT 1', "SELECT * FROM requests WHERE path = 'pg_class'", 'SELECT "pg_type" FROM requests', 'SELECT 1 -- pg_class']) {
      assert.ok(!isCatalogQuery(q), q);
    }
  });

  it('rewrites psql syntax DuckDB lacks', () => {
    assert.equal(
      rewriteCatalogSql("WHERE c.relname OPERATOR(pg_catalog.~) '^(requests)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)"),
      "WHERE c.relname ~ '(?s).*(?:^(requests)$).*' AND pg_table_is_visible(c.oid)");
    assert.equal(rewriteCatalogSql('SELECT * FROM information_schema.columns'), 'SELECT * FROM infoschema.columns');
  });

  it('never crashes on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      isCatalogQuery(s);
      rewriteCatalogSql(s);
      parseSessionCommand(s);
    }));
  });
});
