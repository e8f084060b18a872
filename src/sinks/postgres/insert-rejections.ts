/** Inserts a batch's rejections into the PostgreSQL quarantine table, skipping those below the watermark. */
import type pg from 'pg';
import type { Rejection } from '../../core/outcome.js';

/** PostgreSQL text cannot hold NUL: it is stored as U+FFFD (the replacement character). */
export const withoutNul = (s: string | undefined): string | null => (s === undefined ? null : s.replaceAll('\0', '\uFFFD'));

/**
 * One INSERT ... SELECT FROM unnest(...) of every rejection whose offset is at/above the watermark
 * of its stream for `dataset` in `watermarkTable` (both names already qualified and quoted).
 * `quarantined_at` is now; `commit_id` is `commitId`. Returns the rows inserted.
 */
export async function insertRejections(
  client: pg.Client, quarantineTable: string, watermarkTable: string, dataset: string, rejections: readonly Rejection[], commitId: string,
): Promise<number> {
  if (rejections.length === 0) return 0;
  const col = (f: (r: Rejection) => string | undefined): (string | null)[] => rejections.map((r) => withoutNul(f(r)));
  const r = await client.query(
    `INSERT INTO ${quarantineTable} (source, uri, stream, line, "offset", code, reason, field, stage, raw, quarantined_at, commit_id) `
    + 'SELECT r.source, r.uri, r.stream, r.line, r."offset", r.code, r.reason, r.field, r.stage, r.raw, $11::timestamptz, $12 '
    + 'FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) '
    + 'AS r(source, uri, stream, line, "offset", code, reason, field, stage, raw) '
    + `LEFT JOIN ${watermarkTable} AS w ON w.dataset = $13 AND w.stream = r.stream WHERE r."offset" >= coalesce(w.next_offset, 0)`,
    [
      col((x) => x.origin.source), col((x) => x.origin.uri), col((x) => x.origin.stream),
      rejections.map((x) => Math.trunc(x.origin.line)), rejections.map((x) => Math.trunc(x.origin.offset)),
      col((x) => x.code), col((x) => x.reason), col((x) => x.field), col((x) => x.stage), col((x) => x.raw),
      new Date().toISOString(), commitId, dataset,
    ]);
  return r.rowCount ?? 0;
}
