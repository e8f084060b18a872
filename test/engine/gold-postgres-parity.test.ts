/**
 * Gold parity [postgresql]: one run loads the same input into a DuckDB and a PostgreSQL warehouse;
 * the built-in web models are built on both, their tests pass on both, and every model's rows are
 * equal. Then logs are appended (an hour on an existing day and a new day), both are refreshed
 * incrementally (the same days rebuilt on both) and compared again. PostgreSQL must be running:
 * the test fails, never skips, without it.
 *
 * Tolerance: numbers compare within 1e-9 relative. avg and percentile_cont are computed in double
 * precision by DuckDB and partly in exact numeric by PostgreSQL, and both sum in an order of their
 * choosing, so the last bits can differ (≈1e-15); any real difference (one request more or less)
 * moves a rate or a percentile by far more than 1e-9.
 */
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { buildGold, type GoldReport } from '../../src/models/build-gold.js';
import type { GoldConfig } from '../../src/models/config.js';
import { duckdbGoldRows, goldRowsDiffer, postgresGoldRows } from '../helpers/gold-rows.js';
import { ENRICHED_STAGES, logPipeline } from '../helpers/log-pipeline.js';
import { pgLogWorkspace, pgRows, pgSinkYaml } from '../helpers/postgres.js';
import { cli } from '../e2e/_cli.js';

const REL_TOL = 1e-9;

const line = (ip: string, ts: string, path: string, status: number, referer: string): string =>
  `${ip} - - [${ts}] "GET ${path} HTTP/1.1" ${status} 512 "${referer}" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0" "-" rt=0.${String(status).padStart(3, '0')} uct="-" uht="-" urt="-"\n`;

/** Hand-written lines the generator does not make: id segments, search terms with escapes, a 404 from a search engine. */
const EXTRA = [
  line('198.51.100.7', '01/Mar/2026:10:00:00 +0000', '/users/123/orders/9f8a0c1b2d3e4f5a6b7c8d9e', 200, 'https://www.google.com/search?q=blue+shoes&hl=en'),
  line('198.51.100.7', '01/Mar/2026:10:00:05 +0000', '/items/3fa85f64-5717-4562-b3fc-2c963f66afa6/reviews/7', 500, 'https://www.bing.com/search?q=caf%C3%A9+cr%C3%A8me'),
  line('198.51.100.8', '01/Mar/2026:10:01:00 +0000', '/api/v2/things/42', 404, 'https://search.yahoo.com/search?p=50%25+off'),
  line('198.51.100.8', '01/Mar/2026:23:59:59 +0000', '/late', 200, '-'),
].join('');

async function build(dir: string, data: string, warehouse: string, opts: { fullRefresh?: boolean } = {}): Promise<GoldReport> {
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env: process.env });
  const gold = { ...(loaded.config as { gold: GoldConfig }).gold, warehouse };
  return buildGold({ ...loaded, dataDir: data }, gold, { ...opts, test: true });
}

async function compareAll(url: string, schema: string, wh: string, models: readonly string[]): Promise<void> {
  for (const m of models) {
    const sql = `SELECT * FROM ${m}`;
    const d = await duckdbGoldRows(wh, sql);
    const p = await postgresGoldRows(url, schema, sql, d.types);
    assert.equal(goldRowsDiffer(d, p, REL_TOL), undefined, `${m}: DuckDB and PostgreSQL differ`);
  }
}

test('built-in gold models give the same rows on DuckDB and PostgreSQL, after a full build and after an incremental refresh', async (t) => {
  const { url, schema, dir } = await pgLogWorkspace(t);
  await generateAccessLog({ lines: 6000, seed: 41, format: 'nginx_main', malformedRatio: 0, days: 3 }, join(dir, 'logs', 'a.log'));
  appendFileSync(join(dir, 'logs', 'a.log'), EXTRA);
  writeFileSync(join(dir, 'p.yaml'), logPipeline({
    name: 'goldparity', format: 'nginx_main', stages: ['validate', 'dedupe', ...ENRICHED_STAGES],
    sinks: `  - id: warehouse\n    type: duckdb\n${pgSinkYaml(url, schema)}`,
    extra: 'gold:\n  after_run: false\n  endpoint_patterns:\n    - { pattern: "^/api/v[0-9]+/", replacement: "/api/:version/" }\n',
  }));
  const data = join(dir, 'data');
  const wh = join(data, 'warehouse.duckdb');
  assert.equal((await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 })).status, 'succeeded');

  const duck = await build(dir, data, 'warehouse');
  const post = await build(dir, data, 'pg');
  assert.equal(post.dialect, 'postgres');
  const names = duck.models.map((m) => m.model);
  assert.ok(names.length >= 20, names.join(' '));
  assert.deepEqual(post.models.map((m) => [m.model, m.action, m.rows]), duck.models.map((m) => [m.model, m.action, m.rows]), 'same models, same order, same row counts');
  for (const r of [duck, post]) {
    assert.ok(r.tests!.length >= 20);
    assert.deepEqual(r.tests!.filter((x) => !x.passed), [], `model tests on ${r.dialect}`);
  }
  await compareAll(url, schema, wh, names);
  const [kw] = await pgRows(url, "SELECT string_agg(keyword, '|' ORDER BY keyword) AS k FROM search_keywords_day WHERE day = DATE '2026-03-01'", [], schema);
  assert.equal(kw!['k'], '50% off|blue shoes|café crème', 'search terms are URL-decoded on PostgreSQL as on DuckDB');

  // Incremental models are partitioned by day on PostgreSQL.
  const parts = await pgRows(url, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'fact_requests'::regclass ORDER BY 1", [], schema);
  assert.ok(parts.some((p) => p['relname'] === 'fact_requests_p20260301') && parts.some((p) => p['relname'] === 'fact_requests_default'), JSON.stringify(parts));

  // An hour more on 1 March, and a day no warehouse had: both rebuild exactly those two days.
  appendFileSync(join(dir, 'logs', 'a.log'), [
    line('198.51.100.9', '01/Mar/2026:11:00:00 +0000', '/users/789/orders/00112233445566778899aabb', 500, 'https://duckduckgo.com/?q=red+hat'),
    line('198.51.100.9', '01/Mar/2026:11:30:00 +0000', '/docs', 404, '-'),
    line('198.51.100.10', '15/Mar/2026:08:00:00 +0000', '/brand/new', 200, '-'),
  ].join(''));
  assert.equal((await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 })).status, 'succeeded');
  const duckInc = await build(dir, data, 'warehouse');
  const postInc = await build(dir, data, 'pg');
  const fact = (r: GoldReport): unknown => { const f = r.models.find((m) => m.model === 'fact_requests')!; return [f.action, f.days]; };
  assert.deepEqual(fact(duckInc), ['incremental', ['2026-03-01', '2026-03-15']]);
  assert.deepEqual(fact(postInc), fact(duckInc));
  assert.deepEqual(postInc.models.map((m) => [m.model, m.action, m.partitions, m.rows]), duckInc.models.map((m) => [m.model, m.action, m.partitions, m.rows]));
  for (const r of [duckInc, postInc]) assert.deepEqual(r.tests!.filter((x) => !x.passed), [], `model tests on ${r.dialect} after the refresh`);
  await compareAll(url, schema, wh, names);
  const newPart = await pgRows(url, "SELECT count(*) AS n FROM fact_requests_p20260315", [], schema);
  assert.equal(newPart[0]!['n'], 1, 'the new day got its own partition');

  // The incremental refresh on PostgreSQL equals a full rebuild there.
  const snapshot = async (): Promise<unknown> => pgRows(url, 'SELECT (SELECT count(*) FROM fact_requests) AS f, (SELECT sum(requests) FROM rollup_requests_hour) AS h, (SELECT count(*) FROM dim_endpoint) AS e, (SELECT count(*) FROM visitor_days) AS v', [], schema);
  const incremental = await snapshot();
  await build(dir, data, 'pg', { fullRefresh: true });
  assert.deepEqual(await snapshot(), incremental);
});

test('a pipeline whose warehouse is PostgreSQL builds gold there after the run, and `tributary models test` tests it there', async (t) => {
  const { url, schema, dir } = await pgLogWorkspace(t);
  await generateAccessLog({ lines: 1500, seed: 43, format: 'nginx_main', malformedRatio: 0, days: 2 }, join(dir, 'logs', 'a.log'));
  writeFileSync(join(dir, 'p.yaml'), logPipeline({
    name: 'goldpg', format: 'nginx_main', stages: ['validate', 'dedupe', 'sessions'],
    sinks: pgSinkYaml(url, schema), extra: 'gold: {}\n',
  }));
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(run.status, 'succeeded', run.error?.message);
  assert.ok(run.gold && !('error' in run.gold), JSON.stringify(run.gold));
  assert.equal(run.gold.dialect, 'postgres');
  assert.match(run.gold.warehouse, new RegExp(`schema ${schema}$`));
  const [facts] = await pgRows(url, 'SELECT (SELECT count(*) FROM fact_requests) AS f, (SELECT count(*) FROM requests) AS r', [], schema);
  assert.equal(facts!['f'], facts!['r']);

  // What others attach to gold tables (RBAC's secure views, row-level security) survives a full rebuild.
  await pgRows(url, 'CREATE VIEW analyst_daily AS SELECT day, count(*) AS n FROM fact_requests GROUP BY day', [], schema);
  await pgRows(url, 'ALTER TABLE dim_endpoint ENABLE ROW LEVEL SECURITY', [], schema);
  await pgRows(url, 'CREATE POLICY analysts ON dim_endpoint FOR SELECT USING (true)', [], schema);
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env: process.env });
  const rebuilt = await buildGold({ ...loaded, dataDir: join(dir, 'data') }, (loaded.config as { gold: GoldConfig }).gold, { fullRefresh: true });
  assert.ok(rebuilt.models.every((m) => m.action === 'rebuilt'));
  const [kept] = await pgRows(url, `SELECT (SELECT sum(n) FROM analyst_daily) AS n, (SELECT count(*) FROM pg_policies WHERE schemaname = '${schema}' AND tablename = 'dim_endpoint') AS policies`, [], schema);
  assert.deepEqual(kept, { n: facts!['f'], policies: 1 });

  const tested = await cli(['models', 'test', join(dir, 'p.yaml'), '--json'], undefined, { TRIBUTARY_DATA_DIR: join(dir, 'data') });
  assert.equal(tested.code, 0, tested.stderr);
  const report = JSON.parse(tested.stdout) as GoldReport;
  assert.equal(report.dialect, 'postgres');
  assert.ok(report.tests!.length >= 20 && report.tests!.every((x) => x.passed), JSON.stringify(report.tests!.filter((x) => !x.passed)));
});
