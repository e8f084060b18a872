/** The `dedupe` stage: drops records already stored by a committed run and in-batch repeats. */
import type { Lineage, RecordBatch, Stage, StageCallContext } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { StageResult } from '../../core/outcome.js';
import type { DedupeConfig } from './config.js';

/**
 * Deduplicates by record id (stream, source_offset). A record whose `source_offset` is below the
 * committed watermark of its stream (`ctx.committed.get(batch.meta.stream)`) is already stored; a
 * record whose offset already occurred earlier in the same batch is a repeat. Both are filtered
 * (counted, not quarantined); a record exactly at the watermark passes. Never rejects; when nothing
 * is dropped, `passed` is the input batch itself. Duplicates across in-flight batches of one run are
 * out of scope (sinks are idempotent per stream offset).
 */
export class DedupeStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'dedupe';

  constructor(id: string, _config: DedupeConfig) {
    this.id = id;
  }

  /** See the class contract; throws `TRB_INTERNAL_INVARIANT` only when `raws` and `records` differ in length. */
  process(batch: RecordBatch<R>, ctx: StageCallContext): StageResult<RecordBatch<R>> {
    const { records, raws, meta } = batch;
    const n = records.length;
    if (raws.length !== n) throw Invariant({ reason: `batch has ${n} records but ${raws.length} raws` });
    const watermark = ctx.committed.get(meta.stream) ?? -Infinity;
    // Offsets normally rise within a batch, so a repeat is only possible once they stop rising;
    // the set of seen offsets is built lazily at that point.
    let maxSeen = -Infinity;
    let seen: Set<number> | null = null;
    let out: (R & Lineage)[] | null = null;
    let outRaws: string[] | null = null;
    for (let i = 0; i < n; i++) {
      const rec = records[i]!;
      const off = rec.source_offset;
      let keep = off >= watermark;
      if (keep) {
        if (off > maxSeen && seen === null) {
          maxSeen = off;
        } else {
          seen ??= new Set((out ?? records.slice(0, i)).map((r) => r.source_offset));
          keep = !seen.has(off);
          seen.add(off);
        }
      }
      if (keep && out === null) continue;
      if (out === null || outRaws === null) {
        out = records.slice(0, i);
        outRaws = raws.slice(0, i);
      }
      if (keep) {
        out.push(rec);
        outRaws.push(raws[i]!);
      }
    }
    if (out === null || outRaws === null) return { passed: batch, rejected: [], filtered: 0 };
    return { passed: { meta, records: out, raws: outRaws }, rejected: [], filtered: n - out.length };
  }
}
