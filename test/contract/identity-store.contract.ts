/**
 * The identity stores' contract (`ControlStore.apiKeys`, `ControlStore.wireUsers`): every
 * control-store adapter must pass it unchanged. The factory returns a fresh, NOT yet migrated store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { NewApiKeyRow } from '../../src/seams/control-store/api-key-store.js';
import type { ControlStore } from '../../src/seams/control-store/control-store.js';
import type { NewWireUserRow } from '../../src/seams/control-store/wire-user-store.js';
import { assertStoreError, openMigrated } from './control-store.contract.js';

/** An API key row with defaults; `over` replaces fields. */
export function apiKeyRow(over: Partial<NewApiKeyRow> = {}): NewApiKeyRow {
  return { id: 'AbCdEfGhIjKl', name: 'grafana', role: 'analyst', scopes: ['sql:query'], hash: 'scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA',
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'cli:alice', expiresAt: null, ...over };
}

/** A wire user row with defaults. */
export function wireUserRow(over: Partial<NewWireUserRow> = {}): NewWireUserRow {
  return { name: 'metabase', role: 'analyst', createdBy: 'cli:alice',
    verifier: { salt: 'c2FsdA==', iterations: 4096, storedKey: 'c3RvcmVk', serverKey: 'c2VydmVy' }, ...over };
}

/** Registers the identity-store contract tests for one adapter. */
export function describeIdentityStoreContract(name: string, factory: (t: TestContext) => Promise<ControlStore | null>): void {
  const open = (t: TestContext): Promise<ControlStore | null> => openMigrated(factory, t);

  describe(`identity store contract: ${name}`, () => {
    test('api keys: insert, get, list; a duplicate id conflicts; bad values are refused', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.apiKeys.insert(apiKeyRow({ expiresAt: '2027-01-01T00:00:00Z' }));
      await s.apiKeys.insert(apiKeyRow({ id: 'ZZZZZZZZZZZZ', scopes: [], createdAt: '2026-02-01T00:00:00.000Z' }));
      const k = await s.apiKeys.get('AbCdEfGhIjKl');
      assert.deepEqual(k, { ...apiKeyRow(), expiresAt: '2027-01-01T00:00:00.000Z', revokedAt: null, revokedBy: null, replacedBy: null, lastUsedAt: null });
      assert.equal(await s.apiKeys.get('abcdefghijkl'), undefined, 'ids are case-sensitive');
      assert.deepEqual((await s.apiKeys.list()).map((r) => [r.id, r.scopes]), [['AbCdEfGhIjKl', ['sql:query']], ['ZZZZZZZZZZZZ', []]]);
      await assertStoreError(s.apiKeys.insert(apiKeyRow()), 'TRB_STORE_CONFLICT');
      await assertStoreError(s.apiKeys.insert(apiKeyRow({ id: 'x', hash: '' })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.apiKeys.insert(apiKeyRow({ id: 'x', expiresAt: 'soon' })), 'TRB_STORE_VALUE_INVALID');
    });

    test('api keys: revoke is idempotent and pulls a future revocation forward', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.apiKeys.insert(apiKeyRow());
      assert.equal(await s.apiKeys.revoke('AbCdEfGhIjKl', '2026-03-01T00:00:00.000Z', 'cli:bob'), true);
      assert.equal(await s.apiKeys.revoke('AbCdEfGhIjKl', '2026-04-01T00:00:00.000Z', 'cli:bob'), false, 'a later revocation changes nothing');
      assert.equal(await s.apiKeys.revoke('AbCdEfGhIjKl', '2026-02-01T00:00:00.000Z', 'cli:carol'), true, 'an earlier one wins');
      const k = await s.apiKeys.get('AbCdEfGhIjKl');
      assert.deepEqual([k?.revokedAt, k?.revokedBy], ['2026-02-01T00:00:00.000Z', 'cli:carol']);
      assert.equal(await s.apiKeys.revoke('nope', '2026-02-01T00:00:00.000Z', 'cli:bob'), false);
    });

    test('api keys: rotate inserts the successor and revokes the old key atomically', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.apiKeys.insert(apiKeyRow());
      await s.apiKeys.rotate('AbCdEfGhIjKl', '2026-05-01T00:00:00.000Z', 'cli:bob', apiKeyRow({ id: 'NNNNNNNNNNNN' }));
      const old = await s.apiKeys.get('AbCdEfGhIjKl');
      assert.deepEqual([old?.revokedAt, old?.replacedBy], ['2026-05-01T00:00:00.000Z', 'NNNNNNNNNNNN']);
      assert.equal((await s.apiKeys.get('NNNNNNNNNNNN'))?.revokedAt, null);
      await assertStoreError(s.apiKeys.rotate('AbCdEfGhIjKl', '2026-05-01T00:00:00.000Z', 'cli:bob', apiKeyRow({ id: 'MMMMMMMMMMMM' })), 'TRB_STORE_CONFLICT');
      await assertStoreError(s.apiKeys.rotate('NNNNNNNNNNNN', '2026-05-01T00:00:00.000Z', 'cli:bob', apiKeyRow()), 'TRB_STORE_CONFLICT');
      assert.equal((await s.apiKeys.get('NNNNNNNNNNNN'))?.revokedAt, null, 'a failed rotation leaves the old key untouched');
      assert.equal(await s.apiKeys.get('MMMMMMMMMMMM'), undefined);
    });

    test('api keys: touch writes last use at most once per interval', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.apiKeys.insert(apiKeyRow());
      await s.apiKeys.touch('AbCdEfGhIjKl', '2026-01-02T00:00:00.000Z', '2026-01-01T23:59:00.000Z');
      await s.apiKeys.touch('AbCdEfGhIjKl', '2026-01-02T00:00:30.000Z', '2026-01-01T23:59:30.000Z');
      assert.equal((await s.apiKeys.get('AbCdEfGhIjKl'))?.lastUsedAt, '2026-01-02T00:00:00.000Z');
      await s.apiKeys.touch('AbCdEfGhIjKl', '2026-01-02T00:01:01.000Z', '2026-01-02T00:00:01.000Z');
      assert.equal((await s.apiKeys.get('AbCdEfGhIjKl'))?.lastUsedAt, '2026-01-02T00:01:01.000Z');
    });

    test('wire users: create, get, list, new verifier, remove; iterations below 4096 refused', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.wireUsers.create(wireUserRow());
      await s.wireUsers.create(wireUserRow({ name: 'grafana', role: 'engineer' }));
      const u = await s.wireUsers.get('metabase');
      assert.deepEqual([u?.role, u?.verifier], ['analyst', wireUserRow().verifier]);
      assert.match(u?.createdAt ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual((await s.wireUsers.list()).map((r) => r.name), ['grafana', 'metabase']);
      await assertStoreError(s.wireUsers.create(wireUserRow()), 'TRB_STORE_CONFLICT');
      await assertStoreError(s.wireUsers.create(wireUserRow({ name: 'x', verifier: { ...wireUserRow().verifier, iterations: 1000 } })), 'TRB_STORE_VALUE_INVALID');
      const v2 = { salt: 'bmV3', iterations: 8192, storedKey: 'czI=', serverKey: 'czM=' };
      assert.equal(await s.wireUsers.setVerifier('metabase', v2), true);
      assert.deepEqual((await s.wireUsers.get('metabase'))?.verifier, v2);
      assert.equal(await s.wireUsers.setVerifier('nobody', v2), false);
      assert.equal(await s.wireUsers.remove('metabase'), true);
      assert.equal(await s.wireUsers.remove('metabase'), false);
      assert.equal(await s.wireUsers.get('metabase'), undefined);
    });
  });
}
