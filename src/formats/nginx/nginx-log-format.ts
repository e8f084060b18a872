/**
 * Nginx `log_format` compiler: any template of `$variables` and literals — given bare, or as the
 * full config directive `log_format name escape=json '...' '...';` — becomes a
 * {@link TemplateFormat}. Known variables fill record columns; every other variable is kept in
 * `extras` under its name. Never throws for odd templates; throws TRB_CONFIG_LOG_FORMAT_INVALID
 * only when the config syntax itself is broken (unterminated quote).
 */
import { LogFormatInvalid } from '../errors.js';
import { shortHash } from '../text/short-hash.js';
import { compileTemplate, type TemplateFormat } from '../template/template-format.js';
import { Target, extraField, headerKey, type FieldDef, type TargetId, type TemplateToken } from '../template/field-def.js';

/** How the server escaped variable values (`log_format ... escape=`). */
export type NginxEscape = 'default' | 'json' | 'none';

/** Options of {@link compileNginxLogFormat}. */
export interface NginxLogFormatOptions {
  /** Overrides `escape=` of a config directive; default `default`. */
  readonly escape?: NginxEscape;
  /** Format name; default `log_format:<config name>` or `log_format:<hash>`. */
  readonly name?: string;
  readonly description?: string;
  /** Accept text after the last field (kept in `extras.trailing`). */
  readonly allowTrailing?: boolean;
}

const f = (target: TargetId, source: string, name: string, key: string, claims: readonly string[], rank = 0): FieldDef =>
  ({ target, source, name, key, claims, rank });

function variable(v: string): FieldDef {
  const src = `$${v}`;
  switch (v) {
    case 'remote_addr': return f(Target.ClientIp, src, 'client_ip', v, ['client_ip']);
    case 'remote_user': return f(Target.User, src, 'user', v, ['user']);
    case 'time_local': return f(Target.TsClf, src, 'time', v, ['ts']);
    case 'time_iso8601': return f(Target.TsIso, src, 'time', v, ['ts']);
    case 'msec': return f(Target.TsEpochSecs, src, 'time', v, ['ts'], 1);
    case 'request': return f(Target.Request, src, 'request', 'request_line', ['method', 'path', 'query', 'protocol']);
    case 'request_method': return f(Target.Method, src, 'method', v, ['method'], 1);
    case 'request_uri': return f(Target.RequestUri, src, 'path', v, ['path', 'query'], 1);
    case 'uri': case 'document_uri': return f(Target.Path, src, 'path', v, ['path'], 2);
    case 'args': case 'query_string': return f(Target.Query, src, 'query', v, ['query'], 2);
    case 'server_protocol': return f(Target.Protocol, src, 'protocol', v, ['protocol'], 1);
    case 'status': return f(Target.Status, src, 'status', v, ['status']);
    case 'body_bytes_sent': return f(Target.Bytes, src, 'bytes_sent', v, ['bytes_sent']);
    case 'bytes_sent': return f(Target.Bytes, src, 'bytes_sent', v, ['bytes_sent'], 1);
    case 'request_time': return f(Target.TimeSecs, src, 'request_time_ms', v, ['request_time_ms']);
    case 'upstream_response_time': return f(Target.UpstreamList, src, 'upstream_time_ms', v, ['upstream_time_ms']);
    case 'http_referer': return f(Target.Referer, src, 'referer', 'header_referer', ['referer']);
    case 'http_user_agent': return f(Target.UserAgent, src, 'user_agent', 'header_user_agent', ['user_agent']);
    case 'http_x_forwarded_for': return f(Target.ForwardedFor, src, 'x_forwarded_for', 'header_x_forwarded_for', ['x_forwarded_for']);
    case 'host': return f(Target.Vhost, src, 'vhost', v, ['vhost']);
    case 'server_name': return f(Target.Vhost, src, 'vhost', v, ['vhost'], 1);
    case 'http_host': return f(Target.Vhost, src, 'vhost', 'header_host', ['vhost'], 2);
    case 'server_port': return f(Target.Port, src, 'port', v, ['port']);
    default:
      if (v.startsWith('http_')) return extraField(src, headerKey('header_', v.slice(5)));
      if (v.startsWith('sent_http_')) return extraField(src, headerKey('sent_header_', v.slice(10)));
      return extraField(src, v.toLowerCase());
  }
}

/** Tokenizes a bare nginx template (`$var`, `${var}`, literals). */
export function tokenizeNginxTemplate(tpl: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let lit = '';
  for (let i = 0; i < tpl.length; i++) {
    const ch = tpl[i]!;
    if (ch === '$') {
      let name = '', j = i + 1;
      if (tpl[j] === '{') {
        const close = tpl.indexOf('}', j);
        if (close > j + 1) { name = tpl.slice(j + 1, close); j = close + 1; }
      } else {
        while (j < tpl.length && /[A-Za-z0-9_]/.test(tpl[j]!)) name += tpl[j++];
      }
      if (name) {
        if (lit) { tokens.push(lit); lit = ''; }
        tokens.push(variable(name));
        i = j - 1;
        continue;
      }
    }
    lit += ch;
  }
  if (lit) tokens.push(lit);
  return tokens;
}

/** Result of reading a `log_format` directive. */
export interface NginxDirective {
  readonly name: string | null;
  readonly escape: NginxEscape | null;
  readonly template: string;
}

/**
 * Reads `log_format name [escape=...] 'part' "part" ...;` into its name, escape and the
 * concatenated template. Input not starting with `log_format` is returned as a bare template.
 */
export function readNginxDirective(input: string): NginxDirective {
  const s = input.trim();
  if (!/^log_format\s/.test(s)) return { name: null, escape: null, template: input };
  let i = 'log_format'.length;
  const words: string[] = [];
  let template = '';
  let quotedSeen = false;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === ';') break;
    if (ch === '\'' || ch === '"') {
      let j = i + 1, part = '';
      for (; j < s.length && s[j] !== ch; j++) {
        if (s[j] === '\\' && j + 1 < s.length) {
          const n = s[++j]!;
          part += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === ch || n === '\\' ? n : `\\${n}`;
        } else part += s[j];
      }
      if (j >= s.length) throw LogFormatInvalid({ log_format: input, reason: `unterminated ${ch} quote starting at column ${i + 1}` });
      template += part;
      quotedSeen = true;
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/[\s;'"]/.test(s[j]!)) j++;
    const w = s.slice(i, j);
    if (quotedSeen) template += w; else words.push(w);
    i = j;
  }
  let name: string | null = null, escape: NginxEscape | null = null;
  for (const w of words) {
    const m = /^escape=(default|json|none)$/.exec(w);
    if (m) escape = m[1] as NginxEscape;
    else if (w.startsWith('escape=')) throw LogFormatInvalid({ log_format: input, reason: `unknown ${w} (use default, json or none)` });
    else if (name === null) name = w;
    else template += w;
  }
  if (template === '') throw LogFormatInvalid({ log_format: input, reason: 'no format string after the name' });
  return { name, escape, template };
}

/** Compiles an Nginx log_format (bare template or full directive). */
export function compileNginxLogFormat(logFormat: string, opts: NginxLogFormatOptions = {}): TemplateFormat {
  const d = readNginxDirective(logFormat);
  const escape = opts.escape ?? d.escape ?? 'default';
  return compileTemplate(tokenizeNginxTemplate(d.template), {
    name: opts.name ?? `log_format:${d.name ?? shortHash(logFormat)}`,
    description: opts.description ?? `Nginx log_format${escape === 'default' ? '' : ` escape=${escape}`} '${d.template}'`,
    escape: escape === 'none' ? 'none' : 'backslash',
    allowTrailing: opts.allowTrailing ?? false,
  });
}
