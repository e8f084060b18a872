/**
 * Cold storage of expired lake partitions: a directory where each expired part file is copied
 * byte for byte (it already is compressed Parquet, encrypted when the lake is), durably, under
 * `<root>/<pipeline>/<path in the lake>`, and listed in `<root>/<pipeline>/_moved.jsonl`. The copy is
 * checked against the manifest's sha256 before the lake file is let go.
 */
import { appendFile, copyFile, mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncAndHash, fsyncDir } from '../../sinks/_shared/durable-fs.js';

/** One line of the cold index. */
export interface ColdIndexLine {
  /** Path relative to the cold pipeline directory (same as in the lake). */
  readonly path: string;
  readonly sink: string;
  readonly dataset: string;
  readonly partition: string | null;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
  /** The lifecycle change that moved it (audit `requestId` prefix). */
  readonly changeId: string;
  /** ISO-8601 UTC. */
  readonly movedAt: string;
}

/** A cold storage directory for one pipeline. */
export class ColdStorage {
  /** Absolute directory of the pipeline's cold files. */
  readonly dir: string;

  constructor(root: string, pipeline: string) {
    this.dir = join(root, pipeline);
  }

  /** Absolute cold path of a lake path (`silver/<dataset>/day=…/part-….parquet`). */
  pathOf(lakePath: string): string {
    return join(this.dir, ...lakePath.split('/'));
  }

  /**
   * Copies `source` to the cold path of `lakePath` durably (temp file, fsync, rename, fsync
   * directory) and returns its size and sha256. Copying again replaces the copy (idempotent).
   * Throws when the copy's sha256 differs from `expectedSha256` (when given): the temp file is left
   * for inspection and the lake file is not touched.
   */
  async copy(source: string, lakePath: string, expectedSha256: string | null): Promise<{ bytes: number; sha256: string }> {
    const dest = this.pathOf(lakePath);
    await mkdir(dirname(dest), { recursive: true, mode: 0o750 });
    const tmp = `${dest}.tmp-${process.pid}`;
    await copyFile(source, tmp);
    const got = await fsyncAndHash(tmp);
    if (expectedSha256 !== null && got.sha256 !== expectedSha256) {
      throw new Error(`the cold copy's sha256 ${got.sha256} is not the manifest's ${expectedSha256}`);
    }
    await rename(tmp, dest);
    await fsyncDir(dirname(dest));
    return got;
  }

  /** Appends `lines` to the index `_moved.jsonl` and fsyncs it. A retried move may repeat a path; the last line wins. */
  async record(lines: readonly ColdIndexLine[]): Promise<void> {
    if (lines.length === 0) return;
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    const file = join(this.dir, '_moved.jsonl');
    await appendFile(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''), { mode: 0o640 });
    const fh = await open(file, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  }
}
