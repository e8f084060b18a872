/**
 * `tributary serve` over a PostgreSQL warehouse [postgresql], through the real wiring (openServing):
 * a pipeline loads the warehouse with the `postgres` sink; at start the server applies the roles as
 * PostgreSQL roles, grants and row-level security, with a serving login role that owns nothing;
 * `/v1/sql` then sees what each role may see (masked columns, a row filter enforced by PostgreSQL),
 * and a login role that could bypass the policies is refused before anything changes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../src/observe/logger.js';
import { generateAccessLog } from '../../src/generator/index.js';
import { openDeployment, type Deployment } from '../../src/engine/bootstrap.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { buildApp } from '../../src/server/app.js';
import { ServerSection } from '../../src/server/config/server-config.js';
import { openServerDeps, type ServerDeps } from '../../src/server/serve/open-server-deps.js';
import { openServing, type Serving } from '../../src/server/serve/open-serving.js';
import { createApiKey } from '../../src/security/apikeys/api-key-admin.js';
import { rolePermissionsOf } from '../../src/security/rbac/role-lookup.js';
import { loadRolesFile } from '../../src/security/rbac/load-roles.js';
import { dropSchema, freshSchemaName, pgSinkYaml, postgresUrl } from '../helpers/postgres.js';
import { logPipeline } from '../helpers/log-pipeline.js';

process.env.XDG_CONFIG_HOME ??= mkdtempSync(join(tmpdir(), 'trb-xdg-'));

const hex = randomBytes(4).toString('hex');
const login = `trb_serve_${hex}`;
const prefix = `s${hex}_`;
const log = silentLogger;

let url: string;
let schema: string;
let dir: string;
let d: Deployment;
let serving: Serving;
let wired: ServerDeps;
let app: FastifyInstance;
const keys = new Map<string, string>();

before(async () => {
  url = await postgresUrl();
  schema = freshSchemaName();
  dir = mkdtempSync(join(tmpdir(), 'trb-serve-pg-'));
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 500, seed: 5, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'a.log'));
  writeFileSync(join(dir, 'p.yaml'), logPipeline({ name: 'pgserve', format: 'apache_combined', stages: ['validate', 'privacy'], sinks: pgSinkYaml(url, schema) }));
  writeFileSync(join(dir, 'roles.yaml'), `roles:
  status_ok:
    extends: analyst
    datasets:
      requests:
        columns: [ts, method, path, status, client_ip]
        row_filter: "status < 400"
`);
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(run.status, 'succeeded', run.error?.message);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE ROLE ${login} LOGIN`);
  await admin.end();
  const u = new URL(url);
  u.username = login;
  u.password = '';
  d = await openDeployment(join(dir, 'data'));
  const server = ServerSection.parse({
    warehouse: { type: 'postgres', url: '${secret:wh}', admin_url: '${secret:wh_admin}', schema, role_prefix: prefix },
    roles_file: 'roles.yaml', pipelines_dir: dir,
  });
  serving = await openServing({ deployment: d, server, baseDir: dir, log, warehouseUrl: u.toString(), warehouseAdminUrl: url });
  wired = openServerDeps({ deployment: d, server, baseDir: dir, log, seams: serving.seams, warehouseUrl: u.toString() });
  app = await buildApp(wired.deps, { server });
  const rolePermissions = rolePermissionsOf(await loadRolesFile(join(dir, 'roles.yaml')));
  for (const role of ['admin', 'analyst', 'status_ok', 'auditor']) {
    keys.set(role, (await createApiKey({ role, actor: 'test', expiresAt: null }, { store: d.control.apiKeys, audit: d.audit, rolePermissions })).key);
  }
});

after(async () => {
  await app?.close();
  await wired?.close();
  await serving?.close();
  await d?.close();
  if (url) {
    await dropSchema(url, schema);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const groups = await admin.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, [`${prefix}%`]);
    const schemas = await admin.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${prefix}%`]);
    for (const s of schemas.rows as { nspname: string }[]) await admin.query(`DROP SCHEMA IF EXISTS "${s.nspname}" CASCADE`);
    for (const g of [...(groups.rows as { rolname: string }[]).map((r) => r.rolname), login]) await admin.query(`DROP OWNED BY "${g}"; DROP ROLE IF EXISTS "${g}"`);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function sql(role: string, text: string): Promise<{ status: number; rows: unknown[][]; code?: string }> {
  const r = await app.inject({ method: 'POST', url: '/v1/sql', headers: { authorization: `Bearer ${keys.get(role)}` }, payload: { sql: text, format: 'json' } });
  const body = r.json() as { rows?: unknown[][]; error?: { code: string } };
  return { status: r.statusCode, rows: body.rows ?? [], ...(body.error ? { code: body.error.code } : {}) };
}

describe('serve over the PostgreSQL warehouse [postgresql]', () => {
  it('admin sees every row; a row-filtered role sees only its rows, enforced by PostgreSQL', async () => {
    const all = await sql('admin', 'SELECT count(*) FROM requests');
    assert.equal(all.status, 200, all.code);
    assert.equal(Number(all.rows[0]?.[0]), 500);
    const ok = await sql('status_ok', 'SELECT count(*), max(status) FROM requests');
    assert.equal(ok.status, 200, ok.code);
    assert.ok(Number(ok.rows[0]?.[0]) < 500 && Number(ok.rows[0]?.[0]) > 0);
    assert.ok(Number(ok.rows[0]?.[1]) < 400);
    const pgOwn = new pg.Client({ connectionString: url });
    await pgOwn.connect();
    const truth = await pgOwn.query(`SELECT count(*)::int AS n FROM ${schema}.requests WHERE status < 400`);
    await pgOwn.end();
    assert.equal(Number(ok.rows[0]?.[0]), (truth.rows[0] as { n: number }).n);
  });

  it('ungranted columns and datasets are invisible; personal columns masked without pii:read', async () => {
    assert.notEqual((await sql('status_ok', 'SELECT user_agent FROM requests')).status, 200);
    assert.notEqual((await sql('analyst', 'SELECT * FROM quarantine')).status, 200);
    const ua = await sql('analyst', 'SELECT user_agent FROM requests LIMIT 5');
    assert.equal(ua.status, 200, ua.code);
    assert.ok(ua.rows.every(([v]) => v === '***' || v === null), 'masked for analyst');
    const adminUa = await sql('admin', 'SELECT user_agent FROM requests WHERE user_agent IS NOT NULL LIMIT 5');
    assert.ok(adminUa.rows.length > 0 && adminUa.rows.every(([v]) => typeof v === 'string' && v !== '***'), 'admin reads them');
    assert.equal((await sql('auditor', 'SELECT 1')).status, 403, 'no sql:query');
  });

  it('after a new run the roles are re-applied and its rows served', async () => {
    assert.equal(await serving.refresh(), false, 'nothing new');
    writeFileSync(join(dir, 'logs', 'b.log'), Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1} - - [03/Mar/2026:10:${String(i).padStart(2, '0')}:00 +0000] "GET /b/${i} HTTP/1.1" 200 5 "-" "curl/8"\n`).join(''));
    const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
    assert.equal(run.status, 'succeeded', run.error?.message);
    assert.equal(await serving.refresh(), true);
    assert.equal(Number((await sql('admin', 'SELECT count(*) FROM requests')).rows[0]?.[0]), 520);
    assert.equal(Number((await sql('status_ok', "SELECT count(*) FROM requests WHERE path LIKE '/b/%'")).rows[0]?.[0]), 20);
  });

  it('the serving login role owns nothing and cannot read the base tables itself', async () => {
    const u = new URL(url);
    u.username = login;
    u.password = '';
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try {
      await assert.rejects(c.query(`SELECT count(*) FROM ${schema}.requests`), /permission denied/);
      const r = await c.query('SELECT rolsuper, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = current_user');
      assert.deepEqual(r.rows[0], { rolsuper: false, rolbypassrls: false, rolinherit: false });
    } finally {
      await c.end();
    }
  });
});
