/**
 * Writes one batch as Parquet into a staging directory with DuckDB: rows from the batch CSV
 * (partitioned by day of `ts`), rejections from memory. Nothing here is visible to readers; the
 * commit step renames the files into place.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendRejections } from '../_shared/append-rejections.js';
import type { Rejection } from '../../core/outcome.js';
import type { RecordSchema } from '../../core/record.js';
import { csvSelectList, quoteIdent, quoteLiteral, readCsvSql } from '../_shared/sql.js';

/** Parquet writer options shared by rows and rejections. */
export interface ParquetOptions {
  readonly compression: 'zstd' | 'snappy' | 'gzip';
  readonly rowGroupSize: number;
  /** Name of a key registered with `PRAGMA add_parquet_key` to encrypt the files with (absent = plaintext). */
  readonly encryptionKeyName?: string;
}

/** The `encryption_config` struct literal for a registered Parquet key name. */
export const parquetEncryptionConfig = (keyName: string): string => `{footer_key: ${quoteLiteral(keyName)}}`;

/**
 * The column a dataset is partitioned by day on: `ts` when it is a timestamp, else the first
 * timestamp column, else none (files land unpartitioned).
 */
export function dayColumn(schema: RecordSchema): string | null {
  const ts = schema.columns.find((c) => c.name === 'ts' && c.type === 'timestamp');
  return ts?.name ?? schema.columns.find((c) => c.type === 'timestamp')?.name ?? null;
}

const copyOptions = (o: ParquetOptions, partitioned: boolean): string =>
  `FORMAT parquet, COMPRESSION ${o.compression}, ROW_GROUP_SIZE ${o.rowGroupSize}` +
  (o.encryptionKeyName === undefined ? '' : `, ENCRYPTION_CONFIG ${parquetEncryptionConfig(o.encryptionKeyName)}`) +
  (partitioned ? ", PARTITION_BY (day), FILENAME_PATTERN 'data_{i}'" : '');

/** COPY target: a directory of hive partitions, or one file inside `dir` when unpartitioned. */
const copyTarget = (dir: string, partitioned: boolean): string =>
  quoteLiteral(partitioned ? dir : join(dir, 'data_0.parquet'));

/**
 * Copies the rows of `csvPath` whose `source_offset` is at or above their stream's watermark into
 * Parquet files under `dir` (`day=YYYY-MM-DD/data_<n>.parquet`). Returns the rows written.
 */
export async function stageRows(
  conn: DuckDBConnection, csvPath: string, schema: RecordSchema, watermarks: ReadonlyMap<string, number>,
  dir: string, opts: ParquetOptions,
): Promise<number> {
  const day = dayColumn(schema);
  const from = `${readCsvSql(csvPath, schema)} AS c`;
  const wm = [...watermarks].filter(([, off]) => off > 0);
  const join = wm.length === 0 ? '' :
    ` LEFT JOIN (VALUES ${wm.map(([s, off]) => `(${quoteLiteral(s)}, ${Math.trunc(off)})`).join(', ')}) AS w(stream, next_offset)` +
    ' ON w.stream = c.source_stream WHERE c.source_offset >= coalesce(w.next_offset, 0)';
  const dayExpr = day === null ? '' : `, strftime(CAST(c.${quoteIdent(day)} AS TIMESTAMP), '%Y-%m-%d') AS day`;
  const sql = `COPY (SELECT ${csvSelectList(schema, 'c')}${dayExpr} FROM ${from}${join}) ` +
    `TO ${copyTarget(dir, day !== null)} (${copyOptions(opts, day !== null)})`;
  await mkdir(dir, { recursive: true });
  const res = await conn.runAndReadAll(sql);
  return Number(res.getRows()[0]?.[0] ?? 0);
}

/** Quarantine columns as stored in the lake, in order. */
export const QUARANTINE_COLUMNS: readonly (readonly [string, string])[] = Object.freeze([
  ['source', 'VARCHAR'], ['uri', 'VARCHAR'], ['stream', 'VARCHAR'], ['line', 'BIGINT'], ['offset', 'BIGINT'],
  ['code', 'VARCHAR'], ['reason', 'VARCHAR'], ['field', 'VARCHAR'], ['stage', 'VARCHAR'], ['raw', 'VARCHAR'],
  ['quarantined_at', 'TIMESTAMP'],
] as const);

/**
 * Writes `rejections` to Parquet under `dir`, partitioned by the UTC day they were quarantined
 * (`quarantinedAtMs`). Returns the number written (0 writes nothing).
 */
export async function stageRejections(
  conn: DuckDBConnection, rejections: readonly Rejection[], quarantinedAtMs: number, dir: string, opts: ParquetOptions,
): Promise<number> {
  if (rejections.length === 0) return 0;
  await mkdir(dir, { recursive: true });
  const cols = QUARANTINE_COLUMNS.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ');
  await conn.run(`CREATE OR REPLACE TABLE quarantine_stage (${cols})`);
  await appendRejections(conn, 'quarantine_stage', null, rejections, quarantinedAtMs);
  await conn.run(`COPY (SELECT *, strftime(quarantined_at, '%Y-%m-%d') AS day FROM quarantine_stage) ` +
    `TO ${copyTarget(dir, true)} (${copyOptions(opts, true)})`);
  await conn.run('DROP TABLE quarantine_stage');
  return rejections.length;
}
