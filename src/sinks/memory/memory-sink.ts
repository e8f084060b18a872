/**
 * The `memory` sink: an in-repo fake for engine tests that keeps committed rows in process memory,
 * with the same staging, watermark and quarantine semantics as the real sinks (it passes the sink
 * contract). It parses the batch CSV with plain Node code.
 */
import { readFile } from 'node:fs/promises';
import type { CommittedFile, Sink, SinkBatch, SinkContext, SinkLocation } from '../../core/component.js';
import type { WriteResult } from '../../core/outcome.js';
import type { ColumnSchema, RecordSchema } from '../../core/record.js';
import { isTributaryError } from '../../core/errors.js';
import { SinkState, SinkWriteFailed } from '../_shared/errors.js';
import { storedColumns } from '../_shared/sql.js';
import { isoFromMicros, microsFromText } from '../_shared/timestamps.js';
import type { MemoryConfig } from './config.js';
import type { MemoryQuarantineRow, MemoryRow, MemoryStore } from './memory-store.js';
import { memoryStore } from './memory-store.js';
import type { CsvCell } from './parse-csv.js';
import { parseCsv } from './parse-csv.js';

function convert(col: ColumnSchema, cell: CsvCell): string | number | null {
  if (cell.text === '' && !cell.quoted) return null;
  switch (col.type) {
    case 'varchar':
    case 'json':
      return cell.text;
    case 'integer':
    case 'bigint': {
      if (!/^-?\d+$/.test(cell.text)) throw new Error(`column ${col.name}: \`${cell.text}\` is not an integer`);
      const n = BigInt(cell.text);
      return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : cell.text;
    }
    case 'double': {
      const n = Number(cell.text);
      if (cell.text.trim() === '' || Number.isNaN(n)) throw new Error(`column ${col.name}: \`${cell.text}\` is not a number`);
      return n;
    }
    case 'boolean':
      if (cell.text !== 'true' && cell.text !== 'false') throw new Error(`column ${col.name}: \`${cell.text}\` is not a boolean`);
      return cell.text === 'true' ? 1 : 0;
    case 'timestamp': {
      const us = microsFromText(cell.text);
      if (us === null) throw new Error(`column ${col.name}: \`${cell.text}\` is not a timestamp`);
      return isoFromMicros(us);
    }
  }
}

/** Parses a batch CSV into rows (header checked against the schema's stored columns). */
export function parseBatchCsv(text: string, schema: RecordSchema): MemoryRow[] {
  const cols = storedColumns(schema);
  const [header, ...records] = parseCsv(text);
  const names = (header ?? []).map((c) => c.text);
  if (names.join(',') !== cols.map((c) => c.name).join(',')) {
    throw new Error(`CSV header \`${names.join(',')}\` does not match the schema columns`);
  }
  return records.map((cells, r) => {
    if (cells.length !== cols.length) throw new Error(`record ${r + 2} has ${cells.length} fields, expected ${cols.length}`);
    return Object.freeze(Object.fromEntries(cols.map((c, i) => [c.name, convert(c, cells[i]!)])));
  });
}

/** What `write` staged for one commit. */
interface Staged {
  readonly rows: readonly MemoryRow[];
  readonly datasets: ReadonlyMap<string, readonly MemoryRow[]>;
  readonly quarantine: readonly MemoryQuarantineRow[];
  readonly streams: ReadonlyMap<string, number>;
}

/** `Sink` keeping committed rows in a named {@link MemoryStore}. */
export class MemorySink implements Sink {
  readonly id: string;
  readonly type = 'memory';
  readonly store: MemoryStore;
  readonly #staged = new Map<string, Staged>();
  #opened = false;
  #closed = false;

  constructor(id: string, config: MemoryConfig, _ctx: SinkContext) {
    this.id = id;
    this.store = memoryStore(config.store);
  }

  /** Nothing to prepare; marks the sink usable. */
  async open(): Promise<void> {
    if (this.#closed) throw SinkState({ sink: this.id, reason: 'open() after close()' });
    this.#opened = true;
  }

  /** Parses the CSV and stages the rows and rejections at/above each stream's watermark. */
  async write(batch: SinkBatch): Promise<WriteResult> {
    if (!this.#opened || this.#closed) throw SinkState({ sink: this.id, reason: 'write() before open() or after close()' });
    const wm = (stream: string): number => this.store.watermarks.get(stream) ?? 0;
    try {
      const all = batch.csvPath === null || batch.rows === 0 ? [] : parseBatchCsv(await readFile(batch.csvPath, 'utf8'), batch.schema);
      const rows = all.filter((r) => Number(r.source_offset) >= wm(String(r.source_stream)));
      const datasets = new Map<string, MemoryRow[]>();
      for (const o of batch.outputs) {
        const parsed = o.csvPath === null || o.rows === 0 ? [] : parseBatchCsv(await readFile(o.csvPath, 'utf8'), o.schema);
        datasets.set(o.dataset, parsed.filter((r) => Number(r.source_offset) >= wm(String(r.source_stream))));
      }
      const at = isoFromMicros(BigInt(Date.now()) * 1000n);
      const quarantine = batch.rejections.filter((r) => r.origin.offset >= wm(r.origin.stream)).map((r) => Object.freeze({
        source: r.origin.source, uri: r.origin.uri, stream: r.origin.stream, line: r.origin.line, offset: r.origin.offset,
        code: r.code, reason: r.reason, field: r.field ?? null, stage: r.stage, raw: r.raw, quarantined_at: at, commit_id: batch.commitId,
      }));
      this.#staged.set(batch.commitId, { rows, datasets, quarantine, streams: new Map([...batch.streams].map(([s, r]) => [s, r.to])) });
      return { written: rows.length, failed: [] };
    } catch (err) {
      if (isTributaryError(err)) throw err;
      throw SinkWriteFailed({ sink: this.id, commit: batch.commitId, reason: err instanceof Error ? err.message : String(err) }, err);
    }
  }

  /** Appends the staged rows to the store and advances its watermarks. Returns no files. */
  async commit(commitId: string): Promise<readonly CommittedFile[]> {
    const s = this.#staged.get(commitId);
    if (!s) {
      if (this.store.commits.includes(commitId)) return [];
      throw SinkState({ sink: this.id, reason: `commit(${commitId}) without a successful write()` });
    }
    this.store.rows.push(...s.rows);
    this.store.quarantine.push(...s.quarantine);
    for (const [d, rows] of s.datasets) {
      const list = this.store.datasets.get(d);
      if (list) list.push(...rows); else this.store.datasets.set(d, [...rows]);
    }
    for (const [stream, to] of s.streams) if ((this.store.watermarks.get(stream) ?? 0) < to) this.store.watermarks.set(stream, to);
    this.store.commits.push(commitId);
    this.#staged.delete(commitId);
    return [];
  }

  /** Drops what was staged for `commitId` (no-op when unknown). */
  async abort(commitId: string): Promise<void> {
    this.#staged.delete(commitId);
  }

  /** `memory://<store>`. */
  location(): SinkLocation {
    return { sink: this.id, type: this.type, location: `memory://${this.store.name}`, description: 'In-process memory store (tests only)' };
  }

  /** Drops anything staged. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#staged.clear();
  }
}
