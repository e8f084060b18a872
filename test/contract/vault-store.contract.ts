/**
 * The VaultStore contract (`ControlStore.vault`): every control-store adapter must pass it
 * unchanged. The factory returns a fresh, empty, NOT yet migrated store (or null when skipped).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { ControlStore } from '../../src/seams/control-store/control-store.js';
import type { NewVaultVersion } from '../../src/seams/control-store/vault-store.js';
import { assertStoreError } from './control-store.contract.js';

/** A vault version with defaults; `over` replaces fields. */
export function vaultVersion(over: Partial<NewVaultVersion> = {}): NewVaultVersion {
  return { name: 'db_password', kind: 'secret', ciphertext: 'v1.ct', wrappedKey: 'w1.wk', masterKeyId: 'mk-1', createdBy: 'cli:alice', rotateAfterDays: null, meta: null, ...over };
}

/** Registers the vault-store contract tests for one adapter. */
export function describeVaultStoreContract(name: string, factory: (t: TestContext) => Promise<ControlStore | null>): void {
  async function open(t: TestContext): Promise<ControlStore | null> {
    const s = await factory(t);
    if (s === null) return null;
    t.after(() => s.close());
    await s.migrate();
    return s;
  }

  describe(`vault store contract: ${name}`, () => {
    test('versions count up per name and read back exactly', async (t) => {
      const s = await open(t);
      if (!s) return;
      assert.equal(await s.vault.putVersion(vaultVersion()), 1);
      assert.equal(await s.vault.putVersion(vaultVersion({ ciphertext: 'v1.ct2', rotateAfterDays: 90, meta: { note: 'x' } })), 2);
      assert.equal(await s.vault.putVersion(vaultVersion({ name: 'other', kind: 'hmac' })), 1);
      const latest = await s.vault.getVersion('db_password');
      assert.equal(latest?.version, 2);
      assert.equal(latest?.ciphertext, 'v1.ct2');
      assert.equal(latest?.rotateAfterDays, 90);
      assert.deepEqual(latest?.meta, { note: 'x' });
      assert.match(latest?.createdAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal((await s.vault.getVersion('db_password', 1))?.ciphertext, 'v1.ct');
      assert.equal(await s.vault.getVersion('db_password', 3), undefined);
      assert.equal(await s.vault.getVersion('nope'), undefined);
      assert.deepEqual((await s.vault.listVersions()).map((v) => `${v.name}@${v.version}`), ['db_password@1', 'db_password@2', 'other@1']);
      assert.deepEqual((await s.vault.listVersions('other')).map((v) => v.kind), ['hmac']);
    });

    test('compare-and-set on the latest version and a fixed kind per name', async (t) => {
      const s = await open(t);
      if (!s) return;
      assert.equal(await s.vault.putVersion(vaultVersion(), { expectVersion: 0 }), 1);
      await assertStoreError(s.vault.putVersion(vaultVersion(), { expectVersion: 0 }), 'TRB_STORE_CONFLICT');
      assert.equal(await s.vault.putVersion(vaultVersion(), { expectVersion: 1 }), 2);
      await assertStoreError(s.vault.putVersion(vaultVersion({ kind: 'hmac' })), 'TRB_STORE_CONFLICT');
      await assertStoreError(s.vault.putVersion(vaultVersion({ kind: 'nope' as 'hmac' })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.vault.putVersion(vaultVersion({ ciphertext: '' })), 'TRB_STORE_VALUE_INVALID');
    });

    test('concurrent writers of one name get distinct versions', async (t) => {
      const s = await open(t);
      if (!s) return;
      const versions = await Promise.all(Array.from({ length: 8 }, (_, i) => s.vault.putVersion(vaultVersion({ ciphertext: `v1.${i}` }))));
      assert.deepEqual([...versions].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
    });

    test('rewrap is compare-and-set on the master key id and keeps the ciphertext', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.vault.putVersion(vaultVersion());
      assert.equal(await s.vault.rewrap('db_password', 1, 'mk-other', 'w1.x', 'mk-2'), false);
      assert.equal(await s.vault.rewrap('db_password', 1, 'mk-1', 'w1.new', 'mk-2'), true);
      assert.equal(await s.vault.rewrap('db_password', 1, 'mk-1', 'w1.again', 'mk-3'), false);
      const v = await s.vault.getVersion('db_password', 1);
      assert.deepEqual([v?.wrappedKey, v?.masterKeyId, v?.ciphertext], ['w1.new', 'mk-2', 'v1.ct']);
    });

    test('remove deletes every version of one name', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.vault.putVersion(vaultVersion());
      await s.vault.putVersion(vaultVersion());
      await s.vault.putVersion(vaultVersion({ name: 'keep' }));
      assert.equal(await s.vault.remove('db_password'), 2);
      assert.equal(await s.vault.remove('db_password'), 0);
      assert.deepEqual((await s.vault.listVersions()).map((v) => v.name), ['keep']);
    });
  });
}
