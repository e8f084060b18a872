import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCsv } from './parse-csv.js';

const enc = (v: string | null): string => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);

describe('parseCsv', () => {
  it('keeps quoted empty apart from unquoted empty', () => {
    assert.deepEqual(parseCsv('a,b\n"",\n'), [
      [{ text: 'a', quoted: false }, { text: 'b', quoted: false }],
      [{ text: '', quoted: true }, { text: '', quoted: false }],
    ]);
  });

  it('round-trips any strings and NULLs written in the engine dialect (property)', () => {
    const cell = fc.option(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '😀', '\\') }), { nil: null });
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { maxLength: 8 }), (rows) => {
      const text = rows.map((r) => r.map(enc).join(',')).join('\n') + (rows.length > 0 ? '\n' : '');
      const back = parseCsv(text).map((r) => r.map((c) => (c.text === '' && !c.quoted ? null : c.text)));
      assert.deepEqual(back, rows);
    }), { seed: 42, numRuns: 300 });
  });

  it('rejects an unterminated quote and junk after a closing quote', () => {
    assert.throws(() => parseCsv('"abc\n'), /unterminated/);
    assert.throws(() => parseCsv('"a"b\n'), /unexpected character/);
  });
});
