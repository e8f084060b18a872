/** Unit tests of the chain arithmetic: canonical JSON, hashes, MACs, details redaction, anchor exports. */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SecretValue } from '../../core/secret-value.js';
import { canonicalJson } from './canonical-json.js';
import { anchorMac, entryHash, entryMac, GENESIS_HASH, macEquals } from './audit-hash.js';
import { REDACTED, REDACTED_BYTES, storableText, toAuditDetails } from './audit-details.js';
import { exportAnchor, parseAnchorExports } from './anchor-export.js';

/** Reorders object keys the way PostgreSQL jsonb does (shorter keys first, then bytewise). */
function jsonbOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonbOrder);
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((k) => [k, jsonbOrder((v as Record<string, unknown>)[k])]));
}

const fields = {
  seq: 7, ts: '2025-01-02T03:04:05.678Z', actor: 'cli:alice', action: 'secret.read', target: 'db_password', outcome: 'ok',
  requestId: 'req-1', details: { version: 3, zeta: [1, { b: 2, a: 1 }], alpha: 'é✓' }, prevHash: GENESIS_HASH,
};

describe('canonical JSON', () => {
  test('sorts object keys recursively, keeps array order, no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
    assert.equal(canonicalJson([undefined]), '[null]');
    assert.equal(canonicalJson('é\n"'), JSON.stringify('é\n"'));
    assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
    assert.throws(() => canonicalJson({ x: 1n }), TypeError);
  });

  test('is the same for any key order and after a JSON (jsonb-like) round trip', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const text = canonicalJson(v);
      assert.equal(canonicalJson(JSON.parse(JSON.stringify(jsonbOrder(v)))), text);
    }), { seed: 20250102, numRuns: 300 });
  });
});

describe('entry hash and MAC', () => {
  test('sha256 over the canonical field list; details key order does not matter', () => {
    const expected = createHash('sha256').update(canonicalJson(['tributary.audit.v1', 7, fields.ts, 'cli:alice', 'secret.read',
      'db_password', 'ok', 'req-1', fields.details, GENESIS_HASH])).digest('hex');
    assert.equal(entryHash(fields), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
    assert.equal(entryHash({ ...fields, details: jsonbOrder(fields.details) as Record<string, unknown> }), expected);
  });

  test('every hashed field changes the hash', () => {
    const base = entryHash(fields);
    const changes: Partial<typeof fields>[] = [{ seq: 8 }, { ts: '2025-01-02T03:04:05.679Z' }, { actor: 'cli:bob' }, { action: 'secret.write' },
      { target: 'db_passwords' }, { outcome: 'denied' }, { requestId: 'req-2' }, { details: { ...fields.details, version: 4 } },
      { prevHash: '1'.repeat(64) }];
    for (const c of changes) assert.notEqual(entryHash({ ...fields, ...c }), base, JSON.stringify(c));
    assert.notEqual(entryHash({ ...fields, details: null }), entryHash({ ...fields, details: {} }));
  });

  test('MACs are HMAC-SHA256 under the key; anchors sign seq, head, count and time', () => {
    const key = randomBytes(32);
    const h = entryHash(fields);
    assert.equal(entryMac(key, h), createHmac('sha256', key).update(h).digest('hex'));
    assert.notEqual(entryMac(randomBytes(32), h), entryMac(key, h));
    const a = { seq: 5, headHash: h, entryCount: 5, ts: fields.ts };
    const mac = anchorMac(key, a);
    assert.ok(macEquals(mac, anchorMac(key, { ...a })));
    for (const c of [{ seq: 6 }, { headHash: GENESIS_HASH }, { entryCount: 4 }, { ts: '2025-01-02T03:04:05.000Z' }]) {
      assert.ok(!macEquals(mac, anchorMac(key, { ...a, ...c })), JSON.stringify(c));
    }
    assert.ok(!macEquals(mac, mac.slice(1)));
  });
});

describe('audit details', () => {
  test('secret values and bytes are redacted wherever they are', () => {
    const secret = SecretValue.of('hunter2', 'db_password');
    const d = toAuditDetails({ s: secret, nested: { list: [secret, Buffer.from('key material'), new Uint8Array([1, 2])] }, ab: new ArrayBuffer(4), name: 'db_password' });
    assert.deepEqual(d, { s: REDACTED, nested: { list: [REDACTED, REDACTED_BYTES, REDACTED_BYTES] }, ab: REDACTED_BYTES, name: 'db_password' });
    assert.ok(!JSON.stringify(d).includes('hunter2'));
    assert.ok(!JSON.stringify(d).includes(Buffer.from('key material').toString('base64')));
  });

  test('becomes plain JSON the store accepts, never throws', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    class Thing { x = 1; }
    const d = toAuditDetails({
      date: new Date('2025-01-02T03:04:05.678Z'), bad: new Date(Number.NaN), big: 12345678901234567890n, nan: Number.NaN,
      inf: -Infinity, undef: undefined, fn: () => 1, cyclic, thing: new Thing(), err: new Error('boom'), arr: [undefined, 1],
      text: 'a\0b\uD800c', ['k\0']: true,
    });
    assert.deepEqual(d, {
      date: '2025-01-02T03:04:05.678Z', bad: null, big: '12345678901234567890', nan: null, inf: null,
      cyclic: { a: 1, self: '[circular]' }, thing: '[Thing]', err: { name: 'Error', message: 'boom' }, arr: [null, 1],
      text: 'a\uFFFDb\uFFFDc', ['k\uFFFD']: true,
    });
    assert.deepEqual(Object.keys(toAuditDetails(JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>) ?? {}), ['__proto__']);
    assert.equal(toAuditDetails(undefined), null);
    assert.equal(toAuditDetails(null), null);
    assert.equal(storableText('ok 😀 ✓'), 'ok 😀 ✓', 'valid surrogate pairs are kept');
    assert.equal(storableText('\uDC00x'), '\uFFFDx');
  });
});

describe('anchor exports', () => {
  const a = { seq: 12, headHash: 'a'.repeat(64), entryCount: 12, ts: '2025-01-02T03:04:05.678Z', mac: 'b'.repeat(64), keyVersion: 1 };

  test('round trip: one object, an array, or one per line', () => {
    const line = exportAnchor(a);
    assert.ok(!line.includes('\n'));
    assert.deepEqual(parseAnchorExports(line, 'f'), [a]);
    assert.deepEqual(parseAnchorExports(`[${line},${exportAnchor({ ...a, seq: 13, entryCount: 13 })}]`, 'f').map((x) => x.seq), [12, 13]);
    assert.deepEqual(parseAnchorExports(`${line}\n\n${exportAnchor({ ...a, seq: 14, entryCount: 14 })}\n`, 'f').map((x) => x.seq), [12, 14]);
  });

  test('anything else is TRB_AUDIT_ANCHOR_INVALID naming the problem', () => {
    const bad = (text: string, re: RegExp): void => assert.throws(() => parseAnchorExports(text, 'anchors.json'),
      (e: Error & { code?: string }) => e.code === 'TRB_AUDIT_ANCHOR_INVALID' && re.test(e.message) && e.message.includes('anchors.json'));
    bad('not json', /not JSON/);
    bad('', /no anchor|not JSON/);
    bad('[]', /no anchor/);
    bad(JSON.stringify({ ...JSON.parse(exportAnchor(a)), headHash: 'xyz' }), /headHash/);
    bad(JSON.stringify({ ...JSON.parse(exportAnchor(a)), extra: 1 }), /anchor 1/);
    bad(JSON.stringify({ ...JSON.parse(exportAnchor(a)), format: 'other' }), /format/);
  });
});
