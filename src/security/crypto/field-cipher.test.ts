import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { isTributaryError } from '../../core/errors.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys-crypto.js';
import { decryptField, decryptFieldToken, encryptField, FIELD_TOKEN_PREFIX, parseFieldToken, type FieldKey } from './field-cipher.js';

const key: FieldKey = { name: 'field', version: 3, material: randomBytes(32) };
const ctx = { dataset: 'requests', field: 'client_ip' };

const code = (fn: () => unknown): string => {
  try { fn(); } catch (err) { if (isTributaryError(err)) return err.code; throw err; }
  return 'no error';
};

test('round trip of any well-formed string; tokens are printable, prefixed and never equal for equal values', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (v) => {
    const t = encryptField(v, key, ctx);
    assert.ok(t.startsWith(`${FIELD_TOKEN_PREFIX}field:3:`));
    assert.match(t, /^[\x21-\x7e]+$/, 'printable ASCII, no spaces');
    assert.equal(decryptField(t, key, ctx), v);
    assert.notEqual(encryptField(v, key, ctx), t, 'random IV');
  }), { seed: 7, numRuns: 300 });
});

test('any single-bit flip of a token is rejected with a typed error, never a value', () => {
  const tokenAndFlip = fc.string({ unit: 'grapheme', maxLength: 40 }).chain((v) => {
    const t = encryptField(v, key, ctx);
    return fc.tuple(fc.constant(t), fc.nat({ max: t.length - 1 }), fc.nat({ max: 7 }));
  });
  fc.assert(fc.property(tokenAndFlip, ([t, i, bit]) => {
    const flipped = t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << bit)) + t.slice(i + 1);
    const c = code(() => decryptField(flipped, key, ctx));
    assert.ok(c === 'TRB_SECRET_TOKEN_INVALID' || c === 'TRB_SECRET_DECRYPT_FAILED', `flip ${i}/${bit} gave ${c}`);
  }), { seed: 11, numRuns: 2000 });
});

test('exhaustive: every bit of every character of one token', () => {
  const t = encryptField('203.0.113.7', key, ctx);
  for (let i = 0; i < t.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const flipped = t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ (1 << bit)) + t.slice(i + 1);
      assert.notEqual(code(() => decryptField(flipped, key, ctx)), 'no error', `flip ${i}/${bit}`);
    }
  }
});

test('AAD binds field, dataset and key version; the wrong key is refused', () => {
  const t = encryptField('198.51.100.1', key, ctx);
  assert.equal(code(() => decryptField(t, key, { ...ctx, field: 'user' })), 'TRB_SECRET_DECRYPT_FAILED');
  assert.equal(code(() => decryptField(t, key, { ...ctx, dataset: 'other' })), 'TRB_SECRET_DECRYPT_FAILED');
  assert.equal(code(() => decryptField(t, { ...key, material: randomBytes(32) }, ctx)), 'TRB_SECRET_DECRYPT_FAILED');
  assert.equal(code(() => decryptField(t, { ...key, version: 4 }, ctx)), 'TRB_SECRET_DECRYPT_FAILED');
  // Relabelling the header (same key bytes under another version number) fails authentication.
  const relabelled = t.replace(':3:', ':4:');
  assert.equal(code(() => decryptField(relabelled, { ...key, version: 4 }, ctx)), 'TRB_SECRET_DECRYPT_FAILED');
});

test('malformed tokens are TRB_SECRET_TOKEN_INVALID', () => {
  for (const bad of ['', 'plain', 'enc:v1:', 'enc:v1:field:1', 'enc:v1:field:01:AAAA', 'enc:v1:fi:ld:1:AAAA', 'enc:v1:field:1:AA==', 'enc:v1:field:1:AAAA']) {
    assert.equal(code(() => parseFieldToken(bad, 'client_ip')), 'TRB_SECRET_TOKEN_INVALID', bad);
  }
});

test('decryptFieldToken picks the version named by the token (old tokens survive a rotation)', async () => {
  const keys = new MemoryDataKeys();
  const v1 = await keys.current('field', 'field', { create: true });
  const old = encryptField('192.0.2.1', v1, ctx);
  const v2 = await keys.rotate('field');
  const fresh = encryptField('192.0.2.2', v2, ctx);
  assert.equal(await decryptFieldToken(old, keys, ctx), '192.0.2.1');
  assert.equal(await decryptFieldToken(fresh, keys, ctx), '192.0.2.2');
  await keys.rotate('pseudo', 'hmac');
  const wrongKind = encryptField('x', { name: 'pseudo', version: 1, material: randomBytes(32) }, ctx);
  await assert.rejects(decryptFieldToken(wrongKind, keys, ctx), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_DECRYPT_FAILED');
  await assert.rejects(decryptFieldToken(old.replace('field:1', 'gone:1'), keys, ctx), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_NOT_FOUND');
});
