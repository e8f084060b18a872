/**
 * Bypass attempts against the secure engine, on a real pipeline-built warehouse: every one must be
 * refused (a TRB_QUERY_* refusal) or return nothing the role may not see; no error message may
 * carry a value. The analyst may not see `quarantine` or `security_events`, and sees personal
 * columns masked; the `shop` role sees `requests` rows with status < 500 only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecureDuckdbEngine } from '../../src/query/secure-duckdb-engine.js';
import { MASK_TEXT } from '../../src/query/secure-views.js';
import type { Cell } from '../../src/query/query-engine.js';
import type { Identity } from '../../src/security/identity/identity.js';
import { parseRolesText } from '../../src/security/rbac/load-roles.js';
import { rolePermissions, type RoleSet } from '../../src/security/rbac/role-set.js';
import { buildRbacWarehouse, type RbacWarehouse } from '../helpers/rbac-warehouse.js';

let w: RbacWarehouse;
let engine: SecureDuckdbEngine;
let roles: RoleSet;
const who = (role: string): Identity => ({ subject: `user:${role}`, role, method: 'local', permissions: new Set(rolePermissions(role, roles)) });

async function rows(role: string, sql: string): Promise<Cell[][]> {
  const s = await engine.query(who(role), sql, { via: 'pgwire' });
  const out: Cell[][] = [];
  for await (const b of s.batches()) out.push(...b.map((r) => [...r]));
  return out;
}

/** The error code of running `sql` as `role` ('no error' when it ran). */
async function refusal(role: string, sql: string): Promise<string> {
  try {
    await rows(role, sql);
    return 'no error';
  } catch (err) {
    const e = err as { code?: string; message: string };
    assert.ok(!/\d+\.\d+\.\d+\.\d+|Mozilla|enc:v1:/.test(e.message), `message leaks a value: ${e.message}`);
    assert.ok(!/__trb_wh|trb_r\d/.test(e.message) || /RELATION_DENIED/.test(e.code ?? ''), `message names internals: ${e.message}`);
    return e.code ?? 'no code';
  }
}

const REFUSED = /^TRB_QUERY_(REFUSED|RELATION_DENIED|FUNCTION_DENIED|INVALID)$/;

before(async () => {
  w = await buildRbacWarehouse(200);
  roles = parseRolesText('roles:\n  shop:\n    extends: analyst\n    datasets:\n      requests:\n        row_filter: "status < 500"\n', 'roles.yaml');
  engine = await SecureDuckdbEngine.open({ warehouse: w.warehouse, roles, pii: { runColumns: w.columns }, audit: { record: async () => {} } });
});
after(async () => {
  await engine?.close();
  await w?.cleanup();
});

describe('bypass attempts are refused', () => {
  const cases: Record<string, string[]> = {
    'CTEs, subqueries and UNIONs reaching base or hidden tables': [
      'WITH q AS (SELECT * FROM quarantine) SELECT * FROM q',
      'WITH r AS (SELECT * FROM __trb_wh.main.requests) SELECT client_ip FROM r',
      'SELECT (SELECT raw FROM quarantine LIMIT 1)',
      'SELECT * FROM requests WHERE EXISTS (SELECT 1 FROM security_events)',
      'SELECT status FROM requests UNION ALL SELECT line FROM quarantine',
      'SELECT * FROM (SELECT * FROM (SELECT * FROM quarantine))',
      'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t, quarantine',
      'WITH x AS (SELECT 1) SELECT * FROM (WITH quarantine AS (SELECT 1) SELECT 1), quarantine',
      'SELECT * FROM requests r JOIN quarantine q ON true',
      'SELECT * FROM requests WHERE status IN (SELECT status FROM __trb_wh.requests)',
      'SELECT * FROM requests, LATERAL (SELECT * FROM quarantine) x',
      'PIVOT quarantine ON code USING count(*)',
    ],
    'file readers and system functions': [
      "SELECT * FROM read_parquet('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_csv_auto('/etc/passwd')",
      "SELECT * FROM glob('/*')", "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_json('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'", "SELECT * FROM 'data/warehouse.duckdb'", "SELECT * FROM parquet_scan('x.parquet')",
      "SELECT * FROM query('SELECT * FROM quarantine')", "SELECT * FROM query_table('quarantine')",
      'SELECT * FROM duckdb_settings()', 'SELECT * FROM duckdb_tables()', 'SELECT * FROM duckdb_databases()',
      "SELECT * FROM pragma_table_info('quarantine')", "SELECT current_setting('enable_external_access')",
      "SELECT getvariable('x')", "SELECT * FROM json_execute_serialized_sql('{}')", 'SELECT * FROM sql_auto_complete(\'SEL\')',
      'SELECT pg_catalog.lower(\'x\')', "SELECT * FROM range(3) UNION ALL SELECT * FROM read_blob('/etc/passwd')",
    ],
    'statements other than one SELECT': [
      "ATTACH '/tmp/x.duckdb' AS x", 'DETACH __trb_wh', "COPY requests TO '/tmp/out.csv'", "COPY (SELECT * FROM requests) TO '/tmp/out.parquet'",
      'PRAGMA database_list', 'PRAGMA enable_profiling', 'SET enable_external_access = true', 'SET lock_configuration = false',
      "SET search_path = '__trb_wh.main'", 'RESET search_path', 'INSTALL httpfs', 'LOAD httpfs', 'CALL duckdb_settings()',
      "EXPORT DATABASE '/tmp/x'", 'CREATE TABLE t AS SELECT 1', 'CREATE TEMP VIEW v AS SELECT * FROM quarantine', 'CREATE MACRO m() AS 1',
      'INSERT INTO requests DEFAULT VALUES', 'DELETE FROM requests', 'UPDATE requests SET status = 1', 'DROP VIEW requests',
      'EXPLAIN SELECT 1', 'EXPLAIN ANALYZE SELECT * FROM quarantine', 'DESCRIBE requests', 'SHOW TABLES', 'SHOW ALL TABLES',
      'SUMMARIZE requests', 'SELECT * FROM (DESCRIBE quarantine)', 'USE __trb_wh', 'CHECKPOINT', 'VACUUM', 'BEGIN TRANSACTION',
      "SET VARIABLE x = 1", 'PREPARE p AS SELECT 1', 'EXECUTE p', 'CREATE SECRET s (TYPE s3)',
    ],
    'multiple statements, comments and quoting tricks': [
      'SELECT 1; SELECT * FROM quarantine', "SELECT 1; ATTACH '/tmp/y.duckdb'", 'SELECT 1;\n--\nPRAGMA database_list',
      'SELECT * FROM /* requests */ quarantine', 'SELECT * FROM "quarantine"', 'SELECT * FROM "__trb_wh"."main"."requests"',
      "SELECT * FROM requests -- ; ATTACH 'x'\n; DROP VIEW requests", 'SELECT * FROM "requests""quarantine"', "SELECT * FROM \"requests\"\"\"",
      'SELECT * FROM requests WHERE 1=1 /*; SELECT * FROM quarantine */; SELECT 2',
    ],
    'case and unicode variants': [
      'SELECT * FROM QUARANTINE', 'SeLeCt * FrOm QuArAnTiNe', 'SELECT * FROM "QUARANTINE"', 'SELECT * FROM ｑuarantine',
      'SELECT * FROM quarantine\u200b', 'SELECT * FROM READ_CSV(\'/etc/passwd\')', 'select * from Duckdb_Settings()',
      'SELECT * FROM "__TRB_WH".MAIN.REQUESTS', 'ＳＥＬＥＣＴ 1',
    ],
    'qualified names of the attached warehouse, other roles and system catalogs': [
      'SELECT * FROM __trb_wh.main.requests', 'SELECT * FROM __trb_wh.requests', 'SELECT * FROM main.requests',
      'SELECT * FROM memory.trb_r0.requests', 'SELECT * FROM trb_r0.requests', 'SELECT * FROM trb_r0.quarantine',
      'SELECT * FROM system.main.duckdb_settings', 'SELECT * FROM information_schema.tables', 'SELECT * FROM pg_catalog.pg_tables',
      'SELECT * FROM pg_tables', 'SELECT * FROM duckdb_views', 'SELECT * FROM information_schema.columns', 'SELECT * FROM temp.main.x',
      'SELECT * FROM requests AT (VERSION => 1)',
    ],
  };
  for (const [group, sqls] of Object.entries(cases)) {
    it(group, async () => {
      for (const sql of sqls) assert.match(await refusal('analyst', sql), REFUSED, sql);
    });
  }

  it('a CTE shadowing a system name is the CTE; UNPIVOT over a granted view is an ordinary query', async () => {
    assert.deepEqual(await rows('analyst', 'WITH duckdb_settings AS (SELECT 1 AS x) SELECT * FROM duckdb_settings'), [[1]]);
    assert.ok((await rows('analyst', 'UNPIVOT (SELECT status, bytes_sent FROM requests LIMIT 2) ON status, bytes_sent INTO NAME k VALUE v')).length === 4);
  });

  it('the refusals happen before any file is touched (COPY, ATTACH, EXPORT leave nothing behind)', async () => {
    const { existsSync } = await import('node:fs');
    for (const p of ['/tmp/out.csv', '/tmp/out.parquet', '/tmp/x.duckdb', '/tmp/y.duckdb']) assert.ok(!existsSync(p), p);
  });
});

describe('inference through errors, ORDER BY and predicates', () => {
  it('masked values are constants: ORDER BY, GROUP BY, DISTINCT, comparisons and LIKE reveal nothing', async () => {
    const q = async (sql: string) => rows('analyst', sql);
    assert.deepEqual(await q('SELECT DISTINCT user_agent FROM requests'), [[MASK_TEXT]]);
    assert.deepEqual(await q("SELECT count(*) FROM requests WHERE user_agent LIKE 'Mozilla%'"), [[0]]);
    assert.deepEqual(await q('SELECT min(ident), max(user_agent), count(DISTINCT user_agent) FROM requests WHERE ident IS NOT NULL OR true'), [[MASK_TEXT, MASK_TEXT, 1]]);
    const byUa = await q('SELECT source_offset FROM requests ORDER BY user_agent, source_offset');
    const plain = await q('SELECT source_offset FROM requests ORDER BY source_offset');
    assert.deepEqual(byUa, plain, 'ordering by a masked column is ordering by a constant');
    assert.deepEqual(await q('SELECT length(user_agent), hash(user_agent) = hash(\'***\') FROM requests LIMIT 1'), [[3, true]]);
  });

  it('run-time errors name only their kind, never the value (also for roles that may see it)', async () => {
    for (const [role, sql] of [['admin', 'SELECT CAST(client_ip AS INTEGER) FROM requests'], ['admin', 'SELECT CAST(user_agent AS DATE) FROM requests'],
      ['analyst', 'SELECT error(client_ip) FROM requests'], ['admin', "SELECT CAST(raw AS INTEGER) FROM quarantine"],
      ['analyst', "SELECT CAST(path AS INTEGER) FROM requests WHERE path <> '***'"]] as const) {
      assert.equal(await refusal(role, sql), 'TRB_QUERY_FAILED', sql);
    }
  });

  it('a filtered role cannot learn hidden rows through side errors, aggregates or ORDER BY', async () => {
    const [[hidden]] = await rows('admin', 'SELECT count(*) FROM requests WHERE status >= 500') as [[number]];
    assert.ok(hidden >= 1, 'the fixture has a hidden row');
    const probes = [
      "SELECT count(*) FROM requests WHERE CASE WHEN status >= 500 THEN CAST(method || 'x' AS INTEGER) = 0 ELSE true END",
      "SELECT count(*) FROM requests WHERE status >= 500 OR CAST(CASE WHEN status = 503 THEN 'boom' ELSE '1' END AS INTEGER) = 1",
      "SELECT sum(CASE WHEN status >= 500 THEN 1 / 0 ELSE 0 END) FROM requests",
      "SELECT count(*) FROM requests WHERE CAST(CASE WHEN path LIKE '/hidden%' THEN 'x' ELSE '1' END AS INTEGER) = 1",
    ];
    for (const p of probes) await assert.doesNotReject(rows('shop', p), p);
    assert.deepEqual(await rows('shop', 'SELECT count(*) FROM requests WHERE status >= 500'), [[0]]);
    const [[top]] = await rows('shop', 'SELECT status FROM requests ORDER BY status DESC LIMIT 1') as [[number]];
    assert.ok(top < 500);
  });
});
