/** Appends rejections to a DuckDB table in the quarantine column order shared by the lake and the warehouse. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBTimestampValue } from '@duckdb/node-api';
import type { Rejection } from '../../core/outcome.js';

/**
 * Appends one row per rejection to `table` (in `catalog`, e.g. `temp`, when given): source, uri,
 * stream, line, offset, code, reason, field, stage, raw, quarantined_at, then each `extra` value.
 */
export async function appendRejections(
  conn: DuckDBConnection, table: string, catalog: string | null, rejections: readonly Rejection[], quarantinedAtMs: number, extra: readonly string[] = [],
): Promise<void> {
  const app = await conn.createAppender(table, catalog === null ? null : 'main', catalog);
  const at = new DuckDBTimestampValue(BigInt(Math.trunc(quarantinedAtMs)) * 1000n);
  const str = (s: string | undefined): void => { if (s === undefined) app.appendNull(); else app.appendVarchar(s); };
  try {
    for (const r of rejections) {
      str(r.origin.source); str(r.origin.uri); str(r.origin.stream);
      app.appendBigInt(BigInt(Math.trunc(r.origin.line))); app.appendBigInt(BigInt(Math.trunc(r.origin.offset)));
      str(r.code); str(r.reason); str(r.field); str(r.stage); str(r.raw);
      app.appendTimestamp(at);
      for (const e of extra) str(e);
      app.endRow();
    }
    app.flushSync();
  } finally { app.closeSync(); }
}
