/**
 * `npm run bench:gold`: the gold layer's speed.
 *  1. Loads N lines (default 2,000,000; nginx with request times) through parse → validate → dedupe
 *     → geoip → useragent → sessions → behavior → privacy into the DuckDB warehouse, then times a
 *     full build of every built-in model.
 *  2. Appends 100,000 lines covering one new hour, loads them, and times the incremental refresh
 *     (and how many day partitions it rebuilt).
 *  3. Scales `fact_requests` to 10M rows (copies of the loaded facts shifted by whole weeks, with
 *     distinct visitor keys per copy) and times dashboard-style queries, 20 runs each (p50, p95).
 * Options: --lines N, --target ROWS, --dir DIR, --json, --queries-only (step 3 on the warehouse a
 * previous run left). Results go to docs/benchmarks.md by hand.
 */
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateAccessLog } from '../src/generator/index.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { loadPipelineFile } from '../src/config/load-config.js';
import { registry } from '../src/engine/registry.js';
import { buildGold, type GoldReport } from '../src/models/build-gold.js';
import type { GoldConfig } from '../src/models/config.js';
import { connectUtc } from '../src/sinks/_shared/duckdb-values.js';
import { machineInfo } from './machine-info.js';
import { percentile } from './percentile.js';

const { values: v } = parseArgs({ options: {
  lines: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean', default: false }, target: { type: 'string' },
  'queries-only': { type: 'boolean', default: false },
} });
const lines = Number(v.lines ?? 2_000_000);
const target = Number(v.target ?? 10_000_000);
const dir = v.dir ?? join('bench', 'out', 'gold');
const say = (s: string): void => { process.stderr.write(`${s}\n`); };

const PIPELINE = `name: gold-bench
data_dir: data
sources:
  - id: logs
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
    format: nginx_main
  - type: validate
  - type: dedupe
  - type: geoip
  - type: useragent
  - type: sessions
  - type: behavior
  - type: privacy
sinks:
  - id: warehouse
    type: duckdb
gold:
  after_run: false
`;

async function gold(opts: { fullRefresh?: boolean } = {}): Promise<GoldReport> {
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env: process.env });
  return buildGold(loaded, (loaded.config as { gold: GoldConfig }).gold, opts);
}

/** Scales the facts (and the visitor-country days) to `target` rows and times the dashboard queries. */
async function dashboard(): Promise<{ fact_rows: number; copies: number; queries: Record<string, { p50_ms: number; p95_ms: number }> }> {
  say(`Scaling fact_requests to ${target.toLocaleString('en-US')} rows and timing dashboard queries …`);
  const db = await DuckDBInstance.fromCache(join(dir, 'data', 'warehouse.duckdb'));
  const conn = await connectUtc(db);
  const n0 = Number((await conn.runAndReadAll('SELECT count(*) FROM fact_requests')).getRows()[0]![0]);
  const copies = Math.max(0, Math.ceil(target / n0) - 1);
  await conn.run('CREATE OR REPLACE TABLE bench_facts AS SELECT * FROM fact_requests');
  await conn.run('CREATE OR REPLACE TABLE bench_visitor_geo_days AS SELECT * FROM visitor_geo_days');
  for (let k = 1; k <= copies; k++) {
    await conn.run(`INSERT INTO bench_facts SELECT * REPLACE (day + ${7 * k} AS day, ts + INTERVAL ${7 * k} DAY AS ts, minute + INTERVAL ${7 * k} DAY AS minute, visitor_key || '-${k}' AS visitor_key) FROM fact_requests`);
    await conn.run(`INSERT INTO bench_visitor_geo_days SELECT * REPLACE (day + ${7 * k} AS day, visitor_key || '-${k}' AS visitor_key) FROM visitor_geo_days`);
  }
  await conn.run('CHECKPOINT');
  const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM bench_facts')).getRows()[0]![0]);
  const [[day0, day1]] = (await conn.runAndReadAll('SELECT CAST(min(day) + 7 AS VARCHAR), CAST(min(day) + 13 AS VARCHAR) FROM bench_facts')).getRows() as unknown as [[string, string]];
  const queries: Record<string, string> = {
    'top endpoints with p95 over a day (facts)': `SELECT endpoint, count(*) AS requests, percentile_cont(0.95) WITHIN GROUP (ORDER BY request_time_ms) AS p95 FROM bench_facts WHERE day = DATE '${day0}' GROUP BY endpoint ORDER BY requests DESC LIMIT 20`,
    'visitors by country over a week (facts + dim_geo)': `SELECT g.geo_country, count(DISTINCT f.visitor_key) AS visitors FROM bench_facts f JOIN dim_geo g USING (geo_key) WHERE f.day BETWEEN DATE '${day0}' AND DATE '${day1}' GROUP BY 1 ORDER BY 2 DESC`,
    'visitors by country over a week (visitor_geo_days)': `SELECT geo_country, count(DISTINCT visitor_key) AS visitors FROM bench_visitor_geo_days WHERE day BETWEEN DATE '${day0}' AND DATE '${day1}' GROUP BY 1 ORDER BY 2 DESC`,
    'errors per minute over a day (facts)': `SELECT minute, count(*) FILTER (WHERE status >= 500) AS errors, count(*) AS requests FROM bench_facts WHERE day = DATE '${day0}' GROUP BY minute ORDER BY minute`,
    'week over week requests by day (facts)': `SELECT day, count(*) AS requests, lag(count(*), 7) OVER (ORDER BY day) AS week_before FROM bench_facts WHERE day BETWEEN DATE '${day0}' - 7 AND DATE '${day1}' GROUP BY day ORDER BY day`,
  };
  const timings: Record<string, { p50_ms: number; p95_ms: number }> = {};
  for (const [name, sql] of Object.entries(queries)) {
    const ms: number[] = [];
    await conn.runAndReadAll(sql);
    for (let i = 0; i < 20; i++) { const q0 = performance.now(); await conn.runAndReadAll(sql); ms.push(performance.now() - q0); }
    timings[name] = { p50_ms: Math.round(percentile(ms, 50) * 10) / 10, p95_ms: Math.round(percentile(ms, 95) * 10) / 10 };
  }
  await conn.run('DROP TABLE bench_facts');
  await conn.run('DROP TABLE bench_visitor_geo_days');
  conn.disconnectSync();
  return { fact_rows: rows, copies: copies + 1, queries: timings };
}

async function main(): Promise<void> {
  if (v['queries-only']) {
    process.stdout.write(`${JSON.stringify({ command: `npm run bench:gold -- ${process.argv.slice(2).join(' ')}`, machine: machineInfo(), dashboard: await dashboard() })}\n`);
    return;
  }
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'p.yaml'), PIPELINE);
  const base = join(dir, 'logs', `base-${lines}.log`);
  if (!existsSync(base)) {
    say(`Generating ${lines.toLocaleString('en-US')} lines …`);
    await generateAccessLog({ lines, seed: 7, format: 'nginx_main', malformedRatio: 0 }, `${base}.partial`);
    (await import('node:fs')).renameSync(`${base}.partial`, base);
  }
  rmSync(join(dir, 'logs', 'append.log'), { force: true });
  say('Loading …');
  let t = performance.now();
  const load = await runPipelineFile(join(dir, 'p.yaml'), { skipGold: true });
  const loadSeconds = (performance.now() - t) / 1000;
  if (load.status !== 'succeeded') throw new Error(`load failed: ${load.error?.message}`);
  say('Full gold build …');
  const full = await gold({ fullRefresh: true });

  await generateAccessLog({ lines: 100_000, seed: 8, format: 'nginx_main', malformedRatio: 0, start: new Date('2026-11-08T00:00:00Z'), days: 1 / 24 }, join(dir, 'logs', 'append.log'));
  t = performance.now();
  const append = await runPipelineFile(join(dir, 'p.yaml'), { skipGold: true });
  const appendSeconds = (performance.now() - t) / 1000;
  say('Incremental gold refresh …');
  const inc = await gold();

  const dash = await dashboard();
  const summarize = (r: GoldReport): unknown => ({ seconds: r.seconds, models: r.models.length,
    partitions_rebuilt: r.models.filter((m) => m.materialized === 'incremental').reduce((a, m) => a + m.partitions, 0),
    slowest: [...r.models].sort((a, b) => b.seconds - a.seconds).slice(0, 3).map((m) => `${m.model} ${m.seconds} s`) });
  const report = {
    command: `npm run bench:gold -- ${process.argv.slice(2).join(' ')}`.trim(), machine: machineInfo(),
    load: { lines, seconds: Math.round(loadSeconds * 10) / 10, landed: load.landed },
    full_build: summarize(full),
    append: { lines: 100_000, load_seconds: Math.round(appendSeconds * 10) / 10, landed: append.landed },
    incremental: summarize(inc),
    dashboard: dash,
  };
  process.stdout.write(v.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
}

await main();
