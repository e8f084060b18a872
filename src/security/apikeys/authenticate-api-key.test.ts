/**
 * API-key authentication against the real control stores (SQLite and PostgreSQL): valid, expired,
 * revoked (also after first use and from another process's store), wrong secret, truncated,
 * unknown prefix, malformed header, unknown role; scopes; the audit entries of failures.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { isTributaryError } from '../../core/errors.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { STORE_ADAPTERS } from '../../../test/helpers/control-stores.js';
import { RecordingAudit } from '../../../test/helpers/recording-audit.js';
import type { Permission } from '../identity/identity.js';
import { ApiKeyAuthCache } from './api-key-auth-cache.js';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './api-key-admin.js';
import type { ApiKeyAdminDeps } from './api-key-admin.js';
import { authenticateApiKey, checkKeyStillValid } from './authenticate-api-key.js';
import type { ApiKeyAuthDeps } from './authenticate-api-key.js';

const ROLES: Readonly<Record<string, ReadonlySet<Permission>>> = {
  analyst: new Set<Permission>(['sql:query', 'datasets:read']),
  admin: new Set<Permission>(['apikeys:admin', 'sql:query', 'audit:read']),
};
const rolePermissions = (r: string): ReadonlySet<Permission> | undefined => ROLES[r];
const FAST = { ln: 10, r: 8, p: 1 } as const;

interface Fixture { readonly stores: readonly ControlStore[]; readonly audit: RecordingAudit; admin: ApiKeyAdminDeps; auth: (i?: number) => ApiKeyAuthDeps; clock: { now: Date } }

async function fixture(t: TestContext, open: typeof STORE_ADAPTERS[number]['open'], n = 1): Promise<Fixture | null> {
  const f = await open(t, n);
  if (f === null) return null;
  const audit = new RecordingAudit();
  const clock = { now: new Date('2026-06-01T12:00:00.000Z') };
  const now = (): Date => clock.now;
  const caches = f.stores.map(() => new ApiKeyAuthCache());
  return {
    stores: f.stores, audit, clock,
    admin: { store: f.stores[0]!.apiKeys, audit, rolePermissions, now, scrypt: FAST },
    auth: (i = 0) => ({ store: f.stores[i]!.apiKeys, audit, rolePermissions, cache: caches[i]!, now }),
  };
}

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTributaryError(e), String(e));
    assert.equal(e.code, code, e.message);
    return true;
  });
}

for (const adapter of STORE_ADAPTERS) {
  describe(`authenticateApiKey: ${adapter.label}`, () => {
    test('a valid key gives its role, scoped permissions, subject and address; last use is recorded', async (t) => {
      const f = await fixture(t, adapter.open);
      if (!f) return;
      const k = await createApiKey({ role: 'analyst', name: 'grafana', scopes: ['sql:query'], actor: 'cli:alice' }, f.admin);
      assert.match(k.key, /^trb_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/);
      const id = await authenticateApiKey(`Bearer ${k.key}`, f.auth(), { address: '10.0.0.7' });
      assert.deepEqual({ ...id, permissions: [...id.permissions] },
        { subject: `api:${k.id}`, role: 'analyst', permissions: ['sql:query'], method: 'api_key', keyId: k.id, address: '10.0.0.7' });
      const unscoped = await createApiKey({ role: 'analyst', actor: 'cli:alice' }, f.admin);
      assert.deepEqual([...(await authenticateApiKey(`bearer  ${unscoped.key}`, f.auth())).permissions].sort(), ['datasets:read', 'sql:query']);
      assert.equal((await f.stores[0]!.apiKeys.get(k.id))?.lastUsedAt, f.clock.now.toISOString());
      assert.equal(f.audit.events.filter((e) => e.action === 'auth.fail').length, 0);
    });

    test('each failure has its own code, is audited with reason and address, and never leaks the key', async (t) => {
      const f = await fixture(t, adapter.open);
      if (!f) return;
      const k = await createApiKey({ role: 'analyst', actor: 'cli:alice', expiresAt: new Date('2026-07-01T00:00:00Z') }, f.admin);
      const orphan = await createApiKey({ role: 'analyst', actor: 'cli:alice' }, { ...f.admin, rolePermissions: () => new Set() });
      const secret = k.key.slice(-43);
      const flipped = k.key.slice(0, -1) + (k.key.endsWith('A') ? 'B' : 'A');
      const cases: readonly [string | undefined, string][] = [
        [undefined, 'TRB_AUTH_MISSING'],
        ['', 'TRB_AUTH_MISSING'],
        [`Basic ${Buffer.from(`x:${k.key}`).toString('base64')}`, 'TRB_AUTH_MALFORMED'],
        [k.key, 'TRB_AUTH_MALFORMED'],
        [`Bearer ${k.key.slice(0, -1)}`, 'TRB_AUTH_MALFORMED'],
        [`Bearer ${k.key}x`, 'TRB_AUTH_MALFORMED'],
        [`Bearer ${k.key} extra`, 'TRB_AUTH_MALFORMED'],
        [`Bearer trb_zzzzzzzzzzzz_${secret}`, 'TRB_AUTH_UNKNOWN_KEY'],
        [`Bearer ${flipped}`, 'TRB_AUTH_WRONG_SECRET'],
      ];
      for (const [header, code] of cases) await rejectsCode(authenticateApiKey(header, f.auth(), { address: '192.0.2.1' }), code);
      f.clock.now = new Date('2026-07-01T00:00:00.000Z');
      await rejectsCode(authenticateApiKey(`Bearer ${k.key}`, f.auth()), 'TRB_AUTH_EXPIRED');
      await rejectsCode(authenticateApiKey(`Bearer ${orphan.key}`, { ...f.auth(), rolePermissions: () => undefined }), 'TRB_AUTH_ROLE_UNKNOWN');
      const fails = f.audit.events.filter((e) => e.action === 'auth.fail');
      assert.deepEqual(fails.map((e) => e.details?.['reason']), [...cases.map((c) => c[1]), 'TRB_AUTH_EXPIRED', 'TRB_AUTH_ROLE_UNKNOWN']);
      assert.deepEqual(fails.map((e) => e.actor), ['anonymous', 'anonymous', 'anonymous', 'anonymous', 'anonymous', 'anonymous', 'anonymous',
        'api:zzzzzzzzzzzz', `api:${k.id}`, `api:${k.id}`, `api:${orphan.id}`]);
      assert.ok(fails.every((e) => e.outcome === 'denied'));
      assert.equal(fails[0]!.details?.['address'], '192.0.2.1');
      assert.ok(!f.audit.text().includes(secret) && !f.audit.text().includes(orphan.key.slice(-43)), 'no secret in any audit event');
    });

    test('revocation after first use takes effect at once, also on another process sharing the store', async (t) => {
      const f = await fixture(t, adapter.open, 2);
      if (!f) return;
      const k = await createApiKey({ role: 'analyst', actor: 'cli:alice' }, f.admin);
      await authenticateApiKey(`Bearer ${k.key}`, f.auth(0));
      await authenticateApiKey(`Bearer ${k.key}`, f.auth(1)); // both processes have the verified hash cached
      assert.equal(await checkKeyStillValid(k.id, f.auth(1)), true);
      assert.deepEqual(await revokeApiKey(k.id, 'cli:bob', f.admin), { id: k.id, changed: true });
      await rejectsCode(authenticateApiKey(`Bearer ${k.key}`, f.auth(0)), 'TRB_AUTH_REVOKED');
      await rejectsCode(authenticateApiKey(`Bearer ${k.key}`, f.auth(1)), 'TRB_AUTH_REVOKED');
      assert.equal(await checkKeyStillValid(k.id, f.auth(1)), false);
      assert.equal(await checkKeyStillValid('nonexistent1', f.auth(1)), false);
      assert.deepEqual(await revokeApiKey(k.id, 'cli:bob', f.admin), { id: k.id, changed: false });
      assert.deepEqual((await listApiKeys(f.admin)).map((i) => i.status), ['revoked']);
      const admin = f.audit.events.filter((e) => e.action.startsWith('apikey.')).map((e) => `${e.action}:${e.outcome}:${e.actor}`);
      assert.deepEqual(admin, ['apikey.create:attempt:cli:alice', 'apikey.create:ok:cli:alice', 'apikey.revoke:attempt:cli:bob', 'apikey.revoke:ok:cli:bob',
        'apikey.revoke:attempt:cli:bob', 'apikey.revoke:ok:cli:bob']);
    });

    test('rotation with grace: both keys work until the grace ends, then only the new one', async (t) => {
      const f = await fixture(t, adapter.open);
      if (!f) return;
      const old = await createApiKey({ role: 'analyst', scopes: ['sql:query'], actor: 'cli:alice', expiresAt: new Date('2026-09-01T12:00:00Z') }, f.admin);
      const next = await rotateApiKey(old.id, { actor: 'cli:bob', graceMs: 3_600_000 }, f.admin);
      assert.deepEqual([next.role, next.scopes, next.replaces, next.expiresAt], ['analyst', ['sql:query'], old.id, '2026-09-01T12:00:00.000Z'], 'same scopes and lifetime, counted from the rotation');
      await authenticateApiKey(`Bearer ${old.key}`, f.auth());
      await authenticateApiKey(`Bearer ${next.key}`, f.auth());
      await rejectsCode(rotateApiKey(old.id, { actor: 'cli:bob' }, f.admin), 'TRB_APIKEY_NOT_ACTIVE');
      f.clock.now = new Date(f.clock.now.getTime() + 3_600_000);
      await rejectsCode(authenticateApiKey(`Bearer ${old.key}`, f.auth()), 'TRB_AUTH_REVOKED');
      await authenticateApiKey(`Bearer ${next.key}`, f.auth());
      await rejectsCode(rotateApiKey('AAAAAAAAAAAA', { actor: 'cli:bob' }, f.admin), 'TRB_APIKEY_NOT_FOUND');
      assert.ok(!f.audit.text().includes(next.key) && !f.audit.text().includes(old.key));
    });

    test('creation refuses unknown scopes, scopes outside the role, unknown roles and past expiry', async (t) => {
      const f = await fixture(t, adapter.open);
      if (!f) return;
      await rejectsCode(createApiKey({ role: 'analyst', scopes: ['sql:drop'], actor: 'cli:a' }, f.admin), 'TRB_APIKEY_INVALID');
      await rejectsCode(createApiKey({ role: 'analyst', scopes: ['audit:read'], actor: 'cli:a' }, f.admin), 'TRB_APIKEY_INVALID');
      await rejectsCode(createApiKey({ role: 'wizard', actor: 'cli:a' }, f.admin), 'TRB_APIKEY_INVALID');
      await rejectsCode(createApiKey({ role: 'analyst', actor: 'cli:a', expiresAt: new Date('2026-01-01T00:00:00Z') }, f.admin), 'TRB_APIKEY_INVALID');
      assert.equal((await listApiKeys(f.admin)).length, 0);
    });
  });
}

describe('authenticateApiKey: cost', () => {
  test('the verified-hash cache skips scrypt but never revocation (default scrypt cost)', async (t) => {
    const f = await fixture(t, STORE_ADAPTERS[0]!.open);
    if (!f) return;
    const k = await createApiKey({ role: 'analyst', actor: 'cli:alice' }, { ...f.admin, scrypt: undefined });
    const timeIt = async (deps: ApiKeyAuthDeps, n: number): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await authenticateApiKey(`Bearer ${k.key}`, deps);
      return (performance.now() - t0) / n;
    };
    const cold = await timeIt({ ...f.auth(), cache: undefined }, 3);
    const warm = await timeIt(f.auth(), 50);
    t.diagnostic(`per authentication: scrypt ${cold.toFixed(1)} ms, cached ${warm.toFixed(2)} ms`);
    assert.ok(warm < cold, `cached (${warm} ms) must be cheaper than scrypt (${cold} ms)`);
  });
});
