/**
 * `tributary lifecycle run` end to end on a real pipeline run over logs spanning months: a dry run
 * reports exactly what expires per layer and changes no file; the run then removes exactly the old
 * lake partitions (moved to cold storage as readable Parquet, checked against the manifest's
 * sha256), the old warehouse rows (silver and gold tables), every quarantined row (lake and warehouse) and the old bronze
 * segments and objects — nothing else; it is audited (attempt then outcome per layer, chain
 * verifies); a second run finds nothing; a bronze replay of what remains resurrects nothing; `--every`
 * repeats and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LifecycleReport } from '../../src/ops/lifecycle/lifecycle-report.js';
import { cli, collect, spawnCli } from './_cli.js';
import { ask, expected, lifecycle, manifests, partsOnDisk, site, snapshot, type Site } from './_lifecycle-site.js';

describe('lifecycle run: retention per layer, cold storage, dry run, audit', { concurrency: 1 }, () => {
  let s: Site;
  let dry: LifecycleReport;
  let want: Awaited<ReturnType<typeof expected>>;
  let applied: LifecycleReport;
  before(async () => { s = await site('lc'); });
  after(() => s?.cleanup());

  it('a dry run reports exactly what would expire, per layer, and changes no file', async () => {
    const snap = snapshot(s);
    dry = await lifecycle(s, '--dry-run');
    want = await expected(s, dry);
    assert.equal(dry.dryRun, true);
    assert.ok(want.lakeSilverFiles > 30 && want.whRequests > 1000 && want.whQuarantine > 0 && want.oldBronze.length > 0, JSON.stringify(want));
    assert.ok(want.whRequests < want.totalRequests, 'recent rows are kept');
    assert.equal(dry.totals.lakeRows, want.lakeSilverRows + want.lakeQuarantineRows);
    assert.equal(dry.totals.warehouseRows, want.whRequests + want.whQuarantine + want.whEvents + 3);
    assert.equal(dry.totals.lakeFiles, dry.lake.reduce((a, p) => a + p.files, 0));
    assert.ok(dry.lake.every((p) => p.action === 'move' && p.coldDir?.startsWith(s.archive)));
    const rows = (table: string) => dry.warehouse.find((w) => w.table === table)!.rows;
    assert.deepEqual([rows('requests'), rows('quarantine'), rows('security_events')], [want.whRequests, want.whQuarantine, want.whEvents]);
    assert.deepEqual(dry.warehouse.filter((w) => w.layer === 'gold').map((w) => [w.table, w.column, w.rows]), [['fact_daily', 'day', 3]], 'gold: fact_daily by its day column');
    assert.ok(dry.notes.some((n) => n.includes('`rollup_plain`')), 'a gold table without a time column is reported');
    assert.equal(dry.bronze.segments, want.oldBronze.length);
    assert.deepEqual(dry.bronze.keys, [...new Set(want.oldBronze.map((b) => b.objectKey))].sort());
    assert.ok(dry.bronze.bytes > 0 && dry.totals.lakeBytes > 0);
    assert.deepEqual(snapshot(s), snap, 'a dry run changes no file');
    assert.ok(!existsSync(s.archive));
    const human = await cli(['lifecycle', 'run', s.file, '--dry-run', '--at', s.at]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /dry run: nothing changed[\s\S]*lake: would remove \d+ partition/);
    assert.deepEqual(snapshot(s), snap);
  });

  it('removes exactly the expired partitions, rows and objects (and compacts the warehouse); moved partitions are readable Parquet in cold storage', async () => {
    const before0 = await manifests(s);
    const size0 = statSync(join(s.data, 'warehouse.duckdb')).size;
    applied = await lifecycle(s, '--compact');
    assert.deepEqual(applied.compacted, [join(s.data, 'warehouse.duckdb')]);
    assert.ok(statSync(join(s.data, 'warehouse.duckdb')).size < size0, 'compaction shrank the warehouse file');
    assert.ok(!existsSync(join(s.data, 'warehouse.duckdb.erase-compact')), 'no compaction is owed');
    assert.equal(applied.dryRun, false);
    assert.deepEqual(applied.totals, dry.totals, 'the run did what the dry run said');
    const now = await manifests(s);
    const gone = new Set(before0.lake.map((f) => f.path).filter((p) => !now.lake.some((f) => f.path === p)));
    assert.equal(gone.size, dry.totals.lakeFiles);
    const silverDay = applied.cutoffs.silver.slice(0, 10);
    for (const f of now.lake) {
      assert.ok(f.path.startsWith('silver/') && (f.partition ?? '').slice(4) >= silverDay, `kept ${f.path}`);
      assert.ok(existsSync(join(s.data, 'lake', f.path)), `the manifest references a missing file ${f.path}`);
    }
    assert.deepEqual(partsOnDisk(s), now.lake.map((f) => f.path).sort(), 'disk = manifest');
    // Cold storage: every expired file, byte for byte, readable.
    const moved = readFileSync(join(s.archive, '_moved.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string; sha256: string; rows: number });
    assert.deepEqual(moved.map((m) => m.path).sort(), [...gone].sort());
    for (const m of moved) {
      const was = before0.lake.find((f) => f.path === m.path)!;
      assert.equal(createHash('sha256').update(readFileSync(join(s.archive, m.path))).digest('hex'), was.sha256);
    }
    const [[coldRows]] = await ask(s, `SELECT count(*) FROM read_parquet('${s.archive}/silver/requests/*/*.parquet')`) as [[number]];
    assert.equal(coldRows, want.lakeSilverRows);
    // Warehouse: nothing before the cutoffs, everything after.
    const cut = applied.cutoffs.silver.slice(0, 19);
    const [[old, total, q]] = await ask(s, `SELECT (SELECT count(*) FROM w.requests WHERE ts < TIMESTAMP '${cut}'), (SELECT count(*) FROM w.requests), (SELECT count(*) FROM w.quarantine)`) as [[number, number, number]];
    assert.deepEqual([old, total, q], [0, want.totalRequests - want.whRequests, 0]);
    const [[fact, dim, plain]] = await ask(s, 'SELECT (SELECT sum(hits) FROM w.fact_daily), (SELECT count(*) FROM w.dim_page), (SELECT count(*) FROM w.rollup_plain)') as [[number, number, number]];
    assert.deepEqual([fact, dim, plain], [9, 2, 1], 'only the old gold fact rows are gone');
    // Bronze: the old segments and their objects are gone, the recent ones stay.
    const oldKeys = new Set(want.oldBronze.map((b) => b.objectKey));
    assert.ok(now.bronze.length > 0 && now.bronze.every((b) => !b.uri.endsWith('old.log')));
    for (const k of oldKeys) assert.ok(!existsSync(join(s.data, 'bronze', ...k.split('/'))), `object ${k} deleted`);
    for (const b of now.bronze) assert.ok(existsSync(join(s.data, 'bronze', ...b.objectKey.split('/'))), `object ${b.objectKey} kept`);
  });

  it('is audited: lifecycle.* attempt then outcome with counts; the chain verifies', async () => {
    const v = await cli(['audit', 'verify', '--data-dir', s.data, '--json']);
    assert.equal(v.code, 0, v.stderr);
    const search = async (action: string) => {
      const r = await cli(['audit', 'search', '--action', action, '--data-dir', s.data, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { outcome: string; requestId: string; details: Record<string, unknown> }[]).reverse();
    };
    const runs = await search('lifecycle.run');
    assert.deepEqual(runs.map((e) => e.outcome), ['attempt', 'ok', 'attempt', 'ok', 'attempt', 'ok']);
    assert.deepEqual(runs.map((e) => e.details.dryRun), [true, true, true, true, false, false]);
    const lake = await search('lifecycle.lake');
    assert.deepEqual(lake.map((e) => e.outcome), ['attempt', 'ok']);
    assert.equal(lake[1]!.details.files, dry.totals.lakeFiles);
    assert.equal(lake[1]!.details.moved, dry.totals.lakeFiles);
    const wh = await search('lifecycle.warehouse');
    assert.deepEqual(wh.map((e) => e.outcome), ['attempt', 'ok']);
    assert.equal((wh[1]!.details.tables as Record<string, number>)['warehouse.requests'], want.whRequests);
    const bronze = await search('lifecycle.bronze');
    assert.deepEqual(bronze.map((e) => [e.outcome, e.details.objects]), [['attempt', dry.bronze.objects], ['ok', dry.bronze.objects]]);
    assert.equal(new Set([...lake, ...wh, ...bronze, runs[4]!, runs[5]!].map((e) => e.requestId)).size, 1, 'one request id per lifecycle run');
  });

  it('a second run finds nothing; a bronze replay of the remaining data resurrects nothing', async () => {
    const again = await lifecycle(s);
    assert.deepEqual(again.totals, { bronzeObjects: 0, bronzeBytes: 0, lakePartitions: 0, lakeFiles: 0, lakeRows: 0, lakeBytes: 0, warehouseRows: 0 });
    const beforeReplay = await manifests(s);
    const [[rowsBefore]] = await ask(s, 'SELECT count(*) FROM w.requests') as [[number]];
    const replay = await cli(['replay', s.file, '--json', '--no-progress']);
    assert.equal(replay.code, 0, replay.stderr);
    const [[rowsAfter, oldAfter]] = await ask(s, `SELECT count(*), count(*) FILTER (WHERE ts < TIMESTAMP '${applied.cutoffs.silver.slice(0, 19)}') FROM w.requests`) as [[number, number]];
    assert.deepEqual([rowsAfter, oldAfter], [rowsBefore, 0]);
    assert.deepEqual((await manifests(s)).lake.map((f) => [f.path, f.rows]), beforeReplay.lake.map((f) => [f.path, f.rows]));
  });

  it('--every runs at once, then per interval, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['lifecycle', 'run', s.file, '--json', '--every', '1s', '--at', s.at]);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const done = collect(child);
    while (out.split('\n').filter(Boolean).length < 2) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as LifecycleReport);
    assert.ok(reports.length >= 2 && reports.every((x) => x.totals.lakeFiles === 0 && !x.dryRun));
    assert.ok(!existsSync(join(s.data, 'lc.run.lock')), 'the run lock is released');
  });

  it('rejects a bad --every or --at and a retention duration that is not strict', async () => {
    const every = await cli(['lifecycle', 'run', s.file, '--every', '1.5h']);
    assert.equal(every.code, 1);
    assert.match(every.stderr, /TRB_LIFECYCLE_OPTION_INVALID/);
    const at = await cli(['lifecycle', 'run', s.file, '--at', 'yesterday']);
    assert.equal(at.code, 1);
    assert.match(at.stderr, /TRB_LIFECYCLE_OPTION_INVALID/);
  });
});
