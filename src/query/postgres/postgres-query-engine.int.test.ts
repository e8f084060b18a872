/**
 * The roles on a real PostgreSQL warehouse [postgresql]: NOLOGIN group roles, column GRANTs, RLS
 * policies from row filters, security_invoker views with masks, a serving login role that owns
 * nothing; and the PostgresQueryEngine over them (masking, default deny, row filters, PostgreSQL's
 * own enforcement underneath the parser check, limits, audit). Throwaway schema and roles, dropped after.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { needService } from '../../../test/helpers/services.js';
import type { AuditEvent } from '../../security/audit/audit-trail.js';
import type { Identity } from '../../security/identity/identity.js';
import { parseRolesText } from '../../security/rbac/load-roles.js';
import { rolePermissions, type RoleSet } from '../../security/rbac/role-set.js';
import type { Cell } from '../query-engine.js';
import { MASK_TEXT } from '../secure-views.js';
import { applyPostgresRoles, type PostgresRoleVariant } from './apply-postgres-roles.js';
import { PostgresQueryEngine } from './postgres-query-engine.js';

const hex = randomBytes(4).toString('hex');
const schema = `trb_rbac_${hex}`;
const login = `trb_login_${hex}`;
const prefix = `t${hex}_`;
let url: string;
let admin: pg.Client;
let pool: pg.Pool;
let roles: RoleSet;
let variants: readonly PostgresRoleVariant[];
let engine: PostgresQueryEngine;
const audit: AuditEvent[] = [];

const who = (role: string): Identity => ({ subject: `user:${role}`, role, method: 'scram', permissions: new Set(rolePermissions(role, roles)) });

async function rows(id: Identity, sql: string, params?: readonly Cell[], e: PostgresQueryEngine = engine): Promise<Cell[][]> {
  const s = await e.query(id, sql, { via: 'pgwire', ...(params === undefined ? {} : { params }) });
  const out: Cell[][] = [];
  for await (const b of s.batches()) out.push(...b.map((r) => [...r]));
  return out;
}
async function code(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (err) { return (err as { code?: string }).code ?? 'no code'; }
  return 'no error';
}

before(async () => {
  url = await needService('postgresql');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.requests (ts timestamptz, vhost text, status integer, path text, client_ip text, user_agent text)`);
  await admin.query(`INSERT INTO ${schema}.requests SELECT timestamptz '2026-03-01 10:00:00+00' + i * interval '1 minute',
    CASE WHEN i % 4 = 0 THEN 'admin.example.com' ELSE 'shop.example.com' END, 200 + (i % 3) * 100,
    CASE WHEN i % 4 = 0 THEN '/secret/' || i ELSE '/p/' || i END, '198.51.100.' || i, 'Mozilla/' || i FROM generate_series(1, 40) i`);
  await admin.query(`CREATE TABLE ${schema}.quarantine (raw text, code text)`);
  await admin.query(`INSERT INTO ${schema}.quarantine VALUES ('198.51.100.9 garbage', 'parse_failed')`);
  await admin.query(`CREATE VIEW ${schema}.status_mix AS SELECT status / 100 || 'xx' AS status_class, count(*) AS "count" FROM ${schema}.requests GROUP BY 1`);
  await admin.query(`CREATE ROLE ${login} LOGIN`);
  roles = parseRolesText('roles:\n  shop:\n    extends: analyst\n    datasets:\n      requests:\n        columns: [ts, vhost, status, path]\n        row_filter: "vhost = \'shop.example.com\'"\n', 'roles.yaml');
  variants = await applyPostgresRoles(admin, { schema, roles, loginRole: login, prefix, pii: {} });
  const u = new URL(url);
  u.username = login;
  u.password = '';
  pool = new pg.Pool({ connectionString: u.toString(), max: 3 });
  engine = await PostgresQueryEngine.open({ pool, variants, roles, audit: { record: async (e) => { audit.push(e); } } });
});

after(async () => {
  await engine?.close();
  await pool?.end();
  if (admin) {
    for (const v of variants ?? []) await admin.query(`DROP SCHEMA IF EXISTS "${v.viewSchema}" CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    for (const v of variants ?? []) await admin.query(`DROP OWNED BY "${v.group}"; DROP ROLE IF EXISTS "${v.group}"`);
    await admin.query(`DROP OWNED BY ${login}; DROP ROLE IF EXISTS ${login}`);
    await admin.end();
  }
});

describe('PostgreSQL warehouse roles [postgresql]', () => {
  it('creates NOLOGIN group roles that cannot bypass RLS, one per role variant', async () => {
    const groups = variants.map((v) => v.group).sort();
    assert.deepEqual(groups, [`${prefix}admin`, `${prefix}admin_pii`, `${prefix}analyst`, `${prefix}engineer`, `${prefix}security`, `${prefix}security_pii`, `${prefix}shop`]);
    const r = await admin.query('SELECT bool_or(rolcanlogin) l, bool_or(rolsuper) s, bool_or(rolbypassrls) b FROM pg_roles WHERE rolname = ANY($1)', [groups]);
    assert.deepEqual(r.rows[0], { l: false, s: false, b: false });
    const rls = await admin.query('SELECT relrowsecurity FROM pg_class WHERE oid = $1::regclass', [`${schema}.requests`]);
    assert.equal(rls.rows[0].relrowsecurity, true);
  });

  it('masks personal columns unless pii:read; default deny on datasets and columns', async () => {
    const analyst = await rows(who('analyst'), 'SELECT client_ip, path, status FROM requests ORDER BY ts LIMIT 2');
    assert.deepEqual(analyst, [[MASK_TEXT, MASK_TEXT, 300], [MASK_TEXT, MASK_TEXT, 400]]);
    const adminRows = await rows(who('admin'), 'SELECT client_ip, path FROM requests ORDER BY ts LIMIT 1');
    assert.deepEqual(adminRows, [['198.51.100.1', '/p/1']]);
    assert.equal(await code(rows(who('analyst'), 'SELECT * FROM quarantine')), 'TRB_QUERY_RELATION_DENIED');
    assert.deepEqual(await rows(who('security'), 'SELECT raw FROM quarantine'), [['198.51.100.9 garbage']]);
    assert.equal(await code(rows(who('shop'), 'SELECT client_ip FROM requests')), 'TRB_QUERY_INVALID');
    assert.equal(await code(rows(who('auditor'), 'SELECT 1')), 'TRB_QUERY_PERMISSION_DENIED');
    const rel = (await engine.relations(who('shop'))).find((r) => r.name === 'requests')!;
    assert.deepEqual(rel.columns.map((c) => [c.name, c.masked]), [['ts', false], ['vhost', false], ['status', false], ['path', true]]);
  });

  it('row filters are RLS policies: hidden rows stay hidden, also from side-error predicates', async () => {
    assert.deepEqual(await rows(who('shop'), "SELECT count(*), count(*) FILTER (WHERE vhost <> 'shop.example.com') FROM requests"), [[30, 0]]);
    const probe = "SELECT count(*) FROM requests WHERE CASE WHEN vhost <> 'shop.example.com' THEN 1 / (status - status) = 0 ELSE true END";
    assert.deepEqual(await rows(who('shop'), probe), [[30]]);
    assert.equal(await code(rows(who('engineer'), probe)), 'TRB_QUERY_FAILED', 'control: the probe fails where the rows are visible');
  });

  it('PostgreSQL itself enforces the grants under the parser check (base tables, masked columns, RLS)', async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE "${prefix}analyst"`);
      await assert.rejects(c.query(`SELECT client_ip FROM ${schema}.requests`), { code: '42501' });
      await c.query('ROLLBACK');
      await c.query('BEGIN READ ONLY');
      await c.query(`SET LOCAL ROLE "${prefix}shop"`);
      const r = await c.query(`SELECT count(*)::int AS n FROM ${schema}.requests`);
      assert.equal(r.rows[0].n, 30);
      await c.query('ROLLBACK');
      await assert.rejects(c.query(`SELECT * FROM ${schema}.requests`), { code: '42501' }, 'the login role itself reads nothing');
    } finally {
      c.release();
    }
  });

  it('refuses qualified names, set_config and non-SELECT statements before PostgreSQL sees them', async () => {
    for (const sql of [`SELECT * FROM ${schema}.requests`, `SELECT set_config('role', '${prefix}admin_pii', true)`, 'SELECT 1; SELECT 2',
      'SET ROLE NONE', `SELECT * FROM pg_catalog.pg_authid`, 'SELECT * FROM pg_roles', "COPY requests TO '/tmp/x'", 'WITH pg_class AS (SELECT 1) SELECT 1']) {
      assert.match(await code(rows(who('analyst'), sql)), /^TRB_QUERY_(REFUSED|RELATION_DENIED|FUNCTION_DENIED|INVALID)$/, sql);
    }
  });

  it('parameters, describe, batches, limits and audit', async () => {
    assert.deepEqual(await rows(who('analyst'), 'SELECT count(*) FROM requests WHERE status = $1', [300]), [[14]]);
    const d = await engine.describe(who('analyst'), 'SELECT ts, status FROM requests WHERE status = $1');
    assert.deepEqual(d, { params: [{ name: '$1', type: 'UNKNOWN' }], columns: [{ name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' }, { name: 'status', type: 'INTEGER' }] });
    const [[ts]] = await rows(who('analyst'), 'SELECT ts FROM requests ORDER BY ts LIMIT 1') as [[string]];
    assert.equal(ts, '2026-03-01T10:01:00.000000Z');
    const small = await PostgresQueryEngine.open({ pool, variants, roles, batchRows: 10, limits: { timeoutMs: 300, maxRows: 25 }, audit: { record: async () => {} } });
    try {
      assert.equal(await code(rows(who('admin'), 'SELECT * FROM requests', undefined, small)), 'TRB_QUERY_ROW_LIMIT');
      assert.equal(await code(rows(who('admin'), 'SELECT count(*) FROM generate_series(1, 300000000)', undefined, small)), 'TRB_QUERY_TIMEOUT');
      assert.equal((await rows(who('admin'), 'SELECT * FROM requests LIMIT 20', undefined, small)).length, 20);
    } finally {
      await small.close();
    }
    audit.length = 0;
    await rows(who('analyst'), 'SELECT status FROM requests LIMIT 3');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual([audit[0]?.actor, audit[0]?.outcome, audit[0]?.details?.['via'], audit[0]?.details?.['rows']], ['user:analyst', 'ok', 'pgwire', 3]);
  });

  it('refuses a serving role that is superuser or owns a warehouse table', async () => {
    await assert.rejects(applyPostgresRoles(admin, { schema, roles, loginRole: 'postgres', prefix }), { code: 'TRB_RBAC_SERVING_ROLE_UNSAFE' });
    const owner = `trb_owner_${hex}`;
    await admin.query(`CREATE ROLE ${owner} LOGIN; CREATE TABLE ${schema}.owned (x int); ALTER TABLE ${schema}.owned OWNER TO ${owner}`);
    try {
      await assert.rejects(applyPostgresRoles(admin, { schema, roles, loginRole: owner, prefix }), { code: 'TRB_RBAC_SERVING_ROLE_UNSAFE' });
    } finally {
      await admin.query(`DROP TABLE ${schema}.owned; DROP ROLE ${owner}`);
    }
  });
});
