/**
 * Where things live in a lake root. Every path the lake sink writes is derived here, so the sink,
 * `reconcileLake` and the readers agree:
 *
 * ```
 * <root>/silver/<dataset>/day=YYYY-MM-DD/part-<commitId>-<n>.parquet      committed rows
 * <root>/silver/<dataset>/.staging/<commitId>/                             written, not yet committed
 * <root>/silver/<dataset>/_tributary_state.json                            per-stream watermarks
 * <root>/quarantine/<dataset>/day=YYYY-MM-DD/part-<commitId>-<n>.parquet  committed rejections
 * <root>/quarantine/<dataset>/.staging/<commitId>/
 * ```
 */
import { join } from 'node:path';

/** The two areas a lake dataset has. */
export type LakeArea = 'silver' | 'quarantine';

/** Paths of one dataset in a lake root. */
export interface LakeLayout {
  readonly root: string;
  readonly dataset: string;
  /** Absolute directory of an area of the dataset. */
  areaDir(area: LakeArea): string;
  /** Absolute staging directory of a commit in an area. */
  stagingDir(area: LakeArea, commitId: string): string;
  /** Absolute path of the watermark state file. */
  readonly stateFile: string;
}

/** Builds the layout of `dataset` under the lake root `root` (absolute). */
export function lakeLayout(root: string, dataset: string): LakeLayout {
  const areaDir = (area: LakeArea): string => join(root, area, dataset);
  return Object.freeze({
    root, dataset, areaDir,
    stagingDir: (area: LakeArea, commitId: string) => join(areaDir(area), '.staging', commitId),
    stateFile: join(areaDir('silver'), '_tributary_state.json'),
  });
}

/** Final file name of the `n`-th file of a commit in one partition. */
export const partFileName = (commitId: string, n: number): string => `part-${commitId}-${n}.parquet`;

/** Matches committed part files (relative to an area dir): `day=.../part-*.parquet` or `part-*.parquet`. */
export const PART_GLOBS: readonly string[] = Object.freeze(['part-*.parquet', 'day=*/part-*.parquet']);
