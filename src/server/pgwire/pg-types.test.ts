/** Type mapping and value encoding of the gateway (unit, with property tests for timestamps and parameters). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeParam, encodeBinary, encodeText, OID, pgTypeOf } from './pg-types.js';

const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

describe('pg types', () => {
  it('maps engine types to PostgreSQL OIDs', () => {
    const cases: [string, number][] = [
      ['BOOLEAN', OID.bool], ['SMALLINT', OID.int2], ['INTEGER', OID.int4], ['BIGINT', OID.int8], ['HUGEINT', OID.numeric],
      ['DOUBLE', OID.float8], ['FLOAT', OID.float4], ['DECIMAL(18,3)', OID.numeric], ['VARCHAR', OID.text], ['DATE', OID.date],
      ['TIMESTAMP', OID.timestamp], ['TIMESTAMP WITH TIME ZONE', OID.timestamptz], ['UUID', OID.uuid], ['JSON', OID.json],
      ['VARCHAR[]', OID.text], ['STRUCT(a INTEGER)', OID.text], ['MAP(VARCHAR, INTEGER)', OID.text],
    ];
    for (const [engine, oid] of cases) assert.equal(pgTypeOf(engine).oid, oid, engine);
    assert.equal(pgTypeOf('DECIMAL(18,3)').modifier, ((18 << 16) | 3) + 4);
  });

  it('writes PostgreSQL text formats', () => {
    assert.equal(text(encodeText(true, pgTypeOf('BOOLEAN'))), 't');
    assert.equal(text(encodeText(false, pgTypeOf('BOOLEAN'))), 'f');
    assert.equal(text(encodeText(null, pgTypeOf('BOOLEAN'))), null);
    assert.equal(text(encodeText('2024-03-01T10:00:00.120000Z', pgTypeOf('TIMESTAMP WITH TIME ZONE'))), '2024-03-01 10:00:00.12+00');
    assert.equal(text(encodeText('2024-03-01T10:00:00.000000Z', pgTypeOf('TIMESTAMP'))), '2024-03-01 10:00:00');
    assert.equal(text(encodeText(0.1, pgTypeOf('DECIMAL(10,2)'))), '0.10');
    assert.equal(text(encodeText(Infinity, pgTypeOf('DOUBLE'))), 'Infinity');
    assert.equal(text(encodeText(['a', 'b'] as never, pgTypeOf('VARCHAR[]'))), '["a","b"]');
  });

  it('timestamps survive text and binary encoding to the microsecond (property)', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), (d, usec) => {
      const iso = `${d.toISOString().slice(0, 23)}${String(usec).padStart(3, '0')}Z`;
      const t = text(encodeText(iso, pgTypeOf('TIMESTAMPTZ'))) as string;
      assert.equal(new Date(t.replace(' ', 'T').replace('+00', 'Z')).getTime(), d.getTime());
      const micros = Buffer.from(encodeBinary(iso, pgTypeOf('TIMESTAMPTZ')) as Uint8Array).readBigInt64BE(0);
      assert.equal(micros, BigInt(d.getTime() - Date.UTC(2000, 0, 1)) * 1000n + BigInt(usec));
    }));
  });

  it('decodes text and binary parameters by their type (property)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
      const bin = encodeBinary(n, pgTypeOf('INTEGER'));
      assert.equal(decodeParam(bin, 1, pgTypeOf('INTEGER')), n);
      assert.equal(decodeParam(new TextEncoder().encode(String(n)), 0, pgTypeOf('INTEGER')), n);
    }));
    assert.equal(decodeParam(new TextEncoder().encode('9007199254740993'), 0, pgTypeOf('BIGINT')), '9007199254740993');
    assert.equal(decodeParam(new TextEncoder().encode('t'), 0, pgTypeOf('BOOLEAN')), true);
    assert.equal(decodeParam(null, 0, pgTypeOf('BOOLEAN')), null);
    assert.equal(decodeParam(new TextEncoder().encode('abc'), 0, undefined), 'abc');
  });
});
