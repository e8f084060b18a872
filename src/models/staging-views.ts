/**
 * The staging views every built-in model reads, generated from what the warehouse actually has:
 * `stg_requests` (the pipeline's request table plus derived columns: day, hour, minute, status
 * class, normalised endpoint, referrer host, search keyword, visitor key), `stg_sessions` and
 * `stg_security_events`. A column an optional stage would have added (geo, user agent, sessions,
 * behaviour) reads as a typed NULL when the pipeline does not run that stage, so the built-in models
 * work on any access-log pipeline, and fill in as stages are added.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import { endpointExpr, type EndpointPattern } from './endpoint-sql.js';

/** Optional request columns and their types (NULL when missing). */
const OPTIONAL: readonly (readonly [string, string])[] = [
  ['vhost', 'VARCHAR'], ['request_time_ms', 'DOUBLE'], ['bytes_sent', 'BIGINT'], ['referer', 'VARCHAR'], ['user_agent', 'VARCHAR'],
  ['geo_country', 'VARCHAR'], ['geo_region', 'VARCHAR'], ['geo_city', 'VARCHAR'], ['geo_asn', 'BIGINT'], ['geo_as_org', 'VARCHAR'], ['ip_class', 'VARCHAR'],
  ['ua_browser', 'VARCHAR'], ['ua_browser_version', 'VARCHAR'], ['ua_os', 'VARCHAR'], ['ua_device_type', 'VARCHAR'], ['is_bot', 'BOOLEAN'], ['bot_name', 'VARCHAR'],
  ['visitor_id', 'VARCHAR'], ['session_id', 'VARCHAR'], ['session_seq', 'INTEGER'], ['is_page', 'BOOLEAN'], ['client_id', 'VARCHAR'], ['threat_score', 'INTEGER'],
];

async function columnsOf(conn: DuckDBConnection, table: string): Promise<Set<string>> {
  const r = await conn.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ${quoteLiteral(table)}`);
  return new Set(r.getRows().map((x) => String(x[0])));
}

/** Search engines whose referer query carries the search terms (host suffix → parameter). */
const SEARCH = `CASE WHEN regexp_matches(referrer_host, '(^|\\.)(google|bing|duckduckgo|yandex|ecosia|qwant|startpage)\\.') THEN url_decode(replace(regexp_extract(referer, '[?&](q|query|text)=([^&#]*)', 2), '+', ' '))
  WHEN regexp_matches(referrer_host, '(^|\\.)yahoo\\.') THEN url_decode(replace(regexp_extract(referer, '[?&]p=([^&#]*)', 1), '+', ' ')) END`;

/** (Re)creates the staging views over `table` (the warehouse request table). */
export async function createStagingViews(conn: DuckDBConnection, table: string, patterns: readonly EndpointPattern[]): Promise<void> {
  const have = await columnsOf(conn, table);
  const opt = OPTIONAL.map(([c, t]) => (have.has(c) ? `r.${quoteIdent(c)}` : `CAST(NULL AS ${t}) AS ${quoteIdent(c)}`)).join(', ');
  const base = ['ts', 'method', 'path', 'query', 'status', 'source_stream', 'source_offset'].map((c) => `r.${quoteIdent(c)}`).join(', ');
  await conn.run(`CREATE OR REPLACE VIEW stg_requests AS SELECT *, ${SEARCH} AS search_keyword FROM (
    SELECT ${base}, ${opt}, CAST(r.ts AS DATE) AS day, date_trunc('hour', r.ts) AS hour, date_trunc('minute', r.ts) AS minute,
      CASE WHEN r.status BETWEEN 100 AND 599 THEN CAST(r.status // 100 AS VARCHAR) || 'xx' ELSE 'other' END AS status_class,
      ${endpointExpr('r.path', patterns)} AS endpoint,
      nullif(lower(regexp_extract(${have.has('referer') ? 'r.referer' : 'NULL'}, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)), '') AS referrer_host,
      ${have.has('client_id') ? "coalesce(md5(r.client_id || '|' || coalesce(r.user_agent, '')), r.visitor_id)" : (have.has('visitor_id') ? 'r.visitor_id' : 'CAST(NULL AS VARCHAR)')} AS visitor_key
    FROM ${quoteIdent(table)} AS r WHERE r.ts IS NOT NULL) s`);
  const views = await conn.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'");
  const names = new Set(views.getRows().map((x) => String(x[0])));
  await conn.run(names.has('sessions')
    ? 'CREATE OR REPLACE VIEW stg_sessions AS SELECT *, CAST(started_at AS DATE) AS day FROM sessions'
    : 'CREATE OR REPLACE VIEW stg_sessions AS SELECT CAST(NULL AS DATE) AS day, CAST(NULL AS VARCHAR) AS session_id, CAST(NULL AS VARCHAR) AS visitor_id, CAST(NULL AS TIMESTAMP) AS started_at, '
      + 'CAST(NULL AS TIMESTAMP) AS ended_at, CAST(NULL AS BIGINT) AS duration_secs, CAST(NULL AS BIGINT) AS requests, CAST(NULL AS BIGINT) AS page_count, '
      + 'CAST(NULL AS VARCHAR) AS entry_page, CAST(NULL AS VARCHAR) AS exit_page, CAST(NULL AS BOOLEAN) AS bounce WHERE false');
  await conn.run(names.has('security_events')
    ? 'CREATE OR REPLACE VIEW stg_security_events AS SELECT *, CAST(ts AS DATE) AS day FROM security_events'
    : 'CREATE OR REPLACE VIEW stg_security_events AS SELECT CAST(NULL AS DATE) AS day, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS VARCHAR) AS client_id, CAST(NULL AS VARCHAR) AS kind, '
      + 'CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS INTEGER) AS score WHERE false');
}

/** Names of the staging views (sources of the built-in models, never materialised). */
export const STAGING_VIEWS: readonly string[] = Object.freeze(['stg_requests', 'stg_sessions', 'stg_security_events']);
