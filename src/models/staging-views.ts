/**
 * The staging views every built-in model reads, generated from what the warehouse actually has:
 * `stg_requests` (the pipeline's request table plus derived columns: day, hour, minute, status
 * class, normalised endpoint, referrer host, search keyword, visitor key), `stg_sessions` and
 * `stg_security_events`. A column an optional stage would have added (geo, user agent, sessions,
 * behaviour) reads as a typed NULL when the pipeline does not run that stage, so the built-in models
 * work on any access-log pipeline, and fill in as stages are added.
 *
 * The views are the one place the built-in models meet dialect differences (the models themselves
 * are written in the SQL DuckDB and PostgreSQL share): {@link STAGING_DIALECTS} spells the few
 * expressions that differ. On PostgreSQL, `ts` stays `timestamptz` (an instant, as the sink stores
 * it) and days, hours and minutes are cut in UTC.
 */
import { quoteIdent } from '../sinks/_shared/sql.js';
import { endpointExpr, type EndpointPattern } from './endpoint-sql.js';
import type { GoldDialect, GoldWarehouse } from './gold-warehouse.js';

/** The expressions of the staging views that differ between dialects. */
interface StagingDialect {
  /** A column type of {@link OPTIONAL} in this dialect. */
  readonly type: (t: string) => string;
  /** `ts` (an instant) as a UTC date, and truncated to `unit` in UTC. */
  readonly day: (ts: string) => string;
  readonly trunc: (unit: 'hour' | 'minute', ts: string) => string;
  readonly intDiv: (a: string, b: string) => string;
  /** Capture group `group` of the first match of `re` in `s`; NULL or '' when none. */
  readonly extract: (s: string, re: string, group: number) => string;
  /** True when `re` matches somewhere in `s`. */
  readonly matches: (s: string, re: string) => string;
  readonly urlDecode: (s: string) => string;
}

/** Per dialect. PostgreSQL's `trb_url_decode` is created by its gold warehouse adapter. */
const STAGING_DIALECTS: Readonly<Record<GoldDialect, StagingDialect>> = {
  duckdb: {
    type: (t) => t, day: (ts) => `CAST(${ts} AS DATE)`, trunc: (u, ts) => `date_trunc('${u}', ${ts})`, intDiv: (a, b) => `${a} // ${b}`,
    extract: (s, re, g) => `regexp_extract(${s}, '${re}', ${g})`, matches: (s, re) => `regexp_matches(${s}, '${re}')`, urlDecode: (s) => `url_decode(${s})`,
  },
  postgres: {
    type: (t) => (t === 'DOUBLE' ? 'double precision' : t), day: (ts) => `CAST(${ts} AT TIME ZONE 'UTC' AS DATE)`,
    trunc: (u, ts) => `date_trunc('${u}', ${ts}, 'UTC')`, intDiv: (a, b) => `${a} / ${b}`,
    extract: (s, re, g) => `(regexp_match(${s}, '${re}'))[${g}]`, matches: (s, re) => `(${s} ~ '${re}')`, urlDecode: (s) => `trb_url_decode(${s})`,
  },
};

/** Optional request columns and their types (NULL when missing). */
const OPTIONAL: readonly (readonly [string, string])[] = [
  ['vhost', 'VARCHAR'], ['request_time_ms', 'DOUBLE'], ['bytes_sent', 'BIGINT'], ['referer', 'VARCHAR'], ['user_agent', 'VARCHAR'],
  ['geo_country', 'VARCHAR'], ['geo_region', 'VARCHAR'], ['geo_city', 'VARCHAR'], ['geo_asn', 'BIGINT'], ['geo_as_org', 'VARCHAR'], ['ip_class', 'VARCHAR'],
  ['ua_browser', 'VARCHAR'], ['ua_browser_version', 'VARCHAR'], ['ua_os', 'VARCHAR'], ['ua_device_type', 'VARCHAR'], ['is_bot', 'BOOLEAN'], ['bot_name', 'VARCHAR'],
  ['visitor_id', 'VARCHAR'], ['session_id', 'VARCHAR'], ['session_seq', 'INTEGER'], ['is_page', 'BOOLEAN'], ['client_id', 'VARCHAR'], ['threat_score', 'INTEGER'],
];

/** Search engines whose referer query carries the search terms (host suffix → parameter). */
function searchKeyword(d: StagingDialect): string {
  const term = (re: string, g: number): string => d.urlDecode(`replace(${d.extract('referer', re, g)}, '+', ' ')`);
  return `CASE WHEN ${d.matches('referrer_host', '(^|\\.)(google|bing|duckduckgo|yandex|ecosia|qwant|startpage)\\.')} THEN ${term('[?&](q|query|text)=([^&#]*)', 2)}
  WHEN ${d.matches('referrer_host', '(^|\\.)yahoo\\.')} THEN ${term('[?&]p=([^&#]*)', 1)} END`;
}

/** (Re)creates the staging views over `table` (the warehouse request table) in `wh`. */
export async function createStagingViews(wh: GoldWarehouse, table: string, patterns: readonly EndpointPattern[]): Promise<void> {
  const d = STAGING_DIALECTS[wh.dialect];
  const have = await wh.columns(table);
  const opt = OPTIONAL.map(([c, t]) => (have.has(c) ? `r.${quoteIdent(c)}` : `CAST(NULL AS ${d.type(t)}) AS ${quoteIdent(c)}`)).join(', ');
  const base = ['ts', 'method', 'path', 'query', 'status', 'source_stream', 'source_offset'].map((c) => `r.${quoteIdent(c)}`).join(', ');
  await wh.replaceView('stg_requests', `SELECT *, ${searchKeyword(d)} AS search_keyword FROM (
    SELECT ${base}, ${opt}, ${d.day('r.ts')} AS day, ${d.trunc('hour', 'r.ts')} AS hour, ${d.trunc('minute', 'r.ts')} AS minute,
      CASE WHEN r.status BETWEEN 100 AND 599 THEN CAST(${d.intDiv('r.status', '100')} AS VARCHAR) || 'xx' ELSE 'other' END AS status_class,
      ${endpointExpr('r.path', patterns)} AS endpoint,
      nullif(lower(${d.extract(have.has('referer') ? 'r.referer' : 'CAST(NULL AS VARCHAR)', '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)}), '') AS referrer_host,
      ${have.has('client_id') ? "coalesce(md5(r.client_id || '|' || coalesce(r.user_agent, '')), r.visitor_id)" : (have.has('visitor_id') ? 'r.visitor_id' : 'CAST(NULL AS VARCHAR)')} AS visitor_key
    FROM ${quoteIdent(table)} AS r WHERE r.ts IS NOT NULL) s`);
  await wh.replaceView('stg_sessions', (await wh.relationKind('sessions')) !== undefined
    ? `SELECT *, ${d.day('started_at')} AS day FROM sessions`
    : 'SELECT CAST(NULL AS DATE) AS day, CAST(NULL AS VARCHAR) AS session_id, CAST(NULL AS VARCHAR) AS visitor_id, CAST(NULL AS TIMESTAMP) AS started_at, '
      + 'CAST(NULL AS TIMESTAMP) AS ended_at, CAST(NULL AS BIGINT) AS duration_secs, CAST(NULL AS BIGINT) AS requests, CAST(NULL AS BIGINT) AS page_count, '
      + 'CAST(NULL AS VARCHAR) AS entry_page, CAST(NULL AS VARCHAR) AS exit_page, CAST(NULL AS BOOLEAN) AS bounce WHERE false');
  await wh.replaceView('stg_security_events', (await wh.relationKind('security_events')) !== undefined
    ? `SELECT *, ${d.day('ts')} AS day FROM security_events`
    : 'SELECT CAST(NULL AS DATE) AS day, CAST(NULL AS TIMESTAMP) AS ts, CAST(NULL AS VARCHAR) AS client_id, CAST(NULL AS VARCHAR) AS kind, '
      + 'CAST(NULL AS VARCHAR) AS rule, CAST(NULL AS VARCHAR) AS severity, CAST(NULL AS INTEGER) AS score WHERE false');
}

/** Names of the staging views (sources of the built-in models, never materialised). */
export const STAGING_VIEWS: readonly string[] = Object.freeze(['stg_requests', 'stg_sessions', 'stg_security_events']);
