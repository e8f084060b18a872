import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BatchMeta, Lineage, RecordBatch } from '../../core/component.js';
import { DedupeConfig, DedupeStage, dedupeStageSpec, recordId } from './index.js';

const META: BatchMeta = { source: 'access_logs', uri: '/logs/a.log', stream: 'fp-a' };

type Rec = { path: string } & Lineage;

function batchOf(offsets: readonly number[], meta: BatchMeta = META): RecordBatch<{ path: string }> {
  const records: Rec[] = offsets.map((off, i) => ({ path: `/p${i}`, source_line: i + 1, source_offset: off }));
  return { meta, records, raws: records.map((r) => `raw ${r.source_offset} #${r.source_line}`) };
}

const ctx = (entries: readonly (readonly [string, number])[] = []) => ({ committed: new Map(entries) });
const stage = () => new DedupeStage<{ path: string }>('dd', DedupeConfig.parse({}));

describe('dedupe stage', () => {
  it('filters records below the committed watermark of their stream; the record at the watermark passes', () => {
    const res = stage().process(batchOf([0, 100, 200, 300]), ctx([['fp-a', 200], ['fp-other', 10_000]]));
    assert.deepEqual(res.passed.records.map((r) => r.source_offset), [200, 300]);
    assert.deepEqual(res.passed.raws, ['raw 200 #3', 'raw 300 #4']);
    assert.equal(res.filtered, 2);
    assert.deepEqual(res.rejected, []);
  });

  it('ignores watermarks of other streams', () => {
    const b = batchOf([0, 100]);
    const res = stage().process(b, ctx([['fp-other', 10_000]]));
    assert.equal(res.passed, b);
    assert.equal(res.filtered, 0);
  });

  it('drops repeated offsets within a batch, keeping the first occurrence', () => {
    const res = stage().process(batchOf([0, 100, 100, 200, 0, 300, 200]), ctx());
    assert.deepEqual(res.passed.records.map((r) => r.source_line), [1, 2, 4, 6]);
    assert.deepEqual(res.passed.raws, ['raw 0 #1', 'raw 100 #2', 'raw 200 #4', 'raw 300 #6']);
    assert.equal(res.filtered, 3);
  });

  it('handles out-of-order offsets that are not repeats', () => {
    const res = stage().process(batchOf([300, 100, 200, 0]), ctx());
    assert.equal(res.filtered, 0);
    assert.equal(res.passed.records.length, 4);
  });

  it('combines watermark and in-batch repeats', () => {
    const res = stage().process(batchOf([50, 150, 150, 50, 250]), ctx([['fp-a', 150]]));
    assert.deepEqual(res.passed.records.map((r) => r.source_line), [2, 5]);
    assert.equal(res.filtered, 3);
  });

  it('filters the whole batch when it is entirely below the watermark', () => {
    const res = stage().process(batchOf([0, 10, 20]), ctx([['fp-a', 21]]));
    assert.deepEqual([res.passed.records.length, res.passed.raws.length, res.filtered], [0, 0, 3]);
  });

  it('returns the input batch itself when nothing is dropped, and handles empty batches', () => {
    const b = batchOf([0, 10, 20]);
    assert.equal(stage().process(b, ctx([['fp-a', 0]])).passed, b);
    const empty = stage().process(batchOf([]), ctx());
    assert.deepEqual([empty.passed.records.length, empty.filtered], [0, 0]);
  });

  it('matches a reference model on random batches (counts balance, raws aligned)', () => {
    fc.assert(fc.property(
      fc.array(fc.nat(40), { maxLength: 60 }), fc.option(fc.nat(45), { nil: undefined }),
      (offsets, wm) => {
        const b = batchOf(offsets);
        const res = stage().process(b, ctx(wm === undefined ? [] : [['fp-a', wm]]));
        const seen = new Set<number>();
        const expected = b.records.filter((r) => {
          if (wm !== undefined && r.source_offset < wm) return false;
          if (seen.has(r.source_offset)) return false;
          seen.add(r.source_offset);
          return true;
        });
        assert.deepEqual(res.passed.records, expected);
        assert.deepEqual(res.passed.raws, expected.map((r) => `raw ${r.source_offset} #${r.source_line}`));
        assert.equal(offsets.length, res.passed.records.length + res.rejected.length + res.filtered);
      },
    ), { seed: 7, numRuns: 300 });
  });
});

describe('dedupe config and helpers', () => {
  it('defaults key to record_id and refuses unknown keys or modes', () => {
    assert.deepEqual(DedupeConfig.parse({}), { key: 'record_id' });
    assert.equal(DedupeConfig.safeParse({ key: 'fields' }).success, false);
    assert.equal(DedupeConfig.safeParse({ fields: ['path'] }).success, false);
  });

  it('recordId is `<stream>:<offset>` and the offset is recoverable after the last colon', () => {
    assert.equal(recordId('fp-a', 1234), 'fp-a:1234');
    const id = recordId('s3://bucket/key:v2', 0);
    assert.equal(id.slice(id.lastIndexOf(':') + 1), '0');
  });

  it('the spec builds a dedupe stage', () => {
    const s = dedupeStageSpec.create('d1', dedupeStageSpec.config.parse({}));
    assert.deepEqual([s.id, s.type], ['d1', 'dedupe']);
  });
});
