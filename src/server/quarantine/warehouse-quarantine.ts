/**
 * The {@link QuarantineReader} over a DuckDB warehouse's `quarantine` table (see
 * docs/record-schema.md), opened read-only per call through `openWarehouse`. A warehouse file or
 * table that does not exist yet reads as empty. Masking is the route's job, not this reader's.
 */
import { existsSync } from 'node:fs';
import type { JsonSafe } from '../../sinks/_shared/duckdb-values.js';
import { openWarehouse } from '../../sinks/duckdb/warehouse.js';
import type { QuarantineReader, QuarantineRow } from '../app-deps.js';

const str = (v: JsonSafe | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Reads quarantined records from the warehouse file at `path` (table `table`, default
 * `quarantine`). `path` may be a function, read at each call (the server's current snapshot);
 * `encryptionKey` opens an encrypted warehouse file.
 */
export function createWarehouseQuarantine(at: string | (() => string), table = 'quarantine', encryptionKey?: string): QuarantineReader {
  return {
    async browse(q): Promise<readonly QuarantineRow[]> {
      const path = typeof at === 'function' ? at() : at;
      if (!existsSync(path)) return [];
      const wh = await openWarehouse(path, { readOnly: true, ...(encryptionKey === undefined ? {} : { encryptionKey }) });
      try {
        const exists = await wh.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1", [table]);
        if (Number(exists.rows[0]?.[0] ?? 0) === 0) return [];
        const r = await wh.query(
          `SELECT source, stage, commit_id, code, field, reason, uri, line, raw, quarantined_at FROM "${table.replaceAll('"', '""')}"
           WHERE ($1::VARCHAR IS NULL OR code = $1) AND ($2::VARCHAR IS NULL OR source = $2)
           ORDER BY quarantined_at DESC NULLS LAST, uri, line LIMIT $3 OFFSET $4`,
          [q.code ?? null, q.source ?? null, q.limit, q.offset]);
        return r.rows.map(([source, stage, commit, code, field, reason, uri, line, raw, ts]) => ({
          source: str(source), stage: str(stage), run_id: str(commit)?.replace(/-\d+$/, '') ?? null,
          code: String(code), field: str(field), reason: String(reason ?? ''), uri: str(uri),
          line: typeof line === 'number' ? line : null, raw: str(raw), ts: str(ts),
        }));
      } finally {
        await wh.close();
      }
    },
  };
}
