/**
 * Hand-written batches in the engine's CSV dialect for the `postgres` sink's own tests (the shared
 * contract has its own): a small access-like schema (ts, path, status) plus lineage columns.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger, OutputDataset, SinkBatch, SinkContext } from '../../core/component.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { storedColumns } from '../_shared/sql.js';

/** ts, path, status: enough for partitions and the path/status indexes. */
export const MINI_SCHEMA: RecordSchema = Object.freeze({
  name: 'mini',
  columns: Object.freeze([
    { name: 'ts', type: 'timestamp', nullable: true, description: 'time' },
    { name: 'path', type: 'varchar', nullable: true, description: 'path' },
    { name: 'status', type: 'integer', nullable: true, description: 'status' },
  ] as const),
});

/** One row: `ts` text as the engine writes it (or '' for NULL), at `offset` of `stream`. */
export interface MiniRow {
  readonly ts: string;
  readonly path: string;
  readonly status: number;
  readonly stream: string;
  readonly offset: number;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A sink context for `schema` (and `outputs`) in `dir`. */
export function miniContext(dir: string, outputs: readonly OutputDataset[] = [], schema: RecordSchema = MINI_SCHEMA): SinkContext {
  return { pipeline: 'pg-test', baseDir: dir, dataDir: dir, schema, outputs, log: silent };
}

/** Writes `rows` as `<dir>/<name>.csv` in the engine's dialect; null when there are none. */
export function writeMiniCsv(dir: string, name: string, rows: readonly MiniRow[], schema: RecordSchema = MINI_SCHEMA): string | null {
  if (rows.length === 0) return null;
  const header = storedColumns(schema).map((c) => c.name).join(',');
  const lines = rows.map((r) => `${r.ts},"${r.path}",${r.status},"${r.stream}",${r.offset},${r.offset + 1},"/logs/${r.stream}.log"`);
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
  return path;
}

/** A batch of `rows` whose streams span from the lowest offset to `end` (default: past the last row). */
export function miniBatch(dir: string, commitId: string, rows: readonly MiniRow[], opts: {
  readonly rejections?: readonly Rejection[]; readonly outputs?: SinkBatch['outputs']; readonly end?: number;
} = {}): SinkBatch {
  const streams = new Map<string, { from: number; to: number }>();
  for (const r of rows) {
    const s = streams.get(r.stream);
    streams.set(r.stream, { from: Math.min(s?.from ?? r.offset, r.offset), to: Math.max(s?.to ?? 0, opts.end ?? r.offset + 10) });
  }
  return {
    commitId, schema: MINI_SCHEMA, csvPath: writeMiniCsv(dir, commitId, rows), rows: rows.length,
    rejections: opts.rejections ?? [], streams, outputs: opts.outputs ?? [],
  };
}
