/**
 * Crash recovery for a lake dataset: the engine records every committed file in its manifest only
 * after the sink's commit returned, so after a crash the lake may hold part files the manifest does
 * not know (and stale staging directories). Those rows will be re-delivered from the checkpoint,
 * so the orphans must go, and the watermarks of their commit must be rolled back.
 */
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { fsyncDir } from '../_shared/durable-fs.js';
import type { LakeArea } from './lake-layout.js';
import { lakeLayout, PART_GLOBS } from './lake-layout.js';
import { readLakeState, writeLakeState } from './lake-state.js';

const AREAS: readonly LakeArea[] = ['silver', 'quarantine'];

/**
 * Deletes the part files of `dataset` under lake `root` (silver and quarantine) whose path
 * relative to `root` (as returned in `CommittedFile.path`, `/`-separated) is not in
 * `committedPaths`, deletes every staging directory, and, when files of the last commit were
 * removed, restores the watermarks from before that commit. Returns what it removed (relative
 * paths; staging directories end with `/`), sorted. Must not run while a sink writes the dataset.
 * Files not named `part-*.parquet` are never touched.
 */
export async function reconcileLake(root: string, dataset: string, committedPaths: ReadonlySet<string>): Promise<string[]> {
  const layout = lakeLayout(root, dataset);
  const removed: string[] = [];
  for (const area of AREAS) {
    const dir = layout.areaDir(area);
    const parts = await fg([...PART_GLOBS], { cwd: dir, onlyFiles: true, dot: false });
    const touched = new Set<string>();
    for (const p of parts) {
      const rel = `${area}/${dataset}/${p}`;
      if (committedPaths.has(rel)) continue;
      await rm(join(dir, p), { force: true });
      removed.push(rel);
      touched.add(p.includes('/') ? join(dir, p.slice(0, p.indexOf('/'))) : dir);
    }
    for (const d of touched) {
      await fsyncDir(d).catch(() => undefined);
      if (d !== dir) await rmdir(d).then(() => fsyncDir(dir), () => undefined);
    }
    const stagingRoot = join(dir, '.staging');
    let stale: string[] = [];
    try { stale = await readdir(stagingRoot); } catch { /* no staging dir */ }
    for (const s of stale) {
      await rm(join(stagingRoot, s), { recursive: true, force: true });
      removed.push(`${area}/${dataset}/.staging/${s}/`);
    }
  }
  const state = await readLakeState(layout.stateFile);
  const removedSet = new Set(removed);
  if (state.last && state.last.files.some((f) => removedSet.has(f))) {
    await writeLakeState(layout.stateFile, { version: 1, watermarks: state.last.previous, last: null });
  }
  return removed.sort();
}
