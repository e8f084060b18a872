/**
 * Watch mode through runPipelineFile (in-process): appends, a line completed later, a new file
 * matching the glob, rename+create rotation (writer keeps its old descriptor), copytruncate, and gzip
 * of the rotated file each deliver every line to the warehouse exactly once.
 */
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import type { CommitInfo, RunSummary } from '../../src/engine/runtime/run-summary.js';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';
import { cleanEnv, pipelineYaml, workspace } from './_cli.js';

/** `n` valid Apache combined lines with unique paths `/<tag>/<i>`. */
function lines(tag: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) {
    s += `192.0.2.${i % 250} - - [05/Mar/2024:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET /${tag}/${i} HTTP/1.1" 200 ${i} "-" "watch-e2e"\n`;
  }
  return s;
}
const paths = (tag: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `/${tag}/${from + i}`);

/** Starts a watch run over `<dir>/logs/<glob>`; `until` waits for committed rows, `stop` aborts and checks the warehouse. */
function watch(t: TestContext, glob: string) {
  const ws = workspace('trb-e2e-watch-');
  t.after(ws.cleanup);
  const logs = join(ws.dir, 'logs');
  mkdirSync(logs);
  const file = join(ws.dir, 'pipeline.yaml');
  writeFileSync(file, pipelineYaml({ name: 'watch', include: [`logs/${glob}`], watch: true, workers: 1 }));
  const ac = new AbortController();
  const commits: CommitInfo[] = [];
  let rows = 0;
  let running: Promise<RunSummary> | undefined;
  let ended: unknown;
  const start = (): void => {
    running = runPipelineFile(file, { watch: true, signal: ac.signal, env: cleanEnv(), onCommit: (c) => { commits.push(c); rows += c.rows; } });
    running.then((s) => { ended = s; }, (err: unknown) => { ended = err; });
  };
  t.after(async () => { ac.abort(); await running?.catch(() => undefined); });
  return {
    logs, start, commits,
    rows: (): number => rows,
    /** Waits (bounded, generous for a loaded machine) until `n` rows were committed. */
    async until(n: number, what: string): Promise<void> {
      const deadline = Date.now() + 30_000;
      while (rows < n) {
        if (ended !== undefined) assert.fail(`the watch run ended early: ${ended instanceof Error ? ended.stack : JSON.stringify(ended)}`);
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${rows}/${n} rows committed`);
        await sleep(10);
      }
    },
    /** Lets several poll, glob and commit rounds pass so that a duplicate would show up. */
    settle: (): Promise<void> => sleep(400),
    /** Aborts the run and checks that the warehouse holds exactly `want` paths, once each. */
    async stop(want: readonly string[]): Promise<RunSummary> {
      ac.abort();
      const s = await running!;
      assert.equal(s.error, undefined, JSON.stringify(s.error));
      assert.equal(s.status, 'succeeded');
      const wh = await openWarehouse(join(ws.dir, 'data', 'warehouse.duckdb'));
      try {
        const { rows: [[n, distinct, list, q]] } = await wh.query(`select count(*), count(distinct (source_stream, source_offset)),
          list(path order by path), (select count(*) from quarantine) from requests`) as unknown as { rows: [[number, number, string[], number]] };
        assert.deepEqual(list, [...want].sort(), 'every line exactly once');
        assert.equal(n, want.length);
        assert.equal(distinct, want.length);
        assert.equal(q, 0);
      } finally {
        await wh.close();
      }
      assert.equal(s.landed, want.length);
      assert.equal(rows, want.length, 'rows reported by onCommit');
      return s;
    },
  };
}

describe('watch mode (runPipelineFile, in-process)', () => {
  it('appends arrive; an unterminated line waits for its newline; a new file matching the glob is picked up', async (t) => {
    const w = watch(t, '*.log');
    const live = join(w.logs, 'access.log');
    writeFileSync(live, lines('a', 1, 5));
    w.start();
    await w.until(5, 'the initial lines');
    appendFileSync(live, `${lines('a', 6, 8)}${lines('a', 9, 9).slice(0, 30)}`);
    await w.until(8, 'appended lines');
    await w.settle();
    assert.equal(w.rows(), 8, 'the partial line is held back');
    appendFileSync(live, lines('a', 9, 9).slice(30));
    await w.until(9, 'the completed line');
    writeFileSync(join(w.logs, 'vhost2.log'), lines('b', 1, 3));
    await w.until(12, 'the new file');
    await w.settle();
    const s = await w.stop([...paths('a', 1, 9), ...paths('b', 1, 3)]);
    assert.equal(s.linesRead, 12);
    assert.ok(w.commits.length >= 3, `several commits (${w.commits.length})`);
  });

  it('rename + create: the renamed file is read to its end (writer lags on its old descriptor), the new file from 0', async (t) => {
    const w = watch(t, 'access.log*');
    const live = join(w.logs, 'access.log');
    writeFileSync(live, lines('r', 1, 5));
    const fd = openSync(live, 'a');
    w.start();
    await w.until(5, 'the initial lines');
    writeSync(fd, lines('r', 6, 7));
    renameSync(live, `${live}.1`);
    writeFileSync(live, lines('n', 1, 2));
    writeSync(fd, lines('r', 8, 9));
    closeSync(fd);
    await w.until(11, 'all lines');
    await w.settle();
    await w.stop([...paths('r', 1, 9), ...paths('n', 1, 2)]);
  });

  it('copytruncate: the copy supplies the unread tail, the truncated file is a new stream', async (t) => {
    const w = watch(t, 'access.log*');
    const live = join(w.logs, 'access.log');
    writeFileSync(live, lines('c', 1, 5));
    w.start();
    await w.until(5, 'the initial lines');
    appendFileSync(live, lines('c', 6, 8));
    copyFileSync(live, `${live}.1`);
    truncateSync(live, 0);
    appendFileSync(live, lines('d', 1, 3));
    await w.until(11, 'all lines');
    await w.settle();
    await w.stop([...paths('c', 1, 8), ...paths('d', 1, 3)]);
  });

  it('gzip of the rotated file: same stream, unread lines come from the .gz, nothing twice', async (t) => {
    const w = watch(t, 'access.log*');
    const live = join(w.logs, 'access.log');
    writeFileSync(live, lines('g', 1, 5));
    w.start();
    await w.until(5, 'the initial lines');
    appendFileSync(live, lines('g', 6, 8));
    renameSync(live, `${live}.1`);
    writeFileSync(`${live}.1.gz`, gzipSync(readFileSync(`${live}.1`)));
    unlinkSync(`${live}.1`);
    writeFileSync(live, lines('h', 1, 2));
    await w.until(10, 'all lines');
    // The next rotation step: .1.gz → .2.gz must not be read again.
    renameSync(`${live}.1.gz`, `${live}.2.gz`);
    appendFileSync(live, lines('h', 3, 3));
    await w.until(11, 'the last line');
    await w.settle();
    await w.stop([...paths('g', 1, 8), ...paths('h', 1, 3)]);
  });
});
