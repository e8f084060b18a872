/**
 * Runs the stage chain on one chunk and encodes the survivors: the work a batch worker does per
 * message, kept free of threading so it can be tested (and run inline) directly.
 */
import type { LineBatch, RecordBatch, Stage, StageCallContext } from '../../core/component.js';
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

  constructor(stages: readonly Stage<unknown, unknown>[], schema: RecordSchema, maxRawChars: number) {
    this.#stages = stages;
    this.#encoder = createCsvEncoder(schema);
    this.#maxRawChars = maxRawChars;
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
    // A fresh, unpooled buffer: it is transferred to the engine thread.
    const csv = records.length ? this.#encoder.encode(records as readonly Record<string, unknown>[], msg.meta.stream, msg.meta.uri) : new Uint8Array(0);
    return {
      kind: 'result', seq: msg.seq, lines: lines.lines.length, csv, rows: records.length, rejections,
      stages: reports, splitNanos, encodeNanos: Number(now() - t),
    };
  }
}
