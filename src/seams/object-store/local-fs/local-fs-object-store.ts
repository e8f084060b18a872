/**
 * Local-filesystem adapter of the ObjectStore seam (embedded mode): key `a/b/c` is the file
 * `<root>/a/b/c`. A put streams into a temp file in the target directory, fsyncs it, renames it over
 * the target and fsyncs the directory, so a crash leaves the old object or the new one, never a
 * torn file. Files are created 0640 and directories 0750 (minus the umask).
 *
 * Limits versus S3: a key cannot also be a "directory" of other keys (`a` and `a/b` cannot both
 * exist: the put fails with TRB_STORE_OBJECT_WRITE_FAILED); empty directories are left behind by
 * `delete`; a crash mid-put can leave a `.trb-tmp-*` file, which `list` ignores.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { TributaryError } from '../../../core/errors.js';
import {
  StoreClosed, StoreObjectNotFound, StoreObjectReadFailed, StoreObjectWriteFailed, StoreOptionsInvalid, StoreUnavailable,
} from '../../store-errors.js';
import { bodyChunks, Sha256Counter } from '../object-body.js';
import { TEMP_SEGMENT_PREFIX, validateObjectKey, validateObjectPrefix } from '../object-key.js';
import type { ObjectBody, ObjectInfo, ObjectListEntry, ObjectStore, PutOptions, PutResult } from '../object-store.js';

/** Options of {@link createLocalFsObjectStore}. */
export interface LocalFsObjectStoreOptions {
  /** Directory holding the objects; created (0750) on first write. Relative paths resolve against the cwd. */
  readonly root: string;
}

const STORE = 'local-fs';
const FILE_MODE = 0o640;
const DIR_MODE = 0o750;
/** Small body chunks are gathered into writes of about this many bytes. */
const WRITE_BYTES = 1 << 20;
const MISSING = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);

const errno = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const byteOrder = (a: { sortKey: Buffer }, b: { sortKey: Buffer }): number => Buffer.compare(a.sortKey, b.sortKey);

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length;) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try { await h.sync(); } finally { await h.close(); }
}

class LocalFsObjectStore implements ObjectStore {
  readonly kind = STORE;
  readonly #root: string;
  #closed = false;

  constructor(root: string) {
    this.#root = root;
  }

  async put(key: string, body: ObjectBody, opts: PutOptions = {}): Promise<PutResult> {
    this.#assertOpen('put');
    validateObjectKey(key);
    const target = this.#path(key);
    const dir = dirname(target);
    const tmp = join(dir, `${TEMP_SEGMENT_PREFIX}${randomBytes(8).toString('hex')}`);
    let handle: FileHandle | undefined;
    try {
      opts.signal?.throwIfAborted();
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
      handle = await open(tmp, 'wx', FILE_MODE);
      const counter = new Sha256Counter();
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const chunk of bodyChunks(body)) {
        opts.signal?.throwIfAborted();
        counter.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BYTES) {
          await writeAll(handle, pending.length === 1 ? chunk : Buffer.concat(pending, pendingBytes));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) await writeAll(handle, Buffer.concat(pending, pendingBytes));
      opts.signal?.throwIfAborted();
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(tmp, target);
      await fsyncDir(dir);
      return Object.freeze({ key, size: counter.size, sha256: counter.digest() });
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw this.#writeError(key, err);
    }
  }

  async get(key: string): Promise<Readable> {
    this.#assertOpen('get');
    validateObjectKey(key);
    let handle: FileHandle;
    try {
      handle = await open(this.#path(key), 'r');
    } catch (err) {
      if (MISSING.has(errno(err) ?? '')) throw StoreObjectNotFound({ store: STORE, key }, err);
      throw this.#readError(key, err);
    }
    try {
      if (!(await handle.stat()).isFile()) throw StoreObjectNotFound({ store: STORE, key });
    } catch (err) {
      await handle.close();
      throw StoreObjectNotFound.is(err) ? err : this.#readError(key, err);
    }
    return handle.createReadStream();
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.#assertOpen('head');
    validateObjectKey(key);
    try {
      const st = await stat(this.#path(key));
      return st.isFile() ? Object.freeze({ size: st.size, mtime: st.mtime }) : undefined;
    } catch (err) {
      if (MISSING.has(errno(err) ?? '')) return undefined;
      throw this.#readError(key, err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectListEntry> {
    this.#assertOpen('list');
    validateObjectPrefix(prefix);
    const cut = prefix.lastIndexOf('/') + 1;
    yield* this.#walk(prefix.slice(0, cut), prefix.slice(cut), prefix);
  }

  async move(from: string, to: string): Promise<void> {
    this.#assertOpen('move');
    validateObjectKey(from);
    validateObjectKey(to);
    const target = this.#path(to);
    try {
      const st = await stat(this.#path(from)).catch((err: unknown) => {
        if (MISSING.has(errno(err) ?? '')) return undefined;
        throw err;
      });
      if (!st?.isFile()) throw StoreObjectNotFound({ store: STORE, key: from });
      await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
      await rename(this.#path(from), target);
      await fsyncDir(dirname(target));
      if (dirname(target) !== dirname(this.#path(from))) await fsyncDir(dirname(this.#path(from)));
    } catch (err) {
      if (StoreObjectNotFound.is(err)) throw err;
      throw this.#writeError(to, err);
    }
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen('delete');
    validateObjectKey(key);
    try {
      await unlink(this.#path(key));
    } catch (err) {
      const code = errno(err) ?? '';
      // EISDIR/EPERM: the key names a directory of other keys, so no object has this key.
      if (MISSING.has(code) || ((code === 'EISDIR' || code === 'EPERM') && !(await this.head(key)))) return;
      throw this.#writeError(key, err);
    }
  }

  url(key: string): string {
    validateObjectKey(key);
    return pathToFileURL(this.#path(key)).href;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * Yields objects below the directory of key prefix `dirKey` (`''` or ending in `/`) whose names
   * start with `first`, in key byte order. Sorting a directory's entries by `name` for files and
   * `name/` for directories makes a depth-first walk produce global key order.
   */
  async *#walk(dirKey: string, first: string, prefix: string): AsyncIterable<ObjectListEntry> {
    let entries;
    try {
      entries = await readdir(this.#path(dirKey), { withFileTypes: true });
    } catch (err) {
      if (MISSING.has(errno(err) ?? '')) return;
      throw this.#readError(prefix, err);
    }
    const wanted = entries
      .filter((e) => e.name.startsWith(first) && !e.name.startsWith(TEMP_SEGMENT_PREFIX) && (e.isFile() || e.isDirectory()))
      .map((e) => ({ name: e.name, dir: e.isDirectory(), sortKey: Buffer.from(e.isDirectory() ? `${e.name}/` : e.name) }))
      .sort(byteOrder);
    for (const e of wanted) {
      const key = `${dirKey}${e.name}`;
      if (e.dir) {
        yield* this.#walk(`${key}/`, '', prefix);
        continue;
      }
      try {
        const st = await lstat(this.#path(key));
        if (st.isFile()) yield Object.freeze({ key, size: st.size });
      } catch (err) {
        if (!MISSING.has(errno(err) ?? '')) throw this.#readError(key, err); // deleted while listing: skip
      }
    }
  }

  #path(key: string): string {
    return key === '' ? this.#root : join(this.#root, ...key.split('/').filter((s) => s !== ''));
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw StoreClosed({ store: STORE, op });
  }

  #writeError(key: string, err: unknown): TributaryError {
    const code = errno(err);
    if (code !== undefined && TRANSIENT.has(code)) return StoreUnavailable({ store: STORE, op: 'put', reason: message(err) }, err);
    const reason = code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST'
      ? `the key collides with a key prefix of other objects, which a filesystem cannot hold (${message(err)})`
      : message(err);
    return StoreObjectWriteFailed({ store: STORE, key, reason }, err);
  }

  #readError(key: string, err: unknown): TributaryError {
    const code = errno(err);
    if (code !== undefined && TRANSIENT.has(code)) return StoreUnavailable({ store: STORE, op: 'read', reason: message(err) }, err);
    return StoreObjectReadFailed({ store: STORE, key, reason: message(err) }, err);
  }
}

/**
 * Creates a local-filesystem object store rooted at `opts.root`. No I/O happens until the first call.
 * Throws `TRB_STORE_OPTIONS_INVALID` for an empty root.
 */
export function createLocalFsObjectStore(opts: LocalFsObjectStoreOptions): ObjectStore {
  if (typeof opts.root !== 'string' || opts.root.trim() === '') {
    throw StoreOptionsInvalid({ store: STORE, option: 'root', reason: 'must be a directory path' });
  }
  return new LocalFsObjectStore(resolve(opts.root));
}
