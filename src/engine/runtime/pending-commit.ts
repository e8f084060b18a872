/**
 * One commit being assembled: the CSV rows of every chunk result (in stream order), the
 * rejections, the bronze segments, the per-stream offset ranges and the checkpoints to commit once
 * the sinks have made it all durable.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointValue, SinkBatch, SourceChunk } from '../../core/component.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { csvHeader } from '../encode/csv-encoder.js';
import { BronzeWriter } from '../bronze/bronze-writer.js';
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
  rows = 0;
  /** Lines processed by the workers so far. */
  lines = 0;
  /** Lines the sources delivered into this commit. */
  sourceLines = 0;
  bytes = 0;
  chunks = 0;
  #fd: number | undefined;
  readonly #schema: RecordSchema;

  constructor(commitId: string, stagingDir: string, bronzeRoot: string, schema: RecordSchema) {
    this.commitId = commitId;
    this.#schema = schema;
    mkdirSync(stagingDir, { recursive: true, mode: 0o750 });
    this.csvPath = join(stagingDir, `${commitId}.csv`);
    this.bronze = new BronzeWriter(bronzeRoot, commitId);
  }

  /** Archives a chunk's raw bytes in bronze and notes its range and checkpoint. */
  addChunk(source: string, chunk: SourceChunk): void {
    this.bronze.append(chunk);
    const r = this.streams.get(chunk.meta.stream);
    if (r) r.to = chunk.endOffset;
    else this.streams.set(chunk.meta.stream, { from: chunk.startOffset, to: chunk.endOffset });
    this.checkpoints.set(`${source}\u0000${chunk.checkpoint.key}`, { source, key: chunk.checkpoint.key, value: chunk.checkpoint.value });
    this.bytes += chunk.endOffset - chunk.startOffset;
    this.sourceLines += chunk.lineCount;
    this.chunks++;
  }

  /** Appends a worker result's rows and rejections. */
  addResult(res: ChunkResult): void {
    this.lines += res.lines;
    for (const r of res.rejections) this.rejections.push(r);
    if (res.rows === 0) return;
    if (this.#fd === undefined) {
      this.#fd = openSync(this.csvPath, 'w', 0o600);
      writeSync(this.#fd, csvHeader(this.#schema));
    }
    writeSync(this.#fd, res.csv);
    this.rows += res.rows;
  }

  /** True when nothing at all was read into this commit. */
  get empty(): boolean { return this.chunks === 0; }

  /** Closes the staging file and returns the batch the sinks receive. */
  seal(): SinkBatch {
    if (this.#fd !== undefined) { closeSync(this.#fd); this.#fd = undefined; }
    return {
      commitId: this.commitId, schema: this.#schema, csvPath: this.rows > 0 ? this.csvPath : null, rows: this.rows,
      rejections: this.rejections, streams: this.streams,
    };
  }

  /** Removes the staging file (after commit or abort). */
  cleanup(): void {
    if (this.#fd !== undefined) { try { closeSync(this.#fd); } catch { /* closed */ } this.#fd = undefined; }
    rmSync(this.csvPath, { force: true });
  }
}
