/**
 * The authenticated scope: every non-public route needs credentials, keys are refused in query
 * strings (even valid ones), refusals look alike and are audited, RBAC and CIDR allowlists hold.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp, registeredRoutes } from '../../src/server/app.js';
import { bearer, fakeDeps, KEYS, serverSection } from './helpers/fake-deps.js';

const PUBLIC = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);
const isPublic = (url: string): boolean => PUBLIC.has(url) || url === '/docs' || url.startsWith('/docs/');
const concrete = (url: string): string => url.replace(/:(\w+)/g, 'x1');

describe('server auth', () => {
  let app: FastifyInstance;
  let deps: ReturnType<typeof fakeDeps>;
  before(async () => {
    deps = fakeDeps({ roleCidrs: { auditor: ['10.0.0.0/8'] } });
    app = await buildApp(deps, { server: serverSection() });
  });
  after(() => app.close());

  it('requires credentials on every route outside the public scope', async () => {
    const guarded = registeredRoutes(app).filter((r) => !isPublic(r.url));
    assert.ok(guarded.length >= 14, `expected the /v1 routes, got ${guarded.map((r) => r.url).join(', ')}`);
    for (const r of guarded) {
      const res = await app.inject({ method: r.method as 'GET', url: concrete(r.url), ...(r.method === 'POST' ? { payload: {} } : {}) });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url}`);
      assert.equal(res.json().error.code, 'TRB_SERVER_AUTH_REQUIRED');
    }
  });

  it('answers every bad key with one identical 401 body', async () => {
    const bodies = new Set<string>();
    for (const authorization of ['Bearer nope', `Bearer ${KEYS.admin.slice(0, -3)}`, `Basic ${KEYS.admin}`, 'Bearer ']) {
      const res = await app.inject({ url: '/v1/runs', headers: { authorization } });
      assert.equal(res.statusCode, 401);
      bodies.add(res.body);
    }
    deps.revoked.add(KEYS.analyst.slice(0, 13));
    const revoked = await app.inject({ url: '/v1/runs', headers: bearer('analyst') });
    deps.revoked.clear();
    bodies.add(revoked.body);
    assert.equal(bodies.size, 1);
    assert.equal(JSON.parse([...bodies][0] ?? '{}').error.code, 'TRB_SERVER_AUTH_FAILED');
  });

  it('refuses a key in the query string even when it is valid, and audits it', async () => {
    for (const url of [`/v1/runs?key=${KEYS.admin}`, `/v1/runs?x=${KEYS.admin}`, '/v1/runs?api_key=whatever', `/healthz?token=${KEYS.admin}`]) {
      const n = deps.auditEvents.length;
      const res = await app.inject({ url, headers: bearer('admin') });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'TRB_SERVER_KEY_IN_QUERY');
      assert.ok(!res.body.includes(KEYS.admin), 'never echoes the key');
      const e = deps.auditEvents.at(-1);
      assert.equal(deps.auditEvents.length, n + 1);
      assert.equal(e?.outcome, 'denied');
      assert.equal(e?.details?.['code'], 'TRB_SERVER_KEY_IN_QUERY');
      assert.ok(!JSON.stringify(e).includes(KEYS.admin), 'never audits the key');
    }
  });

  it('applies route permissions (403, audited) and lets holders through', async () => {
    const denied = await app.inject({ method: 'POST', url: '/v1/pipelines/web/runs', headers: bearer('analyst') });
    assert.equal(denied.statusCode, 403);
    assert.deepEqual(denied.json().error.details, { permission: 'pipelines:run', role: 'analyst' });
    assert.equal(deps.auditEvents.at(-1)?.action, 'http.authorize');
    const ok = await app.inject({ method: 'POST', url: '/v1/pipelines/web/runs', headers: bearer('engineer') });
    assert.equal(ok.statusCode, 202);
    assert.equal(ok.json().run_id, 'run-1');
    assert.equal(ok.headers['location'], '/v1/runs/run-1');
    const nobody = await app.inject({ url: '/v1/datasets', headers: bearer('nobody') });
    assert.equal(nobody.statusCode, 403);
  });

  it('refuses a role outside its CIDR allowlist', async () => {
    const res = await app.inject({ url: '/v1/runs', headers: bearer('auditor'), remoteAddress: '192.168.1.9' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'TRB_SERVER_ADDRESS_DENIED');
    const inside = await app.inject({ url: '/v1/runs', headers: bearer('auditor'), remoteAddress: '10.1.2.3' });
    assert.equal(inside.statusCode, 200);
  });

  it('refuses addresses outside the listener allowlist, public routes included', async () => {
    const listenerApp = await buildApp(fakeDeps(), { server: serverSection({ listeners: [{ allow_cidrs: ['127.0.0.0/8', '::1'] }] }) });
    try {
      assert.equal((await listenerApp.inject({ url: '/healthz', remoteAddress: '203.0.113.5' })).statusCode, 403);
      assert.equal((await listenerApp.inject({ url: '/healthz', remoteAddress: '127.0.0.1' })).statusCode, 200);
      assert.equal((await listenerApp.inject({ url: '/healthz', remoteAddress: '::ffff:127.0.0.1' })).statusCode, 200);
    } finally {
      await listenerApp.close();
    }
  });

  it('masks quarantine raw data unless the caller holds pii:read', async () => {
    const row = { source: 'access', stage: 'parse', run_id: 'r1', code: 'parse_failed', field: null, reason: 'bad line', uri: 'logs/a.log', line: 3, raw: '203.0.113.9 - - [x]', ts: null };
    const q = await buildApp(fakeDeps({ quarantine: [row] }), { server: serverSection() });
    try {
      const masked = (await q.inject({ url: '/v1/quarantine', headers: bearer('engineer') })).json();
      assert.equal(masked.records[0].raw, null);
      assert.equal(masked.records[0].raw_masked, true);
      const clear = (await q.inject({ url: '/v1/quarantine', headers: bearer('admin') })).json();
      assert.equal(clear.records[0].raw, row.raw);
    } finally {
      await q.close();
    }
  });

  it('returns only allow-listed run fields', async () => {
    deps.runList.unshift((await import('./helpers/fake-deps.js')).runRecord('r-9', 'web'));
    const res = await app.inject({ url: '/v1/runs/r-9', headers: bearer('analyst') });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('/secret/path'), 'run summary internals are not returned');
    assert.deepEqual(res.json().counts.stages.parse, { in: 10, passed: 8, rejected: 2, filtered: 0 });
    assert.equal((await app.inject({ url: '/v1/runs/none', headers: bearer('analyst') })).statusCode, 404);
  });
});
