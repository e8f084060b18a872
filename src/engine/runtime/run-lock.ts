/**
 * One run per pipeline and data directory at a time: two concurrent runs would read from the same
 * checkpoints and land the same lines twice in sinks without a watermark of their own. The lock is
 * a file created exclusively; a lock left by a process that no longer exists (crash, kill -9) is
 * taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineBusy } from '../errors.js';

/** A held run lock. */
export interface RunLock {
  release(): void;
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as { code?: string }).code === 'EPERM'; }
};

/** Takes the lock of `pipeline` in `dataDir`, or throws TRB_PIPELINE_BUSY naming the holder. */
export function acquireRunLock(dataDir: string, pipeline: string): RunLock {
  const path = join(dataDir, `${pipeline}.run.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let held = true;
      return { release: () => { if (held) { held = false; rmSync(path, { force: true }); } } };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) throw PipelineBusy({ pipeline, pid, lock: path });
      if (pid === process.pid) throw PipelineBusy({ pipeline, pid, lock: path });
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw PipelineBusy({ pipeline, pid: -1, lock: path });
}

/**
 * Takes the run locks of every pipeline in `names` (deduplicated), or none: when one is busy the
 * ones already taken are released and TRB_PIPELINE_BUSY is thrown. For work that must see no
 * writer at all (backups, serving snapshots).
 */
export function acquireRunLocks(dataDir: string, names: Iterable<string>): RunLock[] {
  const locks: RunLock[] = [];
  try {
    for (const n of new Set(names)) locks.push(acquireRunLock(dataDir, n));
    return locks;
  } catch (err) {
    for (const l of locks) l.release();
    throw err;
  }
}
