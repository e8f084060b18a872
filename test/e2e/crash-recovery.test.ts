/**
 * Crash recovery: a 60k-line run with many small commits is killed with SIGKILL at least 10 times
 * (right after a commit shows up on disk, or after a seeded random delay), then run to completion.
 * The result must equal a clean single run: every valid line once in the warehouse and the lake,
 * quarantine without duplicates, the control store's last run succeeded.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { generateDemoLogs } from '../../src/generator/index.js';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';
import { collect, pipelineYaml, prng, runJson, spawnCli, workspace, type Summary } from './_cli.js';

const LINES = 60_000;
const MIN_KILLS = 10;
const MAX_SPAWNS = 20;

/** Committed (renamed into place) Parquet part files under a lake area; dot dirs (staging) skipped, vanishing entries tolerated. */
function parquetFiles(dir: string, out = new Set<string>()): Set<string> {
  let entries: Dirent[];
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) parquetFiles(join(dir, e.name), out);
    else if (e.name.endsWith('.parquet')) out.add(join(dir, e.name));
  }
  return out;
}

/** Number of commits with part files in `now` that are not in `before`. */
function commitIds(now: Set<string>, before: Set<string>): number {
  return new Set([...now].filter((f) => !before.has(f)).map((f) => /part-(.+)-\d+\.parquet$/.exec(f)?.[1])).size;
}

/** A few rows that differ between two warehouses (for the failure message). */
async function diff(a: string, b: string): Promise<string> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await connectUtc(db);
  try {
    await conn.run(`attach '${join(a, 'warehouse.duckdb')}' as a (read_only); attach '${join(b, 'warehouse.duckdb')}' as b (read_only)`);
    const cols = 'source_stream, source_offset, source_line, format, client_ip, ts, status, path, source_uri';
    const q = async (sql: string): Promise<string> => JSON.stringify((await conn.runAndReadAll(sql)).getRowObjectsJson());
    return [
      `requests only in clean: ${await q(`select ${cols} from (select ${cols} from a.requests except select ${cols} from b.requests) order by 1, 2 limit 6`)}`,
      `requests only in crashed: ${await q(`select ${cols} from (select ${cols} from b.requests except select ${cols} from a.requests) order by 1, 2 limit 6`)}`,
      `quarantine only in clean: ${await q('select stream, "offset", line, code, field, uri from (select stream, "offset", line, code, field, uri from a.quarantine except select stream, "offset", line, code, field, uri from b.quarantine) order by 1, 2 limit 6')}`,
      `quarantine only in crashed: ${await q('select stream, "offset", line, code, field, uri from (select stream, "offset", line, code, field, uri from b.quarantine except select stream, "offset", line, code, field, uri from a.quarantine) order by 1, 2 limit 6')}`,
    ].join('\n');
  } finally {
    conn.disconnectSync();
    db.closeSync();
  }
}

/** The facts compared between the clean and the crashed data directory. */
async function facts(dataDir: string): Promise<Record<string, unknown>> {
  const lake = join(dataDir, 'lake');
  const wh = await openWarehouse(join(dataDir, 'warehouse.duckdb'), { readOnly: true });
  try {
    const { rows: [r] } = await wh.query(`select
      (select count(*) from requests) as requests,
      (select count(*) - count(distinct (source_stream, source_offset)) from requests) as request_dups,
      (select sum(hash(source_stream, source_offset, ts, status, path, client_ip))::varchar from requests) as request_hash,
      (select count(*) from quarantine) as quarantine,
      (select count(*) - count(distinct (stream, "offset")) from quarantine) as quarantine_dups,
      (select sum(hash(stream, "offset", code))::varchar from quarantine) as quarantine_hash,
      (select count(*) from read_parquet('${lake}/silver/requests/**/*.parquet')) as lake_rows,
      (select count(*) - count(distinct (source_stream, source_offset)) from read_parquet('${lake}/silver/requests/**/*.parquet')) as lake_dups,
      (select sum(hash(source_stream, source_offset, ts, status, path, client_ip))::varchar from read_parquet('${lake}/silver/requests/**/*.parquet')) as lake_hash,
      (select count(*) from read_parquet('${lake}/quarantine/requests/**/*.parquet')) as lake_quarantine,
      (select count(*) - count(distinct (stream, "offset")) from read_parquet('${lake}/quarantine/requests/**/*.parquet')) as lake_quarantine_dups`);
    const cols = ['requests', 'request_dups', 'request_hash', 'quarantine', 'quarantine_dups', 'quarantine_hash',
      'lake_rows', 'lake_dups', 'lake_hash', 'lake_quarantine', 'lake_quarantine_dups'];
    return Object.fromEntries(cols.map((c, i) => [c, r![i]]));
  } finally {
    await wh.close();
  }
}

describe('crash recovery (kill -9 at random points)', () => {
  let ws: ReturnType<typeof workspace>;
  let pipeline: string;
  let clean: Summary;
  let cleanMs = 0;
  before(async () => {
    ws = workspace('trb-e2e-crash-');
    await generateDemoLogs(join(ws.dir, 'logs'), { lines: LINES, seed: 7 });
    pipeline = join(ws.dir, 'pipeline.yaml');
    writeFileSync(pipeline, pipelineYaml({ name: 'crash', include: ['logs/**/access.log*'], chunkBytes: 64 * 1024, commitLines: 3000 }));
  });
  after(() => { if (!process.env.KEEP_E2E) ws.cleanup(); else console.error(`kept ${ws.dir}`); });

  it('a clean single run (the expectation)', async () => {
    const t0 = Date.now();
    const r = await runJson(pipeline, '--data-dir', join(ws.dir, 'clean'));
    cleanMs = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    clean = r.summary;
    assert.equal(clean.status, 'succeeded');
    assert.equal(clean.linesRead, LINES);
    assert.equal(clean.linesRead, clean.landed + clean.quarantined + clean.filtered);
    assert.ok(clean.commits >= 18, `many commits (${clean.commits})`);
    assert.ok(clean.quarantined > 0 && clean.landed > LINES * 0.9);
  });

  it('killed at least 10 times, then finished: same rows, each exactly once', async (t) => {
    assert.ok(clean, 'needs the clean run');
    const dataDir = join(ws.dir, 'crashed');
    const silver = join(dataDir, 'lake', 'silver', 'requests');
    const rand = prng(20_261_123);
    const log: string[] = [];
    let kills = 0;
    for (let i = 0; kills < MIN_KILLS && i < MAX_SPAWNS; i++) {
      const child = spawnCli(['run', pipeline, '--json', '--no-progress', '--data-dir', dataDir]);
      const done = collect(child);
      let exited = false;
      void done.then(() => { exited = true; });
      // A commit of this spawn shows as Parquet files of a new commit id (reconcile only deletes).
      // Even spawns: kill 0..150 ms after its 1st..3rd commit (spans the sink → control store
      // window). Odd spawns: kill after a random delay, at most 0..400 ms after its first commit.
      // So no spawn gets far, and the kills spread over the input.
      const afterCommit = i % 2 === 0;
      const before = parquetFiles(silver);
      const wantCommits = afterCommit ? 1 + Math.floor(rand() * 3) : 1;
      const deadline = afterCommit ? Infinity : Date.now() + 200 + Math.floor(rand() * cleanMs * 0.5);
      const jitter = Math.floor(rand() * (afterCommit ? 150 : 400));
      let killAt = deadline;
      let committed = false;
      while (!exited && Date.now() < killAt) {
        if (!committed && commitIds(parquetFiles(silver), before) >= wantCommits) { committed = true; killAt = Math.min(killAt, Date.now() + jitter); }
        await sleep(5);
      }
      if (!exited) child.kill('SIGKILL');
      const r = await done;
      if (r.signal === 'SIGKILL') kills++;
      else assert.equal(r.code, 0, `spawn ${i} ended on its own but failed: ${r.stdout}${r.stderr}`);
      log.push(`#${i} ${afterCommit ? 'after-commit' : 'timed'} → ${r.signal ?? `exit ${r.code}`}, ${committed ? 'after a commit' : 'before any commit'}, parquet ${before.size}→${parquetFiles(silver).size}`);
    }
    for (const l of log) t.diagnostic(l);
    assert.ok(kills >= MIN_KILLS, `killed ${kills} times:\n${log.join('\n')}`);
    assert.ok(log.filter((l) => l.includes('SIGKILL, after a commit')).length >= MIN_KILLS / 2, 'half the kills follow a commit');

    const final = await runJson(pipeline, '--data-dir', dataDir);
    assert.equal(final.code, 0, `${JSON.stringify(final.summary.error)}\n${final.stderr}`);
    assert.equal(final.summary.status, 'succeeded');
    assert.ok(final.summary.linesRead < LINES, `the final run resumed from a checkpoint (read ${final.summary.linesRead})`);

    const [want, got] = [await facts(join(ws.dir, 'clean')), await facts(dataDir)];
    assert.equal(want.requests, clean.landed);
    assert.equal(want.quarantine, clean.quarantined);
    assert.equal(got.request_dups, 0, 'no (stream, offset) twice in requests');
    assert.equal(got.quarantine_dups, 0, 'no (stream, offset) twice in quarantine');
    assert.equal(got.lake_dups, 0, 'no (stream, offset) twice in the lake');
    assert.equal(got.lake_quarantine_dups, 0, 'no (stream, offset) twice in the lake quarantine');
    assert.equal(got.lake_rows, got.requests, 'committed lake rows = warehouse rows (orphans removed)');
    assert.deepEqual(got, want, await diff(join(ws.dir, 'clean'), dataDir));

    const d = await openDeployment(dataDir, {});
    try {
      const [last] = await d.control.listRuns({ pipeline: 'crash', limit: 1 });
      assert.equal(last?.status, 'succeeded');
    } finally {
      await d.close();
    }
  });
});
