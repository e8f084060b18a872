/**
 * A workspace for lifecycle tests: two generated access logs, one of months ago and one recent
 * (timestamps relative to now), run once through a pipeline with a lake (cold storage configured)
 * and a warehouse; the old log's bronze segments are then dated back as if ingested long ago. The
 * lifecycle is evaluated at {@link Site.at}, far enough ahead that quarantine (rows quarantined now)
 * expires too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { generateAccessLog } from '../../src/generator/index.js';
import type { LifecycleReport } from '../../src/ops/lifecycle/lifecycle-report.js';
import type { BronzeManifestEntry, LakeFileManifestEntry } from '../../src/seams/control-store/control-store.js';
import { connectUtc } from '../../src/sinks/_shared/duckdb-values.js';
import { filesUnder } from '../helpers/data-files.js';
import { cleanEnv, cli, runJson, workspace } from './_cli.js';
import { logPipeline } from '../helpers/log-pipeline.js';
import { ask } from './_erase-site.js';

const DAY = 86_400_000;

/** A prepared workspace. */
export interface Site {
  readonly dir: string;
  readonly file: string;
  readonly data: string;
  readonly archive: string;
  /** `--at` of every lifecycle run: now + 37 days (ISO). */
  readonly at: string;
  cleanup(): void;
}

/** The pipeline: parse, validate, dedupe, behavior; lake + duckdb; short retentions and cold storage. */
const pipeline = (name: string): string => logPipeline({
  name, format: 'apache_combined', dataDir: './data', stages: ['validate', 'dedupe', 'behavior'],
  extra: 'quality:\n  max_invalid_ratio: 0.5\nretention:\n  bronze: 60d\n  silver: 90d\n  quarantine: 30d\n  cold_storage: ./archive\n',
});

/**
 * Generates `logs/old.log` (60 days, starting 200 days ago) and `logs/new.log` (35 days, starting
 * 40 days ago), runs the pipeline, and dates the old log's bronze rows 100 days back.
 */
export async function site(name: string): Promise<Site> {
  const ws = workspace(`trb-lifecycle-${name}-`);
  mkdirSync(join(ws.dir, 'logs'));
  const now = Date.now();
  const midnight = (ms: number): Date => new Date(Math.floor(ms / DAY) * DAY);
  await generateAccessLog({ lines: 3000, seed: 3, format: 'apache_combined', malformedRatio: 0.01, start: midnight(now - 200 * DAY), days: 60 }, join(ws.dir, 'logs', 'old.log'));
  await generateAccessLog({ lines: 3000, seed: 4, format: 'apache_combined', malformedRatio: 0.01, start: midnight(now - 40 * DAY), days: 35 }, join(ws.dir, 'logs', 'new.log'));
  const file = join(ws.dir, 'p.yaml');
  writeFileSync(file, pipeline(name));
  const run = await runJson(file);
  assert.equal(run.summary.status, 'succeeded', run.stderr);
  const data = join(ws.dir, 'data');
  const db = new Database(join(data, 'control.db'));
  try {
    const r = db.prepare("UPDATE bronze_objects SET ingested_at = ? WHERE uri LIKE '%old.log'").run(new Date(now - 100 * DAY).toISOString());
    assert.ok(r.changes > 0, 'the old log has bronze segments');
  } finally { db.close(); }
  await addGoldTables(join(data, 'warehouse.duckdb'), now);
  return { dir: ws.dir, file, data, archive: join(ws.dir, 'archive', name), at: new Date(now + 37 * DAY).toISOString(), cleanup: ws.cleanup };
}

/**
 * Gold tables as a gold layer would leave them: `fact_daily` (3 rows 800 days old, 2 recent), a
 * dimension `dim_page` (no age) and `rollup_plain` (no time column).
 */
async function addGoldTables(path: string, now: number): Promise<void> {
  const db = await DuckDBInstance.create(path);
  try {
    const conn = await connectUtc(db);
    try {
      const day = (ago: number): string => new Date(now - ago * DAY).toISOString().slice(0, 10);
      await conn.run(`CREATE TABLE fact_daily AS SELECT * FROM (VALUES (DATE '${day(800)}', 1), (DATE '${day(801)}', 2), (DATE '${day(802)}', 3), (DATE '${day(10)}', 4), (DATE '${day(11)}', 5)) v(day, hits)`);
      await conn.run("CREATE TABLE dim_page AS SELECT * FROM (VALUES ('/a'), ('/b')) v(path)");
      await conn.run('CREATE TABLE rollup_plain AS SELECT 1 AS x');
    } finally { conn.disconnectSync(); }
  } finally { db.closeSync(); }
}

/** The control store's manifests. */
export async function manifests(s: Site): Promise<{ lake: readonly LakeFileManifestEntry[]; bronze: readonly BronzeManifestEntry[] }> {
  const d = await openDeployment(s.data, cleanEnv());
  try { return { lake: await d.control.listLakeFiles({}), bronze: await d.control.listBronze() }; } finally { await d.close(); }
}

/** Rows of `sql` over the warehouse (attached read-only as `w`); `{lake}` is the lake root. */
export { ask };

/** Part files on disk under the lake (staging excluded), relative to the lake root, sorted. */
export const partsOnDisk = (s: Site): string[] => filesUnder(join(s.data, 'lake')).map((f) => f.slice(join(s.data, 'lake').length + 1))
  .filter((f) => /(^|\/)part-[^/]*\.parquet$/.test(f) && !f.includes('/.staging/')).sort();

/** sha256 of every file a lifecycle may change: lake, bronze, warehouse, archive. */
export function snapshot(s: Site): Record<string, string> {
  const files = [...filesUnder(join(s.data, 'lake')), ...filesUnder(join(s.data, 'bronze')), join(s.data, 'warehouse.duckdb'),
    ...(existsSync(join(s.dir, 'archive')) ? filesUnder(join(s.dir, 'archive')) : [])];
  return Object.fromEntries(files.map((f) => [f.slice(s.dir.length), createHash('sha256').update(readFileSync(f)).digest('hex')]));
}

/** `lifecycle run <pipeline> --json --at <site.at> ...args`: the parsed report (asserts exit 0). */
export async function lifecycle(s: Site, ...args: string[]): Promise<LifecycleReport> {
  const r = await cli(['lifecycle', 'run', s.file, '--json', '--at', s.at, ...args]);
  assert.equal(r.code, 0, `lifecycle ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout) as LifecycleReport;
}

/** What the site holds before any lifecycle, split at the cutoffs of a report. */
export async function expected(s: Site, r: LifecycleReport): Promise<{
  lakeSilverRows: number; lakeSilverFiles: number; lakeQuarantineRows: number; whRequests: number; whQuarantine: number; whEvents: number;
  oldBronze: readonly BronzeManifestEntry[]; totalRequests: number;
}> {
  const { lake, bronze } = await manifests(s);
  const silverDay = r.cutoffs.silver.slice(0, 10);
  const silver = lake.filter((f) => f.path.startsWith('silver/') && (f.partition ?? '').slice(4) < silverDay);
  const quarantine = lake.filter((f) => f.path.startsWith('quarantine/') && (f.partition ?? '').slice(4) < r.cutoffs.quarantine.slice(0, 10));
  const cut = r.cutoffs.silver.slice(0, 19);
  const [[req, q, ev, total]] = await ask(s, `SELECT (SELECT count(*) FROM w.requests WHERE ts < TIMESTAMP '${cut}'),
    (SELECT count(*) FROM w.quarantine WHERE quarantined_at < TIMESTAMP '${r.cutoffs.quarantine.slice(0, 19)}'),
    (SELECT count(*) FROM w.security_events WHERE ts < TIMESTAMP '${cut}'), (SELECT count(*) FROM w.requests)`) as [[number, number, number, number]];
  return {
    lakeSilverRows: silver.reduce((a, f) => a + f.rows, 0), lakeSilverFiles: silver.length, lakeQuarantineRows: quarantine.reduce((a, f) => a + f.rows, 0),
    whRequests: req, whQuarantine: q, whEvents: ev, oldBronze: bronze.filter((b) => Date.parse(b.ingestedAt) < Date.parse(r.cutoffs.bronze)), totalRequests: total,
  };
}
