/**
 * Records and their origin. A parsed record is a plain object whose keys are the snake_case
 * columns of a {@link RecordSchema}; the access-log schema is documented in docs/record-schema.md.
 */

/** Where a record came from: enough to find the raw bytes again (quarantine, lineage, dedupe). */
export interface Origin {
  /** Source component id from the pipeline file (e.g. `access_logs`). */
  readonly source: string;
  /** File path or URI as configured/discovered (e.g. `/var/log/nginx/access.log`). */
  readonly uri: string;
  /** Stable identity of the stream (files: fingerprint of the first line), independent of the path. */
  readonly stream: string;
  /** 1-based line number within the stream. */
  readonly line: number;
  /** Byte offset of the first byte of the line within the (decompressed) stream. */
  readonly offset: number;
}

/** Column types understood by every sink. */
export type ColumnType = 'varchar' | 'integer' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'json';

/** One column of a record schema. */
export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string;
}

/** An ordered list of columns; sinks create tables and files from it. */
export interface RecordSchema {
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
}

/**
 * A parsed web access-log record (one request). Every format produces this shape; values a format
 * does not carry are `null`. `ts` is UTC epoch milliseconds (fractional for sub-millisecond
 * formats); `ts_offset_min` keeps the server's original UTC offset in minutes.
 */
export interface AccessRecord {
  client_ip: string | null;
  ident: string | null;
  user: string | null;
  ts: number | null;
  ts_offset_min: number | null;
  method: string | null;
  path: string | null;
  query: string | null;
  protocol: string | null;
  status: number | null;
  bytes_sent: number | null;
  referer: string | null;
  user_agent: string | null;
  request_time_ms: number | null;
  upstream_time_ms: number | null;
  vhost: string | null;
  port: number | null;
  x_forwarded_for: string | null;
  /** Name of the format that parsed the line (e.g. `apache_combined`, `nginx_main`, `log_format:ab12cd`). */
  format: string;
  /** Format-specific extras (headers, env vars, unknown directives), or null. */
  extras: Record<string, string> | null;
}

/** A parsed error-log record (Apache 2.2/2.4, Nginx). */
export interface ErrorLogRecord {
  ts: number | null;
  ts_offset_min: number | null;
  level: string | null;
  module: string | null;
  pid: number | null;
  tid: string | null;
  client_ip: string | null;
  client_port: number | null;
  error_code: string | null;
  message: string;
  format: string;
  extras: Record<string, string> | null;
}

/** Any record a format can produce. */
export type ParsedRecord = AccessRecord | ErrorLogRecord;

const c = (name: string, type: ColumnType, description: string, nullable = true): ColumnSchema =>
  Object.freeze({ name, type, nullable, description });

/** Lineage columns appended to every stored row (not produced by parsers). */
export const LINEAGE_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  c('source_stream', 'varchar', 'Identity of the input stream (file fingerprint).', false),
  c('source_offset', 'bigint', 'Byte offset of the line in its stream; with source_stream the record id.', false),
  c('source_line', 'bigint', '1-based line number in its stream.', false),
  c('source_uri', 'varchar', 'File path or URI the line was read from.', false),
]);

/** The access-log record schema shared by every access format. */
export const ACCESS_SCHEMA: RecordSchema = Object.freeze({
  name: 'access',
  columns: Object.freeze([
    c('client_ip', 'varchar', 'Client address (IPv4, IPv6; IPv4-mapped IPv6 kept as written).'),
    c('ident', 'varchar', 'RFC 1413 identity (%l); almost always null.'),
    c('user', 'varchar', 'Authenticated user (%u, $remote_user).'),
    c('ts', 'timestamp', 'Request time in UTC.', false),
    c('ts_offset_min', 'integer', 'UTC offset of the original timestamp, minutes.'),
    c('method', 'varchar', 'HTTP method; null for junk requests.'),
    c('path', 'varchar', 'URL path without the query; percent-decoded by the validate stage (raw kept when malformed).'),
    c('query', 'varchar', 'Query string without `?`, as sent.'),
    c('protocol', 'varchar', 'Protocol (e.g. HTTP/1.1); null for HTTP/0.9 requests.'),
    c('status', 'integer', 'Final HTTP status (%>s, $status).'),
    c('bytes_sent', 'bigint', 'Response bytes (%b/%B/%O, $body_bytes_sent/$bytes_sent); null when `-`.'),
    c('referer', 'varchar', 'Referer header.'),
    c('user_agent', 'varchar', 'User-Agent header.'),
    c('request_time_ms', 'double', 'Request processing time, milliseconds (%D, %T, $request_time).'),
    c('upstream_time_ms', 'double', 'Upstream response time, milliseconds ($upstream_response_time; sum when several).'),
    c('vhost', 'varchar', 'Virtual host (%v, %V, $host, $server_name).'),
    c('port', 'integer', 'Server port (%p, $server_port).'),
    c('x_forwarded_for', 'varchar', 'X-Forwarded-For header.'),
    c('format', 'varchar', 'Format that parsed the line.', false),
    c('extras', 'json', 'Format-specific fields (other headers, env vars, unknown directives).'),
  ]),
});

/** The error-log record schema (Apache and Nginx error logs). */
export const ERROR_SCHEMA: RecordSchema = Object.freeze({
  name: 'error',
  columns: Object.freeze([
    c('ts', 'timestamp', 'Event time in UTC.', false),
    c('ts_offset_min', 'integer', 'UTC offset of the original timestamp, minutes (null when the log has none: then local time is taken as UTC).'),
    c('level', 'varchar', 'Severity (error, warn, notice, crit, ...).'),
    c('module', 'varchar', 'Apache module (core, ssl, proxy_fcgi, ...).'),
    c('pid', 'integer', 'Process id.'),
    c('tid', 'varchar', 'Thread id or Nginx connection id.'),
    c('client_ip', 'varchar', 'Client address when logged.'),
    c('client_port', 'integer', 'Client port when logged.'),
    c('error_code', 'varchar', 'Apache error code (AH01234) or OS error.'),
    c('message', 'varchar', 'The message text.', false),
    c('format', 'varchar', 'Format that parsed the line.', false),
    c('extras', 'json', 'Format-specific fields.'),
  ]),
});

/** Every built-in record schema by name. */
export const RECORD_SCHEMAS: Readonly<Record<string, RecordSchema>> = Object.freeze({
  access: ACCESS_SCHEMA,
  error: ERROR_SCHEMA,
});
