/** API key administration (through the seam), audit reading and verification, datasets per role. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/server/app.js';
import type { ApiKeyAdmin, ApiKeySummary } from '../../src/server/app-deps.js';
import { bearer, fakeDeps, serverSection } from './helpers/fake-deps.js';

function memoryKeyAdmin(): ApiKeyAdmin & { readonly calls: string[] } {
  const calls: string[] = [];
  const keys = new Map<string, ApiKeySummary>();
  const summary = (id: string, role: string, name = id): ApiKeySummary => ({
    id, name, role, scopes: [], status: 'active', created_at: '2026-01-01T00:00:00.000Z', created_by: 'cli:root',
    expires_at: null, revoked_at: null, replaced_by: null, last_used_at: null,
  });
  return {
    calls,
    async create(input, actor) {
      calls.push(`create ${input.role} by ${actor}`);
      const id = `id${keys.size + 1}`;
      keys.set(id, summary(id, input.role, input.name));
      return { key: `trb_${id}_secret`, summary: keys.get(id) as ApiKeySummary };
    },
    async list() { return [...keys.values()]; },
    async revoke(id, actor) { calls.push(`revoke ${id} by ${actor}`); const k = keys.get(id); if (k) keys.set(id, { ...k, status: 'revoked', revoked_at: '2026-01-02T00:00:00.000Z' }); },
    async rotate(id, actor, opts) { calls.push(`rotate ${id} by ${actor} grace ${opts?.graceMs ?? 0}`); const k = keys.get(id) as ApiKeySummary; return { key: 'trb_new_secret', summary: { ...k, id: `${id}r` } }; },
  };
}

describe('admin routes', () => {
  it('creates, lists, revokes and rotates API keys for apikeys:admin only; the key appears only at creation', async () => {
    const admin = memoryKeyAdmin();
    const app = await buildApp({ ...fakeDeps(), apiKeys: admin }, { server: serverSection() });
    try {
      const created = await app.inject({ method: 'POST', url: '/v1/apikeys', headers: bearer('admin'), payload: { name: 'grafana', role: 'analyst', scopes: ['sql:query'] } });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json().key, 'trb_id1_secret');
      assert.equal(created.headers['cache-control'], 'no-store');
      const list = await app.inject({ url: '/v1/apikeys', headers: bearer('admin') });
      assert.equal(list.json().keys[0].name, 'grafana');
      assert.ok(!list.body.includes('secret'), 'listing never shows a key');
      assert.equal((await app.inject({ method: 'DELETE', url: '/v1/apikeys/id1', headers: bearer('admin') })).statusCode, 204);
      const rotated = await app.inject({ method: 'POST', url: '/v1/apikeys/id1/rotate', headers: bearer('admin'), payload: { grace_secs: 60 } });
      assert.equal(rotated.json().summary.id, 'id1r');
      assert.deepEqual(admin.calls, ['create analyst by key:trb_admin0000', 'revoke id1 by key:trb_admin0000', 'rotate id1 by key:trb_admin0000 grace 60000']);
      assert.equal((await app.inject({ method: 'POST', url: '/v1/apikeys', headers: bearer('engineer'), payload: { role: 'admin' } })).statusCode, 403);
      assert.equal((await app.inject({ method: 'POST', url: '/v1/apikeys', headers: bearer('admin'), payload: { role: 'analyst', scopes: ['root'] } })).json().error.code, 'TRB_VALIDATION');
    } finally {
      await app.close();
    }
  });

  it('answers 501 TRB_SERVER_NOT_CONFIGURED when no key administration is wired', async () => {
    const app = await buildApp(fakeDeps(), { server: serverSection() });
    try {
      const res = await app.inject({ url: '/v1/apikeys', headers: bearer('admin') });
      assert.equal(res.statusCode, 501);
      assert.equal(res.json().error.code, 'TRB_SERVER_NOT_CONFIGURED');
    } finally {
      await app.close();
    }
  });

  it('lets auditors list and verify the audit log, and audits that they did', async () => {
    const deps = fakeDeps();
    const app = await buildApp(deps, { server: serverSection() });
    try {
      assert.equal((await app.inject({ url: '/v1/audit', headers: bearer('analyst') })).statusCode, 403);
      const list = await app.inject({ url: '/v1/audit?outcome=denied&limit=10', headers: bearer('auditor') });
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().entries[0].action, 'http.authorize');
      assert.ok(!('mac' in list.json().entries[0]), 'only allow-listed fields');
      const verify = await app.inject({ method: 'POST', url: '/v1/audit/verify', headers: bearer('auditor') });
      assert.equal(verify.json().ok, true);
      assert.deepEqual(deps.auditEvents.slice(-2).map((e) => [e.actor, e.action]), [['key:trb_auditor00', 'audit.read'], ['key:trb_auditor00', 'audit.verify']]);
      assert.equal((await app.inject({ url: '/v1/audit?since=yesterday', headers: bearer('auditor') })).json().error.code, 'TRB_VALIDATION');
    } finally {
      await app.close();
    }
  });

  it('lists datasets with their PII classification and masking for the caller', async () => {
    const app = await buildApp(fakeDeps(), { server: serverSection() });
    try {
      const analyst = (await app.inject({ url: '/v1/datasets', headers: bearer('analyst') })).json();
      assert.deepEqual(analyst.datasets[0].columns.map((c: { name: string; pii: string; masked: boolean }) => [c.name, c.pii, c.masked]), [['ts', 'none', false], ['client_ip', 'personal', true]]);
      const admin = (await app.inject({ url: '/v1/datasets/access', headers: bearer('admin') })).json();
      assert.equal(admin.columns[1].masked, false);
      assert.equal((await app.inject({ url: '/v1/datasets/secret_table', headers: bearer('admin') })).statusCode, 404);
    } finally {
      await app.close();
    }
  });
});
