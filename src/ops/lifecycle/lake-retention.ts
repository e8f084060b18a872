/**
 * Lake retention: manifest files of a `lake` sink whose day partition is before the cutoff day
 * (silver, or quarantine with its own retention) are removed, or moved to cold storage first. The
 * same discipline as erasure, so a crash never leaves the manifest pointing at a missing file:
 *
 * 1. finish what an interrupted commit, erasure or lifecycle left (`reconcileLake`) and retire the
 *    lake's rollback record (`settleLakeState`), so removing files can never roll watermarks back;
 * 2. with cold storage, copy every expired file there durably (checked against its sha256);
 * 3. ONE control-store transaction drops their manifest entries (`replaceLakeFiles`, `to: null`);
 * 4. delete the files and the emptied day directories.
 *
 * A crash before 3 leaves every file referenced and present (the cold copies are redone); after 3
 * the files are unreferenced and the next `tributary run` or `lifecycle run` deletes them.
 * Failpoints `lifecycle.lake.after_cold_copy` and `lifecycle.lake.after_manifest` mark the steps.
 */
import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { failpoint } from '../../core/failpoint.js';
import type { ControlStore, LakeFileManifestEntry } from '../../seams/control-store/control-store.js';
import { messageOf } from '../../sinks/_shared/duckdb-values.js';
import { fsyncDir } from '../../sinks/_shared/durable-fs.js';
import { reconcileLake, settleLakeState } from '../../sinks/lake/index.js';
import type { ColdIndexLine, ColdStorage } from './cold-storage.js';
import { LifecycleLakeFailed } from './errors.js';
import { cutoffDay, type RetentionCutoffs } from './retention-cutoffs.js';

/** A lake sink of the pipeline. */
export interface LakeRetentionTarget {
  readonly sink: string;
  /** Absolute lake root. */
  readonly root: string;
  /** The sink's configured dataset. */
  readonly dataset: string;
}

/** One expired manifest file. */
export interface ExpiredLakeFile {
  readonly target: LakeRetentionTarget;
  readonly entry: LakeFileManifestEntry;
  readonly area: 'silver' | 'quarantine';
  /** `YYYY-MM-DD` of its partition. */
  readonly day: string;
}

/** What lake retention would remove, plus every manifest path per sink (for recovery). */
export interface LakePlan {
  readonly files: readonly ExpiredLakeFile[];
  readonly manifest: ReadonlyMap<string, { readonly target: LakeRetentionTarget; readonly paths: ReadonlySet<string>; readonly datasets: ReadonlySet<string> }>;
  /** Manifest files without a day partition (never expired). */
  readonly unpartitioned: number;
  /** Expired manifest files missing on disk (their entries go; there is nothing to move). */
  readonly missing: readonly string[];
}

const DAY = /^day=(\d{4}-\d{2}-\d{2})$/;

/** Finds the expired files of every lake sink of `pipeline`. Changes nothing. */
export async function planLakeExpiry(control: ControlStore, pipeline: string, targets: readonly LakeRetentionTarget[], cutoffs: RetentionCutoffs): Promise<LakePlan> {
  const files: ExpiredLakeFile[] = [];
  const manifest = new Map<string, { target: LakeRetentionTarget; paths: Set<string>; datasets: Set<string> }>();
  let unpartitioned = 0;
  const missing: string[] = [];
  for (const target of targets) {
    const entries = await control.listLakeFiles({ pipeline, sink: target.sink });
    manifest.set(target.sink, { target, paths: new Set(entries.map((e) => e.path)), datasets: new Set([target.dataset, ...entries.map((e) => e.dataset)]) });
    for (const entry of entries) {
      const area = entry.path.startsWith('quarantine/') ? 'quarantine' : 'silver';
      const day = DAY.exec(entry.partition ?? '')?.[1];
      if (day === undefined) { unpartitioned++; continue; }
      if (day >= cutoffDay(area === 'quarantine' ? cutoffs.quarantine : cutoffs.silver)) continue;
      files.push({ target, entry, area, day });
      if (!existsSync(join(target.root, entry.path))) missing.push(entry.path);
    }
  }
  return { files, manifest, unpartitioned, missing };
}

/**
 * Applies `plan` (see the module doc) as the manifest change `changeId`. Returns the cold index
 * lines written (empty without cold storage). Throws `TRB_LIFECYCLE_LAKE_FAILED` when a step before
 * the manifest switch fails (every file still referenced and present), and the store's errors for
 * the switch.
 */
export async function expireLake(control: ControlStore, pipeline: string, changeId: string, plan: LakePlan, cold: ColdStorage | null): Promise<readonly ColdIndexLine[]> {
  let current = '(lake)';
  const moved: ColdIndexLine[] = [];
  try {
    for (const { target, paths, datasets } of plan.manifest.values()) {
      for (const d of datasets) {
        current = `${target.root} (${d})`;
        await reconcileLake(target.root, d, paths);
        await settleLakeState(target.root, d, paths);
      }
    }
    if (plan.files.length === 0) return [];
    if (cold) {
      const movedAt = new Date().toISOString();
      for (const f of plan.files) {
        current = f.entry.path;
        const source = join(f.target.root, f.entry.path);
        if (!existsSync(source)) continue; // listed but gone: nothing to move (reported by the plan)
        const { bytes, sha256 } = await cold.copy(source, f.entry.path, f.entry.sha256);
        moved.push({ path: f.entry.path, sink: f.entry.sink, dataset: f.entry.dataset, partition: f.entry.partition, rows: f.entry.rows, bytes, sha256, changeId, movedAt });
      }
      await cold.record(moved);
    }
    failpoint('lifecycle.lake.after_cold_copy');
  } catch (err) {
    throw LifecycleLakeFailed({ path: current, step: cold ? 'copying to cold storage (the lake files are still in use)' : 'recovering the lake', reason: messageOf(err) }, err);
  }
  await control.replaceLakeFiles(pipeline, changeId, plan.files.map((f) => ({ from: f.entry.path, to: null })));
  failpoint('lifecycle.lake.after_manifest');
  const dirs = new Set<string>();
  for (const f of plan.files) {
    const abs = join(f.target.root, f.entry.path);
    await rm(abs, { force: true });
    dirs.add(dirname(abs));
  }
  for (const d of dirs) {
    await fsyncDir(d).catch(() => undefined);
    // An emptied day directory goes too (rmdir refuses a non-empty one).
    await rmdir(d).then(() => fsyncDir(dirname(d)), () => undefined);
  }
  return moved;
}
