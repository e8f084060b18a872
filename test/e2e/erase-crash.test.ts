/**
 * Erasure is crash-safe: `tributary erase` is killed with SIGKILL (failpoints) at every step of the
 * lake rewrite and of the warehouse compaction. Right after the crash the lake manifest references
 * either every old file or every new one, never both or neither (all referenced files exist and
 * their rows add up to the before or the after count). A pipeline run then reconciles (disk =
 * manifest, no duplicates), a replay from bronze into the same data directory writes nothing again
 * (the lake's watermarks were not rolled back), and erasing again finishes the job: no row and no
 * byte of the person is left.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { filesUnder } from '../helpers/data-files.js';
import { cleanEnv, cli, runJson, workspace } from './_cli.js';
import { ask, erase, LAKE, site, TARGET, type Site } from './_erase-site.js';

const PERSON = 43;

/** A copy of `base` in a fresh workspace (relative paths in the pipeline file make it self-contained). */
function copyOf(base: Site, t: { after(fn: () => void): void }): Site {
  const ws = workspace('trb-erase-crash-');
  t.after(ws.cleanup);
  cpSync(base.dir, ws.dir, { recursive: true });
  return { ...base, dir: ws.dir, file: join(ws.dir, 'p.yaml'), data: join(ws.dir, 'data'), cleanup: ws.cleanup };
}

async function manifest(s: Site): Promise<{ path: string; rows: number }[]> {
  const d = await openDeployment(s.data, cleanEnv());
  try { return (await d.control.listLakeFiles({})).map((f) => ({ path: f.path, rows: f.rows })); } finally { await d.close(); }
}

/** Silver request rows of exactly the files the manifest references: total, the person's, and distinct record ids. */
async function referencedRows(s: Site): Promise<{ total: number; mine: number; manifestRows: number }> {
  const files = (await manifest(s)).filter((f) => f.path.startsWith('silver/requests/'));
  for (const f of files) assert.ok(existsSync(join(s.data, 'lake', f.path)), `the manifest references a missing file ${f.path}`);
  const list = files.map((f) => `'${join(s.data, 'lake', f.path)}'`).join(', ');
  const [[total, mine, distinct]] = await ask(s, `SELECT count(*), count(*) FILTER (WHERE source_offset IN (${s.offsets.join(', ')})), ` +
    `count(DISTINCT (source_stream, source_offset)) FROM read_parquet([${list}], hive_partitioning = false)`) as [[number, number, number]];
  assert.equal(distinct, total, 'no row is referenced twice');
  return { total, mine, manifestRows: files.reduce((a, f) => a + f.rows, 0) };
}

/** Part files on disk under the lake (staging excluded), relative to the lake root. */
const partsOnDisk = (s: Site): string[] => filesUnder(join(s.data, 'lake')).map((f) => f.slice(join(s.data, 'lake').length + 1))
  .filter((f) => /(^|\/)part-[^/]*\.parquet$/.test(f) && !f.includes('/.staging/')).sort();

describe('erase is crash-safe', { concurrency: 1 }, () => {
  let base: Site;
  let before0: number;
  before(async () => {
    base = await site('crash', '  - type: sessions\n  - type: privacy\n    fields:\n      client_ip: pseudonymize\n');
    before0 = (await referencedRows(base)).total;
  });
  after(() => base?.cleanup());

  for (const point of ['erase.lake.after_stage', 'erase.lake.after_promote', 'erase.lake.after_manifest', 'erase.warehouse.after_delete', 'erase.warehouse.before_swap']) {
    it(`killed at ${point}: old or new, never both or neither; recovery and a second erase finish the job`, async (t) => {
      const s = copyOf(base, t);
      const killed = await cli(['erase', s.file, '--ip', TARGET, '--yes'], undefined, { TRIBUTARY_FAILPOINT: point });
      assert.equal(killed.signal, 'SIGKILL', `the failpoint did not fire: ${killed.stderr}`);

      const crashed = await referencedRows(s);
      const swapped = point === 'erase.lake.after_manifest';
      assert.deepEqual(crashed, swapped ? { total: before0 - PERSON, mine: 0, manifestRows: before0 - PERSON } : { total: before0, mine: PERSON, manifestRows: before0 });
      if (point.startsWith('erase.warehouse.')) {
        const [[rows]] = await ask(s, `SELECT count(*) FROM w.requests WHERE source_offset IN (${s.offsets.join(', ')})`) as [[number]];
        assert.equal(rows, 0, 'the DELETE committed before the crash');
        assert.equal((await erase(s, '--ip', TARGET, '--dry-run')).warehouses[0]!.compaction, 'pending', 'the owed compaction is reported');
      }

      // A run reconciles the lake with the manifest; a replay into the same directory writes nothing again.
      assert.equal((await runJson(s.file)).summary.status, 'succeeded');
      assert.deepEqual(partsOnDisk(s), (await manifest(s)).map((f) => f.path).sort(), 'disk = manifest after reconcile');
      const replay = await cli(['replay', s.file, '--json', '--no-progress']);
      assert.equal(replay.code, 0, replay.stderr);
      // (A replay hands every archived row to the sinks again; their watermarks must skip all of them.)
      assert.deepEqual(await referencedRows(s), crashed, 'watermarks intact: nothing is written twice or resurrected');

      const done = await erase(s, '--ip', TARGET, '--yes');
      // The lake is rewritten after the warehouse: a lake crash leaves nothing owed there.
      assert.equal(done.warehouses[0]!.compaction, point.startsWith('erase.warehouse.') ? 'done' : 'not_needed');
      assert.deepEqual(await referencedRows(s), { total: before0 - PERSON, mine: 0, manifestRows: before0 - PERSON });
      assert.deepEqual(partsOnDisk(s), (await manifest(s)).map((f) => f.path).sort());
      const [[whMine, lakeMine]] = await ask(s, `SELECT (SELECT count(*) FROM w.requests WHERE source_offset IN (${s.offsets.join(', ')})), ` +
        `(SELECT count(*) FROM ${LAKE('requests')} WHERE source_offset IN (${s.offsets.join(', ')}))`) as [[number, number]];
      assert.deepEqual([whMine, lakeMine], [0, 0]);
      for (const f of filesUnder(s.data)) assert.ok(!readFileSync(f).includes(Buffer.from(TARGET)), `the address is in ${f}`);
    });
  }
});
