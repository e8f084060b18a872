import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineChunker, countNewlines, type LineChunk, type TakeMode } from './line-chunker.js';
import { fingerprintFirstLine } from './fingerprint.js';

/** Feeds `input` in pieces of the given sizes, taking chunks the way the sources do. */
function run(input: Buffer, pieces: readonly number[], chunkBytes: number, maxLineBytes: number, endMode: TakeMode): LineChunk[] {
  const ch = new LineChunker({ chunkBytes, maxLineBytes });
  const out: LineChunk[] = [];
  let at = 0;
  let i = 0;
  for (;;) {
    const c = ch.take('none');
    if (c) { out.push(c); continue; }
    if (at >= input.length) break;
    const n = Math.max(1, pieces[i++ % Math.max(1, pieces.length)] ?? 1);
    ch.push(input.subarray(at, at + n));
    at += n;
  }
  for (let c = ch.take(endMode); c; c = ch.take(endMode)) out.push(c);
  return out;
}

const lineArb = fc.string({ unit: fc.constantFrom('a', 'b', 'é', ' ', '\r'), maxLength: 30 });

describe('LineChunker', () => {
  it('cuts whole lines only; concatenated chunks equal the input; offsets and line numbers are exact', () => {
    fc.assert(fc.property(
      fc.array(lineArb, { maxLength: 60 }), fc.boolean(), fc.integer({ min: 1, max: 200 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 5 }),
      (lines, terminated, chunkBytes, pieces) => {
        const text = lines.join('\n') + (terminated && lines.length > 0 ? '\n' : '');
        const input = Buffer.from(text);
        const chunks = run(input, pieces, chunkBytes, 1000, 'all');
        assert.deepEqual(Buffer.concat(chunks.map((c) => c.data)), input);
        let offset = 0;
        let line = 1;
        for (const [k, c] of chunks.entries()) {
          assert.equal(c.truncated, false);
          assert.equal(c.startOffset, offset);
          assert.equal(c.endOffset, offset + c.data.length);
          assert.equal(c.firstLine, line);
          const last = k === chunks.length - 1;
          // Whole lines: every chunk ends with \n, except possibly the final flushed line.
          if (!last || text.endsWith('\n')) assert.equal(c.data[c.data.length - 1], 0x0a);
          assert.equal(c.lineCount, countNewlines(c.data) + (c.data[c.data.length - 1] === 0x0a ? 0 : 1));
          // Size: at most chunkBytes unless the chunk is one longer line.
          if (c.data.length > chunkBytes) assert.equal(c.lineCount, 1);
          offset = c.endOffset;
          line += c.lineCount;
        }
        assert.equal(line - 1, text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
      }), { seed: 4242, numRuns: 400 });
  });

  it('keeps an unterminated tail back with "lines" and flushes it with "all"', () => {
    const ch = new LineChunker({ chunkBytes: 100, maxLineBytes: 100 });
    ch.push(Buffer.from('one\ntwo\nthr'));
    assert.equal(ch.take('none'), undefined);
    const c = ch.take('lines');
    assert.equal(c?.data.toString(), 'one\ntwo\n');
    assert.equal(ch.take('lines'), undefined);
    assert.equal(ch.offset, 8);
    assert.equal(ch.end, 11);
    ch.push(Buffer.from('ee'));
    const tail = ch.take('all');
    assert.deepEqual({ data: tail?.data.toString(), start: tail?.startOffset, line: tail?.firstLine, n: tail?.lineCount }, { data: 'three', start: 8, line: 3, n: 1 });
  });

  it('emits an over-long line as one truncated chunk with its real offsets, holding only the cap', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 64 }), fc.boolean(),
      (max, longLen, piece, terminated) => {
        const long = 'x'.repeat(max + longLen);
        const text = `a\n${long}${terminated ? '\nb\n' : ''}`;
        const chunks = run(Buffer.from(text), [piece], 16, max, 'all');
        const t = chunks.find((c) => c.truncated);
        assert.ok(t);
        assert.equal(t.data.toString(), `${'x'.repeat(max)}\n`);
        assert.equal(t.startOffset, 2);
        assert.equal(t.endOffset, 2 + long.length + (terminated ? 1 : 0));
        assert.equal(t.firstLine, 2);
        assert.equal(t.lineCount, 1);
        const others = chunks.filter((c) => !c.truncated).map((c) => c.data.toString()).join('');
        assert.equal(others, terminated ? 'a\nb\n' : 'a\n');
        if (terminated) assert.equal(chunks.at(-1)?.firstLine, 3);
      }), { seed: 7, numRuns: 200 });
  });

  it('never buffers more than the cap of a giant line', () => {
    const ch = new LineChunker({ chunkBytes: 1024, maxLineBytes: 100 });
    const block = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 160; i++) { // 10 MiB line, pushed in 64 KiB pieces
      ch.push(block);
      assert.equal(ch.take('lines'), undefined);
    }
    ch.push(Buffer.from('\nnext\n'));
    const t = ch.take('none');
    assert.equal(t?.truncated, true);
    assert.equal(t?.data.length, 101);
    assert.equal(t?.endOffset, 160 * 64 * 1024 + 1);
    assert.equal(ch.take('lines')?.data.toString(), 'next\n');
  });
});

describe('fingerprintFirstLine', () => {
  it('hashes the first line without its newline, capped, and defers an incomplete line', () => {
    const a = fingerprintFirstLine(Buffer.from('hello\nworld\n'), 8192, false);
    assert.match(a ?? '', /^[0-9a-f]{16}$/);
    assert.equal(fingerprintFirstLine(Buffer.from('hello\nother\n'), 8192, false), a);
    assert.equal(fingerprintFirstLine(Buffer.from('hello'), 8192, true), a);
    assert.equal(fingerprintFirstLine(Buffer.from('hello'), 8192, false), undefined);
    assert.equal(fingerprintFirstLine(Buffer.from(''), 8192, true), undefined);
    assert.equal(fingerprintFirstLine(Buffer.from('hellX'), 4, false), fingerprintFirstLine(Buffer.from('hell\n'), 8192, false));
    assert.notEqual(fingerprintFirstLine(Buffer.from('hellO\n'), 8192, false), a);
  });
});
