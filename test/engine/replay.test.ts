/** Bronze is the replay source: replaying it into a fresh data directory rebuilds the same warehouse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAccessLog } from '../../src/generator/index.js';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { runPipeline, runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { asReplay } from '../../src/cli/commands/replay.js';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { tmpDir } from '../helpers/tmp.js';

const PIPELINE = `name: replay-test
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
    chunk_bytes: 65536
stages:
  - type: parse
  - type: validate
  - type: dedupe
sinks:
  - id: warehouse
    type: duckdb
engine:
  commit_lines: 3000
`;

const digest = 'select count(*) n, count(distinct (source_stream, source_offset)) ids, sum(hash(client_ip, ts, path, status, user_agent, source_line, source_offset)) h from requests';

async function ask(path: string, sql: string): Promise<readonly unknown[]> {
  const wh = await openWarehouse(path, { readOnly: true });
  try { return (await wh.query(sql)).rows[0]!; } finally { await wh.close(); }
}

test('replaying bronze into a fresh data directory lands exactly what the first run landed', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 8000, seed: 3, format: 'apache_combined' }, join(dir, 'logs', 'access.log'));
  writeFileSync(join(dir, 'pipeline.yaml'), PIPELINE);
  const file = join(dir, 'pipeline.yaml');
  const first = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 2 });
  assert.equal(first.status, 'succeeded');
  assert.ok(first.commits >= 2, 'several commits');
  assert.deepEqual(first.formats.map((f) => [f.uri.endsWith('access.log'), f.format]), [[true, 'apache_combined']], 'auto-detection reported per input');
  assert.ok(first.formats[0]!.confidence > 0.98);
  const st = first.stages;
  assert.equal(st.parse!.in, first.linesRead, 'every line read reaches parse');
  assert.equal(st.validate!.in, st.parse!.passed);
  assert.equal(st.dedupe!.in, st.validate!.passed);
  assert.equal(first.landed, st.dedupe!.passed, 'every record that passed the stages landed');
  assert.equal(first.quarantined, st.parse!.rejected + st.validate!.rejected);

  const d = await openDeployment(join(dir, 'data'));
  const segments = await d.control.listBronze({ pipeline: 'replay-test' });
  await d.close();
  assert.equal(segments.reduce((a, s) => a + s.lineCount, 0), first.linesRead, 'bronze covers every line read');

  const again = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 2 });
  assert.deepEqual([again.linesRead, again.landed], [0, 0], 'a second run lands nothing');

  const loaded = await loadPipelineFile(file, registry);
  const replay = await runPipeline(asReplay(loaded), { dataDir: join(dir, 'rebuilt'), bronzeFrom: join(dir, 'data'), workers: 2 });
  assert.equal(replay.status, 'succeeded');
  assert.deepEqual([replay.linesRead, replay.landed, replay.quarantined], [first.linesRead, first.landed, first.quarantined]);
  assert.deepEqual(replay.quarantineByReason, first.quarantineByReason);
  const a = await ask(join(dir, 'data', 'warehouse.duckdb'), digest);
  const b = await ask(join(dir, 'rebuilt', 'warehouse.duckdb'), digest);
  assert.deepEqual(b, a);
  assert.equal(a[0], first.landed);
});
