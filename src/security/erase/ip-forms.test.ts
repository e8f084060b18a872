import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTributaryError } from '../../core/errors.js';
import { parseEraseSubject } from './erase-subject.js';
import { canonicalIp, ipLinePattern, ipTextForms } from './ip-forms.js';

describe('canonicalIp', () => {
  it('maps every text form of one address to one key', () => {
    assert.equal(canonicalIp('203.0.113.7'), '203.0.113.7');
    assert.equal(canonicalIp(' ::ffff:203.0.113.7 '), '203.0.113.7', 'IPv4-mapped is the same client');
    assert.equal(canonicalIp('::FFFF:CB00:7107'), '203.0.113.7');
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
    for (const bad of ['', '-', 'example.com', '1.2.3', '0x7f.1', '10.0.0.0/8', '1.2.3.4, 5.6.7.8', '300.1.1.1']) assert.equal(canonicalIp(bad), undefined, bad);
  });

  it('property: every text form of an address canonicalises back to it', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
      const key = canonicalIp(ip)!;
      assert.ok(key !== undefined, ip);
      for (const form of ipTextForms(key)) assert.equal(canonicalIp(form), key, form);
    }));
  });
});

describe('ipLinePattern', () => {
  const matches = (ip: string, line: string): boolean => new RegExp(ipLinePattern(canonicalIp(ip)!), 'i').test(line);

  it('finds the address in any form, never inside a longer address', () => {
    assert.ok(matches('1.2.3.4', '1.2.3.4 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1'));
    assert.ok(matches('1.2.3.4', '::ffff:1.2.3.4 - - [10/Oct/2025] "GET /"'));
    assert.ok(matches('1.2.3.4', '10.0.0.1 - - "GET /" 200 1 "-" "ua" "9.9.9.9, 1.2.3.4"'), 'in X-Forwarded-For');
    assert.ok(matches('1.2.3.4', 'client 1.2.3.4.'), 'before a full stop');
    assert.ok(matches('2001:db8::1', '2001:DB8::1 - - "GET /"'));
    assert.ok(matches('2001:db8::1', '{"ip":"2001:0db8:0000:0000:0000:0000:0000:0001"}'));
    for (const line of ['11.2.3.4 - -', '1.2.3.45 - -', '1.2.3.4.5 x', '21.2.3.4', 'x 101.2.3.4 y']) assert.ok(!matches('1.2.3.4', line), line);
    for (const line of ['2001:db8::10 x', '2001:db8::1:5 x', 'a2001:db8::1 x']) assert.ok(!matches('2001:db8::1', line), line);
  });

  it('property: a log line starting with the address matches, one starting with another address does not', () => {
    fc.assert(fc.property(fc.ipV4(), fc.ipV4(), (a, b) => {
      const line = (ip: string): string => `${ip} - - [10/Oct/2025:13:55:36 +0000] "GET /p HTTP/1.1" 200 12`;
      assert.ok(matches(a, line(a)));
      if (canonicalIp(a) !== canonicalIp(b)) assert.ok(!matches(a, line(b)), `${a} in ${line(b)}`);
    }));
  });
});

describe('parseEraseSubject', () => {
  const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { return isTributaryError(e) ? e.code : 'other'; } return undefined; };

  it('takes exactly one target and never echoes it in an error', () => {
    assert.deepEqual(parseEraseSubject({ ip: '::ffff:203.0.113.7' }), { kind: 'ip', ip: '203.0.113.7' });
    assert.deepEqual(parseEraseSubject({ visitor: 'v_0123456789abcdef' }), { kind: 'visitor', id: 'v_0123456789abcdef', idKind: 'visitor_id' });
    assert.deepEqual(parseEraseSubject({ visitor: 'ps2_0123456789abcdef01234567' }), { kind: 'visitor', id: 'ps2_0123456789abcdef01234567', idKind: 'pseudonym' });
    for (const bad of [{}, { ip: '1.2.3.4', visitor: 'v_0123456789abcdef' }, { ip: '10.0.0.0/24' }, { ip: 'host.example' }, { visitor: 'alice' }, { visitor: 'v_123' }]) {
      assert.equal(code(() => parseEraseSubject(bad)), 'TRB_ERASE_TARGET_INVALID', JSON.stringify(bad));
    }
    try { parseEraseSubject({ ip: '198.51.100.300' }); } catch (e) { assert.doesNotMatch((e as Error).message, /198\.51/); }
  });
});
