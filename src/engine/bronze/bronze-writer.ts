/**
 * Bronze: every input byte is archived as-is before its records are acknowledged, one
 * content-addressed object (sha256) per stream segment of a commit, with a manifest entry
 * (origin, offsets, size, checksum, time of ingest) committed with the checkpoint. It is the replay
 * source for every later stage. Objects go through the ObjectStore seam: each segment streams
 * into a staging key while the chunks arrive, and `seal()` publishes it under `objects/<sha256>`.
 * With a {@link BronzeCipher} the bytes are age-encrypted on their way to the store (the object is
 * `objects/<sha256>.<key>-v<version>.age`); the content address stays the sha256 of the PLAINTEXT,
 * so dedupe and replay verification work the same.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { BronzeEncryption, SourceChunk } from '../../core/component.js';
import type { BronzeEntry } from '../../seams/control-store/control-store.js';
import type { ObjectStore, PutResult } from '../../seams/object-store/object-store.js';
import type { BronzeCipher } from './bronze-cipher.js';

/** A bronze manifest entry, as the control store records it. */
export type BronzeSegment = BronzeEntry;

/** Prefix of the keys segments are streamed to before they are sealed. */
export const BRONZE_STAGING_PREFIX = 'staging/';

interface OpenSegment {
  readonly key: string;
  readonly body: PassThrough;
  readonly done: Promise<PutResult>;
  /** Plaintext sha256 and size, kept here when the store sees ciphertext. */
  readonly plain: { readonly hash: Hash; size: number } | undefined;
  readonly source: string;
  readonly uri: string;
  readonly stream: string;
  readonly fromOffset: number;
  readonly firstLine: number;
  toOffset: number;
  lineCount: number;
}

/**
 * Object key of a bronze object: `objects/<sha[0..2]>/<sha>` for plaintext, and
 * `objects/<sha[0..2]>/<sha>.<keyName>-v<version>.age` when age-encrypted (`sha` is always the
 * plaintext's), so a plaintext object and its encrypted twins under several key versions never
 * stand in for each other.
 */
export function bronzeKey(sha256: string, encryption?: BronzeEncryption): string {
  const base = `objects/${sha256.slice(0, 2)}/${sha256}`;
  return encryption ? `${base}.${encryption.keyName}-v${encryption.keyVersion}.age` : base;
}

/**
 * Collects the raw bytes of one commit, per stream, then `seal()` makes each segment durable under
 * its content address. Writing the same bytes twice yields the same object (idempotent replays).
 */
export class BronzeWriter {
  readonly #store: ObjectStore;
  readonly #commitId: string;
  readonly #cipher: BronzeCipher | undefined;
  /** The segment being filled, per stream. */
  readonly #open = new Map<string, OpenSegment>();
  /** Segments no longer appended to (a truncated line always gets a segment of its own). */
  readonly #done: OpenSegment[] = [];
  #count = 0;

  /** `cipher`: encrypt every object (absent = store plaintext). */
  constructor(store: ObjectStore, commitId: string, cipher?: BronzeCipher) {
    this.#store = store;
    this.#commitId = commitId;
    this.#cipher = cipher;
  }

  /**
   * Appends a chunk's raw bytes (before it is handed to the workers), waiting while the store is
   * behind. A truncated over-long line is archived as its own segment (its object holds the kept
   * prefix, `size < toOffset - fromOffset`), so every other segment's bytes map 1:1 onto its offsets
   * and a replay reproduces the record ids.
   */
  async append(chunk: SourceChunk): Promise<void> {
    const stream = chunk.meta.stream;
    let seg = this.#open.get(stream);
    if (chunk.truncated && seg) { this.#close(seg); seg = undefined; }
    if (!seg) {
      const key = `${BRONZE_STAGING_PREFIX}${this.#commitId}-${this.#count++}`;
      const body = new PassThrough({ highWaterMark: 8 * 1024 * 1024 });
      const done = this.#store.put(key, this.#cipher ? this.#cipher.encrypt(body) : body);
      done.catch(() => undefined); // observed in append/seal/abort
      const plain = this.#cipher ? { hash: createHash('sha256'), size: 0 } : undefined;
      seg = { key, body, done, plain, source: chunk.meta.source, uri: chunk.meta.uri, stream, fromOffset: chunk.startOffset, firstLine: chunk.firstLine, toOffset: chunk.startOffset, lineCount: 0 };
      this.#open.set(stream, seg);
    }
    seg.toOffset = chunk.endOffset;
    seg.lineCount += chunk.lineCount;
    if (seg.plain) { seg.plain.hash.update(chunk.data); seg.plain.size += chunk.data.length; }
    if (!seg.body.write(chunk.data)) await Promise.race([once(seg.body, 'drain'), seg.done]);
    if (chunk.truncated) this.#close(seg);
  }

  #close(seg: OpenSegment): void {
    this.#open.delete(seg.stream);
    this.#done.push(seg);
  }

  /** True when nothing was appended. */
  get empty(): boolean { return this.#open.size === 0 && this.#done.length === 0; }

  /** Makes every segment durable under its content address and returns the manifest entries. */
  async seal(ingestedAt: Date = new Date()): Promise<BronzeSegment[]> {
    const segs = [...this.#done, ...this.#open.values()];
    this.#open.clear();
    this.#done.length = 0;
    const out: BronzeSegment[] = [];
    for (const s of segs) {
      s.body.end();
      const put = await s.done;
      const encryption = this.#cipher?.encryption;
      const sha256 = s.plain ? s.plain.hash.digest('hex') : put.sha256;
      const key = bronzeKey(sha256, encryption);
      if (await this.#store.head(key)) await this.#store.delete(s.key);
      else await this.#store.move(s.key, key);
      out.push({
        sha256, objectKey: key, size: s.plain ? s.plain.size : put.size, source: s.source, uri: s.uri, stream: s.stream, fromOffset: s.fromOffset,
        toOffset: s.toOffset, firstLine: s.firstLine, lineCount: s.lineCount, ingestedAt: ingestedAt.toISOString(), encoding: 'identity',
        ...(encryption ? { encryption } : {}),
      });
    }
    return out;
  }

  /** Drops what an aborted commit staged. */
  async abort(): Promise<void> {
    const segs = [...this.#done, ...this.#open.values()];
    this.#open.clear();
    this.#done.length = 0;
    for (const s of segs) {
      s.body.destroy(new Error('bronze segment aborted'));
      await s.done.catch(() => undefined);
      await this.#store.delete(s.key).catch(() => undefined);
    }
  }
}

/** Removes segments a crashed run left in staging (their bytes will be read again from the checkpoint). */
export async function cleanBronzeStaging(store: ObjectStore): Promise<number> {
  const keys: string[] = [];
  for await (const e of store.list(BRONZE_STAGING_PREFIX)) keys.push(e.key);
  for (const k of keys) await store.delete(k);
  return keys.length;
}
