/**
 * The gold layer end to end: built-in web models built after a run, their tests passing, endpoints
 * normalised, incremental refresh rebuilding only the day that changed (and agreeing with a full
 * rebuild), user models ordered by the dependencies read from their SQL.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { buildGold, type GoldReport } from '../../src/models/build-gold.js';
import type { GoldConfig } from '../../src/models/config.js';
import { askWarehouse as ask } from '../helpers/data-files.js';
import { tmpDir } from '../helpers/tmp.js';
import { ENRICHED_STAGES, logPipeline } from '../helpers/log-pipeline.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';

const pipeline = (gold: string): string =>
  logPipeline({ name: 'gold', format: 'apache_combined', stages: ['validate', 'dedupe', ...ENRICHED_STAGES], extra: `gold:\n${gold}` });

const line = (ip: string, ts: string, path: string, status = 200, ms = 12): string =>
  `${ip} - - [${ts}] "GET ${path} HTTP/1.1" ${status} 512 "https://www.google.com/search?q=blue+shoes&hl=en" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"\n`;

async function gold(dir: string, data: string, opts: { fullRefresh?: boolean; test?: boolean } = {}): Promise<GoldReport> {
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env: process.env });
  return buildGold({ ...loaded, dataDir: data }, (loaded.config as { gold: GoldConfig }).gold, opts);
}

test('built-in web models: built after the run, tests pass, endpoints normalised, incremental refresh touches one day', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 5000, seed: 41, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'a.log'));
  appendFileSync(join(dir, 'logs', 'a.log'), [
    line('198.51.100.7', '01/Mar/2026:10:00:00 +0000', '/users/123/orders/9f8a0c1b2d3e4f5a6b7c8d9e'),
    line('198.51.100.7', '01/Mar/2026:10:00:05 +0000', '/users/456/orders/1a2b3c4d5e6f7a8b9c0d1e2f'),
    line('198.51.100.8', '01/Mar/2026:10:01:00 +0000', '/items/3fa85f64-5717-4562-b3fc-2c963f66afa6/reviews/7'),
    line('198.51.100.8', '01/Mar/2026:10:02:00 +0000', '/api/v2/things/42', 200, 40),
  ].join(''));
  writeFileSync(join(dir, 'p.yaml'), pipeline('  endpoint_patterns:\n    - { pattern: "^/api/v[0-9]+/", replacement: "/api/:version/" }\n'));
  const data = join(dir, 'data');
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(run.status, 'succeeded', run.error?.message);
  assert.ok(run.gold && !('error' in run.gold), JSON.stringify(run.gold));
  const first = run.gold;
  assert.ok(first.models.length >= 18 && first.models.every((m) => m.action === 'rebuilt'));

  const wh = join(data, 'warehouse.duckdb');
  const [[facts, requests]] = await ask(wh, 'select (select count(*) from fact_requests), (select count(*) from requests)') as [[bigint, bigint]];
  assert.equal(Number(facts), Number(requests));
  const endpoints = (await ask(wh, "select endpoint from fact_requests where day = date '2026-03-01' order by ts")).map((r) => r[0]);
  assert.deepEqual(endpoints, ['/users/:id/orders/:id', '/users/:id/orders/:id', '/items/:id/reviews/:id', '/api/:version/things/:id']);
  const [[kw]] = await ask(wh, "select keyword from search_keywords_day where day = date '2026-03-01'") as [[string]];
  assert.equal(kw, 'blue shoes');
  // Gold lands in the lake too, as Parquet by day.
  assert.ok(first.lake && first.lake.files > 20, JSON.stringify(first.lake));
  const [[lakeFacts]] = await ask(wh, `select count(*) from read_parquet('${join(data, 'lake', 'gold', 'fact_requests')}/*/data.parquet', hive_partitioning = true)`) as [[bigint]];
  assert.equal(Number(lakeFacts), Number(facts));
  const tested = await gold(dir, data, { build: false, test: true } as never);
  assert.ok(tested.tests!.length >= 20);
  assert.deepEqual(tested.tests!.filter((x) => !x.passed), []);

  // An hour of new logs on one day: incremental models rebuild that day only.
  appendFileSync(join(dir, 'logs', 'a.log'), [
    line('198.51.100.9', '01/Mar/2026:11:00:00 +0000', '/users/789/orders/00112233445566778899aabb', 500, 900),
    line('198.51.100.9', '01/Mar/2026:11:30:00 +0000', '/docs', 404),
  ].join(''));
  const again = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(again.status, 'succeeded', again.error?.message);
  assert.ok(again.gold && !('error' in again.gold), JSON.stringify(again.gold));
  const inc = again.gold;
  const fact = inc.models.find((m) => m.model === 'fact_requests')!;
  assert.deepEqual([fact.action, fact.partitions], ['incremental', 1]);
  assert.ok(inc.models.filter((m) => m.materialized === 'incremental').every((m) => m.partitions <= 1));
  const tables = inc.models.filter((m) => m.materialized === 'table' || m.materialized === 'dimension').length;
  const dayFiles = inc.models.filter((m) => m.materialized === 'incremental').reduce((a, m) => a + m.partitions, 0);
  assert.equal(inc.lake?.files, tables + dayFiles, 'only the touched day of each incremental model is rewritten in the lake');
  const snapshot = async (): Promise<readonly unknown[]> => ask(wh, `select
    (select count(*) from fact_requests), (select sum(requests) from rollup_requests_day), (select sum(requests) from rollup_requests_hour),
    (select sum(requests) from endpoint_performance_day), (select count(*) from visitor_days), (select sum(requests) from not_found_day)`);
  const incremental = await snapshot();
  await gold(dir, data, { fullRefresh: true });
  assert.deepEqual(await snapshot(), incremental, 'incremental refresh = full rebuild');
  const [[n, errorRate]] = await ask(wh, "select requests, error_rate from endpoint_performance_day where day = date '2026-03-01' and endpoint = '/users/:id/orders/:id'") as [[bigint, number]];
  assert.deepEqual([Number(n), Math.round(errorRate * 1000) / 1000], [3, 0.333], 'three requests to one endpoint, one of them a 500');
});

test('user models: dependencies read from the SQL order the build; cycles and bad SQL are named', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'models'));
  await generateAccessLog({ lines: 2000, seed: 42, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'a.log'));
  // a_top reads b_daily (a CTE and a join, not a declaration), which reads a built-in model.
  writeFileSync(join(dir, 'models', 'a_top.sql'), 'with d as (select * from b_daily) select day, max(requests) as top from d group by day');
  writeFileSync(join(dir, 'models', 'b_daily.sql'), '-- materialized: view\nselect day, count(*) as requests from fact_requests group by day');
  writeFileSync(join(dir, 'models', 'tests.yml'), 'tests:\n  - { model: a_top, not_null: [day, top] }\n  - { name: never true, sql: "select 1 from a_top where top < 0" }\n');
  writeFileSync(join(dir, 'p.yaml'), pipeline('  models_dir: ./models\n'));
  const data = join(dir, 'data');
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(run.status, 'succeeded', run.error?.message);
  const report = run.gold as GoldReport;
  const order = report.models.map((m) => m.model);
  assert.ok(order.indexOf('fact_requests') < order.indexOf('b_daily') && order.indexOf('b_daily') < order.indexOf('a_top'), order.join(' '));
  assert.deepEqual(report.models.find((m) => m.model === 'a_top')!.dependsOn, ['b_daily']);
  const tested = await gold(dir, data, { build: false, test: true } as never);
  assert.ok(tested.tests!.some((x) => x.name === 'never true' && x.passed));

  writeFileSync(join(dir, 'models', 'b_daily.sql'), 'select * from a_top');
  await assert.rejects(gold(dir, data), (e: Error & { code?: string }) => e.code === 'TRB_SCHEMA_MODEL_CYCLE' && /a_top → b_daily → a_top|b_daily → a_top → b_daily/.test(e.message));
  writeFileSync(join(dir, 'models', 'b_daily.sql'), 'selec day from fact_requests');
  await assert.rejects(gold(dir, data), (e: Error & { code?: string }) => e.code === 'TRB_SCHEMA_MODEL_INVALID' && /b_daily/.test(e.message) && /does not parse/.test(e.message));
});

/** `dd/Mon/yyyy:hh:mm:ss +0000` and `yyyy-mm-dd` of `ms`. */
function apacheTime(ms: number): [string, string] {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return [`${String(d.getUTCDate()).padStart(2, '0')}/${mon}/${d.getUTCFullYear()}:09:00:00 +0000`, d.toISOString().slice(0, 10)];
}

test('gold outlives silver: a day expired from silver keeps its facts and dimension keys; an erased day or key goes', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  const [recentStamp, recentDay] = apacheTime(Date.now() - 3 * 86_400_000);
  writeFileSync(join(dir, 'logs', 'a.log'), [
    line('198.51.100.1', '01/Mar/2026:10:00:00 +0000', '/old/page'),
    line('198.51.100.2', '02/Mar/2026:10:00:00 +0000', '/kept/page'),
    line('198.51.100.3', '02/Mar/2026:11:00:00 +0000', '/gone/page'),
    line('198.51.100.4', recentStamp, '/recent/page'),
  ].join(''));
  writeFileSync(join(dir, 'p.yaml'), pipeline('  after_run: true\n'));
  const data = join(dir, 'data');
  assert.equal((await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 })).status, 'succeeded');
  const wh = join(data, 'warehouse.duckdb');
  // Silver retention drops 1 March from the warehouse; an erasure removes one request of 2 March.
  const conn = await connectUtc(await DuckDBInstance.fromCache(wh));
  // A recent day (within silver retention) loses its only request: an erasure, so gold empties it too.
  await conn.run("delete from requests where cast(ts as date) = date '2026-03-01' or path in ('/gone/page', '/recent/page')");
  conn.disconnectSync();
  const r = await gold(dir, data, { test: true });
  assert.deepEqual(r.tests!.filter((x) => !x.passed), []);
  const endpoints = (await ask(wh, 'select endpoint from dim_endpoint order by 1')).map((x) => x[0]);
  assert.deepEqual(endpoints, ['/kept/page', '/old/page'], 'the expired day\'s endpoint stays (its facts do), the erased one goes');
  const [[oldFacts, erased, recent]] = await ask(wh, `select count(*) filter (where day = date '2026-03-01'), count(*) filter (where endpoint = '/gone/page'), count(*) filter (where day = date '${recentDay}') from fact_requests`) as [[bigint, bigint, bigint]];
  assert.deepEqual([Number(oldFacts), Number(erased), Number(recent)], [1, 0, 0]);
  const oldDir = join(data, 'lake', 'gold', 'fact_requests', 'day=2026-03-01');
  assert.ok(existsSync(oldDir), 'the expired-from-silver day is in the gold Parquet too');

  // retention.gold (tributary lifecycle) deletes the old gold day: the next build removes its Parquet.
  const conn2 = await connectUtc(await DuckDBInstance.fromCache(wh));
  await conn2.run("delete from fact_requests where day = date '2026-03-01'");
  conn2.disconnectSync();
  const after = await gold(dir, data);
  assert.ok(!existsSync(oldDir) && (after.lake?.removed ?? 0) >= 1, JSON.stringify(after.lake));
});
