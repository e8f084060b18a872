/**
 * Apache `LogFormat` compiler (mod_log_config): turns any format string — `%h %l %u %t \"%r\" %>s %b`,
 * conditional modifiers (`%400,501{User-agent}i`, `%!200{Referer}i`), `%<s`/`%>s`, `%{format}t`,
 * `%%` — into a {@link TemplateFormat}. Unknown directives become opaque `extras` fields; a format
 * string never fails to compile.
 */
import type { AccessRecord } from '../../core/record.js';
import type { LineFormat } from '../format.js';
import { compileTemplate, type TemplateFormat } from '../template/template-format.js';
import { Target, extraField, headerKey, type FieldDef, type TargetId, type TemplateToken } from '../template/field-def.js';
import { compileStrftime } from '../time/strftime.js';
import { shortHash } from '../text/short-hash.js';

const f = (target: TargetId, source: string, name: string, key: string, claims: readonly string[], rank = 0): FieldDef =>
  ({ target, source, name, key, claims, rank });

const REQUEST_COLS = ['method', 'path', 'query', 'protocol'];

function headerField(source: string, header: string): FieldDef {
  const key = headerKey('header_', header);
  switch (header.toLowerCase()) {
    case 'referer': case 'referrer': return f(Target.Referer, source, 'referer', key, ['referer']);
    case 'user-agent': return f(Target.UserAgent, source, 'user_agent', key, ['user_agent']);
    case 'x-forwarded-for': return f(Target.ForwardedFor, source, 'x_forwarded_for', key, ['x_forwarded_for']);
    case 'host': return f(Target.Vhost, source, 'vhost', key, ['vhost'], 2);
    default: return extraField(source, key);
  }
}

function timeField(source: string, arg: string | null): FieldDef {
  if (arg === null) return f(Target.TsClfBracket, source, 'time', 'time', ['ts']);
  const a = arg.replace(/^(begin|end):/, '');
  switch (a) {
    case 'sec': return f(Target.TsEpochSecs, source, 'time', 'time_sec', ['ts']);
    case 'msec': return f(Target.TsEpochMs, source, 'time', 'time_msec', ['ts']);
    case 'usec': return f(Target.TsEpochUs, source, 'time', 'time_usec', ['ts']);
    case 'msec_frac': return { ...f(Target.TsFracMs, source, 'time', 'time_msec_frac', ['ts_frac']) };
    case 'usec_frac': return { ...f(Target.TsFracUs, source, 'time', 'time_usec_frac', ['ts_frac']) };
    default: return { ...f(Target.TsStrftime, source, 'time', 'time', ['ts'], 1), shared: true, strftime: compileStrftime(a) };
  }
}

/** Maps one directive (`letter` with optional `{arg}` and `<`/`>` modifier) to a field. */
function directive(letter: string, arg: string | null, mod: string, source: string): FieldDef {
  switch (letter) {
    case 'h': return f(Target.ClientIp, source, 'client_ip', 'remote_host', ['client_ip']);
    case 'a': return arg === 'c' ? extraField(source, 'peer_ip') : f(Target.ClientIp, source, 'client_ip', 'remote_ip', ['client_ip']);
    case 'A': return extraField(source, 'local_ip');
    case 'l': return f(Target.Ident, source, 'ident', 'ident', ['ident']);
    case 'u': return f(Target.User, source, 'user', 'user', ['user']);
    case 't': return timeField(source, arg);
    case 'r': return f(Target.Request, source, 'request', 'request_line', REQUEST_COLS);
    case 'm': return f(Target.Method, source, 'method', 'method', ['method'], 1);
    case 'U': return f(Target.Path, source, 'path', 'url_path', ['path'], 1);
    case 'q': return f(Target.Query, source, 'query', 'query_string', ['query'], 1);
    case 'H': return f(Target.Protocol, source, 'protocol', 'protocol', ['protocol'], 1);
    case 's': return mod === '>' ? f(Target.Status, source, 'status', 'status_final', ['status'])
      : f(Target.Status, source, 'status', mod === '<' ? 'status_original' : 'status_original', ['status'], 1);
    case 'b': return f(Target.Bytes, source, 'bytes_sent', 'bytes_b', ['bytes_sent']);
    case 'B': return f(Target.Bytes, source, 'bytes_sent', 'bytes_body', ['bytes_sent']);
    case 'O': return f(Target.Bytes, source, 'bytes_sent', 'bytes_out', ['bytes_sent']);
    case 'I': return extraField(source, 'bytes_in');
    case 'S': return extraField(source, 'bytes_total');
    case 'D': return f(Target.TimeUs, source, 'request_time_ms', 'time_us', ['request_time_ms']);
    case 'T': {
      const unit = arg ?? 's';
      const target = unit === 'ms' ? Target.TimeMs : unit === 'us' ? Target.TimeUs : Target.TimeSecs;
      return f(target, source, 'request_time_ms', `time_${unit}`, ['request_time_ms'], 1);
    }
    case 'v': return f(Target.Vhost, source, 'vhost', 'server_name', ['vhost']);
    case 'V': return f(Target.Vhost, source, 'vhost', 'server_name_used', ['vhost'], 1);
    case 'p': return arg === 'remote' ? extraField(source, 'remote_port') : f(Target.Port, source, 'port', `port_${arg ?? 'canonical'}`, ['port']);
    case 'P': return extraField(source, arg ?? 'pid');
    case 'i': return arg ? headerField(source, arg) : extraField(source, 'header');
    case 'o': return extraField(source, headerKey('sent_header_', arg ?? ''));
    case 'e': return extraField(source, `env_${(arg ?? '').toLowerCase()}`);
    case 'n': return extraField(source, `note_${(arg ?? '').toLowerCase()}`);
    case 'C': return extraField(source, `cookie_${(arg ?? '').toLowerCase()}`);
    case 'f': return extraField(source, 'filename');
    case 'k': return extraField(source, 'keepalive_requests');
    case 'X': return extraField(source, 'connection_status');
    case 'L': return extraField(source, 'log_id');
    case 'R': return extraField(source, 'handler');
    case '^ti': return extraField(source, headerKey('trailer_in_', arg ?? ''));
    case '^to': return extraField(source, headerKey('trailer_out_', arg ?? ''));
    default: return extraField(source, `directive_${letter.replace(/\W/g, '')}${arg ? `_${arg.toLowerCase().replace(/\W+/g, '_')}` : ''}`);
  }
}

/**
 * Tokenizes an Apache format string into literals and fields. Accepts the string as written inside
 * httpd.conf quotes (`\"` → `"`, `\t`, `\n`) or a whole `LogFormat "..." nickname` line.
 */
export function tokenizeApacheLogFormat(input: string): { tokens: TemplateToken[]; nickname: string | null } {
  let fmt = input.trim();
  let nickname: string | null = null;
  const m = /^LogFormat\s+"((?:[^"\\]|\\.)*)"(?:\s+(\S+))?\s*$/i.exec(fmt);
  if (m) { fmt = m[1]!; nickname = m[2] ?? null; }
  fmt = fmt.replace(/\\(["\\nt])/g, (_x, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  const tokens: TemplateToken[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%' || i + 1 >= fmt.length) { lit += ch; continue; }
    if (fmt[i + 1] === '%') { lit += '%'; i++; continue; }
    const start = i;
    let j = i + 1;
    while (j < fmt.length && /[!0-9,]/.test(fmt[j]!)) j++;
    let mod = '';
    while (j < fmt.length && (fmt[j] === '<' || fmt[j] === '>')) mod = fmt[j++]!;
    let arg: string | null = null;
    if (fmt[j] === '{') {
      const close = fmt.indexOf('}', j);
      if (close < 0) { lit += fmt.slice(start); break; }
      arg = fmt.slice(j + 1, close);
      j = close + 1;
    }
    while (j < fmt.length && (fmt[j] === '<' || fmt[j] === '>')) mod = fmt[j++]!;
    if (j >= fmt.length) { lit += fmt.slice(start); break; }
    let letter = fmt[j]!;
    if (letter === '^' && (fmt.slice(j, j + 3) === '^ti' || fmt.slice(j, j + 3) === '^to')) { letter = fmt.slice(j, j + 3); j += 2; }
    if (lit) { tokens.push(lit); lit = ''; }
    tokens.push(directive(letter, arg, mod, fmt.slice(start, j + 1)));
    i = j;
  }
  if (lit) tokens.push(lit);
  return { tokens, nickname };
}

/** Options shared by the built-in Apache formats. */
export interface ApacheCompileOptions {
  readonly description?: string;
  readonly allowTrailing?: boolean;
}

/**
 * Compiles an Apache LogFormat string. The format is named `name`, else `log_format:<nickname>` of a `LogFormat` line,
 * else `log_format:<6 hex of a hash of the string>`. Never throws.
 */
export function compileApacheLogFormat(logFormat: string, name?: string, opts: ApacheCompileOptions = {}): TemplateFormat {
  const { tokens, nickname } = tokenizeApacheLogFormat(logFormat);
  return compileTemplate(tokens, {
    name: name ?? `log_format:${nickname ?? shortHash(logFormat)}`,
    description: opts.description ?? `Apache LogFormat "${logFormat}"`,
    escape: 'backslash',
    allowTrailing: opts.allowTrailing ?? false,
  });
}
