import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { BenchReport } from './bench-report.js';

const root = mkdtempSync(join(tmpdir(), 'trb-bench-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

const bench = (...args: string[]): { report: BenchReport; stderr: string } => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bench.ts', import.meta.url)), '--dir', root, '--json', ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as BenchReport, stderr: r.stderr };
};

describe('npm run bench (small, no GoAccess, no watch)', () => {
  it('runs the pipeline on generated input, reports the JSON contract and caches the input', () => {
    const { report: r } = bench('--lines', '3000', '--no-goaccess', '--no-watch');
    assert.equal(r.lines, 3000);
    assert.equal(r.input.cached, false);
    assert.ok(r.seconds > 0 && r.lines_per_sec > 0 && r.mb_per_sec > 0 && r.peak_rss_mb > 0);
    assert.equal(r.stages.parse?.in, 3000);
    assert.equal(r.run?.status, 'succeeded');
    const q = r.run!.quarantined;
    assert.ok(q >= r.input.expected_quarantined.min && q <= r.input.expected_quarantined.max, `quarantined ${q}`);
    assert.equal(r.goaccess, null);
    assert.equal(r.watch, null);
    assert.ok(!existsSync(join(root, 'run-data')), 'data is removed without --keep');
    const again = bench('--lines', '3000', '--no-goaccess', '--no-watch', '--keep').report;
    assert.equal(again.input.cached, true);
    assert.equal(again.generator, null);
    assert.ok(existsSync(join(root, 'run-data')));
  });
});
