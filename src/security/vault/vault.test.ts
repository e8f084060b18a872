/**
 * The vault over a real SQLite control store with each master-key provider: envelope round trips,
 * versions, sealed behaviour, wrong keys, tampering, key-file permissions, KMS plug-in, rotation,
 * and auditing (attempt + outcome; fail-closed refusal).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { tmpDir } from '../../../test/helpers/tmp.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { createSqliteControlStore } from '../../seams/control-store/sqlite/index.js';
import type { AuditEvent, AuditTrail } from '../audit/audit-trail.js';
import { createEnvMasterKey } from './master-key/env-master-key.js';
import { createFileMasterKey } from './master-key/file-master-key.js';
import { createKmsMasterKey, loadKmsClient } from './master-key/kms-master-key.js';
import { newMasterKey } from './master-key/local-keyring.js';
import { selectMasterKey } from './master-key/select-master-key.js';
import { openVault } from './open-vault.js';
import { Vault } from './vault.js';

const KEY_A = newMasterKey().key.toString('base64');
const KEY_B = newMasterKey().key.toString('hex');
const CANARY = 'canary-5e1f0c2b-do-not-leak';

async function store(t: TestContext): Promise<{ control: ControlStore; path: string }> {
  const path = join(tmpDir(t, 'trb-vault-'), 'control.db');
  const control = createSqliteControlStore({ path });
  t.after(() => control.close());
  await control.migrate();
  return { control, path };
}

class RecordingTrail implements AuditTrail {
  readonly events: AuditEvent[] = [];
  failPrivileged = false;
  record(e: AuditEvent, opts: { privileged?: boolean } = {}): Promise<void> {
    if (this.failPrivileged && opts.privileged) return Promise.reject(Object.assign(new Error('audit store down'), { code: 'TRB_AUDIT_WRITE_FAILED' }));
    this.events.push(e);
    return Promise.resolve();
  }
}

describe('vault', () => {
  it('round-trips secrets with versions and lists metadata only', async (t) => {
    const { control, path } = await store(t);
    const vault = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) });
    assert.equal(await vault.set('db_password', CANARY, { actor: 'cli:alice', rotateAfterDays: 30 }), 1);
    assert.equal(await vault.set('db_password', `${CANARY}-2`), 2);
    const v = await vault.get('db_password');
    assert.equal(v.reveal(), `${CANARY}-2`);
    assert.equal((await vault.get('db_password', { version: 1 })).reveal(), CANARY);
    for (const shown of [String(v), JSON.stringify({ v }), inspect(v), `${v}`]) assert.doesNotMatch(shown, /canary/);
    const [info] = await vault.list();
    assert.equal(info?.name, 'db_password');
    assert.equal(info?.version, 2);
    assert.equal(info?.versions, 2);
    assert.equal(info?.rotateAfterDays, 30);
    assert.doesNotMatch(JSON.stringify(await vault.list()), /canary/);
    // Only ciphertext reaches the database file.
    const db = new Database(path, { readonly: true });
    t.after(() => db.close());
    const rows = db.prepare('select * from vault_entries').all();
    assert.equal(rows.length, 2);
    assert.doesNotMatch(JSON.stringify(rows), /canary/);
    assert.equal(readFileSync(path).includes(Buffer.from('canary')), false);
  });

  it('generates data keys per kind, rotates them and keeps old versions readable', async (t) => {
    const { control } = await store(t);
    const vault = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) });
    const k1 = await vault.current('pseudonyms', 'hmac', { create: true });
    assert.equal(k1.version, 1);
    assert.equal(k1.material.length, 32);
    assert.equal((await vault.current('pseudonyms', 'hmac')).material.equals(k1.material), true);
    assert.equal(await vault.rotate('pseudonyms'), 2);
    const k2 = await vault.current('pseudonyms', 'hmac');
    assert.equal(k2.version, 2);
    assert.equal(k2.material.equals(k1.material), false);
    assert.deepEqual((await vault.all('pseudonyms')).map((k) => k.version), [1, 2]);
    assert.equal((await vault.version('pseudonyms', 1)).material.equals(k1.material), true);
    const age = await vault.createKey('bronze', 'age');
    assert.match(age.material.toString(), /^AGE-SECRET-KEY-1/);
    assert.match(String(age.meta['recipient']), /^age1/);
    await assert.rejects(vault.createKey('bronze', 'age'), { code: 'TRB_SECRET_INVALID' });
    await assert.rejects(vault.current('bronze', 'hmac'), { code: 'TRB_SECRET_KIND_MISMATCH' });
    await assert.rejects(vault.get('pseudonyms'), { code: 'TRB_SECRET_KIND_MISMATCH' });
    await assert.rejects(vault.set('pseudonyms', 'x'), { code: 'TRB_SECRET_KIND_MISMATCH' });
    await assert.rejects(vault.current('missing', 'field'), { code: 'TRB_SECRET_NOT_FOUND' });
    await assert.rejects(vault.set('bad name', 'x'), { code: 'TRB_SECRET_INVALID' });
    await assert.rejects(vault.set('empty', ''), { code: 'TRB_SECRET_INVALID' });
  });

  it('is sealed without a master key: secrets fail naming the secret, listing still works', async (t) => {
    const { control } = await store(t);
    await new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) }).set('api_token', CANARY);
    const sealed = openVault({ control, env: { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' } });
    assert.equal(await sealed.unsealed(), false);
    await assert.rejects(sealed.get('api_token'), (err: Error & { code?: string; exit?: number }) =>
      err.code === 'TRB_SECRET_VAULT_SEALED' && /`api_token`/.test(err.message) && /TRIBUTARY_MASTER_KEY/.test(err.message) && err.exit === 2);
    assert.equal((await sealed.list()).length, 1);
    // A missing key file does not get silently replaced while entries exist.
    const xdg = tmpDir(t, 'trb-xdg-');
    const fileVault = openVault({ control, env: { XDG_CONFIG_HOME: xdg }, onNotice: () => undefined });
    await assert.rejects(fileVault.get('api_token'), { code: 'TRB_SECRET_VAULT_SEALED' });
    assert.equal(existsSync(join(xdg, 'tributary', 'master.key')), false);
  });

  it('names the master key a value needs when another key is supplied', async (t) => {
    const { control } = await store(t);
    await new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) }).set('api_token', CANARY);
    const other = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_B }) });
    await assert.rejects(other.get('api_token'), (err: Error & { code?: string }) =>
      err.code === 'TRB_SECRET_WRONG_MASTER_KEY' && /`mk-[0-9a-f]{16}`/.test(err.message) && !err.message.includes(KEY_A));
    assert.throws(() => createEnvMasterKey({ TRIBUTARY_MASTER_KEY: 'short' }), { code: 'TRB_SECRET_MASTER_KEY_INVALID' });
  });

  it('detects tampering: altered ciphertext, altered wrapped key, a row moved to another name', async (t) => {
    const { control, path } = await store(t);
    const vault = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) });
    await vault.set('a', CANARY);
    await vault.set('b', 'other');
    await vault.set('c', 'third');
    const db = new Database(path);
    t.after(() => db.close());
    const flip = (s: string): string => { const [p, b] = s.split('.'); const raw = Buffer.from(b ?? '', 'base64url'); raw[14] = (raw[14] ?? 0) ^ 1; return `${p}.${raw.toString('base64url')}`; };
    const row = db.prepare("select ciphertext, wrapped_key from vault_entries where name = 'a'").get() as { ciphertext: string; wrapped_key: string };
    db.prepare("update vault_entries set ciphertext = ? where name = 'a'").run(flip(row.ciphertext));
    await assert.rejects(vault.get('a'), (err: Error & { code?: string }) => err.code === 'TRB_SECRET_CORRUPTED' && /`a`/.test(err.message));
    db.prepare("update vault_entries set wrapped_key = ? where name = 'b'").run(flip((db.prepare("select wrapped_key from vault_entries where name = 'b'").get() as { wrapped_key: string }).wrapped_key));
    await assert.rejects(vault.get('b'), { code: 'TRB_SECRET_CORRUPTED' });
    db.prepare("update vault_entries set ciphertext = ?, wrapped_key = ? where name = 'c'").run(row.ciphertext, row.wrapped_key);
    await assert.rejects(vault.get('c'), { code: 'TRB_SECRET_CORRUPTED' });
  });

  it('creates the key file 0600 on first use of an empty vault and refuses an unsafe one', async (t) => {
    const { control } = await store(t);
    const xdg = tmpDir(t, 'trb-xdg-');
    const notices: string[] = [];
    const vault = openVault({ control, env: { XDG_CONFIG_HOME: xdg }, onNotice: (m) => notices.push(m) });
    await vault.set('s', CANARY);
    const file = join(xdg, 'tributary', 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(xdg, 'tributary')).mode & 0o777, 0o700);
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? '', new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal((await vault.get('s')).reveal(), CANARY);
    chmodSync(file, 0o644);
    const again = openVault({ control, env: { XDG_CONFIG_HOME: xdg } });
    await assert.rejects(again.get('s'), (err: Error & { code?: string }) => err.code === 'TRB_SECRET_KEY_FILE_INSECURE' && /0644/.test(err.message));
    chmodSync(file, 0o600);
    writeFileSync(join(xdg, 'bad.key'), '{"format":"nope"}', { mode: 0o600 });
    const bad = createFileMasterKey({ file: join(xdg, 'bad.key'), create: false });
    await assert.rejects(bad.currentKeyId(), { code: 'TRB_SECRET_MASTER_KEY_INVALID' });
  });

  it('rotates the master key: re-wraps every entry, keeps old versions in the key file, retires them on request', async (t) => {
    const { control } = await store(t);
    const xdg = tmpDir(t, 'trb-xdg-');
    const vault = openVault({ control, env: { XDG_CONFIG_HOME: xdg }, onNotice: () => undefined });
    for (let i = 0; i < 5; i++) await vault.set(`s${i}`, `${CANARY}-${i}`);
    await vault.current('pseudonyms', 'hmac', { create: true });
    const before = await vault.provider.currentKeyId();
    const r = await vault.rotateMaster({ newKey: true });
    assert.notEqual(r.to, before);
    assert.deepEqual(r.from, [before]);
    assert.equal(r.rewrapped, 6);
    assert.deepEqual(await vault.provider.keyIds(), [r.to, before]);
    for (const info of await vault.list()) assert.deepEqual(info.masterKeyIds, [r.to]);
    for (let i = 0; i < 5; i++) assert.equal((await vault.get(`s${i}`)).reveal(), `${CANARY}-${i}`);
    const again = await vault.rotateMaster({ newKey: false, retireOld: true });
    assert.equal(again.rewrapped, 0);
    assert.equal(again.alreadyCurrent, 6);
    assert.deepEqual(await vault.provider.keyIds(), [r.to]);
  });

  it('re-wraps under a new env key while the old one is in TRIBUTARY_MASTER_KEY_PREVIOUS', async (t) => {
    const { control } = await store(t);
    await new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }) }).set('s', CANARY);
    const env = createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_B, TRIBUTARY_MASTER_KEY_PREVIOUS: KEY_A });
    const vault = new Vault({ store: control.vault, provider: env });
    await assert.rejects(vault.rotateMaster({ newKey: true }), { code: 'TRB_SECRET_ROTATION_EXTERNAL' });
    assert.equal((await vault.rotateMaster({ newKey: false })).rewrapped, 1);
    const onlyNew = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_B }) });
    assert.equal((await onlyNew.get('s')).reveal(), CANARY);
  });

  it('plugs in a KMS module (wrap, unwrap, versioned rotation, tamper detection)', async (t) => {
    const { control } = await store(t);
    const dir = tmpDir(t, 'trb-kms-');
    const env = { TRIBUTARY_KMS_MODULE: fileURLToPath(new URL('../../../test/fixtures/test-kms.mjs', import.meta.url)), TEST_KMS_FILE: join(dir, 'kms.json') };
    const provider = await selectMasterKey(env, { createKeyFile: false });
    assert.equal(provider.kind, 'kms');
    const vault = new Vault({ store: control.vault, provider });
    await vault.set('s', CANARY);
    assert.equal((await vault.get('s')).reveal(), CANARY);
    const r = await vault.rotateMaster({ newKey: true });
    assert.equal(r.to, 'test-kms:key/v2');
    assert.equal((await vault.get('s')).reveal(), CANARY);
    const [row] = await control.vault.listVersions('s');
    assert.equal(row?.masterKeyId, 'test-kms:key/v2');
    await control.vault.rewrap('s', 1, 'test-kms:key/v2', `${row?.wrappedKey.slice(0, -4)}AAAA`, 'test-kms:key/v2');
    await assert.rejects(vault.get('s'), { code: 'TRB_SECRET_CORRUPTED' });
    await assert.rejects(loadKmsClient('./no-such-kms.mjs', {}), { code: 'TRB_SECRET_KMS_FAILED' });
    assert.equal(createKmsMasterKey(await loadKmsClient(env.TRIBUTARY_KMS_MODULE, env), 'x').kind, 'kms');
  });

  it('audits an attempt before and the outcome after every privileged operation; fail-closed refuses', async (t) => {
    const { control } = await store(t);
    const audit = new RecordingTrail();
    const vault = new Vault({ store: control.vault, provider: createEnvMasterKey({ TRIBUTARY_MASTER_KEY: KEY_A }), audit });
    await vault.set('s', CANARY, { actor: 'cli:alice' });
    await vault.get('s', { actor: 'engine', purpose: 'pipeline web' });
    await assert.rejects(vault.get('missing'));
    assert.deepEqual(audit.events.map((e) => `${e.action}:${e.target}:${e.outcome}`), [
      'secret.write:s:attempt', 'secret.write:s:ok', 'secret.read:s:attempt', 'secret.read:s:ok', 'secret.read:missing:attempt', 'secret.read:missing:error',
    ]);
    assert.equal(audit.events[0]?.requestId, audit.events[1]?.requestId);
    assert.equal(audit.events[0]?.actor, 'cli:alice');
    assert.doesNotMatch(JSON.stringify(audit.events), /canary/);
    audit.failPrivileged = true;
    await assert.rejects(vault.get('s'), { code: 'TRB_AUDIT_WRITE_FAILED' });
    await assert.rejects(vault.set('t', 'x'), { code: 'TRB_AUDIT_WRITE_FAILED' });
    assert.equal((await vault.list()).some((e) => e.name === 't'), false, 'a refused write wrote nothing');
    assert.equal((await vault.list()).length, 1, 'listing (not privileged) still works');
  });
});

describe('vault with the deployment audit log', () => {
  it('a sealed vault fails key creation once, without recursing through the audit log', async (t) => {
    const root = tmpDir(t, 'trb-vault-sealed-');
    const { openDeployment } = await import('../../engine/bootstrap.js');
    const d = await openDeployment(join(root, 'data'), { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' });
    t.after(() => d.close());
    await assert.rejects(d.vault.current('bronze', 'age', { create: true }), { code: 'TRB_SECRET_VAULT_SEALED' });
    await assert.rejects(d.vault.set('x', 'y'), { code: 'TRB_SECRET_VAULT_SEALED' });
    assert.equal(await d.control.audit.count(), 0, 'nothing could be MACed, nothing was written');
  });
});
