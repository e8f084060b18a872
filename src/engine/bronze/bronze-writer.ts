/**
 * Bronze: every input byte is archived as-is before its records are acknowledged, one
 * content-addressed object (sha256) per stream segment of a commit, with a manifest entry
 * (origin, offsets, size, checksum, time of ingest) committed with the checkpoint. It is the replay
 * source for every later stage.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceChunk } from '../../core/component.js';
import type { BronzeEntry } from '../../seams/control-store/control-store.js';

/** A bronze manifest entry, as the control store records it. */
export type BronzeSegment = BronzeEntry;

interface OpenSegment {
  readonly fd: number;
  readonly tmp: string;
  readonly hash: Hash;
  readonly source: string;
  readonly uri: string;
  readonly stream: string;
  readonly fromOffset: number;
  readonly firstLine: number;
  toOffset: number;
  lineCount: number;
  size: number;
}

/** Object key of a bronze object: `objects/<sha[0..2]>/<sha>`. */
export function bronzeKey(sha256: string): string {
  return `objects/${sha256.slice(0, 2)}/${sha256}`;
}

/**
 * Collects the raw bytes of one commit, per stream, into temp files under `<root>/.tmp`, then
 * `seal()` fsyncs and renames each to its content address. Writing the same bytes twice yields the
 * same object (idempotent replays).
 */
export class BronzeWriter {
  readonly #root: string;
  readonly #commitId: string;
  /** The segment being filled, per stream. */
  readonly #open = new Map<string, OpenSegment>();
  /** Segments no longer appended to (a truncated line always gets a segment of its own). */
  readonly #done: OpenSegment[] = [];
  #count = 0;

  constructor(root: string, commitId: string) {
    this.#root = root;
    this.#commitId = commitId;
    mkdirSync(join(root, '.tmp'), { recursive: true, mode: 0o750 });
  }

  /**
   * Appends a chunk's raw bytes (before it is handed to the workers). A truncated over-long line
   * is archived as its own segment (its object holds the kept prefix, `size < toOffset - fromOffset`),
   * so every other segment's bytes map 1:1 onto its offsets and a replay reproduces the record ids.
   */
  append(chunk: SourceChunk): void {
    const stream = chunk.meta.stream;
    let seg = this.#open.get(stream);
    if (chunk.truncated && seg) { this.#done.push(seg); this.#open.delete(stream); seg = undefined; }
    if (!seg) {
      const tmp = join(this.#root, '.tmp', `${this.#commitId}-${this.#count++}`);
      seg = {
        fd: openSync(tmp, 'w', 0o640), tmp, hash: createHash('sha256'), source: chunk.meta.source, uri: chunk.meta.uri,
        stream, fromOffset: chunk.startOffset, firstLine: chunk.firstLine, toOffset: chunk.startOffset, lineCount: 0, size: 0,
      };
      this.#open.set(stream, seg);
    }
    writeSync(seg.fd, chunk.data);
    seg.hash.update(chunk.data);
    seg.size += chunk.data.length;
    seg.toOffset = chunk.endOffset;
    seg.lineCount += chunk.lineCount;
    if (chunk.truncated) { this.#done.push(seg); this.#open.delete(stream); }
  }

  /** True when nothing was appended. */
  get empty(): boolean { return this.#open.size === 0 && this.#done.length === 0; }

  /** Makes every segment durable under its content address and returns the manifest entries. */
  seal(ingestedAt: Date = new Date()): BronzeSegment[] {
    const out: BronzeSegment[] = [];
    for (const s of [...this.#done, ...this.#open.values()]) {
      fsyncSync(s.fd);
      closeSync(s.fd);
      const sha256 = s.hash.digest('hex');
      const key = bronzeKey(sha256);
      const dest = join(this.#root, key);
      mkdirSync(dirname(dest), { recursive: true, mode: 0o750 });
      if (existsSync(dest)) rmSync(s.tmp); else renameSync(s.tmp, dest);
      const dfd = openSync(dirname(dest), 'r'); fsyncSync(dfd); closeSync(dfd);
      out.push({
        sha256, objectKey: key, size: s.size, source: s.source, uri: s.uri, stream: s.stream, fromOffset: s.fromOffset,
        toOffset: s.toOffset, firstLine: s.firstLine, lineCount: s.lineCount, ingestedAt: ingestedAt.toISOString(), encoding: 'identity',
      });
    }
    this.#open.clear();
    this.#done.length = 0;
    return out;
  }

  /** Drops the temp files of an aborted commit. */
  abort(): void {
    for (const s of [...this.#done, ...this.#open.values()]) { try { closeSync(s.fd); } catch { /* already closed */ } rmSync(s.tmp, { force: true }); }
    this.#open.clear();
    this.#done.length = 0;
  }
}

/** Removes temp files left by a crashed run (their bytes will be read again from the checkpoint). */
export function cleanBronzeTemp(root: string): number {
  const dir = join(root, '.tmp');
  if (!existsSync(dir)) return 0;
  const names = readdirSync(dir);
  for (const n of names) rmSync(join(dir, n), { force: true });
  return names.length;
}
