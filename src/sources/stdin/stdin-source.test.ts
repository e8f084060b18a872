import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import type { SourceChunk } from '../../core/component.js';
import { fingerprintFirstLine } from '../_shared/fingerprint.js';
import { assertContiguous, collect, linesOf, sourceContext } from '../_shared/source-test-kit.js';
import { StdinConfig } from './config.js';
import { StdinSource } from './stdin-source.js';
import { stdinSourceSpec } from './index.js';

const source = (input: Readable, cfg: Partial<StdinConfig> = {}, signal?: AbortSignal): StdinSource =>
  new StdinSource('in', StdinConfig.parse(cfg), sourceContext('/', signal ? { signal } : {}), input);

describe('stdin source', () => {
  it('cuts any input split into whole-line chunks with exact offsets (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'é', ' '), maxLength: 30 }), { minLength: 1, maxLength: 60 }),
      fc.boolean(), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 50 }),
      async (lines, terminated, chunkBytes, piece) => {
        const text = Buffer.from(lines.join('\n') + (terminated ? '\n' : ''));
        const pieces = Array.from({ length: Math.ceil(text.length / piece) }, (_, i) => text.subarray(i * piece, (i + 1) * piece));
        const chunks = await collect(source(Readable.from(pieces), { chunk_bytes: chunkBytes }));
        assert.deepEqual(Buffer.concat(chunks.map((c) => c.data)), text);
        assertContiguous(chunks);
        if (text.length > 0 && chunks.length > 0) {
          assert.equal(chunks[0]!.meta.stream, `stdin:${fingerprintFirstLine(text, 8192, true)}`);
        }
      }), { seed: 5, numRuns: 150 });
  });

  it('sends complete lines as soon as the input pauses, and the last unterminated line at its end', async () => {
    const input = new PassThrough();
    const src = source(input);
    const it = src.chunks()[Symbol.asyncIterator]();
    input.write('first\nsec');
    const a = await it.next();
    assert.deepEqual(linesOf([a.value as SourceChunk]), ['first']);
    input.end('ond');
    const b = await it.next();
    assert.deepEqual(linesOf([b.value as SourceChunk]), ['second']);
    assert.equal((await it.next()).done, true);
    await src.close();
  });

  it('truncates an over-long line into its own chunk', async () => {
    const chunks = await collect(source(Readable.from([Buffer.from(`a\n${'y'.repeat(300)}\nb\n`)]), { max_line_bytes: 10 }));
    const t = chunks.find((c) => c.truncated === true);
    assert.equal(t?.data.toString(), `${'y'.repeat(10)}\n`);
    assert.deepEqual([t?.startOffset, t?.endOffset, t?.firstLine], [2, 303, 2]);
    assert.deepEqual(linesOf(chunks.filter((c) => c.truncated !== true)), ['a', 'b']);
  });

  it('ends when the run aborts, and close() is safe twice', async () => {
    const input = new PassThrough();
    const ac = new AbortController();
    const src = source(input, {}, ac.signal);
    const got: SourceChunk[] = [];
    const done = (async () => { for await (const c of src.chunks()) got.push(c); })();
    input.write('x\n');
    while (got.length === 0) await sleep(2);
    ac.abort();
    await done;
    await src.close();
    await src.close();
    assert.equal(input.destroyed, true);
    assert.deepEqual(linesOf(got), ['x']);
  });

  it('turns an input error into TRB_SOURCE_STDIN_READ_FAILED; empty input yields nothing', async () => {
    const input = new PassThrough();
    const src = source(input);
    const run = collect(src);
    input.write('a\n');
    input.destroy(new Error('boom'));
    await assert.rejects(run, { code: 'TRB_SOURCE_STDIN_READ_FAILED' });
    assert.deepEqual(await collect(source(Readable.from([]))), []);
  });

  it('is declared as type `stdin` with defaults', async () => {
    assert.equal(stdinSourceSpec.type, 'stdin');
    assert.deepEqual(stdinSourceSpec.config.parse({}), { chunk_bytes: 4 * 1024 * 1024, max_line_bytes: 65536, fingerprint_bytes: 8192 });
    assert.throws(() => stdinSourceSpec.config.parse({ chunk_bytes: 1, extra: true }));
  });
});
