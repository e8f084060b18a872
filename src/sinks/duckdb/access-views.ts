/**
 * Views answering the common questions on access data. "Errors" are server errors (status ≥ 500);
 * client errors (4xx) are counted separately where it helps (top_clients).
 */
import type { RecordSchema } from '../../core/record.js';
import { quoteIdent } from '../_shared/sql.js';

const ACCESS_COLUMNS = ['ts', 'status', 'path', 'bytes_sent', 'request_time_ms', 'client_ip'] as const;

/** Names of the views {@link accessViews} creates, in order. */
export const VIEW_NAMES: readonly string[] = Object.freeze(
  ['requests_per_hour', 'top_paths', 'status_mix', 'top_clients', 'sessions', 'quarantine_by_reason']);

const SESSION_COLUMNS = ['session_id', 'session_seq', 'visitor_id', 'is_page', 'ts', 'path'] as const;

/**
 * `CREATE OR REPLACE VIEW` statements over `table` and `quarantine`:
 * - `requests_per_hour(hour, requests, errors, bytes)`
 * - `top_paths(path, requests, error_rate, p95_request_time_ms)` by requests, descending
 * - `status_mix(status_class, count, share)`: `2xx`…`5xx`, `other` for missing/odd statuses
 * - `top_clients(client_ip, requests, client_errors, server_errors, bytes, first_seen, last_seen)`
 * - `sessions(session_id, visitor_id, started_at, ended_at, duration_secs, requests, page_count,
 *   entry_page, exit_page, bounce)` when `schema` has the `sessions` stage's columns: one row per
 *   session, computed from its requests (so it stays right when a session spans loads)
 * - `quarantine_by_reason(code, stage, field, count, last_reason, first_seen, last_seen)`
 * The first four only when `schema` has the access columns (ts, status, path, bytes_sent, ...).
 */
export function accessViews(schema: RecordSchema, table: string, quarantine: string): string[] {
  const t = quoteIdent(table);
  const q = quoteIdent(quarantine);
  const names = new Set(schema.columns.map((c) => c.name));
  const out: string[] = [];
  if (ACCESS_COLUMNS.every((c) => names.has(c))) {
    out.push(
      `CREATE OR REPLACE VIEW requests_per_hour AS SELECT date_trunc('hour', ts) AS hour, count(*) AS requests, ` +
      `count(*) FILTER (WHERE status >= 500) AS errors, coalesce(sum(bytes_sent), 0) AS bytes FROM ${t} GROUP BY 1 ORDER BY 1`,
      `CREATE OR REPLACE VIEW top_paths AS SELECT path, count(*) AS requests, ` +
      `round(avg(CASE WHEN status >= 500 THEN 1.0 ELSE 0.0 END), 4) AS error_rate, ` +
      `quantile_cont(request_time_ms, 0.95) AS p95_request_time_ms FROM ${t} GROUP BY path ORDER BY requests DESC, path`,
      `CREATE OR REPLACE VIEW status_mix AS SELECT CASE WHEN status BETWEEN 100 AND 599 THEN CAST(status // 100 AS VARCHAR) || 'xx' ` +
      `ELSE 'other' END AS status_class, count(*) AS "count", round(count(*) / sum(count(*)) OVER (), 4) AS share ` +
      `FROM ${t} GROUP BY 1 ORDER BY 1`,
      `CREATE OR REPLACE VIEW top_clients AS SELECT client_ip, count(*) AS requests, ` +
      `count(*) FILTER (WHERE status BETWEEN 400 AND 499) AS client_errors, count(*) FILTER (WHERE status >= 500) AS server_errors, ` +
      `coalesce(sum(bytes_sent), 0) AS bytes, min(ts) AS first_seen, max(ts) AS last_seen FROM ${t} ` +
      `GROUP BY client_ip ORDER BY requests DESC, client_ip`,
    );
  }
  if (SESSION_COLUMNS.every((c) => names.has(c))) {
    out.push(
      'CREATE OR REPLACE VIEW sessions AS SELECT session_id, any_value(visitor_id) AS visitor_id, min(ts) AS started_at, ' +
      'max(ts) AS ended_at, date_diff(\'second\', min(ts), max(ts)) AS duration_secs, count(*) AS requests, ' +
      'count(*) FILTER (WHERE is_page) AS page_count, arg_min(path, session_seq) FILTER (WHERE is_page) AS entry_page, ' +
      'arg_max(path, session_seq) FILTER (WHERE is_page) AS exit_page, count(*) FILTER (WHERE is_page) <= 1 AS bounce ' +
      `FROM ${t} WHERE session_id IS NOT NULL GROUP BY session_id`,
    );
  }
  out.push(
    `CREATE OR REPLACE VIEW quarantine_by_reason AS SELECT code, stage, field, count(*) AS "count", ` +
    `arg_max(reason, quarantined_at) AS last_reason, min(quarantined_at) AS first_seen, max(quarantined_at) AS last_seen ` +
    `FROM ${q} GROUP BY code, stage, field ORDER BY "count" DESC, code`,
  );
  return out;
}
