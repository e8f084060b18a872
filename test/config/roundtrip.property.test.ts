import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadPipelineText } from '../../src/config/load-config.js';
import { fakeRegistry } from './fake-registry.js';

const id = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);
// Any text, except placeholder syntax (which loading substitutes on purpose).
const text = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('${'));

const filesSource = fc.record({
  type: fc.constant('files'),
  include: fc.array(text, { minLength: 1, maxLength: 3 }),
  exclude: fc.array(text, { maxLength: 2 }),
  max_line_bytes: fc.integer({ min: 1, max: 2 ** 31 }),
  follow: fc.boolean(),
  encoding: fc.constantFrom('utf8', 'latin1'),
  rotate: fc.record({ wait_ms: fc.nat() }),
});
const httpSource = fc.record({
  type: fc.constant('http'),
  url: text,
  interval_secs: fc.double({ min: 0.1, max: 1e6, noNaN: true }),
});
const stage = fc.oneof(
  fc.record({ type: fc.constant('parse'), format: fc.constantFrom('auto', 'apache_combined', 'nginx_main') }),
  fc.record({ type: fc.constant('validate') }),
  fc.record({ type: fc.constant('dedupe'), window_secs: fc.integer({ min: 1, max: 1e9 }) }),
);
const sink = fc.oneof(
  fc.record({ type: fc.constant('lake'), path: text }),
  fc.record({ type: fc.constant('duckdb'), table: text, file: text }, { requiredKeys: ['type', 'table'] }),
);

/** A fully-specified valid pipeline (every default written out, unique ids), as loading must return it. */
const pipeline = fc.record({
  name: id,
  description: text,
  sources: fc.array(fc.oneof(filesSource, httpSource), { minLength: 1, maxLength: 3 }),
  stages: fc.array(stage, { maxLength: 4 }),
  sinks: fc.array(sink, { minLength: 1, maxLength: 3 }),
  quality: fc.record({ max_invalid_ratio: fc.double({ min: 0, max: 1, noNaN: true }), min_lines: fc.nat() }),
  engine: fc.record({
    workers: fc.oneof(fc.constant('auto' as const), fc.integer({ min: 1, max: 64 })),
    commit_lines: fc.integer({ min: 10_000, max: 10_000_000 }),
    commit_interval_ms: fc.integer({ min: 1, max: 1e6 }),
    max_inflight_batches: fc.integer({ min: 1, max: 1024 }),
    bronze: fc.record({ encryption: fc.constantFrom('auto' as const, 'age' as const, 'none' as const), key: fc.constantFrom('bronze', 'archive_v2', 'k.1') }),
    quarantine: fc.record({ raw: fc.constantFrom('auto' as const, 'encrypt' as const, 'keep' as const), key: fc.constantFrom('field', 'q.raw') }),
  }),
  retention: fc.record({
    bronze: fc.constantFrom('7d', '36h'), silver: fc.constantFrom('90d', '13w'), gold: fc.constantFrom('2y', '400d'), quarantine: fc.constantFrom('30d', '1w'),
    cold_storage: fc.constantFrom('./archive', '/srv/cold'), gold_tables: fc.array(fc.constantFrom('fact_*', 'rollup_*', 'daily'), { maxLength: 3 }),
  }, { requiredKeys: ['bronze', 'silver', 'gold', 'quarantine', 'gold_tables'] }),
}, { requiredKeys: ['name', 'sources', 'stages', 'sinks', 'quality', 'engine', 'retention'] }).map((p) => {
  let n = 0;
  const withIds = (list: readonly Record<string, unknown>[], prefix: string) => list.map((c) => ({ id: `${prefix}${n++}`, ...c }));
  return { ...p, sources: withIds(p.sources, 's'), stages: withIds(p.stages, 't'), sinks: withIds(p.sinks, 'k') };
});

it('any valid config round-trips through YAML text and loads equal', () => {
  fc.assert(fc.property(pipeline, (p) => {
    const loaded = loadPipelineText(stringify(p), 'p.yaml', fakeRegistry, { env: {}, cwd: '/x' });
    assert.deepEqual(loaded.config, structuredClone(p)); // structuredClone: plain prototypes, as YAML gives
  }), { seed: 20240611, numRuns: 200 });
});
