/**
 * Readers of committed lake data (tests, `tributary query` helpers): only committed part files are
 * read, never staging directories.
 */
import { join } from 'node:path';
import fg from 'fast-glob';
import { DuckDBInstance } from '@duckdb/node-api';
import type { JsonSafe } from '../_shared/duckdb-values.js';
import { connectUtc, resultObjects } from '../_shared/duckdb-values.js';
import { quoteLiteral } from '../_shared/sql.js';
import type { LakeArea } from './lake-layout.js';
import { lakeLayout, PART_GLOBS } from './lake-layout.js';

async function readArea(root: string, dataset: string, area: LakeArea, orderBy: string): Promise<Record<string, JsonSafe>[]> {
  const dir = lakeLayout(root, dataset).areaDir(area);
  const files = (await fg([...PART_GLOBS], { cwd: dir, onlyFiles: true, dot: false })).sort().map((f) => join(dir, f));
  if (files.length === 0) return [];
  const db = await DuckDBInstance.create(':memory:');
  try {
    const conn = await connectUtc(db);
    try {
      const reader = await conn.runAndReadAll(
        `SELECT * FROM read_parquet([${files.map(quoteLiteral).join(', ')}], hive_partitioning = true, union_by_name = true) ORDER BY ${orderBy}`);
      return resultObjects(reader);
    } finally { conn.disconnectSync(); }
  } finally { db.closeSync(); }
}

/**
 * Every committed silver row of `dataset` as JSON-safe objects (timestamps as ISO-8601 UTC with
 * microseconds, BIGINT as numbers when safe; the hive `day` partition column included), ordered
 * by stream and offset.
 */
export function readLakeRows(root: string, dataset: string): Promise<Record<string, JsonSafe>[]> {
  return readArea(root, dataset, 'silver', 'source_stream, source_offset');
}

/** Every committed quarantine row of `dataset`, ordered by stream and offset. */
export function readLakeQuarantine(root: string, dataset: string): Promise<Record<string, JsonSafe>[]> {
  return readArea(root, dataset, 'quarantine', 'stream, "offset"');
}
