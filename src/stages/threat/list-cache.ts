/**
 * The cached copy of a downloaded reputation list: `<dir>/<name>.list` and its metadata
 * `<dir>/<name>.list.meta.json` (validators for conditional requests, when the copy was checked and
 * downloaded). Both are replaced atomically (temp file, fsync, rename, fsync of the directory) with
 * mode 0640, so a reader (the workers' FileWatch) never sees half a file and a crash leaves the
 * last good copy. The metadata never holds the URL itself (its path or query may hold a token),
 * only its sha256 and host.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Mode of the cached files (owner read/write, group read); the downloader creates its temp file with it. */
export const LIST_FILE_MODE = 0o640;
const DIR_MODE = 0o750;

const Meta = z.object({
  version: z.literal(1),
  url_sha256: z.string(),
  host: z.string(),
  etag: z.string().optional(),
  last_modified: z.string().optional(),
  checked_at: z.iso.datetime(),
  downloaded_at: z.iso.datetime(),
  bytes: z.number().int().min(0),
  entries: z.number().int().min(0),
});

/** What is known about the cached copy (stored as JSON beside it). */
export type ListCacheMeta = z.infer<typeof Meta>;

/** sha256 (hex) of `url`: identifies the list's source without storing the URL. */
export function urlFingerprint(url: string): string {
  return createHash('sha256').update(url).digest('hex');
}

/** Flushes `path` (a file or a directory) to disk. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** The cached copy of one list; see the module doc. No I/O until a method is called. */
export class ListCache {
  readonly dir: string;
  /** The list file the workers read. */
  readonly file: string;
  readonly metaFile: string;

  constructor(dir: string, name: string) {
    this.dir = dir;
    this.file = join(dir, `${name}.list`);
    this.metaFile = `${this.file}.meta.json`;
  }

  /**
   * The metadata of the cached copy of the URL with fingerprint `urlSha256`, or undefined when there
   * is no usable copy: list or metadata missing or unreadable, or downloaded from another URL.
   */
  current(urlSha256: string): ListCacheMeta | undefined {
    try {
      if (!statSync(this.file).isFile()) return undefined;
      const meta = Meta.safeParse(JSON.parse(readFileSync(this.metaFile, 'utf8')));
      return meta.success && meta.data.url_sha256 === urlSha256 ? meta.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** A new temp file path beside the list (creates the directory, mode 0750); the caller creates the file. */
  async tempFile(): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
    return `${this.file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  }

  /** Makes `temp` (written and fsynced by the caller, in this directory) the cached copy, then records `meta`. */
  async install(temp: string, meta: ListCacheMeta): Promise<void> {
    await rename(temp, this.file);
    await fsyncPath(this.dir);
    await this.writeMeta(meta);
  }

  /** Replaces the metadata atomically (e.g. a new `checked_at` after a 304). */
  async writeMeta(meta: ListCacheMeta): Promise<void> {
    const temp = await this.tempFile();
    try {
      const fh = await open(temp, 'wx', LIST_FILE_MODE);
      try {
        await fh.writeFile(`${JSON.stringify(Meta.parse(meta), null, 2)}\n`);
        await fh.sync();
      } finally { await fh.close(); }
      await rename(temp, this.metaFile);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await fsyncPath(this.dir);
  }

  /** Removes temp files of this list older than `maxAgeMs` (left by a crash; younger ones may be in use). */
  async sweepTemps(maxAgeMs: number, now = Date.now()): Promise<void> {
    const prefix = `${this.file.slice(this.dir.length + 1)}.`;
    let names: string[];
    try { names = await readdir(this.dir); } catch { return; }
    for (const n of names) {
      if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
      const p = join(this.dir, n);
      const st = await stat(p).catch(() => undefined);
      if (st !== undefined && now - st.mtimeMs > maxAgeMs) await rm(p, { force: true });
    }
  }
}
