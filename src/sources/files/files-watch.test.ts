import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readdirSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { z } from 'zod';
import type { CheckpointValue, SourceChunk } from '../../core/component.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { assertContiguous, linesOf, recordingLogger, sourceContext } from '../_shared/source-test-kit.js';
import { FilesConfig } from './config.js';
import { filesSourceSpec } from './index.js';

const FAST = { poll_interval_ms: 10, glob_interval_ms: 20 } as const;
const numbered = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}\n`).join('');
const expected = (from: number, to: number, prefix = 'line'): string[] => numbered(from, to, prefix).trimEnd().split('\n');
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Runs a watch-mode source in the background, collecting its chunks. */
async function watch(t: TestContext, dir: string, cfg: z.input<typeof FilesConfig>, checkpoints = new Map<string, CheckpointValue>()) {
  const ac = new AbortController();
  const log = recordingLogger();
  const src = await filesSourceSpec.create('logs', FilesConfig.parse({ ...FAST, ...cfg }), sourceContext(dir, { watch: true, signal: ac.signal, checkpoints, log }));
  const chunks: SourceChunk[] = [];
  let failure: unknown;
  const done = (async () => { for await (const c of src.chunks()) chunks.push(c); })().catch((err: unknown) => { failure = err; });
  const stop = async (): Promise<void> => { ac.abort(); await done; await src.close(); };
  t.after(stop);
  return {
    chunks, log, stop,
    lines: (): string[] => linesOf(chunks),
    /** Waits (bounded) until `pred` holds; fails with what was delivered so far. */
    async until(pred: (lines: string[]) => boolean, what: string, timeoutMs = 3000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!pred(linesOf(chunks))) {
        if (failure !== undefined) throw failure;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(linesOf(chunks))}`);
        await sleep(5);
      }
    },
    /** Lets a few more poll and glob rounds run, so a duplicate would show up. */
    settle: (): Promise<void> => sleep(120),
  };
}

/** Every line exactly once (as a multiset) and each stream contiguous. */
function assertExactlyOnce(chunks: readonly SourceChunk[], want: readonly string[]): void {
  const got = linesOf(chunks);
  assert.deepEqual([...got].sort(), [...want].sort());
  assert.equal(new Set(got).size, got.length, 'no line twice');
  assertContiguous(chunks);
}

describe('files source (watch mode)', () => {
  it('follows appends; an unterminated tail waits for its newline; ends on abort and closes its files', async (t) => {
    const dir = tmpDir(t);
    const baseline = openFds();
    writeFileSync(join(dir, 'app.log'), numbered(1, 3));
    const w = await watch(t, dir, { include: ['app.log'] });
    await w.until((l) => l.length === 3, '3 lines');
    appendFileSync(join(dir, 'app.log'), `${numbered(4, 5)}par`);
    await w.until((l) => l.length === 5, '5 lines');
    await w.settle();
    assert.deepEqual(w.lines(), expected(1, 5), 'the partial line is held back');
    appendFileSync(join(dir, 'app.log'), 'tial\n');
    await w.until((l) => l.includes('partial'), 'the completed line');
    await w.stop();
    assertExactlyOnce(w.chunks, [...expected(1, 5), 'partial']);
    assert.equal(openFds(), baseline, 'every file handle closed');
  });

  it('picks up new files matching the globs, and defers a file until its first line is complete', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'a.log'), numbered(1, 2, 'a'));
    const w = await watch(t, dir, { include: ['*.log'] });
    await w.until((l) => l.length === 2, 'a.log');
    writeFileSync(join(dir, 'b.log'), 'b-1'); // no newline yet: no identity yet
    await w.settle();
    assert.equal(w.lines().length, 2);
    appendFileSync(join(dir, 'b.log'), `\n${numbered(2, 3, 'b')}`);
    await w.until((l) => l.length === 5, 'b.log');
    await w.settle();
    assertExactlyOnce(w.chunks, [...expected(1, 2, 'a'), ...expected(1, 3, 'b')]);
  });

  it('rename + create: reads the renamed file to its end, then the new file from 0', async (t) => {
    for (const include of [['app.log'], ['app.log*']]) {
      const dir = tmpDir(t);
      writeFileSync(join(dir, 'app.log'), numbered(1, 5));
      const w = await watch(t, dir, { include });
      await w.until((l) => l.length === 5, 'first lines');
      appendFileSync(join(dir, 'app.log'), numbered(6, 7)); // unread when rotated
      renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
      writeFileSync(join(dir, 'app.log'), numbered(1, 2, 'new'));
      appendFileSync(join(dir, 'app.log.1'), numbered(8, 9)); // the writer's old descriptor lags
      await w.until((l) => l.length === 11, `all lines (${include[0]})`);
      await w.settle();
      await w.stop();
      assertExactlyOnce(w.chunks, [...expected(1, 9), ...expected(1, 2, 'new')]);
      assert.equal(new Set(w.chunks.map((c) => c.meta.stream)).size, 2);
    }
  });

  it('copytruncate: the live file becomes a new stream; the copy supplies the old stream\'s unread tail', async (t) => {
    const dir = tmpDir(t);
    const live = join(dir, 'app.log');
    writeFileSync(live, numbered(1, 5));
    const w = await watch(t, dir, { include: ['app.log*'] });
    await w.until((l) => l.length === 5, 'first lines');
    const old = w.chunks[0]!.meta.stream;
    // One synchronous block: the source cannot poll in between (as if logrotate were instant).
    appendFileSync(live, numbered(6, 8));
    copyFileSync(live, join(dir, 'app.log.1'));
    truncateSync(live, 0);
    appendFileSync(live, numbered(1, 3, 'new'));
    await w.until((l) => l.length === 11, 'all lines');
    await w.settle();
    await w.stop();
    assertExactlyOnce(w.chunks, [...expected(1, 8), ...expected(1, 3, 'new')]);
    assert.ok(w.chunks.some((c) => c.meta.stream === old && c.meta.uri.endsWith('app.log.1') && c.firstLine === 6), 'tail read from the copy');
    assert.ok(w.log.entries.some((e) => e.level === 'info' && /new stream/.test(e.msg ?? '')));
  });

  it('gzip of a rotated file (and its later renames and copies): same stream, nothing read twice', async (t) => {
    const dir = tmpDir(t);
    const live = join(dir, 'app.log');
    writeFileSync(live, numbered(1, 5));
    const w = await watch(t, dir, { include: ['app.log*'] });
    await w.until((l) => l.length === 5, 'first lines');
    // Rotate and compress at once, with lines the source has not seen yet.
    appendFileSync(live, numbered(6, 8));
    renameSync(live, join(dir, 'app.log.1'));
    writeFileSync(join(dir, 'app.log.1.gz'), gzipSync(readFileSync(join(dir, 'app.log.1'))));
    unlinkSync(join(dir, 'app.log.1'));
    writeFileSync(live, numbered(1, 2, 'new'));
    await w.until((l) => l.length === 10, 'all lines');
    // A second compression step (app.log.1.gz → app.log.2.gz) must not read anything again.
    renameSync(join(dir, 'app.log.1.gz'), join(dir, 'app.log.2.gz'));
    writeFileSync(join(dir, 'copy.gz.tmp'), readFileSync(join(dir, 'app.log.2.gz')));
    renameSync(join(dir, 'copy.gz.tmp'), join(dir, 'app.log.9.gz'));
    appendFileSync(live, numbered(3, 3, 'new'));
    await w.until((l) => l.length === 11, 'the last line');
    await w.settle();
    await w.stop();
    assertExactlyOnce(w.chunks, [...expected(1, 8), ...expected(1, 3, 'new')]);
  });

  it('gzip written while being read: waits for the rest instead of failing', async (t) => {
    const dir = tmpDir(t);
    const packed = gzipSync(numbered(1, 200));
    writeFileSync(join(dir, 'old.log.gz'), packed.subarray(0, Math.floor(packed.length / 2)));
    const w = await watch(t, dir, { include: ['*.gz'] });
    await w.settle();
    appendFileSync(join(dir, 'old.log.gz'), packed.subarray(Math.floor(packed.length / 2)));
    await w.until((l) => l.length === 200, 'every line');
    await w.settle();
    await w.stop();
    assertExactlyOnce(w.chunks, expected(1, 200));
  });

  it('resumes a watched file from its checkpoint', async (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'app.log'), numbered(1, 6));
    const one = await watch(t, dir, { include: ['app.log'], chunk_bytes: 14 });
    await one.until((l) => l.length === 6, 'first run');
    await one.stop();
    const cut = one.chunks[1]!;
    const two = await watch(t, dir, { include: ['app.log'] }, new Map([[cut.checkpoint.key, cut.checkpoint.value]]));
    await two.until((l) => l.length === 6 - (cut.firstLine + cut.lineCount - 1), 'second run');
    await two.settle();
    assert.deepEqual(two.lines(), expected(cut.firstLine + cut.lineCount, 6));
  });
});
