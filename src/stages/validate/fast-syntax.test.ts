import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { isHttpToken, isPlainIPv4 } from './fast-syntax.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

describe('fast syntax tests', () => {
  it('isPlainIPv4 agrees with net.isIP(s) === 4', () => {
    for (const s of ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4.5', '1.2.3.04', '', '1.2.3.4 ']) {
      assert.equal(isPlainIPv4(s), isIP(s) === 4, s);
    }
    const octet = fc.oneof(fc.nat(300).map(String), fc.stringMatching(/^[0-9]{1,4}$/), fc.constantFrom('', '-1', 'a', ' 1'));
    const dotted = fc.array(octet, { minLength: 1, maxLength: 6 }).map((o) => o.join('.'));
    fc.assert(fc.property(fc.oneof(dotted, fc.string({ maxLength: 16 })), (s) => {
      assert.equal(isPlainIPv4(s), isIP(s) === 4, JSON.stringify(s));
    }), { seed: 42, numRuns: 3000 });
  });

  it('isHttpToken agrees with the RFC 9110 token grammar', () => {
    for (const s of ['GET', 'M-SEARCH', "!#$%&'*+-.^_`|~", '', 'GE T', 'GET/', 'GÉT', '(x)', '\u0000']) {
      assert.equal(isHttpToken(s), TOKEN.test(s), s);
    }
    fc.assert(fc.property(fc.string({ maxLength: 10, unit: 'binary' }), (s) => {
      assert.equal(isHttpToken(s), TOKEN.test(s), JSON.stringify(s));
    }), { seed: 42, numRuns: 3000 });
  });
});
