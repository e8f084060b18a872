/**
 * Log formats: built-in Apache, Nginx, JSON-lines and error-log formats, the LogFormat/log_format
 * compilers, detection and the `auto` format; plus the lookup the parse stage uses
 * ({@link resolveFormat}).
 */
import { compileApacheLogFormat } from './apache/apache-log-format.js';
import { createAutoFormat } from './auto-format.js';
import { BUILTIN_FORMATS, FORMAT_ALIASES } from './builtin-formats.js';
import { LogFormatInvalid, UnknownFormat } from './errors.js';
import type { LineFormat } from './format.js';
import { createJsonLinesFormat, type JsonFieldMapping } from './json/json-lines.js';
import { compileLogFormat } from './log-format.js';
import { compileNginxLogFormat, type NginxEscape } from './nginx/nginx-log-format.js';

export type { LineFormat, ParseResult } from './format.js';
export { compileApacheLogFormat } from './apache/apache-log-format.js';
export { compileNginxLogFormat, type NginxEscape, type NginxLogFormatOptions } from './nginx/nginx-log-format.js';
export { compileLogFormat, logFormatSyntax } from './log-format.js';
export { createJsonLinesFormat, DEFAULT_JSON_MAPPING, type JsonFieldMapping, type JsonMappableField } from './json/json-lines.js';
export { detectFormat, type Detection } from './detect.js';
export { AutoFormat, createAutoFormat, type AutoFormatOptions } from './auto-format.js';
export { ACCESS_FORMATS, ERROR_FORMATS, BUILTIN_FORMATS, FORMAT_ALIASES } from './builtin-formats.js';
export { UnknownFormat, LogFormatInvalid } from './errors.js';

/** `format` values that compile `log_format` instead of naming a built-in. */
export const LOG_FORMAT_KINDS = Object.freeze(['log_format', 'apache_log_format', 'nginx_log_format'] as const);

/** Every name `format` accepts: built-ins, aliases, `auto` and the log-format kinds. */
export function knownFormatNames(): readonly string[] {
  return ['auto', ...BUILTIN_FORMATS.map((f) => f.name), ...Object.keys(FORMAT_ALIASES), ...LOG_FORMAT_KINDS];
}

/** Every built-in format (not aliases, not `auto`). */
export function listFormats(): readonly LineFormat[] {
  return BUILTIN_FORMATS;
}

/** The built-in format named `name` (or an alias). Throws TRB_CONFIG_UNKNOWN_FORMAT listing known names. */
export function getFormat(name: string): LineFormat {
  const real = FORMAT_ALIASES[name] ?? name;
  const f = BUILTIN_FORMATS.find((x) => x.name === real);
  if (!f) throw UnknownFormat({ format: name, known: knownFormatNames() });
  return f;
}

/** What a pipeline says about its format (the parse stage's options). */
export interface FormatSpec {
  readonly format: string;
  readonly log_format?: string | undefined;
  readonly escape?: NginxEscape | undefined;
  readonly json_fields?: JsonFieldMapping | undefined;
  readonly sample_lines?: number | undefined;
}

/**
 * Builds the format a spec describes: `auto` (or `auto` + `log_format`, which compiles it),
 * `log_format`/`apache_log_format`/`nginx_log_format` + `log_format`, `json` + `json_fields`, or a
 * built-in name. Throws TRB_CONFIG_UNKNOWN_FORMAT or TRB_CONFIG_LOG_FORMAT_INVALID.
 */
export function resolveFormat(spec: FormatSpec): LineFormat {
  const { format, log_format } = spec;
  const needsLogFormat = (LOG_FORMAT_KINDS as readonly string[]).includes(format);
  if (log_format !== undefined) {
    if (!needsLogFormat && format !== 'auto') {
      throw LogFormatInvalid({ log_format, reason: `\`log_format\` is only used with format: log_format (not \`${format}\`)` });
    }
    if (log_format.trim() === '') throw LogFormatInvalid({ log_format, reason: 'empty format string' });
    const opts = spec.escape === undefined ? {} : { escape: spec.escape };
    if (format === 'apache_log_format') return compileApacheLogFormat(log_format);
    if (format === 'nginx_log_format') return compileNginxLogFormat(log_format, opts);
    return compileLogFormat(log_format, opts);
  }
  if (needsLogFormat) throw LogFormatInvalid({ log_format: '', reason: `format \`${format}\` needs a \`log_format\` string` });
  if (format === 'auto') return createAutoFormat(spec.sample_lines === undefined ? {} : { sample_lines: spec.sample_lines });
  if (format === 'json' || format === 'jsonl') return createJsonLinesFormat(spec.json_fields ?? {});
  return getFormat(format);
}
