/** One entry point for custom layouts: picks the Apache (`%h`) or Nginx (`$remote_addr`) compiler. */
import type { AccessRecord } from '../core/record.js';
import { compileApacheLogFormat } from './apache/apache-log-format.js';
import type { LineFormat } from './format.js';
import { compileNginxLogFormat, type NginxEscape } from './nginx/nginx-log-format.js';

/** Which syntax a log format string is written in. */
export function logFormatSyntax(s: string): 'apache' | 'nginx' {
  const t = s.trim();
  if (/^log_format\s/.test(t)) return 'nginx';
  if (/^LogFormat\s/i.test(t)) return 'apache';
  const pct = (t.match(/%[!<>0-9,]*(\{[^}]*\})?[<>]?[a-zA-Z]/g) ?? []).length;
  const dollar = (t.match(/\$(\{[A-Za-z0-9_]+\}|[A-Za-z_][A-Za-z0-9_]*)/g) ?? []).length;
  return dollar > pct ? 'nginx' : 'apache';
}

/**
 * Compiles `logFormat` with the compiler its syntax calls for. `escape` applies to Nginx formats
 * only. Throws TRB_CONFIG_LOG_FORMAT_INVALID for a broken `log_format` directive.
 */
export function compileLogFormat(logFormat: string, opts: { escape?: NginxEscape; name?: string } = {}): LineFormat<AccessRecord> {
  if (logFormatSyntax(logFormat) === 'nginx') return compileNginxLogFormat(logFormat, opts);
  return compileApacheLogFormat(logFormat, opts.name);
}
