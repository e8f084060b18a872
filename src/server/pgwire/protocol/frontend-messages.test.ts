/** Frontend message decoding (unit, property test over arbitrary bytes). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serialize } from 'pg-protocol';
import { decodeFrontend, ProtocolViolation } from './frontend-messages.js';

describe('frontend messages', () => {
  it('decodes what node-postgres sends', () => {
    assert.deepEqual(decodeFrontend(serialize.parse({ name: 's1', text: 'SELECT $1', types: [23] })),
      { type: 'parse', name: 's1', sql: 'SELECT $1', paramOids: [23] });
    const bind = decodeFrontend(serialize.bind({ portal: 'p', statement: 's1', values: ['7', null], binary: true }));
    assert.equal(bind.type, 'bind');
    if (bind.type === 'bind') {
      assert.deepEqual(bind.params.map((p) => (p === null ? null : Buffer.from(p).toString())), ['7', null]);
      assert.deepEqual(bind.resultFormats, [1]);
    }
    assert.deepEqual(decodeFrontend(serialize.execute({ portal: 'p', rows: 10 })), { type: 'execute', portal: 'p', maxRows: 10 });
    assert.deepEqual(decodeFrontend(serialize.describe({ type: 'S', name: 's1' })), { type: 'describe', kind: 'S', name: 's1' });
    assert.deepEqual(decodeFrontend(serialize.sync()), { type: 'sync' });
  });

  it('either decodes or throws ProtocolViolation on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...'QPBDECSHXF'), fc.uint8Array({ maxLength: 64 }), (code, body) => {
      const msg = new Uint8Array(5 + body.length);
      msg[0] = code.charCodeAt(0);
      new DataView(msg.buffer).setInt32(1, 4 + body.length);
      msg.set(body, 5);
      try { decodeFrontend(msg); } catch (e) { assert.ok(e instanceof ProtocolViolation, String(e)); }
    }));
  });
});
