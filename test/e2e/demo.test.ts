/** `tributary demo`: the README's main job, end to end through the CLI (small input). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli } from './_cli.js';
import { tmpDir } from '../helpers/tmp.js';

interface DemoOutput {
  summary: { status: string; linesRead: number; landed: number; quarantined: number; formats: { format: string }[]; locations: { type: string }[] };
  answers: { title: string; columns: string[]; rows: unknown[][] }[];
}

test('demo generates logs, lands them, answers from the warehouse, and a second run lands nothing new', async (t) => {
  const dir = join(tmpDir(t), 'demo');
  const first = await cli(['demo', '--lines', '4000', '--dir', dir, '--json', '--no-progress']);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as DemoOutput;
  assert.equal(out.summary.status, 'succeeded');
  assert.equal(out.summary.linesRead, 4000);
  assert.ok(out.summary.landed > 3900 && out.summary.landed + out.summary.quarantined <= 4000);
  assert.deepEqual(out.summary.formats.map((f) => f.format).sort(), ['apache_combined', 'apache_combined', 'nginx_main']);
  assert.deepEqual(out.summary.locations.map((l) => l.type).sort(), ['duckdb', 'lake']);
  assert.deepEqual(out.answers.map((a) => a.title), ['Top paths', 'Status mix', 'Requests per hour (busiest 8 hours)']);
  const statusTotal = out.answers[1]!.rows.reduce((a, r) => a + Number(r[1]), 0);
  assert.equal(statusTotal, out.summary.landed, 'the status mix covers every landed row');

  const again = await cli(['demo', '--lines', '4000', '--dir', dir, '--json', '--no-progress']);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as DemoOutput;
  assert.deepEqual([second.summary.linesRead, second.summary.landed], [0, 0]);

  const runs = await cli(['runs', '--data-dir', join(dir, 'data'), '--json']);
  assert.equal(runs.code, 0, runs.stderr);
  const list = JSON.parse(runs.stdout) as { pipeline: string; status: string; counts: { landed: number } }[];
  assert.deepEqual(list.map((r) => [r.pipeline, r.status, r.counts.landed]), [['web-logs', 'succeeded', 0], ['web-logs', 'succeeded', out.summary.landed]]);
});
