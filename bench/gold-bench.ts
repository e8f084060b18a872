/**
 * `npm run bench:gold`: the gold layer's speed.
 *  1. Loads N lines (default 2,000,000; nginx with request times) through parse → validate → dedupe
 *     → geoip → useragent → sessions → behavior → privacy into the DuckDB warehouse, then times a
 *     full build of every built-in model.
 *  2. Appends 100,000 lines covering one new hour, loads them, and times the incremental refresh
 *     (and how many day partitions it rebuilt).
 *  3. Scales `fact_requests` to 10M rows (copies of the loaded facts shifted by whole weeks, with
 *     distinct visitor keys per copy) and times dashboard-style queries, 20 runs each (p50, p95).
 * With --postgres the pipeline also loads a PostgreSQL warehouse (a `postgres` sink, fresh schema
 * `trb_bench_gold_<hex>` on --pg-url, default the test server) in the same run, and steps 1-3 are
 * timed on PostgreSQL too, the facts scaled to --pg-target rows (default: --target). The schema is
 * dropped at the end unless --keep-pg (then --queries-only --postgres reuses it).
 * Options: --lines N, --target ROWS, --dir DIR, --json, --queries-only (step 3 on the warehouse a
 * previous run left), --postgres, --pg-url URL, --pg-target ROWS, --keep-pg. Results go to
 * docs/benchmarks.md by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { generateAccessLog } from '../src/generator/index.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { loadPipelineFile } from '../src/config/load-config.js';
import { registry } from '../src/engine/registry.js';
import { buildGold, type GoldReport } from '../src/models/build-gold.js';
import type { GoldConfig } from '../src/models/config.js';
import { connectUtc } from '../src/sinks/_shared/duckdb-values.js';
import { machineInfo } from './machine-info.js';
import { dashboardQueries, timeQueries, type QueryTiming } from './dashboard-queries.js';
import { postgresDashboard } from './postgres-dashboard.js';

const { values: v } = parseArgs({ options: {
  lines: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean', default: false }, target: { type: 'string' },
  'queries-only': { type: 'boolean', default: false }, postgres: { type: 'boolean', default: false },
  'pg-url': { type: 'string' }, 'pg-target': { type: 'string' }, 'keep-pg': { type: 'boolean', default: false },
} });
const pgUrl = v['pg-url'] ?? process.env.TRB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const lines = Number(v.lines ?? 2_000_000);
const target = Number(v.target ?? 10_000_000);
const pgTarget = Number(v['pg-target'] ?? target);
const dir = v.dir ?? join('bench', 'out', 'gold');
const say = (s: string): void => { process.stderr.write(`${s}\n`); };

const pipelineText = (pgSchema: string | undefined): string => `name: gold-bench
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
${pgSchema === undefined ? '' : `  - id: pg\n    type: postgres\n    connection: ${pgUrl}\n    tls: { mode: disable }\n    schema: ${pgSchema}\n`}gold:
  after_run: false
`;

async function gold(opts: { fullRefresh?: boolean } = {}, warehouse = 'warehouse'): Promise<GoldReport> {
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env: process.env });
  return buildGold(loaded, { ...(loaded.config as { gold: GoldConfig }).gold, warehouse }, opts);
}

async function dropPgSchema(schema: string): Promise<void> {
  const pool = new pg.Pool({ max: 1, connectionString: pgUrl });
  try { await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await pool.end(); }
}

/** Scales the facts (and the visitor-country days) to `target` rows and times the dashboard queries. */
async function dashboard(): Promise<{ fact_rows: number; copies: number; queries: Record<string, QueryTiming> }> {
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
  const timings = await timeQueries(dashboardQueries(day0, day1), (sql) => conn.runAndReadAll(sql));
  await conn.run('DROP TABLE bench_facts');
  await conn.run('DROP TABLE bench_visitor_geo_days');
  conn.disconnectSync();
  return { fact_rows: rows, copies: copies + 1, queries: timings };
}

async function main(): Promise<void> {
  const schemaFile = join(dir, 'pg-schema.txt');
  if (v['queries-only']) {
    const pgSchema = v.postgres ? readFileSync(schemaFile, 'utf8').trim() : undefined;
    process.stdout.write(`${JSON.stringify({ command: `npm run bench:gold -- ${process.argv.slice(2).join(' ')}`, machine: machineInfo(), dashboard: await dashboard(),
      ...(pgSchema ? { postgres: { dashboard: await postgresDashboard(pgUrl, pgSchema, pgTarget, say) } } : {}) })}\n`);
    return;
  }
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  if (existsSync(schemaFile)) { await dropPgSchema(readFileSync(schemaFile, 'utf8').trim()); rmSync(schemaFile); }
  const pgSchema = v.postgres ? `trb_bench_gold_${randomBytes(4).toString('hex')}` : undefined;
  if (pgSchema) writeFileSync(schemaFile, pgSchema);
  writeFileSync(join(dir, 'p.yaml'), pipelineText(pgSchema));
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
  const pgFull = pgSchema ? (say('Full gold build on PostgreSQL …'), await gold({ fullRefresh: true }, 'pg')) : undefined;

  await generateAccessLog({ lines: 100_000, seed: 8, format: 'nginx_main', malformedRatio: 0, start: new Date('2026-11-08T00:00:00Z'), days: 1 / 24 }, join(dir, 'logs', 'append.log'));
  t = performance.now();
  const append = await runPipelineFile(join(dir, 'p.yaml'), { skipGold: true });
  const appendSeconds = (performance.now() - t) / 1000;
  say('Incremental gold refresh …');
  const inc = await gold();
  const pgInc = pgSchema ? (say('Incremental gold refresh on PostgreSQL …'), await gold({}, 'pg')) : undefined;

  const dash = await dashboard();
  const pgDash = pgSchema ? await postgresDashboard(pgUrl, pgSchema, pgTarget, say) : undefined;
  if (pgSchema && !v['keep-pg']) { await dropPgSchema(pgSchema); rmSync(schemaFile, { force: true }); }
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
    ...(pgFull && pgInc && pgDash ? { postgres: { full_build: summarize(pgFull), incremental: summarize(pgInc), dashboard: pgDash } } : {}),
  };
  process.stdout.write(v.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
}

await main();
