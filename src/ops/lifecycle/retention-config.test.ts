/** `retention:` in a pipeline file: defaults, strict durations, cold storage, gold table patterns. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { validatePipelineText } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { parseRetentionDuration } from './retention-duration.js';
import { matchesTablePattern } from './warehouse-retention.js';
import { DEFAULT_GOLD_TABLES } from './retention-config.js';

const yaml = (retention: string): string => `name: p
sources:
  - id: s
    type: files
    include: ["*.log"]
sinks:
  - id: w
    type: duckdb
${retention}`;

const load = (retention: string) => validatePipelineText(yaml(retention), '/tmp/p.yaml', registry, { env: {}, cwd: '/tmp' });

it('defaults: bronze 7d, silver 90d, gold 2y, quarantine 30d, no cold storage, fact_/rollup_ gold tables', () => {
  const r = load('');
  assert.ok(r.ok);
  assert.deepEqual({ ...r.pipeline.config.retention }, { bronze: '7d', silver: '90d', gold: '2y', quarantine: '30d', gold_tables: [...DEFAULT_GOLD_TABLES] });
});

it('accepts every unit and cold storage', () => {
  const r = load('retention: { bronze: 36h, silver: 13w, gold: 2y, quarantine: 30d, cold_storage: ./archive, gold_tables: [daily_summary, fact_*] }\n');
  assert.ok(r.ok, r.ok ? '' : r.problems.map((p) => p.message).join('\n'));
  assert.equal(r.pipeline.config.retention.cold_storage, './archive');
});

it('durations are strict: no spaces, fractions, zero, minutes/months or combined units; unknown keys are errors', () => {
  for (const bad of ['7 d', '1.5d', '0d', '7m', '1d12h', '7', 'd', '-1d', '7D', '']) {
    assert.equal(parseRetentionDuration(bad), undefined, bad);
    const r = load(`retention:\n  silver: "${bad}"\n`);
    assert.ok(!r.ok, `${bad} accepted`);
    assert.match(r.problems.map((p) => p.message).join('\n'), /retention\.silver|duration/);
  }
  assert.ok(!load('retention:\n  archive: ./x\n').ok, 'unknown key');
  assert.ok(!load('retention:\n  gold_tables: ["fact-*"]\n').ok, 'bad table pattern');
});

it('parses durations to milliseconds; a year is 365 days', () => {
  assert.equal(parseRetentionDuration('36h'), 36 * 3_600_000);
  assert.equal(parseRetentionDuration('7d'), 7 * 86_400_000);
  assert.equal(parseRetentionDuration('2w'), 14 * 86_400_000);
  assert.equal(parseRetentionDuration('2y'), 730 * 86_400_000);
});

it('gold table patterns: exact names and prefixes ending with `*`', () => {
  assert.ok(matchesTablePattern('fact_requests', ['fact_*']));
  assert.ok(matchesTablePattern('daily', ['daily']));
  assert.ok(!matchesTablePattern('daily_x', ['daily']));
  assert.ok(!matchesTablePattern('dim_page', ['fact_*', 'rollup_*']));
});
