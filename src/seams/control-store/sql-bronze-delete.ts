/** SQL implementation of {@link ControlStore.deleteBronze}, shared by the SQLite and PostgreSQL control stores. */
import type { BronzeEntryKey, ControlStore } from './control-store.js';
import type { SqlOps } from './sql-ops.js';
import { checkInteger, checkText } from './store-values.js';

/** See {@link ControlStore.deleteBronze}. */
export async function deleteBronzeSql(ops: SqlOps, pipeline: string, keys: readonly BronzeEntryKey[]): Promise<number> {
  ops.assertOpen('deleteBronze');
  checkText(pipeline, 'a bronze deletion', 'pipeline');
  keys.forEach((k, i) => {
    checkText(k.sha256, 'a bronze deletion', `keys[${i}].sha256`);
    checkText(k.stream, 'a bronze deletion', `keys[${i}].stream`);
    checkInteger(k.fromOffset, 'a bronze deletion', `keys[${i}].fromOffset`);
  });
  if (keys.length === 0) return 0;
  return ops.run('deleteBronze', () => ops.write(() => ops.db.transaction().execute(async (trx) => {
    let deleted = 0;
    for (const k of keys) {
      const res = await trx.deleteFrom('bronze_objects').where('pipeline', '=', pipeline).where('sha256', '=', k.sha256)
        .where('stream', '=', k.stream).where('from_offset', '=', k.fromOffset).executeTakeFirst();
      deleted += Number(res.numDeletedRows);
    }
    return deleted;
  })));
}
