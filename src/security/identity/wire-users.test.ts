/** Wire-user administration and the gateway lookups on the real control stores, with audit checks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { isTributaryError } from '../../core/errors.js';
import { STORE_ADAPTERS } from '../../../test/helpers/control-stores.js';
import { RecordingAudit } from '../../../test/helpers/recording-audit.js';
import type { Permission } from './identity.js';
import { fakeScramVerifier } from './scram.js';
import { createWireUser, deleteWireUser, listWireUsers, scramDataFor, setWireUserPassword, wireUserIdentity } from './wire-users.js';

const rolePermissions = (r: string): ReadonlySet<Permission> | undefined => (r === 'analyst' ? new Set<Permission>(['sql:query']) : undefined);

async function rejectsCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isTributaryError(e) && e.code === code);
}

for (const adapter of STORE_ADAPTERS) {
  describe(`wire users: ${adapter.label}`, () => {
    test('create, list, passwd, delete; lookups for the gateway; audit without passwords', async (t) => {
      const f = await adapter.open(t);
      if (!f) return;
      const audit = new RecordingAudit();
      const store = f.stores[0]!.wireUsers;
      const deps = { store, audit, rolePermissions };
      const fakeSecret = randomBytes(32);
      const info = await createWireUser({ name: 'metabase', role: 'analyst', password: 'first password!', actor: 'cli:alice' }, deps);
      assert.deepEqual([info.name, info.role, info.iterations, info.createdBy], ['metabase', 'analyst', 4096, 'cli:alice']);
      await rejectsCode(createWireUser({ name: 'metabase', role: 'analyst', password: 'another password', actor: 'cli:alice' }, deps), 'TRB_USER_EXISTS');
      await rejectsCode(createWireUser({ name: 'x', role: 'wizard', password: 'another password', actor: 'cli:alice' }, deps), 'TRB_USER_INVALID');
      await rejectsCode(createWireUser({ name: 'x', role: 'analyst', password: 'short', actor: 'cli:alice' }, deps), 'TRB_USER_INVALID');
      await rejectsCode(createWireUser({ name: 'bad name', role: 'analyst', password: 'another password', actor: 'cli:alice' }, deps), 'TRB_USER_INVALID');
      const before = await scramDataFor('metabase', { store, fakeSecret });
      await setWireUserPassword('metabase', 'second password!', 'cli:bob', deps);
      const after = await scramDataFor('metabase', { store, fakeSecret });
      assert.notDeepEqual(after, before);
      await rejectsCode(setWireUserPassword('nobody', 'second password!', 'cli:bob', deps), 'TRB_USER_NOT_FOUND');
      assert.deepEqual(await scramDataFor('nobody', { store, fakeSecret }), fakeScramVerifier('nobody', fakeSecret));
      const id = await wireUserIdentity('metabase', { store, rolePermissions }, '10.1.1.1');
      assert.deepEqual(id && { ...id, permissions: [...id.permissions] }, { subject: 'user:metabase', role: 'analyst', permissions: ['sql:query'], method: 'scram', address: '10.1.1.1' });
      assert.equal(await wireUserIdentity('metabase', { store, rolePermissions: () => undefined }), undefined);
      assert.deepEqual((await listWireUsers(deps)).map((u) => u.name), ['metabase']);
      await deleteWireUser('metabase', 'cli:carol', deps);
      await rejectsCode(deleteWireUser('metabase', 'cli:carol', deps), 'TRB_USER_NOT_FOUND');
      assert.equal(await wireUserIdentity('metabase', { store, rolePermissions }), undefined);
      assert.deepEqual(audit.events.map((e) => `${e.action}:${e.outcome}`), [
        'user.create:attempt', 'user.create:ok', 'user.create:attempt', 'user.create:error',
        'user.passwd:attempt', 'user.passwd:ok', 'user.passwd:attempt', 'user.passwd:error',
        'user.delete:attempt', 'user.delete:ok', 'user.delete:attempt', 'user.delete:error',
      ]);
      for (const secret of ['first password', 'second password', before.storedKey, after.storedKey, after.serverKey]) assert.ok(!audit.text().includes(secret), secret);
    });

    test('a fail-closed audit trail refuses the action before anything changes', async (t) => {
      const f = await adapter.open(t);
      if (!f) return;
      const audit = new RecordingAudit();
      audit.failWith = new Error('audit down');
      await assert.rejects(createWireUser({ name: 'metabase', role: 'analyst', password: 'first password!', actor: 'cli:alice' }, { store: f.stores[0]!.wireUsers, audit }), /audit down/);
      assert.equal(await f.stores[0]!.wireUsers.get('metabase'), undefined);
    });
  });
}
