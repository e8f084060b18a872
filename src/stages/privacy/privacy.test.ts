import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { BatchMeta, RecordBatch, StageKey } from '../../core/component.js';
import { isTributaryError } from '../../core/errors.js';
import { decryptField } from '../../security/crypto/field-cipher.js';
import { PrivacyConfig, PrivacyStage, privacyStageSpec } from './index.js';
import { isPseudonym, pseudonym } from './pseudonym.js';
import { luhnValid, redactUrl } from './redact-url.js';
import { truncateIp } from './truncate-ip.js';

describe('truncateIp', () => {
  it('zeroes host bits: IPv4 by bytes, IPv6 by prefix, IPv4-mapped as IPv4 (vectors in the style of Matomo\'s IP anonymizer tests)', () => {
    const v4 = (ip: string, p: number) => truncateIp(ip, { ipv4Prefix: p, ipv6Prefix: 48 });
    const v6 = (ip: string, p: number) => truncateIp(ip, { ipv4Prefix: 24, ipv6Prefix: p });
    assert.deepEqual([32, 24, 16, 8, 0].map((p) => v4('192.168.1.123', p)), ['192.168.1.123', '192.168.1.0', '192.168.0.0', '192.0.0.0', '0.0.0.0']);
    assert.deepEqual([24, 16].map((p) => v4('255.255.255.255', p)), ['255.255.255.0', '255.255.0.0']);
    assert.equal(v4('10.1.2.3', 20), '10.1.0.0');
    assert.deepEqual([128, 80, 64, 48, 32, 0].map((p) => v6('2001:db8:85a3:8d3:1319:8a2e:370:7348', p)),
      ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3:1319::', '2001:db8:85a3:8d3::', '2001:db8:85a3::', '2001:db8::', '::']);
    assert.equal(v6('::1', 48), '::');
    assert.equal(v6('FE80:0000:0000:0000:0202:B3FF:FE1E:8329', 64), 'fe80::');
    assert.equal(truncateIp('::ffff:192.168.1.123'), '::ffff:192.168.1.0');
    assert.equal(truncateIp('::ffff:c0a8:017b'), '::ffff:192.168.1.0');
    assert.equal(truncateIp('fe80::1%eth0', { ipv4Prefix: 24, ipv6Prefix: 16 }), 'fe80::');
    for (const bad of ['example.com', '-', '', '300.1.1.1', '1.2.3']) assert.equal(truncateIp(bad), undefined, bad);
  });

  it('property: the result is in the same /24 (IPv4) or /48 (IPv6), is idempotent, and hides the host part', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => {
      const t = truncateIp(ip)!;
      assert.equal(t.split('.').slice(0, 3).join('.'), ip.split('.').slice(0, 3).join('.'));
      assert.equal(t.split('.')[3], '0');
      assert.equal(truncateIp(t), t);
    }));
    fc.assert(fc.property(fc.ipV6(), (ip) => {
      const t = truncateIp(ip)!;
      assert.ok(t !== undefined);
      assert.equal(truncateIp(t), t);
    }));
  });
});

describe('pseudonym', () => {
  it('is keyed, stable within an epoch, and separates fields, keys and epochs', () => {
    const k = randomBytes(32);
    const p = pseudonym(k, 1, 'client_ip', '203.0.113.7');
    assert.ok(isPseudonym(p), p);
    assert.equal(pseudonym(k, 1, 'client_ip', '203.0.113.7'), p);
    assert.notEqual(pseudonym(k, 2, 'client_ip', '203.0.113.7'), p);
    assert.notEqual(pseudonym(k, 1, 'user', '203.0.113.7'), p);
    assert.notEqual(pseudonym(randomBytes(32), 1, 'client_ip', '203.0.113.7'), p);
    assert.doesNotMatch(p, /203/);
  });
});

describe('redactUrl', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['/reset?email=jane.doe@example.com&x=1', '/reset?email=[redacted]&x=1'],
    ['/u/jane.doe%40example.com/profile', '/u/[email]/profile'],
    ['contact: bob@example.org', 'contact: [email]'],
    ['/cb?access_token=eyJhbGciOi.abc&state=ok', '/cb?access_token=[redacted]&state=ok'],
    ['/shop;jsessionid=0123456789ABCDEF?item=3', '/shop;jsessionid=[redacted]?item=3'],
    ['/login?PHPSESSID=abc123&lang=en', '/login?PHPSESSID=[redacted]&lang=en'],
    ['/pay?cc=4111 1111 1111 1111', '/pay?cc=[card]'],
    ['/pay?n=4111-1111-1111-1111&ok=1', '/pay?n=[card]&ok=1'],
    ['/call?to=%2B44%2020%207946%200958', '/call?to=%2B44%2020%207946%200958'],
    ['/call?to=+44 20 7946 0958', '/call?to=[phone]'],
    ['/call?tel=(555) 123-4567', '/call?tel=[phone]'],
  ];
  for (const [input, expected] of cases) it(`redacts ${input}`, () => assert.equal(redactUrl(input).text, expected));

  it('leaves ordinary URLs alone (ids, timestamps, versions, invalid card numbers)', () => {
    for (const s of ['/products/1234567890123', '/api/v2/items?page=2&sort=price', '/static/app.3f9a2c.js', '/p?id=4111111111111112',
      '/search?q=shoes&ts=1700000000000', '/blog/2025/10/10/hello-world', 'https://www.google.com/search?q=tributary', '-', '/']) {
      assert.equal(redactUrl(s).text, s, s);
    }
  });

  it('Luhn', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('5500 0000 0000 0004'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('1234'), false);
  });
});

const META: BatchMeta = { source: 'access_logs', uri: '/logs/a.log', stream: 'fp-a' };
const hmac: StageKey = { name: 'pseudonyms', kind: 'hmac', version: 3, material: randomBytes(32) };
const field: StageKey = { name: 'field', kind: 'field', version: 1, material: randomBytes(32) };
function batchOf(rows: readonly Record<string, unknown>[]): RecordBatch {
  const records = rows.map((r, i) => ({ ...r, source_line: i + 1, source_offset: i * 100 }));
  return { meta: META, records, raws: records.map((r) => `raw ${r.source_offset}`) };
}

describe('privacy stage', () => {
  it('applies the default policies: IPs truncated, user pseudonymised, URLs redacted; counts balance', () => {
    const stage = privacyStageSpec.create('privacy', PrivacyConfig.parse({}), { keys: [hmac] }) as PrivacyStage;
    const batch = batchOf([
      { client_ip: '203.0.113.77', x_forwarded_for: '198.51.100.9, 10.0.0.1, unknown', user: 'alice', path: '/a', query: 'email=a@b.co', referer: 'https://x.test/?sid=42', status: 200 },
      { client_ip: 'crawler.example.com', x_forwarded_for: null, user: null, path: '/b', query: null, referer: '-', status: 404 },
    ]);
    const r = stage.process(batch, { committed: undefined } as never);
    assert.equal(r.passed.records.length, 2);
    assert.deepEqual(r.rejected, []);
    const [a, b] = r.passed.records as readonly Record<string, unknown>[];
    assert.equal(a!.client_ip, '203.0.113.0');
    assert.equal(a!.x_forwarded_for, '198.51.100.0, 10.0.0.0');
    assert.equal(a!.user, pseudonym(hmac.material, 3, 'user', 'alice'));
    assert.equal(a!.query, 'email=[redacted]');
    assert.equal(a!.referer, 'https://x.test/?sid=[redacted]');
    assert.equal(a!.status, 200);
    assert.equal(b!.client_ip, null, 'a resolved host name identifies: dropped');
    assert.equal(b!.user, null);
  });

  it('mask, drop, encrypt and keep; keys are required only for the policies that use them', () => {
    const cfg = PrivacyConfig.parse({ fields: { user: { policy: 'mask', keep_start: 1, keep_end: 1 }, referer: 'drop', client_ip: 'encrypt', path: 'keep' } });
    assert.deepEqual(privacyStageSpec.keys!(cfg), [{ name: 'field', kind: 'field' }]);
    assert.throws(() => privacyStageSpec.create('p', cfg, { keys: [] }), (e) => isTributaryError(e) && e.code === 'TRB_INTERNAL_INVARIANT');
    const stage = privacyStageSpec.create('p', cfg, { keys: [field] }) as PrivacyStage;
    const [rec] = stage.process(batchOf([{ user: 'alexander', referer: 'https://x', client_ip: '192.0.2.1', path: '/p?email=a@b.co' }]), {} as never).passed.records as readonly Record<string, unknown>[];
    assert.equal(rec!.user, 'a*******r');
    assert.equal(rec!.referer, null);
    assert.equal(decryptField(String(rec!.client_ip), { name: 'field', version: 1, material: field.material }, { dataset: 'requests', field: 'client_ip' }), '192.0.2.1');
    assert.equal(rec!.path, '/p?email=a@b.co');
    assert.deepEqual(privacyStageSpec.keys!(PrivacyConfig.parse({ fields: { client_ip: 'truncate' } })), []);
  });

  it('refuses a field the records lack, and config errors name the field', () => {
    const stage = privacyStageSpec.create('p', PrivacyConfig.parse({ fields: { vhost: 'drop' } }), { keys: [] }) as PrivacyStage;
    assert.throws(() => stage.process(batchOf([{ client_ip: '1.2.3.4' }]), {} as never), (e) => isTributaryError(e) && /vhost/.test(e.message));
    assert.equal(PrivacyConfig.safeParse({ fields: { nope: 'drop' } }).success, false);
    assert.equal(PrivacyConfig.safeParse({ fields: { user: 'shred' } }).success, false);
  });
});

describe('column classification', () => {
  it('tags raw columns and follows privacy and encrypt policies in stage order', async () => {
    const { classifyColumns } = await import('../../engine/runtime/column-classification.js');
    const { ACCESS_SCHEMA } = await import('../../core/record.js');
    const raw = classifyColumns(ACCESS_SCHEMA, []);
    assert.deepEqual([raw.client_ip, raw.user, raw.status, raw.source_offset], ['personal', 'personal', 'none', 'none']);
    const tags = classifyColumns(ACCESS_SCHEMA, [
      { type: 'privacy', ...PrivacyConfig.parse({ fields: { client_ip: 'truncate', referer: 'drop', user: 'keep' } }) },
      { type: 'encrypt', fields: ['user'] },
    ]);
    assert.deepEqual([tags.client_ip, tags.referer, tags.user, tags.query], ['pseudonymous', 'none', 'sensitive', 'personal']);
  });
});
