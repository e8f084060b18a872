/** Reading what a run left in a data directory: every file below it, and warehouse queries. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openWarehouse } from '../../src/sinks/duckdb/warehouse.js';

/** Every file below `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Rows of `sql` against the warehouse file `path`, opened read-only. */
export async function askWarehouse(path: string, sql: string): Promise<readonly (readonly unknown[])[]> {
  const wh = await openWarehouse(path, { readOnly: true });
  try { return (await wh.query(sql)).rows; } finally { await wh.close(); }
}
