import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDeployment } from '../../engine/bootstrap.js';
import { Command } from 'commander';
import { isTributaryError } from '../../core/errors.js';
import { encryptField } from '../../security/crypto/field-cipher.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys-crypto.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { decryptTokens, openDeploymentKeys, registerDecrypt } from './decrypt.js';

const ctx = { dataset: 'requests', field: 'client_ip' };

async function capture(fn: () => Promise<void>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true; }) as typeof process.stdout.write;
  try { await fn(); } finally { process.stdout.write = write; }
  return out;
}

describe('tributary decrypt', () => {
  it('recovers values across key versions; refuses other keys, other fields and altered tokens', async () => {
    const keys = new MemoryDataKeys();
    const v1 = await keys.current('field', 'field', { create: true });
    const a = encryptField('203.0.113.5', v1, ctx);
    const b = encryptField('2001:db8::7', await keys.rotate('field'), ctx);
    assert.deepEqual(await decryptTokens([a, b], keys, { ...ctx, key: 'field' }), ['203.0.113.5', '2001:db8::7']);
    await assert.rejects(decryptTokens([a], keys, { ...ctx, key: 'other' }), (e) => isTributaryError(e) && e.code === 'TRB_VALIDATION');
    await assert.rejects(decryptTokens([a], keys, { ...ctx, field: 'user' }), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_DECRYPT_FAILED');
    await assert.rejects(decryptTokens([`${a.slice(0, -2)}AA`], keys, ctx), (e) => isTributaryError(e) && e.family === 'secret');
  });

  it('the command prints one value per token (or JSON) with the keys it was given', async () => {
    const keys = new MemoryDataKeys();
    const k = await keys.current('field', 'field', { create: true });
    const tokens = ['10.0.0.1', '10.0.0.2'].map((v) => encryptField(v, k, ctx));
    let closed = 0;
    const program = new Command('tributary').exitOverride();
    registerDecrypt(program, async () => ({ keys, close: async () => { closed++; } }));
    const text = await capture(() => program.parseAsync(['node', 'tributary', 'decrypt', '--field', 'client_ip', ...tokens]).then(() => undefined));
    assert.equal(text, '10.0.0.1\n10.0.0.2\n');
    const json = await capture(() => program.parseAsync(['node', 'tributary', 'decrypt', '--field', 'client_ip', '--json', tokens[0]!]).then(() => undefined));
    assert.deepEqual(JSON.parse(json), [{ token: tokens[0], value: '10.0.0.1' }]);
    assert.equal(closed, 2);
  });

  it('with a sealed vault it fails with TRB_SECRET_VAULT_SEALED (exit 2)', async (t) => {
    const dir = tmpDir(t);
    const d = await openDeployment(dir, { TRIBUTARY_MASTER_KEY: randomBytes(32).toString('base64') });
    const ctx = { field: 'client_ip', dataset: 'requests' };
    const token = encryptField('203.0.113.5', await d.vault.createKey('field', 'field'), ctx);
    assert.deepEqual(await decryptTokens([token], d.keys, ctx), ['203.0.113.5']);
    await d.close();
    const sealed = await openDeployment(dir, { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' });
    t.after(() => sealed.close());
    await assert.rejects(decryptTokens([token], sealed.keys, ctx), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_VAULT_SEALED' && e.exit === 2);
  });
});
