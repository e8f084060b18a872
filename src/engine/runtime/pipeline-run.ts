/**
 * One execution of a pipeline: pulls chunks from the sources, archives them in bronze, fans them
 * out to the worker pool (bounded in-flight chunks = backpressure), folds results back in stream
 * order into commits, and commits each one in the only safe order: bronze durable → every sink
 * written and committed → checkpoints + manifests in the control store.
 */
import type { BatchMeta, Logger, Sink, Source, SourceChunk } from '../../core/component.js';
import type { KeyedPhase } from './keyed-phase.js';
import { addCounts, type CountsByStage } from '../../core/counts.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import type { WorkerPool } from '../workers/worker-pool.js';
import type { ChunkResult } from '../workers/worker-protocol.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { PendingCommit } from './pending-commit.js';
import { SinkRowsFailed } from '../errors.js';
import type { StreamFormatDetector } from './stream-format-detector.js';
import type { ObjectStore } from '../../seams/object-store/object-store.js';
import type { CommitInfo } from './run-summary.js';
import type { BronzeCipher } from '../bronze/bronze-cipher.js';

interface InflightEntry {
  readonly commit: PendingCommit;
  readonly meta: BatchMeta;
  result: ChunkResult | undefined;
}

/** Settings of the runtime loop (from the pipeline's `engine` section). */
export interface RuntimeSettings {
  readonly maxInflight: number;
  readonly commitLines: number;
}

/** Dependencies of a run, built by run-pipeline.ts. */
export interface RunDeps {
  readonly pipeline: string;
  readonly runId: string;
  readonly schema: RecordSchema;
  readonly control: ControlStore;
  readonly pool: WorkerPool;
  readonly sinks: readonly { readonly sink: Sink; readonly dataset: string }[];
  readonly bronze: ObjectStore;
  /** Encrypts bronze objects at rest (absent = plaintext). */
  readonly bronzeCipher?: BronzeCipher;
  readonly stagingDir: string;
  readonly committed: Map<string, number>;
  readonly log: Logger;
  readonly onCommit?: (c: CommitInfo) => void;
  readonly onResult?: () => void;
  /** Per-stream format detection (auto mode only). */
  readonly detector?: StreamFormatDetector;
  /** The keyed stages' engine-thread half (absent when the pipeline has none). */
  readonly keyed?: KeyedPhase;
  /** Applied to every rejection before it reaches a commit (quarantine-protection.ts; absent = stored as is). */
  readonly protectRejection?: (r: Rejection) => Rejection;
}

const secs = (ns: number): number => ns / 1e9;

/** Encoded CSV bytes that may wait for the staging-file writer before dispatch pauses (backpressure). */
const MAX_PENDING_CSV_BYTES = 64 * 1024 * 1024;

/** The running state of one pipeline execution. */
export class PipelineRun {
  readonly counts: CountsByStage = new Map();
  readonly stageNanos = new Map<string, number>();
  readonly timings = new Map<string, number>();
  readonly quarantineByReason = new Map<string, number>();
  linesRead = 0;
  bytesRead = 0;
  landed = 0;
  quarantined = 0;
  commits = 0;
  #seq = 0;
  #commitSeq = 0;
  #current: PendingCommit | undefined;
  readonly #queue: InflightEntry[] = [];
  readonly #outstanding = new Map<PendingCommit, number>();
  readonly #closed = new Set<PendingCommit>();
  /** Commits opened and not yet cleaned up (their staging writes count for backpressure). */
  readonly #open = new Set<PendingCommit>();
  /** The commit the keyed stages' undrained state changes belong to (see KeyedPhase.drain). */
  #keyedCommit: PendingCommit | undefined;
  #commitChain: Promise<void> = Promise.resolve();
  #commitsPending = 0;
  #waiters: (() => void)[] = [];
  #error: unknown;
  readonly #d: RunDeps;
  readonly #s: RuntimeSettings;

  constructor(deps: RunDeps, settings: RuntimeSettings) {
    this.#d = deps;
    this.#s = settings;
  }

  /** The run's per-stream format detector (auto mode), for the summary. */
  get detector(): StreamFormatDetector | undefined { return this.#d.detector; }

  /** The first failure of the run, if any. */
  get error(): unknown { return this.#error; }

  /** Reads one source to its end (or until aborted), dispatching every chunk. */
  async consume(source: Source): Promise<void> {
    for await (const chunk of source.chunks()) {
      await this.dispatch(source.id, chunk);
    }
  }

  /** Archives a chunk and submits it to a worker, waiting while too much is in flight. */
  async dispatch(sourceId: string, chunk: SourceChunk): Promise<void> {
    this.#throwIfFailed();
    while (this.#queue.length >= this.#s.maxInflight || this.#commitsPending >= 2 || this.#pendingCsvBytes() > MAX_PENDING_CSV_BYTES) {
      await new Promise<void>((r) => this.#waiters.push(r));
      this.#throwIfFailed();
    }
    const commit = this.#current ?? this.#openCommit();
    // Book the chunk into its commit before any await, so the commit cannot be sealed without it.
    const entry: InflightEntry = { commit, meta: chunk.meta, result: undefined };
    this.#queue.push(entry);
    this.#outstanding.set(commit, (this.#outstanding.get(commit) ?? 0) + 1);
    commit.addChunk(sourceId, chunk);
    this.linesRead += chunk.lineCount;
    this.bytesRead += chunk.endOffset - chunk.startOffset;
    const t0 = process.hrtime.bigint();
    try {
      await commit.bronze.append(chunk);
    } catch (err) {
      this.#fail(err);
      throw err;
    }
    this.#add('bronze', Number(process.hrtime.bigint() - t0));
    const committed = this.#d.committed.get(chunk.meta.stream);
    const formatHint = this.#d.detector?.hintFor(chunk);
    this.#d.pool.submit({
      kind: 'chunk', seq: this.#seq++, meta: chunk.meta, data: new Uint8Array(chunk.data), startOffset: chunk.startOffset,
      firstLine: chunk.firstLine, truncated: chunk.truncated ?? false, committed: committed === undefined ? [] : [[chunk.meta.stream, committed]],
      ...(formatHint ? { formatHint } : {}),
    }).then((res) => { entry.result = res; this.#pump(); }, (err: unknown) => this.#fail(err));
    if (commit.sourceLines >= this.#s.commitLines) this.closeCurrent();
  }

  /** Closes the commit being filled so that it is committed once its chunks are processed. */
  closeCurrent(): void {
    const c = this.#current;
    if (!c) return;
    this.#current = undefined;
    this.#closed.add(c);
    this.#maybeCommit(c);
  }

  /** Age in ms of the commit being filled (0 when none): watch mode closes it on a timer. */
  currentAgeMs(): number { return this.#current ? Date.now() - this.#current.openedAt : 0; }

  /** After a failure: drops what uncommitted commits staged in bronze (the checkpoint will re-read it). */
  async discard(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    await Promise.allSettled(open.map(async (c) => { await c.bronze.abort(); await c.cleanup(); }));
  }

  /** Closes the current commit and waits until everything dispatched is committed. */
  async flush(): Promise<void> {
    this.closeCurrent();
    while (this.#queue.length > 0 && !this.#error) await new Promise<void>((r) => this.#waiters.push(r));
    await this.#commitChain.catch(() => undefined);
    this.#throwIfFailed();
  }

  #openCommit(): PendingCommit {
    const id = `${this.#d.runId}-${String(this.#commitSeq++).padStart(6, '0')}`;
    const c = new PendingCommit(id, this.#d.stagingDir, this.#d.bronze, this.#d.schema, this.#d.bronzeCipher, this.#d.keyed?.outputs ?? []);
    c.onWritten = () => { if (this.#waiters.length > 0 && this.#pendingCsvBytes() <= MAX_PENDING_CSV_BYTES) this.#wake(); };
    this.#open.add(c);
    this.#current = c;
    return c;
  }

  /** CSV bytes queued for the staging files of the commits not yet sealed. */
  #pendingCsvBytes(): number {
    let n = 0;
    for (const c of this.#open) n += c.pendingBytes;
    return n;
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#queue[0]!.result) {
      const e = this.#queue.shift()!;
      const protect = this.#d.protectRejection;
      const res = protect && e.result!.rejections.length > 0 ? { ...e.result!, rejections: e.result!.rejections.map(protect) } : e.result!;
      try {
        const keyed = this.#d.keyed;
        if (keyed) {
          const t = process.hrtime.bigint();
          if (this.#keyedCommit !== e.commit) { this.#keyedCommit?.addState(keyed.drain()); this.#keyedCommit = e.commit; }
          e.commit.addResult(res, keyed.apply(res, e.meta));
          this.#add('keyed', Number(process.hrtime.bigint() - t));
        } else e.commit.addResult(res);
        this.#record(res);
      } catch (err) { this.#fail(err); return; }
      const left = (this.#outstanding.get(e.commit) ?? 1) - 1;
      this.#outstanding.set(e.commit, left);
      this.#maybeCommit(e.commit);
    }
    this.#d.onResult?.();
    this.#wake();
  }

  #record(res: ChunkResult): void {
    for (const s of res.stages) {
      addCounts(this.counts, s.stage, s);
      this.stageNanos.set(s.stage, (this.stageNanos.get(s.stage) ?? 0) + s.nanos);
    }
    for (const r of res.rejections) this.quarantineByReason.set(r.code, (this.quarantineByReason.get(r.code) ?? 0) + 1);
    this.quarantined += res.rejections.length;
    this.#add('split', res.splitNanos);
    this.#add('encode', res.encodeNanos);
  }

  #maybeCommit(c: PendingCommit): void {
    if (!this.#closed.has(c) || (this.#outstanding.get(c) ?? 0) > 0) return;
    this.#closed.delete(c);
    this.#outstanding.delete(c);
    if (c === this.#keyedCommit) { c.addState(this.#d.keyed!.drain()); this.#keyedCommit = undefined; }
    this.#commitsPending++;
    this.#commitChain = this.#commitChain
      .then(() => (this.#error ? undefined : this.#commit(c)))
      .catch((err: unknown) => this.#fail(err))
      .finally(async () => {
        await c.cleanup();
        this.#open.delete(c);
        this.#commitsPending--;
        this.#wake();
      });
  }

  async #commit(c: PendingCommit): Promise<void> {
    if (c.empty) return;
    const batch = await c.seal();
    const { control, sinks, pipeline, runId } = this.#d;
    try {
      let t = process.hrtime.bigint();
      const bronze = await c.bronze.seal();
      this.#add('bronze', Number(process.hrtime.bigint() - t));
      await Promise.all(sinks.map(async ({ sink }) => {
        const t1 = process.hrtime.bigint();
        const w = await sink.write(batch);
        if (w.failed.length > 0) throw SinkRowsFailed({ sink: sink.id, commit: c.commitId, failed: w.failed.length, reason: w.failed[0]!.reason });
        this.#add(`sink:${sink.id}`, Number(process.hrtime.bigint() - t1));
      }));
      const files = [];
      for (const { sink, dataset } of sinks) {
        const t1 = process.hrtime.bigint();
        for (const f of await sink.commit(c.commitId)) {
          files.push({ sink: sink.id, dataset: f.dataset ?? dataset, path: f.path, rows: f.rows, bytes: f.bytes, partition: f.partition ?? null, sha256: f.sha256 ?? null });
        }
        this.#add(`sink:${sink.id}`, Number(process.hrtime.bigint() - t1));
      }
      t = process.hrtime.bigint();
      const state = [...c.state].flatMap(([stage, m]) => [...m].map(([key, value]) => ({ stage, key, value })));
      await control.commit({ pipeline, runId, commitId: c.commitId, checkpoints: [...c.checkpoints.values()], bronze, files, ...(state.length ? { state } : {}) });
      this.#add('control', Number(process.hrtime.bigint() - t));
    } catch (err) {
      await Promise.allSettled(sinks.map(({ sink }) => sink.abort(c.commitId)));
      await c.bronze.abort();
      throw err;
    }
    for (const [stream, r] of c.streams) {
      if ((this.#d.committed.get(stream) ?? 0) < r.to) this.#d.committed.set(stream, r.to);
    }
    this.landed += batch.rows;
    this.commits++;
    this.#d.onCommit?.({ commitId: c.commitId, rows: batch.rows, lines: c.lines, rejected: c.rejections.length, streams: c.streams, committedAt: Date.now() });
  }

  #add(key: string, ns: number): void { this.timings.set(key, (this.timings.get(key) ?? 0) + ns); }
  #fail(err: unknown): void { if (!this.#error) { this.#error = err; this.#d.log.error({ err: err instanceof Error ? err.stack : String(err) }, 'Run failed'); } this.#wake(); }
  #wake(): void { const w = this.#waiters; this.#waiters = []; for (const f of w) f(); }
  #throwIfFailed(): void { if (this.#error) throw this.#error; }

  /** Seconds per timing key (worker CPU for split/encode, wall for the rest). */
  timingSeconds(): Record<string, number> {
    return Object.fromEntries([...this.timings].map(([k, v]) => [k, Math.round(secs(v) * 1000) / 1000]));
  }
}
