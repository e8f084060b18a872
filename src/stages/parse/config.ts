/** Options of the `parse` stage: which log format turns lines into records. */
import { z } from 'zod';
import { DEFAULT_JSON_MAPPING, LOG_FORMAT_KINDS, knownFormatNames, resolveFormat, type JsonMappableField } from '../../formats/index.js';
import { isTributaryError } from '../../core/errors.js';

const MAPPABLE = Object.keys(DEFAULT_JSON_MAPPING) as [JsonMappableField, ...JsonMappableField[]];

/** The parse stage config (single source of truth for validation, defaults and docs). */
export const ParseConfig = z.strictObject({
  format: z.string().min(1).default('auto').meta({
    description: 'Log format: `auto` (detect), a built-in name (apache_combined, apache_common, apache_vhost_combined, '
      + 'nginx_combined, nginx_main, nginx_forwarded, nginx_timed, json, apache_error, nginx_error, or the aliases '
      + 'combined, common, vhost_combined), or `log_format` / `apache_log_format` / `nginx_log_format` with `log_format`.',
    examples: ['auto', 'nginx_main', 'log_format'],
  }),
  log_format: z.string().min(1).optional().meta({
    description: 'A custom layout: an Apache LogFormat string (`%h %l %u %t "%r" %>s %b`) or an Nginx log_format '
      + '(bare template or the whole `log_format name escape=json \'...\';` directive). Syntax is picked from `%` or `$`.',
    examples: ['%h %l %u %t "%r" %>s %b %D', "log_format timed '$remote_addr [$time_local] \"$request\" $status $request_time';"],
  }),
  escape: z.enum(['default', 'json', 'none']).optional().meta({
    description: 'How Nginx escaped values (`escape=` of log_format); overrides the directive. Default `default` (\\xHH).',
  }),
  json_fields: z.partialRecord(z.enum(MAPPABLE), z.string().min(1)).optional().meta({
    description: 'For `format: json`: record field → dotted JSON path (`request.headers.User-Agent`); durations take a '
      + 'unit suffix `:s`, `:ms`, `:us`, `:ns`. Fields not named keep the default nginx/Caddy/Traefik keys.',
    examples: [{ client_ip: 'remote', ts: 'time', request_time_ms: 'took:s' }],
  }),
  sample_lines: z.number().int().min(1).max(1_000_000).default(1000).meta({
    description: 'For `format: auto`: how many non-empty lines to detect the format on before fixing the choice.',
  }),
}).superRefine((c, ctx) => {
  const known = knownFormatNames();
  if (!known.includes(c.format)) {
    ctx.addIssue({ code: 'custom', path: ['format'], message: `unknown format \`${c.format}\` (known: ${known.join(', ')})` });
    return;
  }
  if ((LOG_FORMAT_KINDS as readonly string[]).includes(c.format) && c.log_format === undefined) {
    ctx.addIssue({ code: 'custom', path: ['log_format'], message: `format \`${c.format}\` needs \`log_format\`` });
    return;
  }
  if (c.json_fields !== undefined && c.format !== 'json') {
    ctx.addIssue({ code: 'custom', path: ['json_fields'], message: '`json_fields` only applies to `format: json`' });
  }
  try { resolveFormat(c); } catch (e) {
    if (!isTributaryError(e)) throw e;
    ctx.addIssue({ code: 'custom', path: [c.log_format !== undefined ? 'log_format' : 'format'], message: e.message });
  }
}).meta({ description: 'Parses raw log lines into access or error records.' });

/** Parsed parse-stage options. */
export type ParseConfig = z.infer<typeof ParseConfig>;
