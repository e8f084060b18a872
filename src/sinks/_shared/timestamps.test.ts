import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isoFromMicros, microsFromText } from './timestamps.js';

describe('timestamps', () => {
  it('parses the engine notation and ISO-8601 with Z or offsets into UTC micros', () => {
    assert.equal(isoFromMicros(microsFromText('2024-03-05 12:34:56.123456')!), '2024-03-05T12:34:56.123456Z');
    assert.equal(isoFromMicros(microsFromText('2024-03-05T12:34:56Z')!), '2024-03-05T12:34:56.000000Z');
    assert.equal(isoFromMicros(microsFromText('2024-03-06T01:30:00.5+02:00')!), '2024-03-05T23:30:00.500000Z');
    assert.equal(isoFromMicros(microsFromText('2024-03-05T20:00:00-0430')!), '2024-03-06T00:30:00.000000Z');
    assert.equal(microsFromText('yesterday'), null);
    assert.equal(isoFromMicros(-1n), '1969-12-31T23:59:59.999999Z');
    assert.equal(isoFromMicros(9223372036854775807n), 'infinity');
  });

  it('isoFromMicros and microsFromText are inverse (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }), (us) => {
      assert.equal(microsFromText(isoFromMicros(us)), us);
    }), { seed: 7, numRuns: 500 });
  });
});
