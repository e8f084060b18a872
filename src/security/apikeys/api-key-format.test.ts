/** The API key format: generation, strict parsing (truncation and alteration refused), detection in query strings. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generateApiKey, isApiKeyId, looksLikeApiKey, parseApiKey } from './api-key-format.js';
import { hashApiKey, verifyApiKeyHash } from './key-hash.js';

const B64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

describe('API key format', () => {
  test('generated keys parse back to their id, are distinct and carry 256 bits of secret', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const k of keys) {
      assert.deepEqual(parseApiKey(k.key), k);
      assert.ok(isApiKeyId(k.id));
      assert.equal(Buffer.from(k.key.slice(-43), 'base64url').length, 32);
    }
    assert.equal(new Set(keys.map((k) => k.id)).size, keys.length);
  });

  test('property: any truncation, extension or out-of-alphabet character makes a key unparsable', () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom('', '=', '+', '/', ' ', '%', '\n', 'é', 'A'), (n, ch) => {
      const { key } = generateApiKey();
      const cut = key.slice(0, n % key.length);
      assert.equal(parseApiKey(cut), undefined);
      assert.equal(parseApiKey(`${key}${ch || 'x'}`), undefined);
      if (ch !== 'A' && ch !== '') {
        const i = 4 + (n % (key.length - 4));
        if (key[i] !== '_') assert.equal(parseApiKey(key.slice(0, i) + ch + key.slice(i + 1)), undefined);
      }
    }));
  });

  test('property: a key is detected anywhere in a query string, plain or URL-encoded; ordinary values are not', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...B64URL, '&', '=') }), fc.string({ unit: fc.constantFrom(...B64URL, '&', '=') }), (pre, post) => {
      const { key } = generateApiKey();
      assert.ok(looksLikeApiKey(`${pre}?api_key=${key}&${post}`));
      assert.ok(looksLikeApiKey(encodeURIComponent(key)));
    }));
    for (const s of ['', 'trb_', 'sql=select 1', 'token=abc', 'trb_short_abc']) assert.equal(looksLikeApiKey(s), false, s);
  });

  test('hashes: verify the right key only; a damaged stored hash never matches and never throws', async () => {
    const { key } = generateApiKey();
    const h = await hashApiKey(key, { ln: 10, r: 8, p: 1 });
    assert.match(h, /^scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyApiKeyHash(key, h), true);
    assert.equal(await verifyApiKeyHash(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, h), false);
    assert.equal(await verifyApiKeyHash(`${key[0] === 't' ? 'T' : 't'}${key.slice(1)}`, h), false);
    for (const bad of [h.slice(0, -1), h.replace('ln=10', 'ln=40'), h.replace('ln=10', 'ln=4'), '', 'plain']) assert.equal(await verifyApiKeyHash(key, bad), false, bad);
    assert.notEqual(await hashApiKey(key, { ln: 10, r: 8, p: 1 }), h, 'per-key random salt');
  });
});
