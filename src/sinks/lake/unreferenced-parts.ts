/**
 * Part files of a lake dataset that the engine's manifest does not reference: what an interrupted
 * commit (or an interrupted erasure) left behind, and what `reconcileLake` will delete. Listing
 * them changes nothing, so a dry run can report them.
 */
import fg from 'fast-glob';
import type { LakeArea } from './lake-layout.js';
import { lakeLayout, PART_GLOBS } from './lake-layout.js';

const AREAS: readonly LakeArea[] = ['silver', 'quarantine'];

/** Paths (relative to `root`, `/`-separated, sorted) of committed-looking part files of `dataset` not in `committedPaths`. */
export async function unreferencedParts(root: string, dataset: string, committedPaths: ReadonlySet<string>): Promise<string[]> {
  const layout = lakeLayout(root, dataset);
  const out: string[] = [];
  for (const area of AREAS) {
    for (const p of await fg([...PART_GLOBS], { cwd: layout.areaDir(area), onlyFiles: true, dot: false })) {
      const rel = `${area}/${dataset}/${p}`;
      if (!committedPaths.has(rel)) out.push(rel);
    }
  }
  return out.sort();
}
