/**
 * One commit being assembled: the CSV rows of every chunk result (in stream order), the
 * rejections, the bronze segments, the per-stream offset ranges and the checkpoints to commit once
 * the sinks have made it all durable.
 */
import { closeSync, mkdirSync, openSync, rmSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointValue, OutputBatch, OutputDataset, SinkBatch, SourceChunk } from '../../core/component.js';
import type { KeyedChunk } from './keyed-phase.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { csvHeader } from '../encode/csv-encoder.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
import type { BronzeCipher } from '../bronze/bronze-cipher.js';
import type { ObjectStore } from '../../seams/object-store/object-store.js';
import type { ChunkResult } from '../workers/worker-protocol.js';

/** A checkpoint to commit for a source. */
export interface PendingCheckpoint {
  readonly source: string;
  readonly key: string;
  readonly value: CheckpointValue;
}

/** Accumulates one commit; not thread-safe (the engine feeds it results in order). */
export class PendingCommit {
  readonly commitId: string;
  readonly csvPath: string;
  readonly bronze: BronzeWriter;
  readonly rejections: Rejection[] = [];
  readonly streams = new Map<string, { from: number; to: number }>();
  readonly checkpoints = new Map<string, PendingCheckpoint>();
  readonly openedAt = Date.now();
  /** Keyed stages' state changes of this commit's data: stage id → key → value (null = delete). */
  readonly state = new Map<string, Map<string, unknown>>();
  rows = 0;
  /** Lines processed by the workers so far. */
  lines = 0;
  /** Lines the sources delivered into this commit. */
  sourceLines = 0;
  chunks = 0;
  #fd: number | undefined;
  /**
   * CSV rows are appended off the main thread (libuv pool), in order, one write after the other:
   * a synchronous write per chunk blocked the engine thread (result folding, dispatch) on the disk.
   * `seal()` waits for the queue; `pendingBytes` lets the run apply backpressure.
   */
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;
  #pendingBytes = 0;
  /** Called whenever a queued write finished (the run wakes dispatchers waiting on backpressure). */
  onWritten: (() => void) | undefined;
  readonly #schema: RecordSchema;
  /** Staging CSV files of the additional datasets (small: written synchronously). */
  readonly #outputs: { readonly spec: OutputDataset; readonly path: string; fd: number | undefined; rows: number }[];

  /**
   * `cipher`: encrypt the commit's bronze objects (absent = plaintext); `outputs`: the pipeline's
   * additional datasets (keyed stages' rows).
   */
  constructor(commitId: string, stagingDir: string, bronze: ObjectStore, schema: RecordSchema, cipher?: BronzeCipher, outputs: readonly OutputDataset[] = []) {
    this.commitId = commitId;
    this.#schema = schema;
    this.#outputs = outputs.map((spec) => ({ spec, path: join(stagingDir, `${commitId}.${spec.dataset}.csv`), fd: undefined, rows: 0 }));
    mkdirSync(stagingDir, { recursive: true, mode: 0o750 });
    this.csvPath = join(stagingDir, `${commitId}.csv`);
    this.bronze = new BronzeWriter(bronze, commitId, cipher);
  }

  /** Notes a chunk's range and checkpoint (its bytes go to {@link bronze} separately). */
  addChunk(source: string, chunk: SourceChunk): void {
    const r = this.streams.get(chunk.meta.stream);
    if (r) r.to = chunk.endOffset;
    else this.streams.set(chunk.meta.stream, { from: chunk.startOffset, to: chunk.endOffset });
    this.checkpoints.set(`${source}\u0000${chunk.checkpoint.key}`, { source, key: chunk.checkpoint.key, value: chunk.checkpoint.value });
    this.sourceLines += chunk.lineCount;
    this.chunks++;
  }

  /** Appends a worker result's rows and rejections (rows and dataset rows from `keyed` when the pipeline has keyed stages). */
  addResult(res: ChunkResult, keyed?: KeyedChunk): void {
    this.lines += res.lines;
    for (const r of res.rejections) this.rejections.push(r);
    if (keyed) this.#addKeyed(keyed);
    if (res.rows === 0) return;
    if (this.#writeError !== undefined) throw this.#writeError;
    if (this.#fd === undefined) {
      this.#fd = openSync(this.csvPath, 'w', 0o600);
      this.#enqueue(this.#fd, Buffer.from(csvHeader(this.#schema)));
    }
    this.#enqueue(this.#fd, keyed?.csv ?? res.csv);
    this.rows += res.rows;
  }

  /** Merges keyed stages' state changes (stage id → key → value, null = delete) into this commit's. */
  addState(changes: ReadonlyMap<string, ReadonlyMap<string, unknown>>): void {
    for (const [stage, m] of changes) {
      const mine = this.state.get(stage);
      if (!mine) { this.state.set(stage, new Map(m)); continue; }
      for (const [key, v] of m) mine.set(key, v);
    }
  }

  #addKeyed(k: KeyedChunk): void {
    for (const o of this.#outputs) {
      const got = k.outputs.get(o.spec.dataset);
      if (!got || got.rows === 0) continue;
      if (o.fd === undefined) {
        o.fd = openSync(o.path, 'w', 0o600);
        writeFully(o.fd, Buffer.from(csvHeader(o.spec.schema)));
      }
      writeFully(o.fd, got.bytes);
      o.rows += got.rows;
    }
  }

  /** Bytes queued for the staging CSV and not yet written. */
  get pendingBytes(): number { return this.#pendingBytes; }

  #enqueue(fd: number, data: Uint8Array): void {
    this.#pendingBytes += data.length;
    this.#writes = this.#writes.then(async () => {
      try {
        if (this.#writeError === undefined) await writeAll(fd, data);
      } catch (err) {
        this.#writeError ??= err;
      } finally {
        this.#pendingBytes -= data.length;
        this.onWritten?.();
      }
    });
  }

  /** True when nothing at all was read into this commit. */
  get empty(): boolean { return this.chunks === 0; }

  /** Waits for the queued CSV writes, closes the staging file and returns the batch the sinks receive. */
  async seal(): Promise<SinkBatch> {
    await this.#writes;
    if (this.#writeError !== undefined) throw this.#writeError;
    if (this.#fd !== undefined) { closeSync(this.#fd); this.#fd = undefined; }
    const outputs: OutputBatch[] = this.#outputs.map((o) => {
      if (o.fd !== undefined) { closeSync(o.fd); o.fd = undefined; }
      return { dataset: o.spec.dataset, schema: o.spec.schema, csvPath: o.rows > 0 ? o.path : null, rows: o.rows };
    });
    return {
      commitId: this.commitId, schema: this.#schema, csvPath: this.rows > 0 ? this.csvPath : null, rows: this.rows,
      rejections: this.rejections, streams: this.streams, outputs,
    };
  }

  /**
   * Removes the staging file (after commit or abort). Waits for queued writes first, so the file
   * descriptor is never closed (and possibly reused) under a pending write. Never throws.
   */
  async cleanup(): Promise<void> {
    await this.#writes;
    if (this.#fd !== undefined) { try { closeSync(this.#fd); } catch { /* closed */ } this.#fd = undefined; }
    try { rmSync(this.csvPath, { force: true }); } catch { /* best effort: a leftover staging file is never read again */ }
    for (const o of this.#outputs) {
      if (o.fd !== undefined) { try { closeSync(o.fd); } catch { /* closed */ } o.fd = undefined; }
      try { rmSync(o.path, { force: true }); } catch { /* best effort, as above */ }
    }
  }
}

/** Writes all of `data` synchronously at the current position of `fd`. */
function writeFully(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Writes all of `data` at the current position of `fd` (loops over short writes). */
function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = 0;
    const next = (): void => {
      write(fd, data, off, data.length - off, null, (err, n) => {
        if (err) { reject(err); return; }
        off += n;
        if (off < data.length) next(); else resolve();
      });
    };
    if (data.length === 0) resolve(); else next();
  });
}

