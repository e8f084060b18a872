/**
 * Serving snapshots of a DuckDB warehouse. DuckDB lets one process write a database file, and a
 * reader attached to the live file would either block writers in other processes (its shared file
 * lock) or, in the writer's own process, read blocks a later checkpoint may reuse. So the SQL
 * interfaces read a copy: taken while holding the run lock of every pipeline that has written
 * (so no run is mid-commit), the database file and its write-ahead log together (a read-only attach
 * replays the log), with a reflink where the file system offers one. A snapshot is replaced when a
 * newer run has finished; old copies are removed once no query uses them.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { acquireRunLocks } from '../../engine/runtime/run-lock.js';
import type { RunReader } from '../app-deps.js';

/** Options of {@link createWarehouseSnapshots}. */
export interface WarehouseSnapshotsOptions {
  /** The live warehouse file. */
  readonly warehouse: string;
  /** The data directory (run locks live there). */
  readonly dataDir: string;
  /** Where copies go (default `<dataDir>/server/snapshots`). */
  readonly dir?: string;
  /** Runs, to know which pipelines write and whether something new was committed. */
  readonly runs: RunReader;
}

/** A taken snapshot. */
export interface WarehouseSnapshot {
  readonly path: string;
  /** The newest finished run the copy includes (undefined before any run). */
  readonly throughRun: string | undefined;
}

/** The snapshot manager. */
export interface WarehouseSnapshots {
  /** The newest finished run id now (to compare with a snapshot's `throughRun`). */
  latestFinishedRun(): Promise<string | undefined>;
  /** Takes a snapshot; throws TRB_PIPELINE_BUSY when a run holds a lock (try again later). */
  take(): Promise<WarehouseSnapshot>;
  /** Removes every copy except `keep`. */
  prune(keep: readonly string[]): Promise<void>;
}

const RUNS_SCANNED = 500;

/** Id of the newest finished run among the latest runs (undefined before any): what a refresh compares. */
export async function latestFinishedRun(runs: RunReader): Promise<string | undefined> {
  return (await runs.listRuns({ limit: RUNS_SCANNED })).find((r) => r.finished_at !== null)?.id;
}

/** Creates the manager (see the module doc). */
export function createWarehouseSnapshots(o: WarehouseSnapshotsOptions): WarehouseSnapshots {
  const dir = o.dir ?? join(o.dataDir, 'server', 'snapshots');
  let seq = 0;
  return {
    latestFinishedRun: () => latestFinishedRun(o.runs),
    async take() {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const writers = new Set((await o.runs.listRuns({ limit: RUNS_SCANNED })).map((r) => r.pipeline));
      const locks = acquireRunLocks(o.dataDir, writers);
      try {
        const throughRun = await latestFinishedRun(o.runs);
        const path = join(dir, `${basename(o.warehouse, '.duckdb')}-${process.pid}-${Date.now()}-${seq++}.duckdb`);
        await copyFile(o.warehouse, path, constants.COPYFILE_FICLONE);
        const wal = `${o.warehouse}.wal`;
        if (await stat(wal).then(() => true, () => false)) await copyFile(wal, `${path}.wal`, constants.COPYFILE_FICLONE);
        return { path, throughRun };
      } finally {
        for (const l of locks) l.release();
      }
    },
    async prune(keep) {
      const kept = new Set(keep.flatMap((k) => [basename(k), `${basename(k)}.wal`]));
      const entries = await readdir(dir).catch(() => [] as string[]);
      await Promise.all(entries.filter((e) => !kept.has(e)).map((e) => rm(join(dir, e), { force: true })));
    },
  };
}
