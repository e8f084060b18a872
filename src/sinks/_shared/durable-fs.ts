/** File-system helpers for crash-safe commits: fsync files and directories, atomic JSON writes. */
import { createHash } from 'node:crypto';
import { open, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Flushes a directory entry table to disk (needed after rename/unlink to survive power loss). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/**
 * Flushes a file's data to disk and returns its size and sha256 (read in the same pass, so the
 * hash is of the bytes that were made durable).
 */
export async function fsyncAndHash(file: string): Promise<{ readonly bytes: number; readonly sha256: string }> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { bytes, sha256: hash.digest('hex') };
  } finally { await fh.close(); }
}

/** Writes `value` as JSON to `file` atomically (temp file, fsync, rename, fsync directory). */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o640 });
  const fh = await open(tmp, 'r+');
  try { await fh.sync(); } finally { await fh.close(); }
  await rename(tmp, file);
  await fsyncDir(dirname(file));
}
