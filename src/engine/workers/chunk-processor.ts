/**
 * Runs the stage chain on one chunk and encodes the survivors: the work a batch worker does per
 * message, kept free of threading so it can be tested (and run inline) directly.
 */
import { getFeature, type LineBatch, type RecordBatch, type Stage, type StageCallContext } from '../../core/component.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { assertBalanced } from '../../core/counts.js';
import { createCsvEncoder, type CsvEncoder } from '../encode/csv-encoder.js';
import { splitLines } from './split-lines.js';
import type { ChunkMessage, ChunkResult, StageReport } from './worker-protocol.js';

const now = (): bigint => process.hrtime.bigint();
const sizeOf = (b: LineBatch | RecordBatch): number => ('lines' in b ? b.lines.length : b.records.length);

/** Processes chunks through a fixed stage chain for one record schema. */
export class ChunkProcessor {
  readonly #stages: readonly Stage<unknown, unknown>[];
  readonly #encoder: CsvEncoder;
  readonly #maxRawChars: number;
  readonly #keyed: readonly string[];

  /** `keyed`: the keyed stages' ids and the number of schema tail columns they fill (see InitMessage). */
  constructor(
    stages: readonly Stage<unknown, unknown>[], schema: RecordSchema, maxRawChars: number,
    keyed: { readonly stages: readonly string[]; readonly deferredColumns: number } = { stages: [], deferredColumns: 0 },
  ) {
    this.#stages = stages;
    this.#encoder = createCsvEncoder(schema, keyed.deferredColumns);
    this.#maxRawChars = maxRawChars;
    this.#keyed = keyed.stages;
  }

  /** Splits, runs every stage (checking each balances) and CSV-encodes what passed. */
  process(msg: ChunkMessage): ChunkResult {
    let t = now();
    const lines = splitLines(msg.meta, msg.data, msg.startOffset, msg.firstLine, msg.truncated);
    const splitNanos = Number(now() - t);
    const ctx: StageCallContext = msg.formatHint ? { committed: new Map(msg.committed), formatHint: msg.formatHint } : { committed: new Map(msg.committed) };
    const reports: StageReport[] = [];
    const rejections: Rejection[] = [];
    let batch: LineBatch | RecordBatch = lines;
    for (const stage of this.#stages) {
      t = now();
      const inCount = sizeOf(batch);
      const res = stage.process(batch, ctx);
      const out = res.passed as RecordBatch;
      const counts = { in: inCount, passed: out.records.length, rejected: res.rejected.length, filtered: res.filtered };
      assertBalanced(stage.id, counts);
      for (const r of res.rejected) rejections.push(r.raw.length > this.#maxRawChars ? { ...r, raw: r.raw.slice(0, this.#maxRawChars) } : r);
      reports.push({ stage: stage.id, ...counts, nanos: Number(now() - t) });
      batch = out;
    }
    t = now();
    const records = 'records' in batch ? batch.records : [];
    const rows = records as readonly Record<string, unknown>[];
    const base = {
      kind: 'result', seq: msg.seq, lines: lines.lines.length, rows: records.length, rejections, stages: reports, splitNanos,
    } as const;
    if (this.#keyed.length === 0) {
      // A fresh, unpooled buffer: it is transferred to the engine thread.
      const csv = records.length ? this.#encoder.encode(rows, msg.meta.stream, msg.meta.uri) : new Uint8Array(0);
      return { ...base, csv, encodeNanos: Number(now() - t) };
    }
    const { bytes, marks } = this.#encoder.encodeDeferred(rows, msg.meta.stream, msg.meta.uri);
    const features = this.#keyed.map((id) => rows.map((r) => getFeature(r, id)));
    return { ...base, csv: bytes, keyed: { features, marks }, encodeNanos: Number(now() - t) };
  }
}
