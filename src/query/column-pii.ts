/**
 * The `pii` tag of every warehouse column, for masking. Precedence, first that applies:
 * 1. a tag declared for that dataset and column (engine option `classifications`);
 * 2. the run summary's tag of an output column of the same name (a derived column that keeps a
 *    pipeline column's name carries its data: `path` in `top_paths`, `client_ip` in `top_clients`);
 *    without a run summary, the raw tags of core/pii.ts (stricter: before privacy stages);
 * 3. the built-in tags of known derived columns of the warehouse views, gold models and quarantine
 *    ({@link DERIVED_COLUMN_PII}; `entry_page` is tagged like `path`, ...);
 * 4. otherwise `personal`: an unclassified column is masked (fail closed).
 */
import { RAW_COLUMN_PII, type PiiClass } from '../core/pii.js';

/** Columns that carry another column's data under a new name. */
const SAME_AS: Readonly<Record<string, string>> = Object.freeze({
  page: 'path', entry_page: 'path', exit_page: 'path', search_keyword: 'referer', keyword: 'referer',
  last_reason: 'reason',
});

const NONE = `day year quarter month day_of_month iso_day_of_week iso_week year_month is_weekend hour minute period
  requests visitors errors client_errors server_errors bot_requests bytes error_rate p50_ms p95_ms p99_ms
  p95_request_time_ms count share status_class sessions bounces avg_duration_secs pages_per_session active_days
  referrers first_seen last_seen started_at ended_at duration_secs page_count bounce events kind rule severity score
  tags hits window_start code stage field endpoint_key geo_key user_agent_key referrer_key search_engine
  ts ts_offset_min method protocol status bytes_sent request_time_ms upstream_time_ms vhost port format ip_class
  geo_country geo_region geo_city geo_asn geo_as_org ua_browser ua_browser_version ua_os ua_os_version ua_device_type
  ua_device_vendor ua_device_model is_bot bot_name threat_score threat_tags threat_rules is_page session_seq
  source_stream source_offset source_line source_uri source uri stream line offset quarantined_at commit_id`;

/**
 * Built-in tags of derived and bookkeeping columns (views, gold models, quarantine, security events).
 * Quarantine `raw` and `reason` and threat `evidence` quote input lines: personal.
 */
export const DERIVED_COLUMN_PII: Readonly<Record<string, PiiClass>> = Object.freeze({
  ...Object.fromEntries(NONE.split(/\s+/).filter(Boolean).map((c) => [c, 'none' as PiiClass])),
  endpoint: 'pseudonymous', referrer_host: 'pseudonymous', visitor_key: 'pseudonymous',
  raw: 'personal', reason: 'personal', evidence: 'personal',
});

/** Inputs of {@link columnPii}. */
export interface PiiSources {
  /** Declared tags by dataset, then column (highest precedence). */
  readonly declared?: Readonly<Record<string, Readonly<Record<string, PiiClass>>>>;
  /** The latest run summary's `columns` (output column → tag); raw tags when absent. */
  readonly runColumns?: Readonly<Record<string, PiiClass>>;
}

/** The tag of `column` of `dataset` (see the module comment for the precedence). */
export function columnPii(dataset: string, column: string, src: PiiSources): PiiClass {
  const name = column.toLowerCase();
  const declared = src.declared?.[dataset]?.[name] ?? src.declared?.[dataset]?.[column];
  if (declared !== undefined) return declared;
  const run = src.runColumns ?? RAW_COLUMN_PII;
  const from = SAME_AS[name] ?? name;
  return run[from] ?? DERIVED_COLUMN_PII[from] ?? RAW_COLUMN_PII[from] ?? 'personal';
}

/** True when a column of this tag is masked for identities without `pii:read`. */
export function isMaskedClass(pii: PiiClass): boolean {
  return pii === 'personal' || pii === 'sensitive';
}
