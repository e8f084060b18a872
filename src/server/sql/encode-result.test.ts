/** CSV cells survive a round trip through an RFC 4180 reader (property test). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { csvCell } from './encode-result.js';

/** A minimal RFC 4180 reader of one record (no trailing line break). */
function readRecord(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i += 1;
      for (;;) {
        const q = line.indexOf('"', i);
        if (line[q + 1] === '"') { v += line.slice(i, q + 1); i = q + 2; } else { v += line.slice(i, q); i = q + 1; break; }
      }
      out.push(v);
      i += 1;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

describe('csvCell', () => {
  it('round-trips any record of strings', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é') }), { minLength: 1, maxLength: 6 }), (cells) => {
      assert.deepEqual(readRecord(cells.map(csvCell).join(',')), cells);
    }), { seed: 42, numRuns: 500 });
  });
  it('writes null as empty and numbers and booleans as text', () => {
    assert.deepEqual([null, 1.5, true, -3].map(csvCell), ['', '1.5', 'true', '-3']);
  });
});
