import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadPipelineFile } from '../src/config/load-config.js';
import { registry } from '../src/engine/registry.js';
import { parseBenchArgs } from './bench-options.js';
import { benchPipelineYaml, writeBenchPipeline } from './bench-pipeline.js';
import { percentile } from './percentile.js';

const root = mkdtempSync(join(tmpdir(), 'trb-bench-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('bench helpers', () => {
  it('parses options with the documented defaults', () => {
    const o = parseBenchArgs([])!;
    assert.equal(o.lines, 2_000_000);
    assert.equal(o.seed, 42);
    assert.ok(o.dir.endsWith(join('bench', 'out')));
    assert.deepEqual([o.json, o.keep, o.goaccess, o.watch, o.parseOnly, o.watchAppends], [false, false, true, true, false, 100]);
    const p = parseBenchArgs(['--lines', '200_000', '--json', '--no-goaccess', '--no-watch', '--dir', root, '--keep', '--parse-only'])!;
    assert.deepEqual([p.lines, p.json, p.goaccess, p.watch, p.dir, p.keep, p.parseOnly], [200_000, true, false, false, root, true, true]);
    assert.equal(parseBenchArgs(['--help']), null);
    assert.throws(() => parseBenchArgs(['--lines', '0']), RangeError);
    assert.throws(() => parseBenchArgs(['--lines', 'many']), RangeError);
    assert.throws(() => parseBenchArgs(['--frobnicate']));
  });

  it('computes nearest-rank percentiles', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(percentile(xs, 50), 5);
    assert.equal(percentile(xs, 95), 10);
    assert.equal(percentile(xs, 0), 1);
    assert.equal(percentile([42], 99), 42);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.deepEqual(xs, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  });

  it('writes a pipeline the real config loader accepts, with the data dir inside the work dir', async () => {
    const file = writeBenchPipeline(root, 'bench.yaml', { name: 'bench', include: 'input/access "odd".log', dataDir: 'run-data', engine: { workers: 2 } });
    const loaded = await loadPipelineFile(file, registry, { env: {} });
    assert.equal(loaded.dataDir, join(root, 'run-data'));
    const cfg = loaded.config;
    assert.deepEqual(cfg.stages.map((s) => s.type), ['parse', 'validate', 'dedupe']);
    assert.deepEqual(cfg.sinks.map((s) => s.type), ['lake', 'duckdb']);
    assert.deepEqual(cfg.sources[0]!.include, ['input/access "odd".log']);
    assert.equal(cfg.engine.workers, 2);
    assert.match(benchPipelineYaml({ name: 'x', include: 'a', dataDir: 'd' }), /path: "d\/warehouse.duckdb"/);
  });
});
