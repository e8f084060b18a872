/**
 * Per-stage accounting. Every stage of every batch must balance: `in = passed + rejected + filtered`;
 * the engine checks it with {@link assertBalanced} and sums batches into run counts.
 */
import { CountMismatch } from './errors.js';

/** Counts for one stage (over one batch or a whole run). */
export interface StageCounts {
  readonly in: number;
  readonly passed: number;
  readonly rejected: number;
  readonly filtered: number;
}

/** Mutable accumulator of stage counts, keyed by stage id, in pipeline order. */
export type CountsByStage = Map<string, { in: number; passed: number; rejected: number; filtered: number }>;

/** Throws `TRB_INTERNAL_COUNT_MISMATCH` when the counts of `stage` do not add up. */
export function assertBalanced(stage: string, c: StageCounts): void {
  if (c.in !== c.passed + c.rejected + c.filtered) {
    throw CountMismatch({ stage, in: c.in, passed: c.passed, rejected: c.rejected, filtered: c.filtered });
  }
}

/** Adds `c` into `acc[stage]` after checking it balances. */
export function addCounts(acc: CountsByStage, stage: string, c: StageCounts): void {
  assertBalanced(stage, c);
  const cur = acc.get(stage) ?? { in: 0, passed: 0, rejected: 0, filtered: 0 };
  cur.in += c.in; cur.passed += c.passed; cur.rejected += c.rejected; cur.filtered += c.filtered;
  acc.set(stage, cur);
}

/** Plain-object snapshot of accumulated counts (JSON-friendly, in insertion order). */
export function snapshotCounts(acc: CountsByStage): Readonly<Record<string, StageCounts>> {
  return Object.freeze(Object.fromEntries([...acc].map(([k, v]) => [k, Object.freeze({ ...v })])));
}
