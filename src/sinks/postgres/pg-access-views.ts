/**
 * The access-log views of the PostgreSQL warehouse, the counterparts of the DuckDB sink's views
 * with the same names, columns and meaning. Standard SQL (FILTER, percentile_cont WITHIN GROUP,
 * window sums) except `array_agg(...)[1]`, PostgreSQL's spelling of arg_min / arg_max. Hours are
 * UTC whatever the session time zone; text tie-breaks sort bytewise (`COLLATE "C"`), as DuckDB does,
 * whatever the database's collation.
 */
import type { RecordSchema } from '../../core/record.js';
import { qualified } from './pg-sql.js';

const ACCESS_COLUMNS = ['ts', 'status', 'path', 'bytes_sent', 'request_time_ms', 'client_ip'] as const;
const SESSION_COLUMNS = ['session_id', 'session_seq', 'visitor_id', 'is_page', 'ts', 'path'] as const;

/** A view to create: its name and SELECT. */
export interface ViewDefinition {
  readonly name: string;
  readonly select: string;
}

/**
 * The views over `schema.table` and `schema.quarantine`:
 * - `requests_per_hour(hour, requests, errors, bytes)`, `hour` a UTC `timestamp`
 * - `top_paths(path, requests, error_rate, p95_request_time_ms)`
 * - `status_mix(status_class, count, share)`
 * - `top_clients(client_ip, requests, client_errors, server_errors, bytes, first_seen, last_seen)`
 * - `sessions(...)` when `schema` has the `sessions` stage's columns
 * - `quarantine_by_reason(code, stage, field, count, last_reason, first_seen, last_seen)`
 * The first four only when `schema` has the access columns. "Errors" are statuses ≥ 500.
 */
export function pgAccessViews(schema: RecordSchema, pgSchema: string, table: string, quarantine: string): ViewDefinition[] {
  const t = qualified(pgSchema, table);
  const q = qualified(pgSchema, quarantine);
  const names = new Set(schema.columns.map((c) => c.name));
  const out: ViewDefinition[] = [];
  if (ACCESS_COLUMNS.every((c) => names.has(c))) {
    out.push(
      { name: 'requests_per_hour', select: `SELECT date_trunc('hour', ts AT TIME ZONE 'UTC') AS hour, count(*) AS requests, `
        + `count(*) FILTER (WHERE status >= 500) AS errors, coalesce(sum(bytes_sent), 0) AS bytes FROM ${t} GROUP BY 1 ORDER BY 1` },
      { name: 'top_paths', select: 'SELECT path, count(*) AS requests, '
        + 'round(avg(CASE WHEN status >= 500 THEN 1.0 ELSE 0.0 END), 4) AS error_rate, '
        + `percentile_cont(0.95) WITHIN GROUP (ORDER BY request_time_ms) AS p95_request_time_ms FROM ${t} GROUP BY path ORDER BY requests DESC, path COLLATE "C"` },
      { name: 'status_mix', select: "SELECT CASE WHEN status BETWEEN 100 AND 599 THEN CAST(status / 100 AS varchar) || 'xx' "
        + `ELSE 'other' END AS status_class, count(*) AS "count", round(count(*) / sum(count(*)) OVER (), 4) AS share FROM ${t} GROUP BY 1 ORDER BY 1` },
      { name: 'top_clients', select: 'SELECT client_ip, count(*) AS requests, '
        + 'count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client_errors, count(*) FILTER (WHERE status >= 500) AS server_errors, '
        + `coalesce(sum(bytes_sent), 0) AS bytes, min(ts) AS first_seen, max(ts) AS last_seen FROM ${t} GROUP BY client_ip ORDER BY requests DESC, client_ip COLLATE "C"` },
    );
  }
  if (SESSION_COLUMNS.every((c) => names.has(c))) {
    out.push({ name: 'sessions', select: 'SELECT session_id, min(visitor_id) AS visitor_id, min(ts) AS started_at, max(ts) AS ended_at, '
      + 'CAST(extract(epoch FROM max(ts) - min(ts)) AS bigint) AS duration_secs, count(*) AS requests, '
      + 'count(*) FILTER (WHERE is_page) AS page_count, (array_agg(path ORDER BY session_seq) FILTER (WHERE is_page))[1] AS entry_page, '
      + '(array_agg(path ORDER BY session_seq DESC) FILTER (WHERE is_page))[1] AS exit_page, count(*) FILTER (WHERE is_page) <= 1 AS bounce '
      + `FROM ${t} WHERE session_id IS NOT NULL GROUP BY session_id` });
  }
  out.push({ name: 'quarantine_by_reason', select: 'SELECT code, stage, field, count(*) AS "count", '
    + '(array_agg(reason ORDER BY quarantined_at DESC))[1] AS last_reason, min(quarantined_at) AS first_seen, max(quarantined_at) AS last_seen '
    + `FROM ${q} GROUP BY code, stage, field ORDER BY "count" DESC, code COLLATE "C"` });
  return out;
}
