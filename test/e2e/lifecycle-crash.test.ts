/**
 * Lifecycle is crash-safe: `tributary lifecycle run` is killed with SIGKILL (failpoints) at every
 * step. Right after the crash the lake manifest references only files that exist (either every
 * expired file or none of them), and the bronze manifest only objects that exist. A pipeline run
 * then reconciles the lake (disk = manifest), and a second lifecycle run finishes the job: the end
 * state is the same as without a crash (expired data gone, moved partitions in cold storage,
 * expired bronze objects deleted), and the audit chain verifies.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, runJson, workspace } from './_cli.js';
import { ask, expected, lifecycle, manifests, partsOnDisk, site, type Site } from './_lifecycle-site.js';

/** A copy of `base` in a fresh workspace (paths in the pipeline file are relative). */
function copyOf(base: Site, t: { after(fn: () => void): void }): Site {
  const ws = workspace('trb-lifecycle-crash-');
  t.after(ws.cleanup);
  cpSync(base.dir, ws.dir, { recursive: true });
  return { ...base, dir: ws.dir, file: join(ws.dir, 'p.yaml'), data: join(ws.dir, 'data'), archive: join(ws.dir, 'archive', 'crash'), cleanup: ws.cleanup };
}

describe('lifecycle is crash-safe', { concurrency: 1 }, () => {
  let base: Site;
  let want: Awaited<ReturnType<typeof expected>>;
  let expiredFiles: number;
  before(async () => {
    base = await site('crash');
    const dry = await lifecycle(base, '--dry-run');
    want = await expected(base, dry);
    expiredFiles = dry.totals.lakeFiles;
  });
  after(() => base?.cleanup());

  for (const point of ['lifecycle.lake.after_cold_copy', 'lifecycle.lake.after_manifest', 'lifecycle.warehouse.after_delete', 'lifecycle.bronze.after_manifest']) {
    it(`killed at ${point}: the manifests reference only existing files; a run and a second lifecycle finish the job`, async (t) => {
      const s = copyOf(base, t);
      const before0 = await manifests(s);
      const killed = await cli(['lifecycle', 'run', s.file, '--at', s.at], undefined, { TRIBUTARY_FAILPOINT: point });
      assert.equal(killed.signal, 'SIGKILL', `the failpoint did not fire: ${killed.stderr}`);

      const crashed = await manifests(s);
      for (const f of crashed.lake) assert.ok(existsSync(join(s.data, 'lake', f.path)), `the manifest references a missing file ${f.path}`);
      for (const b of crashed.bronze) assert.ok(existsSync(join(s.data, 'bronze', ...b.objectKey.split('/'))), `the manifest references a missing object ${b.objectKey}`);
      const switched = point !== 'lifecycle.lake.after_cold_copy';
      assert.equal(crashed.lake.length, before0.lake.length - (switched ? expiredFiles : 0), 'all expired entries or none');
      assert.equal(crashed.bronze.length, before0.bronze.length - (point === 'lifecycle.bronze.after_manifest' ? want.oldBronze.length : 0));

      // A run reconciles the lake with its manifest.
      assert.equal((await runJson(s.file)).summary.status, 'succeeded');
      assert.deepEqual(partsOnDisk(s), (await manifests(s)).lake.map((f) => f.path).sort(), 'disk = manifest after reconcile');

      await lifecycle(s);
      const done = await manifests(s);
      assert.equal(done.lake.length, before0.lake.length - expiredFiles);
      assert.deepEqual(partsOnDisk(s), done.lake.map((f) => f.path).sort());
      assert.ok(done.bronze.every((b) => !b.uri.endsWith('old.log')));
      for (const k of new Set(want.oldBronze.map((b) => b.objectKey))) assert.ok(!existsSync(join(s.data, 'bronze', ...k.split('/'))), `object ${k} deleted`);
      assert.ok(!existsSync(join(s.data, 'lifecycle', 'crash.bronze-pending.json')), 'the bronze intent is finished');
      const cut = `TIMESTAMP '${s.at.slice(0, 10)}'`;
      const [[old, total, q, cold]] = await ask(s, `SELECT (SELECT count(*) FROM w.requests WHERE ts < ${cut} - INTERVAL 90 DAY - INTERVAL 1 DAY),
        (SELECT count(*) FROM w.requests), (SELECT count(*) FROM w.quarantine),
        (SELECT count(*) FROM read_parquet('${s.archive}/silver/requests/*/*.parquet'))`) as [[number, number, number, number]];
      assert.deepEqual([old, total, q, cold], [0, want.totalRequests - want.whRequests, 0, want.lakeSilverRows]);
      const v = await cli(['audit', 'verify', '--data-dir', s.data, '--json']);
      assert.equal(v.code, 0, v.stderr);
    });
  }
});
