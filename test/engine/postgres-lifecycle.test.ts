/**
 * `tributary lifecycle run` on a PostgreSQL warehouse [postgresql]: expired silver and gold days
 * are dropped as whole day partitions (the sink's `requests_pYYYYMMDD`, the gold models'
 * `fact_requests_pYYYYMMDD`, …), rows outside such partitions are deleted, a dry run changes
 * nothing, and gold still passes its tests after the next refresh. PostgreSQL must be running: the
 * test fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { buildGold } from '../../src/models/build-gold.js';
import type { GoldConfig } from '../../src/models/config.js';
import { lifecycleFromPipelineFile } from '../../src/ops/lifecycle/run-lifecycle.js';
import { renderLifecycle } from '../../src/ops/lifecycle/render-lifecycle.js';
import { logPipeline } from '../helpers/log-pipeline.js';
import { pgLogWorkspace, pgRows, pgSinkYaml } from '../helpers/postgres.js';

const line = (ip: string, day: string, hour: string, path: string): string =>
  `${ip} - - [${day}/Mar/2026:${hour}:00:00 +0000] "GET ${path} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"\n`;

test('lifecycle drops expired silver and gold day partitions of a PostgreSQL warehouse; a dry run changes nothing', async (t) => {
  const { url, schema, dir } = await pgLogWorkspace(t);
  writeFileSync(join(dir, 'logs', 'a.log'), [
    line('198.51.100.1', '01', '09', '/a'), line('198.51.100.2', '01', '10', '/b'),
    line('198.51.100.3', '02', '09', '/a'),
    line('198.51.100.4', '10', '09', '/c'), line('198.51.100.5', '10', '11', '/a'),
  ].join(''));
  writeFileSync(join(dir, 'p.yaml'), logPipeline({
    name: 'pglife', format: 'apache_combined', stages: ['validate', 'dedupe'],
    sinks: pgSinkYaml(url, schema),
    extra: 'gold: {}\nretention:\n  silver: 5d\n  gold: 7d\n  gold_tables: ["fact_*", "rollup_*", "dim_date"]\n',
  }));
  const data = join(dir, 'data');
  const env = { ...process.env, TRIBUTARY_DATA_DIR: data };
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1, env });
  assert.equal(run.status, 'succeeded', run.error?.message);
  assert.ok(run.gold && !('error' in run.gold) && run.gold.dialect === 'postgres', JSON.stringify(run.gold));

  const parts = async (table: string): Promise<string[]> => (await pgRows(url,
    'SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1', [`${schema}.${table}`]))
    .map((r) => String(r['relname'])).filter((n) => /_p202603/.test(n));
  const counts = async (): Promise<unknown> => (await pgRows(url, 'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM fact_requests) AS facts, '
    + '(SELECT count(*) FROM rollup_requests_hour) AS hours, (SELECT count(*) FROM dim_date) AS dates, (SELECT count(*) FROM endpoint_performance_day) AS perf', [], schema))[0];
  assert.deepEqual(await parts('requests'), ['requests_p20260301', 'requests_p20260302', 'requests_p20260310']);
  assert.deepEqual(await parts('fact_requests'), ['fact_requests_p20260301', 'fact_requests_p20260302', 'fact_requests_p20260310']);
  const before = await counts();
  assert.deepEqual(before, { requests: 5, facts: 5, hours: 5, dates: 10, perf: 5 });

  // At 12 March noon: silver keeps 7 March on (1 and 2 March expire), gold keeps 5 March on (the same days; dim_date's 1-4 March).
  const at = new Date('2026-03-12T12:00:00Z');
  const dry = await lifecycleFromPipelineFile(join(dir, 'p.yaml'), { at, dryRun: true, env, dataDir: data });
  const pg = (table: string): unknown => dry.warehouse.find((w) => w.sink === 'pg' && w.table === table);
  assert.deepEqual(pg('requests'), { sink: 'pg', path: `127.0.0.1:5432/test schema ${schema}`, table: 'requests', layer: 'silver', column: 'ts', cutoff: '2026-03-07T00:00:00.000Z', rows: 3, partitions: 2 });
  assert.deepEqual(pg('fact_requests'), { sink: 'pg', path: `127.0.0.1:5432/test schema ${schema}`, table: 'fact_requests', layer: 'gold', column: 'ts', cutoff: '2026-03-05T00:00:00.000Z', rows: 3, partitions: 2 });
  assert.deepEqual(pg('dim_date'), { sink: 'pg', path: `127.0.0.1:5432/test schema ${schema}`, table: 'dim_date', layer: 'gold', column: 'day', cutoff: '2026-03-05T00:00:00.000Z', rows: 4, partitions: 0 });
  assert.equal(pg('endpoint_performance_day'), undefined, 'not in gold_tables: kept');
  assert.match(renderLifecycle(dry), /pg fact_requests \[gold, ts < 2026-03-05\]: 3 row\(s\) \(2 day partition\(s\) dropped whole\)/);
  assert.deepEqual(await counts(), before, 'a dry run changes nothing');
  assert.deepEqual((await parts('requests')).length, 3);

  const applied = await lifecycleFromPipelineFile(join(dir, 'p.yaml'), { at, env, dataDir: data });
  assert.deepEqual(applied.warehouse.filter((w) => w.sink === 'pg').map((w) => [w.table, w.rows]).sort(),
    dry.warehouse.filter((w) => w.sink === 'pg').map((w) => [w.table, w.rows]).sort(), 'removed what the dry run announced');
  assert.deepEqual(await parts('requests'), ['requests_p20260310']);
  assert.deepEqual(await parts('fact_requests'), ['fact_requests_p20260310']);
  assert.deepEqual(await parts('rollup_requests_hour'), ['rollup_requests_hour_p20260310']);
  assert.deepEqual(await counts(), { requests: 2, facts: 2, hours: 2, dates: 6, perf: 5 });

  // The next refresh keeps gold consistent: the expired days stay gone, the tests pass.
  const loaded = await loadPipelineFile(join(dir, 'p.yaml'), registry, { env });
  const gold = await buildGold({ ...loaded, dataDir: data }, (loaded.config as { gold: GoldConfig }).gold, { test: true });
  assert.deepEqual(gold.tests!.filter((x) => !x.passed), []);
  assert.deepEqual(await counts(), { requests: 2, facts: 2, hours: 2, dates: 1, perf: 5 });
});
