/**
 * Enrichment columns end to end: the `useragent` stage's columns reach the lake and the warehouse,
 * including a warehouse created before the stage was added (the table gains the columns).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { readLakeRows } from '../../src/sinks/lake/read-lake.js';
import { askWarehouse as ask } from '../helpers/data-files.js';
import { tmpDir } from '../helpers/tmp.js';
import { logPipeline } from '../helpers/log-pipeline.js';

const pipeline = (stages: string): string => logPipeline({ name: 'enriched', stages: ['validate', `${stages}  - type: dedupe\n`] });


test('geoip, useragent and threat columns land in Parquet and the warehouse, also when added to an existing warehouse', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 3000, seed: 21, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'a.log'));
  writeFileSync(join(dir, 'p.yaml'), pipeline(''));
  const first = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(first.status, 'succeeded', first.error?.message);

  await generateAccessLog({ lines: 3000, seed: 22, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'b.log'));
  writeFileSync(join(dir, 'p.yaml'), pipeline('  - type: geoip\n  - type: useragent\n  - type: threat\n  - type: privacy\n'));
  const second = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(second.status, 'succeeded', second.error?.message);
  assert.equal(second.landed, 3000);
  assert.equal(second.columns.is_bot, 'none');
  const dbs = (second.reference?.['geoip'] as { databases: { kind: string; file: string; built: string; ageDays: number }[] }).databases;
  assert.deepEqual(dbs.map((d) => [d.kind, d.file]), [['country', 'builtin']], 'the run reports the GeoIP database it used');
  assert.match(dbs[0]!.built, /^20\d\d-\d\d-\d\d$/);
  assert.ok(dbs[0]!.ageDays >= 0);

  const wh = join(dir, 'data', 'warehouse.duckdb');
  const [[total, enriched, bots, humans, browsers]] = await ask(wh, `select count(*), count(ua_device_type) filter (where source_uri like '%b.log'),
    count(*) filter (where is_bot), count(*) filter (where not is_bot), count(distinct ua_browser) from requests`) as [[bigint, bigint, bigint, bigint, bigint]];
  assert.equal(Number(total), 6000);
  assert.ok(Number(enriched) > 2500, `most agents classified: ${enriched}`);
  assert.ok(Number(bots) > 0 && Number(humans) > Number(bots), `bots ${bots}, humans ${humans}`);
  assert.ok(Number(browsers) >= 3);
  const [[oldRows]] = await ask(wh, "select count(*) from requests where source_uri like '%a.log' and is_bot is null") as [[bigint]];
  assert.equal(Number(oldRows), 3000, 'rows landed before the stage existed have null enrichment');
  const types = Object.fromEntries((await ask(wh, "select column_name, data_type from information_schema.columns where table_name = 'requests' and column_name in ('is_bot', 'ua_browser')")).map((r) => [r[0], r[1]]));
  assert.deepEqual(types, { is_bot: 'BOOLEAN', ua_browser: 'VARCHAR' });

  const [[located, classified]] = await ask(wh, "select count(geo_country), count(ip_class) from requests where source_uri like '%b.log'") as [[bigint, bigint]];
  assert.equal(Number(classified), 3000, 'every new row has an ip_class');
  assert.ok(Number(located) > 1500, `most public clients located: ${located}`);
  const [[leaked]] = await ask(wh, "select count(*) from requests where source_uri like '%b.log' and client_ip not like '%.0' and client_ip not like '%::%'") as [[bigint]];
  assert.equal(Number(leaked), 0, 'geoip ran on the full address, privacy truncated it afterwards');
  const [[scored, maxScore]] = await ask(wh, "select count(*) filter (where threat_score > 0), max(threat_score) from requests where source_uri like '%b.log'") as [[bigint, number]];
  assert.ok(Number(scored) > 10 && maxScore > 0, `scanner probes in the generated traffic are scored: ${scored}`);
  const lake = await readLakeRows(join(dir, 'data', 'lake'), 'requests');
  assert.equal(lake.length, 6000);
  assert.ok(lake.some((r) => r.is_bot === true) && lake.some((r) => typeof r.ua_browser === 'string'));
});
