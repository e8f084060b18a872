/**
 * The ObjectStore seam: a flat namespace of immutable-per-version blobs addressed by string keys
 * (bronze objects, lake files, backups). Adapters: `local-fs/` (embedded mode, a directory) and,
 * later, `s3/` (distributed mode, @aws-sdk/client-s3). The semantics are S3's, so the local adapter
 * is a faithful stand-in: keys are not directories, `list` is a plain string-prefix scan in key
 * order, `put` replaces atomically, `delete` of a missing key succeeds. Every adapter passes
 * `test/contract/object-store.contract.ts`. Only `engine/bootstrap.ts` picks an adapter.
 *
 * Key rules (checked at the boundary by `validateObjectKey`, the same for every adapter): 1 to 1024
 * UTF-8 bytes; `/`-separated segments, none empty, `.` or `..`; no leading `/`, no backslash, no NUL
 * or other control character; no segment starting with `.trb-tmp-` (reserved for in-flight writes).
 * A bad key is `TRB_STORE_KEY_INVALID`.
 *
 * Errors are TributaryErrors of the `store` family: `TRB_STORE_KEY_INVALID`,
 * `TRB_STORE_OBJECT_NOT_FOUND`, `TRB_STORE_OBJECT_WRITE_FAILED`, `TRB_STORE_OBJECT_READ_FAILED`,
 * `TRB_STORE_UNAVAILABLE` (retry: backoff; network adapters), `TRB_STORE_CLOSED` after `close()`.
 */
import type { Readable } from 'node:stream';

/** What `put` accepts: a whole buffer, or a stream of chunks (read once, in order). */
export type ObjectBody = Buffer | Uint8Array | AsyncIterable<Buffer | Uint8Array | string> | NodeJS.ReadableStream;

/** Result of a successful `put`. */
export interface PutResult {
  readonly key: string;
  /** Bytes stored. */
  readonly size: number;
  /** Lowercase hex sha256 of the bytes stored, computed while streaming. */
  readonly sha256: string;
}

/** Options of `put`. */
export interface PutOptions {
  /** Aborting stops the write; nothing is stored and `put` rejects. */
  readonly signal?: AbortSignal;
}

/** Metadata of a stored object. */
export interface ObjectInfo {
  /** Bytes. */
  readonly size: number;
  /** Time the current version was stored. */
  readonly mtime: Date;
}

/** One entry of `list`. */
export interface ObjectListEntry {
  readonly key: string;
  /** Bytes. */
  readonly size: number;
}

/**
 * An object store. Safe for concurrent use; concurrent `put`s of one key leave exactly one of the
 * bodies, whole.
 */
export interface ObjectStore {
  /** Adapter name for logs and reports (`local-fs`, `s3`). Never branch on it above the seam. */
  readonly kind: string;

  /**
   * Stores `body` under `key`, replacing any previous object, atomically: readers see the old
   * object or the whole new one, never a part, and a failed or aborted put (including a body stream
   * that errors) leaves the previous state unchanged. The sha256 is computed while streaming, so a
   * body of any size uses constant memory. Resolves only once the bytes are durable.
   * Throws `TRB_STORE_KEY_INVALID`, or `TRB_STORE_OBJECT_WRITE_FAILED` with the cause (body error,
   * disk full, permission).
   */
  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult>;

  /**
   * Opens the object for reading. The stream yields Buffers and errors if the read fails midway.
   * Throws `TRB_STORE_OBJECT_NOT_FOUND` when no object has this key.
   */
  get(key: string): Promise<Readable>;

  /** Size and modification time, or undefined when no object has this key. */
  head(key: string): Promise<ObjectInfo | undefined>;

  /**
   * Every object whose key starts with `prefix` (plain string prefix: `logs/2025` matches
   * `logs/2025-01/a` and `logs/2025/b`), in ascending byte order of the UTF-8 key, streamed (not
   * collected). `''` lists everything. The prefix follows the key rules except that it may be empty
   * and may end with `/`. Objects put or deleted while listing may or may not appear.
   */
  list(prefix: string): AsyncIterable<ObjectListEntry>;

  /**
   * Renames object `from` to `to`, replacing any object at `to`: atomic where the backend has a
   * rename (local-fs), copy-then-delete where it does not (S3 CopyObject + DeleteObject; readers may
   * briefly see both keys, never a partial `to`). Lets a writer stream an object under a staging key
   * and publish it under a key only known at the end, such as its sha256 (content addressing).
   * Throws `TRB_STORE_OBJECT_NOT_FOUND` when `from` does not exist, `TRB_STORE_KEY_INVALID`, or
   * `TRB_STORE_OBJECT_WRITE_FAILED`.
   */
  move(from: string, to: string): Promise<void>;

  /** Removes the object; resolves also when it did not exist. Throws `TRB_STORE_OBJECT_WRITE_FAILED`. */
  delete(key: string): Promise<void>;

  /** A URL naming the object for humans and reports (`file:///...`, `s3://bucket/key`); no I/O, no credentials. */
  url(key: string): string;

  /** Releases clients. Safe to call twice; other calls afterwards throw `TRB_STORE_CLOSED`. */
  close(): Promise<void>;
}
