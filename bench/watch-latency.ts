/**
 * Watch-mode latency: the engine follows a live log; single lines are appended at random
 * intervals and each is timed from the append until a query through the shared DuckDB
 * instance returns it (committed and queryable).
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommitInfo, RunSummary } from '../src/engine/runtime/run-summary.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { generateAccessLog } from '../src/generator/index.js';
import { createPrng } from '../src/generator/prng.js';
import { openWarehouse, type Warehouse } from '../src/sinks/duckdb/warehouse.js';
import { writeBenchPipeline } from './bench-pipeline.js';
import { percentile } from './percentile.js';

/** Result of {@link measureWatchLatency}; times in milliseconds. */
export interface WatchLatency {
  readonly appends: number;
  /** Appended lines that became queryable before the deadline. */
  readonly seen: number;
  /** Append → returned by a query. */
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly max_ms: number;
  /** Append → the engine's commit callback that made it visible. */
  readonly commit_p50_ms: number;
  readonly commit_p95_ms: number;
  readonly commits: number;
  /** Engine settings in effect (defaults of the files source and engine sections). */
  readonly settings: string;
}

const INITIAL_LINES = 2_000;
const DEADLINE_MS = 30_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clfNow = (d: Date): string =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
const lineFor = (i: number): string =>
  `198.51.100.${1 + (i % 250)} - - [${clfNow(new Date())}] "GET /bench/watch/${i} HTTP/1.1" 200 ${100 + i} "-" "tributary-bench/1.0"\n`;

/** Counts commits; `after(n, ms)` resolves true once more than `n` commits happened (false on timeout). */
function commitSignal(): { onCommit: (c: CommitInfo) => void; after: (n: number, ms: number) => Promise<boolean>; count: () => number; rows: () => number } {
  let n = 0;
  let rows = 0;
  let wake: (() => void) | undefined;
  return {
    onCommit(c) {
      n++;
      rows += c.rows;
      wake?.();
    },
    after: (seen, ms) => new Promise<boolean>((res) => {
      if (n > seen) return res(true);
      const t = setTimeout(() => { wake = undefined; res(false); }, ms);
      wake = () => { clearTimeout(t); wake = undefined; res(true); };
    }),
    count: () => n,
    rows: () => rows,
  };
}

/**
 * Runs the latency test in `<workdir>/watch` (recreated). Rejects when the engine fails to start
 * or never commits the initial lines within 60 s; lines still unseen after 30 s are counted as
 * missing (`seen < appends`).
 */
export async function measureWatchLatency(workdir: string, appends: number, seed: number): Promise<{ latency: WatchLatency; summary: RunSummary }> {
  const dir = join(workdir, 'watch');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const log = join(dir, 'logs', 'access.log');
  await generateAccessLog({ lines: INITIAL_LINES, seed, format: 'apache_combined', malformedRatio: 0 }, log);
  const pipeline = writeBenchPipeline(dir, 'watch.yaml', { name: 'bench-watch', include: 'logs/access.log', dataDir: 'data' });
  const signal = commitSignal();
  const ac = new AbortController();
  let failed: unknown;
  const run = runPipelineFile(pipeline, { trigger: 'bench', watch: true, signal: ac.signal, onCommit: signal.onCommit });
  run.catch((e: unknown) => { failed = e; });
  let wh: Warehouse | undefined;
  try {
    const startBy = performance.now() + 60_000;
    while (signal.rows() < INITIAL_LINES - 10 && failed === undefined && performance.now() < startBy) await signal.after(signal.count(), 1_000);
    if (failed !== undefined) throw failed;
    if (signal.rows() < INITIAL_LINES - 10) throw new Error(`watch mode committed ${signal.rows()} of the ${INITIAL_LINES} initial lines within 60 s`);
    wh = await openWarehouse(join(dir, 'data', 'warehouse.duckdb'), { readOnly: true });
    const rng = createPrng(seed, 77);
    const appendedAt = new Map<number, number>();
    const latencies: number[] = [];
    const commitLatencies: number[] = [];
    let appending = true;
    const appender = (async () => {
      for (let i = 0; i < appends; i++) {
        await sleep(20 + rng.int(280));
        appendFileSync(log, lineFor(i));
        appendedAt.set(i, performance.now());
      }
      appending = false;
    })();
    const deadline = () => performance.now() > lastAppendDeadline;
    let lastAppendDeadline = Infinity;
    void appender.then(() => { lastAppendDeadline = performance.now() + DEADLINE_MS; });
    let checked = signal.count();
    while ((appending || appendedAt.size > 0) && !deadline() && failed === undefined) {
      if (!(await signal.after(checked, 500))) continue;
      checked = signal.count();
      const committedAt = performance.now();
      if (appendedAt.size === 0) continue;
      const r = await wh.query(`SELECT path FROM requests WHERE path LIKE '/bench/watch/%'`);
      const now = performance.now();
      for (const [path] of r.rows) {
        const i = Number(String(path).slice('/bench/watch/'.length));
        const t0 = appendedAt.get(i);
        if (t0 === undefined) continue;
        latencies.push(now - t0);
        commitLatencies.push(committedAt - t0);
        appendedAt.delete(i);
      }
    }
    await appender;
    if (failed !== undefined) throw failed;
    ac.abort();
    const summary = await run;
    const latency: WatchLatency = {
      appends,
      seen: latencies.length,
      p50_ms: percentile(latencies, 50),
      p95_ms: percentile(latencies, 95),
      max_ms: latencies.length ? Math.max(...latencies) : NaN,
      commit_p50_ms: percentile(commitLatencies, 50),
      commit_p95_ms: percentile(commitLatencies, 95),
      commits: signal.count(),
      settings: 'files.poll_interval_ms=200 (default), engine.commit_interval_ms=500 (default)',
    };
    return { latency, summary };
  } finally {
    ac.abort();
    await run.catch(() => undefined);
    await wh?.close();
  }
}
