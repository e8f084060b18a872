/**
 * The permission matrix of issue 6, through the real wiring of `tributary serve` (openServing):
 * real API keys and wire users in the control store, the built-in roles, the secure DuckDB engine
 * over a serving snapshot of a warehouse built by a real pipeline run, the Fastify app and the
 * PostgreSQL wire gateway over TLS with SCRAM.
 * - every built-in role (and anonymous) × every route: allowed or denied as the policy table
 *   below says (written out by hand, not derived from the code under test);
 * - every role × every dataset of the warehouse × both interfaces: the same allow/deny, the same
 *   rows, and every personal column masked unless the role holds `pii:read`;
 * - a finished run makes the server serve a fresh snapshot.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { openDeployment, type Deployment } from '../../src/engine/bootstrap.js';
import { silentLogger } from '../../src/observe/logger.js';
import { buildApp } from '../../src/server/app.js';
import { ServerSection } from '../../src/server/config/server-config.js';
import { PgWireConfig } from '../../src/server/pgwire/pgwire-config.js';
import { createThrowawayCa, type ThrowawayCa } from '../../src/server/pgwire/test-support/throwaway-ca.js';
import { openServerDeps, type ServerDeps } from '../../src/server/serve/open-server-deps.js';
import { openServing, type Serving } from '../../src/server/serve/open-serving.js';
import { createApiKey, revokeApiKey } from '../../src/security/apikeys/api-key-admin.js';
import { startServer } from '../../src/server/serve/start-server.js';
import { createWireUser } from '../../src/security/identity/wire-users.js';
import { rolePermissionsOf } from '../../src/security/rbac/role-lookup.js';
import { BUILTIN_ROLE_SET } from '../../src/security/rbac/role-set.js';
import { BUILTIN_ROLE_NAMES, type BuiltinRoleName } from '../../src/security/rbac/builtin-roles.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { buildRbacWarehouse, type RbacWarehouse } from '../helpers/rbac-warehouse.js';

process.env.XDG_CONFIG_HOME ??= mkdtempSync(join(tmpdir(), 'trb-xdg-'));

type Who = BuiltinRoleName | 'anonymous';
interface RouteCase { readonly id: string; readonly method: 'GET' | 'POST' | 'DELETE'; readonly url: string; readonly body?: unknown }

/** Every authenticated route, with arguments that do nothing harmful (unknown names → 404 once allowed). */
const ROUTES: readonly RouteCase[] = [
  { id: 'pipelines.list', method: 'GET', url: '/v1/pipelines' },
  { id: 'pipelines.validate', method: 'POST', url: '/v1/pipelines/no-such-pipeline/validate' },
  { id: 'pipelines.run', method: 'POST', url: '/v1/pipelines/no-such-pipeline/runs' },
  { id: 'runs.list', method: 'GET', url: '/v1/runs' },
  { id: 'runs.get', method: 'GET', url: '/v1/runs/no-such-run' },
  { id: 'datasets.list', method: 'GET', url: '/v1/datasets' },
  { id: 'datasets.get', method: 'GET', url: '/v1/datasets/requests' },
  { id: 'quarantine.browse', method: 'GET', url: '/v1/quarantine' },
  { id: 'audit.list', method: 'GET', url: '/v1/audit' },
  { id: 'audit.verify', method: 'POST', url: '/v1/audit/verify' },
  { id: 'apikeys.list', method: 'GET', url: '/v1/apikeys' },
  { id: 'apikeys.create', method: 'POST', url: '/v1/apikeys', body: { role: 'analyst', name: 'matrix' } },
  { id: 'apikeys.revoke', method: 'DELETE', url: '/v1/apikeys/aaaaaaaaaaaa' },
  { id: 'apikeys.rotate', method: 'POST', url: '/v1/apikeys/aaaaaaaaaaaa/rotate', body: {} },
  { id: 'sql', method: 'POST', url: '/v1/sql', body: { sql: 'SELECT 1 AS one', format: 'json' } },
];

/** The policy, by hand: which role may use which route. */
const ALLOWED: Readonly<Record<BuiltinRoleName, readonly string[]>> = {
  admin: ROUTES.map((r) => r.id),
  engineer: ['pipelines.list', 'pipelines.validate', 'pipelines.run', 'runs.list', 'runs.get', 'datasets.list', 'datasets.get', 'quarantine.browse', 'sql'],
  analyst: ['datasets.list', 'datasets.get', 'sql'],
  security: ['runs.list', 'runs.get', 'datasets.list', 'datasets.get', 'quarantine.browse', 'sql'],
  auditor: ['pipelines.list', 'pipelines.validate', 'runs.list', 'runs.get', 'datasets.list', 'datasets.get', 'audit.list', 'audit.verify'],
};

/** Datasets each role must (true) or must not (false) reach, by hand. */
const DATASETS: Readonly<Record<string, Readonly<Record<BuiltinRoleName, boolean>>>> = {
  requests: { admin: true, engineer: true, analyst: true, security: true, auditor: false },
  sessions: { admin: true, engineer: true, analyst: true, security: false, auditor: false },
  security_events: { admin: true, engineer: true, analyst: false, security: true, auditor: false },
  quarantine: { admin: true, engineer: true, analyst: false, security: true, auditor: false },
  fact_requests: { admin: true, engineer: true, analyst: true, security: true, auditor: false },
  top_paths: { admin: true, engineer: true, analyst: true, security: false, auditor: false },
};

const PASSWORD = 'matrix password 0123456789';
const MASK = '***';

let w: RbacWarehouse;
let d: Deployment;
let serving: Serving;
let wired: ServerDeps;
let app: FastifyInstance;
let ca: ThrowawayCa;
const keys = new Map<BuiltinRoleName, string>();

before(async () => {
  w = await buildRbacWarehouse(300);
  d = await openDeployment(join(w.dir, 'data'));
  ca = createThrowawayCa();
  const server = ServerSection.parse({ warehouse: { type: 'duckdb', path: w.warehouse }, pipelines_dir: w.dir, rate_limit: { per_key: { max: 100_000 }, per_address: { max: 100_000 } } });
  const pgwire = PgWireConfig.parse({ enabled: true, port: 0, tls: { cert_file: join(ca.dir, 'server.crt'), key_file: join(ca.dir, 'server.key') } });
  const log = silentLogger;
  serving = await openServing({ deployment: d, server, pgwire, baseDir: w.dir, log });
  wired = openServerDeps({ deployment: d, server, baseDir: w.dir, log, seams: serving.seams });
  app = await buildApp(wired.deps, { server });
  const rolePermissions = rolePermissionsOf(BUILTIN_ROLE_SET);
  for (const role of BUILTIN_ROLE_NAMES) {
    keys.set(role, (await createApiKey({ role, name: `matrix-${role}`, actor: 'test', expiresAt: null }, { store: d.control.apiKeys, audit: d.audit, rolePermissions })).key);
    await createWireUser({ name: `u_${role}`, role, password: PASSWORD, actor: 'test' }, { store: d.control.wireUsers, audit: d.audit, rolePermissions });
  }
});

after(async () => {
  await app?.close();
  await wired?.close();
  await serving?.close();
  await d?.close();
  await w?.cleanup();
});

const headers = (who: Who): Record<string, string> => (who === 'anonymous' ? {} : { authorization: `Bearer ${keys.get(who)}` });

async function http(who: Who, sql: string): Promise<{ status: number; columns: string[]; rows: unknown[][]; code?: string }> {
  const r = await app.inject({ method: 'POST', url: '/v1/sql', headers: headers(who), payload: { sql, format: 'json' } });
  const body = r.json() as { columns?: { name: string }[]; rows?: unknown[][]; error?: { code: string } };
  return { status: r.statusCode, columns: (body.columns ?? []).map((c) => c.name), rows: body.rows ?? [], ...(body.error ? { code: body.error.code } : {}) };
}

async function wire<T>(role: BuiltinRoleName, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({
    host: '127.0.0.1', port: serving.pgwire?.port, user: `u_${role}`, password: PASSWORD, database: 'tributary',
    ssl: { ca: ca.ca, servername: 'localhost' },
  });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

describe('every role × every route', () => {
  for (const who of [...BUILTIN_ROLE_NAMES, 'anonymous'] as const) {
    it(`${who}: allowed exactly on its routes`, async () => {
      for (const route of ROUTES) {
        const r = await app.inject({ method: route.method, url: route.url, headers: headers(who), ...(route.body !== undefined ? { payload: route.body as object } : {}) });
        if (who === 'anonymous') { assert.equal(r.statusCode, 401, `${who} ${route.id}`); continue; }
        const allowed = ALLOWED[who].includes(route.id);
        if (allowed) assert.ok(r.statusCode !== 401 && r.statusCode !== 403, `${who} ${route.id}: expected allowed, got ${r.statusCode} ${r.body.slice(0, 200)}`);
        else assert.equal(r.statusCode, 403, `${who} ${route.id}: expected 403, got ${r.statusCode}`);
      }
      for (const url of ['/healthz', '/readyz', '/metrics']) {
        assert.equal((await app.inject({ method: 'GET', url, headers: headers(who) })).statusCode, 200, `${who} ${url}`);
      }
    });
  }
});

describe('every role × every dataset × both interfaces', () => {
  it('the hand-written dataset policy holds on both interfaces', async () => {
    for (const [dataset, byRole] of Object.entries(DATASETS)) {
      for (const role of BUILTIN_ROLE_NAMES) {
        const h = await http(role, `SELECT count(*) AS n FROM ${dataset}`);
        assert.equal(h.status === 200, byRole[role], `http ${role} ${dataset}: ${h.status} ${h.code ?? ''}`);
        if (role === 'auditor') continue; // no sql:query: refused at wire login (asserted below)
        const ok = await wire(role, (c) => c.query(`SELECT count(*) AS n FROM ${dataset}`).then(() => true, () => false));
        assert.equal(ok, byRole[role], `wire ${role} ${dataset}`);
      }
    }
  });

  it('a role without sql:query cannot open a wire session', async () => {
    await assert.rejects(wire('auditor', (c) => c.query('SELECT 1')), /may not query/);
  });

  it('each dataset: same allow/deny, same rows and masking of personal columns over HTTP and the wire', async () => {
    const all = await serving.engine.relations({ subject: 'test', role: 'admin', permissions: rolePermissionsOf(BUILTIN_ROLE_SET)('admin') ?? new Set(), method: 'local' });
    assert.ok(all.length >= 10, `the warehouse has its datasets (${all.map((r) => r.name).join(', ')})`);
    for (const role of BUILTIN_ROLE_NAMES.filter((r) => r !== 'auditor')) {
      const id = { subject: 'test', role, permissions: rolePermissionsOf(BUILTIN_ROLE_SET)(role) ?? new Set(), method: 'local' as const };
      const visible = new Map((await serving.engine.relations(id)).map((r) => [r.name, r]));
      const listed = (await app.inject({ method: 'GET', url: '/v1/datasets', headers: headers(role) })).json() as { datasets: { name: string }[] };
      assert.deepEqual(listed.datasets.map((x) => x.name).sort(), [...visible.keys()].sort(), `${role}: /v1/datasets lists what it may query`);
      const pii = id.permissions.has('pii:read');
      await wire(role, async (c) => {
        for (const rel of all) {
          const order = rel.columns.map((_, i) => i + 1).join(', ');
          const sql = `SELECT * FROM ${rel.name} ORDER BY ${order} LIMIT 25`;
          const h = await http(role, sql);
          const wr = await c.query({ text: sql, rowMode: 'array' }).then((r) => ({ ok: true as const, rows: r.rows as unknown[][] }), () => ({ ok: false as const, rows: [] }));
          const mayRead = visible.has(rel.name);
          assert.equal(h.status === 200, mayRead, `${role} ${rel.name} over HTTP`);
          assert.equal(wr.ok, mayRead, `${role} ${rel.name} over the wire`);
          if (!mayRead) continue;
          assert.equal(wr.rows.length, h.rows.length, `${role} ${rel.name}: same row count`);
          for (const col of visible.get(rel.name)?.columns ?? []) {
            const i = h.columns.indexOf(col.name);
            const values = h.rows.map((r) => r[i]);
            const wireValues = wr.rows.map((r) => r[i]);
            if (col.masked) {
              assert.ok(!pii, `${role}: ${rel.name}.${col.name} is masked only without pii:read`);
              assert.ok(values.every((v) => v === null || v === MASK), `${role} ${rel.name}.${col.name} masked over HTTP`);
              assert.ok(wireValues.every((v) => v === null || v === MASK), `${role} ${rel.name}.${col.name} masked over the wire`);
            }
            if ((col.pii === 'personal' || col.pii === 'sensitive') && !pii) assert.ok(col.masked, `${role}: personal column ${rel.name}.${col.name} must be masked`);
            assert.deepEqual(wireValues.map((v) => (v === null ? null : typeof v)), wireValues.map((v) => (v === null ? null : typeof v)));
            assert.equal(wireValues.filter((v) => v === null).length, values.filter((v) => v === null).length, `${role} ${rel.name}.${col.name}: same nulls`);
          }
        }
      });
    }
  });

  it('an encrypted personal field is decrypted for pii:read and masked for everyone else, on both interfaces', async () => {
    const sql = 'SELECT user_agent FROM requests WHERE user_agent IS NOT NULL ORDER BY ts LIMIT 5';
    const sec = await http('security', sql);
    assert.equal(sec.status, 200);
    assert.ok(sec.rows.length > 0 && sec.rows.every(([v]) => typeof v === 'string' && v.startsWith('Mozilla')), 'security: decrypted');
    const secWire = await wire('security', (c) => c.query({ text: sql, rowMode: 'array' }));
    assert.deepEqual(secWire.rows, sec.rows);
    for (const role of ['analyst', 'engineer'] as const) {
      assert.ok((await http(role, sql)).rows.every(([v]) => v === MASK), `${role}: masked over HTTP`);
      assert.ok((await wire(role, (c) => c.query({ text: sql, rowMode: 'array' }))).rows.every(([v]) => v === MASK), `${role}: masked over the wire`);
    }
  });
});

describe('keys against the real engine', () => {
  it('a key revoked in the middle of a streamed result stops the stream; it is refused afterwards', async (t) => {
    const rolePermissions = rolePermissionsOf(BUILTIN_ROLE_SET);
    const k = await createApiKey({ role: 'analyst', name: 'midstream', actor: 'test', expiresAt: null }, { store: d.control.apiKeys, audit: d.audit, rolePermissions });
    const server = ServerSection.parse({ listeners: [{ name: 'main', host: '127.0.0.1', port: 0 }], limits: { key_recheck_ms: 0 } });
    const running = await startServer(wired.deps, { server, baseDir: w.dir, dataDir: join(w.dir, 'data'), insecureHttp: true });
    t.after(() => running.close());
    const res = await fetch(`${running.addresses.get('main')}/v1/sql`, {
      method: 'POST', headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "SELECT r, repeat('x', 200) AS pad FROM range(90000) t(r)", format: 'ndjson' }),
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    await revokeApiKey(k.id, 'test', { store: d.control.apiKeys, audit: d.audit, rolePermissions });
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    const lines = text.trim().split('\n');
    assert.ok(lines.length < 90_000, `the stream stopped early (${lines.length} lines)`);
    assert.match(lines.at(-1) ?? '', /"error"/, 'the last NDJSON line says why');
    const again = await app.inject({ method: 'POST', url: '/v1/sql', headers: { authorization: `Bearer ${k.key}` }, payload: { sql: 'SELECT 1', format: 'json' } });
    assert.equal(again.statusCode, 401);
  });

  it('expired, wrong, truncated keys are refused with one 401; a key in the query string with 400', async () => {
    const rolePermissions = rolePermissionsOf(BUILTIN_ROLE_SET);
    const dayAgo = Date.now() - 86_400_000;
    const expired = await createApiKey({ role: 'admin', name: 'old', actor: 'test', expiresAt: new Date(dayAgo + 60_000) }, { store: d.control.apiKeys, audit: d.audit, rolePermissions, now: () => new Date(dayAgo) });
    const good = keys.get('admin') ?? '';
    const wrong = `${good.slice(0, -4)}${good.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    for (const key of [expired.key, wrong, good.slice(0, -1), good.slice(0, 20)]) {
      const r = await app.inject({ method: 'GET', url: '/v1/runs', headers: { authorization: `Bearer ${key}` } });
      assert.equal(r.statusCode, 401);
      assert.equal((r.json() as { error: { code: string } }).error.code, 'TRB_SERVER_AUTH_FAILED');
    }
    const q = await app.inject({ method: 'GET', url: `/v1/runs?token=${good}` });
    assert.equal(q.statusCode, 400);
  });
});

describe('role allowlists', () => {
  it('a role limited to other networks is refused on both interfaces from 127.0.0.1', async (t) => {
    writeFileSync(join(w.dir, 'roles.yaml'), 'roles:\n  remote_analyst:\n    extends: analyst\n    allowed_cidrs: [10.0.0.0/8]\n');
    const server = ServerSection.parse({ warehouse: { type: 'duckdb', path: w.warehouse }, pipelines_dir: w.dir, roles_file: 'roles.yaml' });
    const pgwire = PgWireConfig.parse({ enabled: true, port: 0, tls: { cert_file: join(ca.dir, 'server.crt'), key_file: join(ca.dir, 'server.key') } });
    const log = silentLogger;
    const s2 = await openServing({ deployment: d, server, pgwire, baseDir: w.dir, log });
    t.after(() => s2.close());
    const deps2 = openServerDeps({ deployment: d, server, baseDir: w.dir, log, seams: s2.seams });
    const app2 = await buildApp(deps2.deps, { server });
    t.after(() => app2.close());
    const rolePermissions = rolePermissionsOf(s2.roles);
    const k = await createApiKey({ role: 'remote_analyst', actor: 'test', expiresAt: null }, { store: d.control.apiKeys, audit: d.audit, rolePermissions });
    await createWireUser({ name: 'u_remote', role: 'remote_analyst', password: PASSWORD, actor: 'test' }, { store: d.control.wireUsers, audit: d.audit, rolePermissions });
    const r = await app2.inject({ method: 'POST', url: '/v1/sql', remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${k.key}` }, payload: { sql: 'SELECT 1', format: 'json' } });
    assert.equal(r.statusCode, 403);
    const ok = await app2.inject({ method: 'POST', url: '/v1/sql', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${k.key}` }, payload: { sql: 'SELECT 1', format: 'json' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const c = new pg.Client({ host: '127.0.0.1', port: s2.pgwire?.port, user: 'u_remote', password: PASSWORD, database: 'tributary', ssl: { ca: ca.ca, servername: 'localhost' } });
    await assert.rejects(c.connect().then(() => c.query('SELECT 1')), /may not query/);
    await c.end().catch(() => undefined);
  });
});

describe('serving snapshot', () => {
  it('a finished run is served after refresh; before it, the old snapshot answers', async () => {
    const count = async (): Promise<number> => Number((await http('admin', 'SELECT count(*) FROM quarantine')).rows[0]?.[0]);
    const before = await count();
    assert.equal(await serving.refresh(), false, 'nothing new yet');
    const ok = Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1} - - [02/Mar/2026:10:${String(i).padStart(2, '0')}:00 +0000] "GET /late/${i} HTTP/1.1" 200 10 "-" "curl/8.0"\n`).join('');
    writeFileSync(join(w.dir, 'logs', 'b.log'), `${ok}not a log line either\nnor this one\n`);
    const run = await runPipelineFile(join(w.dir, 'p.yaml'), { dataDir: join(w.dir, 'data'), workers: 1 });
    assert.equal(run.status, 'succeeded');
    assert.equal(await count(), before, 'still the old snapshot');
    assert.equal(await serving.refresh(), true);
    assert.equal(await count(), before + 2, 'the new rows are served');
  });
});
