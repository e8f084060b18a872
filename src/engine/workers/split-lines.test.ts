import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitLines } from './split-lines.js';

const meta = { source: 's', uri: '/x.log', stream: 'f:1' };

test('offsets are byte positions even with invalid UTF-8 next to valid multi-byte text', () => {
  const data = Buffer.concat([Buffer.from('café\n'), Buffer.from([0xff, 0xfe, 0x41, 0x0a]), Buffer.from('ok\r\n'), Buffer.from('tail')]);
  const b = splitLines(meta, data, 1000, 7, false);
  assert.deepEqual(b.offsets, [1000, 1006, 1010, 1014]);
  assert.deepEqual(b.lineNos, [7, 8, 9, 10]);
  assert.deepEqual(b.lines, ['café', '\ufffd\ufffdA', 'ok', 'tail']);
});

test('property: every offset points at the first byte of its line, for any bytes', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a.filter((x) => x !== 10))), { maxLength: 30 }), fc.nat(1e9), (parts, start) => {
    const data = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]));
    const b = splitLines(meta, data, start, 1, false);
    assert.equal(b.lines.length, parts.length);
    let expected = start;
    parts.forEach((p, i) => { assert.equal(b.offsets[i], expected); expected += p.length + 1; });
  }), { seed: 7, numRuns: 300 });
});
