/**
 * Retires the lake's rollback record once it can no longer be needed. The state file remembers the
 * last commit's files so that `reconcileLake` can roll the watermarks back when those files never
 * reached the engine's manifest. Once the manifest holds all of them the commit is durable, and the
 * record must go before anything else replaces those files (erasure rewrites files under new names):
 * otherwise removing a replaced file after a crash would look like an unfinished commit and roll the
 * watermarks back, letting a replay write rows a second time.
 */
import { lakeLayout } from './lake-layout.js';
import { readLakeState, writeLakeState } from './lake-state.js';

/**
 * Drops the `last` record of `dataset` under lake `root` when every file it lists is in
 * `committedPaths` (paths relative to the root, as in `CommittedFile.path`). Returns true when the
 * state file was rewritten (atomically). Must not run while a sink writes the dataset.
 */
export async function settleLakeState(root: string, dataset: string, committedPaths: ReadonlySet<string>): Promise<boolean> {
  const file = lakeLayout(root, dataset).stateFile;
  const state = await readLakeState(file);
  if (state.last === null || !state.last.files.every((f) => committedPaths.has(f))) return false;
  await writeLakeState(file, { ...state, last: null });
  return true;
}
