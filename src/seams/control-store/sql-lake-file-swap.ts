/** SQL implementation of {@link ControlStore.replaceLakeFiles}, shared by the SQLite and PostgreSQL control stores. */
import { StoreConflict } from '../store-errors.js';
import type { ControlStore, LakeFileReplacement } from './control-store.js';
import { prepareCommit } from './prepare-commit.js';
import type { SqlOps } from './sql-ops.js';
import { checkText } from './store-values.js';

/** Thrown inside the transaction to roll it back; turned into `TRB_STORE_CONFLICT` outside. */
class SwapConflict extends Error {}

/** See {@link ControlStore.replaceLakeFiles}. */
export async function replaceLakeFilesSql(
  ops: SqlOps, pipeline: string, changeId: string, replacements: readonly LakeFileReplacement[],
): Promise<void> {
  ops.assertOpen('replaceLakeFiles');
  const from = replacements.map((r, i) => checkText(r.from, 'a lake file replacement', `replacements[${i}].from`));
  // The same validation and encoding as an engine commit's files (committed_at = now).
  const rows = prepareCommit({
    pipeline, runId: changeId, commitId: changeId, checkpoints: [], bronze: [],
    files: replacements.flatMap((r) => (r.to === null ? [] : [r.to])),
  }, new Date().toISOString()).files;
  try {
    await ops.run('replaceLakeFiles', () => ops.write(() => ops.db.transaction().execute(async (trx) => {
      for (const path of from) {
        const res = await trx.deleteFrom('lake_files').where('path', '=', path).where('pipeline', '=', pipeline).executeTakeFirst();
        if (Number(res.numDeletedRows) !== 1) throw new SwapConflict(`\`${path}\` is not in the lake manifest of pipeline \`${pipeline}\``);
      }
      for (const row of rows) {
        try {
          await trx.insertInto('lake_files').values(row).execute();
        } catch (err) {
          if (ops.isUniqueViolation(err)) throw new SwapConflict(`\`${row.path}\` is already in the lake manifest`);
          throw err;
        }
      }
    })));
  } catch (err) {
    const conflict = err instanceof SwapConflict ? err : (err as { cause?: unknown }).cause instanceof SwapConflict ? (err as { cause: SwapConflict }).cause : undefined;
    if (conflict) throw StoreConflict({ store: ops.kind, op: 'replaceLakeFiles', reason: conflict.message }, conflict);
    throw err;
  }
}
