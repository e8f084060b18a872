/**
 * Gold models in watch mode: while `tributary run --watch` keeps loading, the models are refreshed
 * every `gold.watch_refresh_secs` when rows landed, and once more when the watch stops.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';
import { tmpDir } from '../helpers/tmp.js';

process.env.XDG_CONFIG_HOME ??= mkdtempSync(join(tmpdir(), 'trb-xdg-'));

const lines = (tag: string, n: number): string => Array.from({ length: n }, (_, i) =>
  `192.0.2.${(i % 200) + 1} - - [05/Mar/2024:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET /${tag}/${i} HTTP/1.1" 200 ${i} "-" "gold-watch"\n`).join('');

async function factRows(warehouse: string): Promise<number> {
  // The watch's own instance (same process): read what the refresh committed.
  const conn = await connectUtc(await DuckDBInstance.fromCache(warehouse));
  try {
    const r = await conn.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'fact_requests'");
    if (Number(r.getRows()[0]?.[0]) === 0) return 0;
    return Number((await conn.runAndReadAll('SELECT count(*) FROM fact_requests')).getRows()[0]?.[0]);
  } finally {
    conn.disconnectSync();
  }
}

it('refreshes gold while watching, and once more at the end', { timeout: 120_000 }, async (t) => {
  const dir = tmpDir(t, 'trb-gold-watch-');
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'logs', 'a.log'), lines('first', 120));
  writeFileSync(join(dir, 'p.yaml'), `name: goldwatch
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
    poll_interval_ms: 20
    glob_interval_ms: 50
stages:
  - type: parse
    format: apache_combined
  - type: validate
sinks:
  - id: warehouse
    type: duckdb
engine:
  workers: 1
  commit_interval_ms: 50
gold:
  watch_refresh_secs: 1
`);
  const warehouse = join(dir, 'data', 'warehouse.duckdb');
  const ac = new AbortController();
  let committed = 0;
  const running = runPipelineFile(join(dir, 'p.yaml'), { watch: true, signal: ac.signal, dataDir: join(dir, 'data'), onCommit: (c) => { committed += c.rows; } });
  const until = async (n: number): Promise<void> => {
    for (let i = 0; i < 300; i++) {
      if (await factRows(warehouse).catch(() => 0) === n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`gold never reached ${n} facts (has ${await factRows(warehouse).catch(() => -1)})`);
  };
  await until(120);
  appendFileSync(join(dir, 'logs', 'a.log'), lines('second', 30));
  await until(150);
  appendFileSync(join(dir, 'logs', 'a.log'), lines('third', 5));
  for (let i = 0; i < 300 && committed < 155; i++) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  const summary = await running;
  assert.equal(summary.status, 'succeeded', summary.error?.message);
  assert.ok(summary.gold && !('error' in summary.gold), 'the final refresh ran');
  assert.equal(await factRows(warehouse), 155, 'gold holds every landed row when the watch stops');
});
