import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, utimesSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { z } from 'zod';
import type { CheckpointValue, SourceChunk } from '../../core/component.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { assertContiguous, collect, linesOf, recordingLogger, sourceContext } from '../_shared/source-test-kit.js';
import { FilesConfig } from './config.js';
import { filesSourceSpec } from './index.js';

type Input = z.input<typeof FilesConfig>;

async function read(dir: string, cfg: Input, checkpoints: ReadonlyMap<string, CheckpointValue> = new Map()): Promise<SourceChunk[]> {
  const src = await filesSourceSpec.create('logs', FilesConfig.parse(cfg), sourceContext(dir, { checkpoints }));
  return collect(src);
}

/** The checkpoints a run would commit after its last chunk of each stream. */
function lastCheckpoints(chunks: readonly SourceChunk[]): Map<string, CheckpointValue> {
  return new Map(chunks.map((c) => [c.checkpoint.key, c.checkpoint.value]));
}

const numbered = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}\n`).join('');

describe('files source (one-shot)', () => {
  it('delivers every file byte in whole-line chunks with exact offsets and line numbers (property)', async (t) => {
    const dir = tmpDir(t);
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'z', 'é', ' ', '"'), maxLength: 40 }), { maxLength: 80 }),
      fc.boolean(), fc.integer({ min: 1, max: 300 }), fc.boolean(),
      async (lines, terminated, chunkBytes, gzip) => {
        const text = lines.join('\n') + (terminated && lines.length > 0 ? '\n' : '');
        const sub = join(dir, `case-${n++}`);
        mkdirSync(sub);
        writeFileSync(join(sub, 'a.log'), gzip ? gzipSync(text) : text);
        const chunks = await read(sub, { include: ['*.log'], chunk_bytes: chunkBytes, max_line_bytes: 1000 });
        assert.equal(Buffer.concat(chunks.map((c) => c.data)).toString('utf8'), text);
        assertContiguous(chunks);
        for (const c of chunks) {
          if (c.data.length > chunkBytes) assert.equal(c.lineCount, 1);
          assert.equal(c.meta.stream, chunks[0]!.meta.stream);
          assert.match(c.meta.stream, /^f:[0-9a-f]{16}$/);
        }
      }), { seed: 99, numRuns: 60 });
  });

  it('detects gzip by magic bytes, not by name; offsets count decompressed bytes', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'plain.gz'), numbered(1, 3, 'plain'));
    writeFileSync(join(dir, 'packed.log'), gzipSync(numbered(1, 3, 'packed')));
    const chunks = await read(dir, { include: ['*'] });
    const byUri = (name: string) => chunks.filter((c) => c.meta.uri.endsWith(name));
    assert.deepEqual(linesOf(byUri('plain.gz')), ['plain-1', 'plain-2', 'plain-3']);
    assert.deepEqual(linesOf(byUri('packed.log')), ['packed-1', 'packed-2', 'packed-3']);
    assert.equal(byUri('packed.log').at(-1)?.endOffset, Buffer.byteLength(numbered(1, 3, 'packed')));
    assertContiguous(chunks);
  });

  it('resumes from a checkpoint, plain and gzip, without re-reading', async (t) => {
    for (const gzip of [false, true]) {
      const dir = tmpDir(t);
      const text = numbered(1, 50);
      writeFileSync(join(dir, 'app.log'), gzip ? gzipSync(text) : text);
      const first = await read(dir, { include: ['app.log'], chunk_bytes: 64 });
      const cut = first[3]!;
      const cp = new Map([[cut.checkpoint.key, cut.checkpoint.value]]);
      assert.deepEqual(Object.keys(cut.checkpoint.value).sort(), ['line', 'offset', 'path', 'size']);
      const second = await read(dir, { include: ['app.log'], chunk_bytes: 64 }, cp);
      assert.deepEqual(linesOf(second), linesOf(first.slice(4)), `gzip=${gzip}`);
      assertContiguous(second, new Map([[cut.meta.stream, { offset: cut.endOffset, line: cut.firstLine + cut.lineCount }]]));
    }
  });

  it('treats a renamed, copied or compressed file with the same first line as the same stream', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'access.log'), numbered(1, 10));
    const first = await read(dir, { include: ['access.log*'] });
    assert.deepEqual(linesOf(first), numbered(1, 10).trimEnd().split('\n'));
    // Rotation between runs: renamed + grown, a gzip copy of it, and a new live file.
    renameSync(join(dir, 'access.log'), join(dir, 'access.log.1'));
    appendFileSync(join(dir, 'access.log.1'), numbered(11, 15));
    writeFileSync(join(dir, 'access.log.1.gz'), gzipSync(readFileSync(join(dir, 'access.log.1'))));
    writeFileSync(join(dir, 'access.log'), numbered(1, 2, 'new'));
    utimesSync(join(dir, 'access.log.1'), new Date(1_000_000), new Date(1_000_000));
    utimesSync(join(dir, 'access.log.1.gz'), new Date(2_000_000), new Date(2_000_000));
    const second = await read(dir, { include: ['access.log*'] }, lastCheckpoints(first));
    assert.deepEqual(linesOf(second), ['line-11', 'line-12', 'line-13', 'line-14', 'line-15', 'new-1', 'new-2']);
    assert.ok(second[0]!.meta.uri.endsWith('access.log.1'), 'oldest file first');
    assertContiguous(second, new Map([[first[0]!.meta.stream, { offset: first.at(-1)!.endOffset, line: 11 }]]));
  });

  it('emits an over-long line as its own truncated chunk and goes on', async (t) => {
    const dir = tmpDir(t);
    const long = 'x'.repeat(5000);
    writeFileSync(join(dir, 'a.log'), `short\n${long}\nafter\n`);
    const chunks = await read(dir, { include: ['a.log'], max_line_bytes: 100 });
    const tr = chunks.filter((c) => c.truncated === true);
    assert.equal(tr.length, 1);
    assert.equal(tr[0]!.data.toString(), `${'x'.repeat(100)}\n`);
    assert.deepEqual([tr[0]!.startOffset, tr[0]!.endOffset, tr[0]!.firstLine, tr[0]!.lineCount], [6, 5007, 2, 1]);
    assert.deepEqual(linesOf(chunks.filter((c) => c.truncated !== true)), ['short', 'after']);
    assertContiguous(chunks);
  });

  it('emits an unterminated last line at the end of a one-shot run', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), 'one\ntwo');
    const chunks = await read(dir, { include: ['a.log'] });
    assert.deepEqual(linesOf(chunks), ['one', 'two']);
    assert.equal(chunks.at(-1)?.endOffset, 7);
  });

  it('starts files without checkpoint at their end with start_at: end (line numbers still exact)', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), `${numbered(1, 4)}par`);
    const chunks = await read(dir, { include: ['a.log'], start_at: 'end' });
    assert.deepEqual(linesOf(chunks), ['par']);
    assert.deepEqual([chunks[0]!.startOffset, chunks[0]!.firstLine], [Buffer.byteLength(numbered(1, 4)), 5]);
  });

  it('applies exclude and ignores directories, fifos, sockets and dangling links', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'keep.log'), 'keep\n');
    writeFileSync(join(dir, 'skip.log'), 'skip\n');
    mkdirSync(join(dir, 'dir.log'));
    execFileSync('mkfifo', [join(dir, 'fifo.log')]);
    symlinkSync(join(dir, 'missing'), join(dir, 'dangling.log'));
    const server = createServer().listen(join(dir, 'sock.log'));
    t.after(() => server.close());
    await new Promise((r) => server.once('listening', r));
    const chunks = await read(dir, { include: ['*.log'], exclude: ['skip.log'] });
    assert.deepEqual(linesOf(chunks), ['keep']);
  });

  it('refuses patterns with `..` at create time', async (t) => {
    const dir = tmpDir(t);
    await assert.rejects(filesSourceSpec.create('logs', FilesConfig.parse({ include: ['logs/../../etc/*'] }), sourceContext(dir)),
      (err: Error & { code?: string; family?: string }) => {
        assert.equal(err.code, 'TRB_CONFIG_PATH_TRAVERSAL');
        assert.equal(err.family, 'config');
        assert.match(err.message, /logs\/\.\.\/\.\.\/etc\/\*/);
        return true;
      });
  });

  it('refuses a symlink whose target is outside the roots before reading anything', async (t) => {
    const dir = tmpDir(t);
    const outside = tmpDir(t);
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    writeFileSync(join(dir, 'logs', 'a.log'), 'fine\n');
    utimesSync(join(dir, 'logs', 'a.log'), new Date(1000), new Date(1000));
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'logs', 'z.log'));
    const src = await filesSourceSpec.create('logs', FilesConfig.parse({ include: ['logs/*.log'] }), sourceContext(dir));
    const got: SourceChunk[] = [];
    await assert.rejects(async () => { for await (const c of src.chunks()) got.push(c); },
      (err: Error & { code?: string; details?: Record<string, unknown> }) => {
        assert.equal(err.code, 'TRB_SOURCE_PATH_REFUSED');
        assert.equal(err.details?.file, join(dir, 'logs', 'z.log'));
        assert.match(err.message, /secret\.txt/);
        assert.match(err.message, new RegExp(`${join(dir, 'logs')}`));
        return true;
      });
    assert.equal(got.length, 0);
    await src.close();
    // The same link is fine once its directory is an allowed root; a link inside the root always is.
    symlinkSync(join(dir, 'logs', 'a.log'), join(dir, 'logs', 'b.log'));
    const ok = await read(dir, { include: ['logs/*.log'], roots: ['logs', outside] });
    assert.deepEqual(linesOf(ok).sort(), ['fine', 'secret']);
  });

  it('fails with a typed error on a malformed checkpoint', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), 'a\n');
    const first = await read(dir, { include: ['a.log'] });
    await assert.rejects(read(dir, { include: ['a.log'] }, new Map([[first[0]!.meta.stream, { offset: 'x' }]])),
      { code: 'TRB_SOURCE_FILE_CHECKPOINT_INVALID' });
  });

  it('close() is safe twice and mid-iteration; chunks() iterates once', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), numbered(1, 100));
    const log = recordingLogger();
    const src = await filesSourceSpec.create('logs', FilesConfig.parse({ include: ['a.log'], chunk_bytes: 16 }), sourceContext(dir, { log }));
    const it = src.chunks()[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    await src.close();
    await src.close();
    assert.equal((await it.next()).done, true);
    assert.throws(() => src.chunks(), { code: 'TRB_INTERNAL_INVARIANT' });
  });

  it('reports total bytes for progress (undefined when a file is gzip)', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), 'abc\n');
    writeFileSync(join(dir, 'b.log'), 'defgh\n');
    const src = await filesSourceSpec.create('logs', FilesConfig.parse({ include: ['*.log'] }), sourceContext(dir));
    assert.equal(await (src as unknown as { totalBytes(): Promise<number | undefined> }).totalBytes(), 10);
    writeFileSync(join(dir, 'c.log'), gzipSync('x\n'));
    assert.equal(await (src as unknown as { totalBytes(): Promise<number | undefined> }).totalBytes(), undefined);
    await src.close();
  });
});

describe('files source config', () => {
  it('declares type `files`, documents every option and fills the defaults', () => {
    assert.equal(filesSourceSpec.type, 'files');
    assert.equal(filesSourceSpec.kind, 'source');
    for (const [key, field] of Object.entries(FilesConfig.shape)) {
      assert.ok((field.meta()?.description ?? '').length > 10, `description of ${key}`);
    }
    assert.deepEqual(FilesConfig.parse({ include: ['x'] }), {
      include: ['x'], exclude: [], start_at: 'beginning', chunk_bytes: 4 * 1024 * 1024, max_line_bytes: 65536,
      poll_interval_ms: 200, glob_interval_ms: 1000, fingerprint_bytes: 8192,
    });
    assert.throws(() => FilesConfig.parse({ include: ['x'], polling: 1 }));
    assert.throws(() => FilesConfig.parse({ include: [] }));
  });
});
