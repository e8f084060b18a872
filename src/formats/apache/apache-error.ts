/**
 * Apache error log, 2.2 and 2.4 default ErrorLogFormat:
 * `[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] msg` and
 * `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: msg`.
 * Times carry no zone: they are read as UTC and `ts_offset_min` is null.
 */
import type { ErrorLogRecord } from '../../core/record.js';
import { newErrorRecord, splitHostPort } from '../error-record.js';
import { parseFailure, type LineFormat, type ParseResult } from '../format.js';
import { civilToMs, monthAt } from '../time/civil.js';

const TIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})$/;

function parseTime(s: string): number | null {
  const m = TIME.exec(s);
  if (!m) return null;
  const mo = monthAt(m[1]!, 0);
  if (mo === 0) return null;
  const base = civilToMs(Number(m[7]), mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  if (base === null) return null;
  return m[6] ? base + Number(`0.${m[6]}`) * 1000 : base;
}

function parse(line: string): ParseResult<ErrorLogRecord> {
  if (line.charCodeAt(0) !== 91) return parseFailure('parse_failed', "expected '[' before time at column 1", 'ts');
  const te = line.indexOf(']');
  const ts = te > 0 ? parseTime(line.slice(1, te)) : null;
  if (ts === null) return parseFailure('parse_failed', 'invalid time at column 2', 'ts');
  let pos = te + 1;
  const rec = newErrorRecord('apache_error', '');
  rec.ts = ts;
  let block = 0;
  let v24 = false;
  while (line.startsWith(' [', pos)) {
    const close = line.indexOf(']', pos + 2);
    if (close < 0) break;
    const body = line.slice(pos + 2, close);
    if (block === 0) {
      const c = body.indexOf(':');
      if (c >= 0) { v24 = true; rec.module = body.slice(0, c) || null; rec.level = body.slice(c + 1); }
      else rec.level = body;
      if (!/^[a-z0-9]+$/.test(rec.level ?? '')) return parseFailure('parse_failed', `expected a log level at column ${pos + 3}`, 'level');
    } else if (body.startsWith('pid ')) {
      const m = /^pid (\d+)(?::tid (\d+))?$/.exec(body);
      if (!m) break;
      rec.pid = Number(m[1]);
      rec.tid = m[2] ?? null;
    } else if (body.startsWith('client ') || body.startsWith('remote ')) {
      const addr = body.slice(7);
      if (body.startsWith('remote ')) (rec.extras ??= {}).remote = addr;
      else if (v24) { const hp = splitHostPort(addr); rec.client_ip = hp.ip; rec.client_port = hp.port; }
      else rec.client_ip = addr;
    } else break;
    block++;
    pos = close + 1;
  }
  if (block === 0) return parseFailure('parse_failed', `expected ' [level]' at column ${pos + 1}`, 'level');
  let msg = line.slice(line.charCodeAt(pos) === 32 ? pos + 1 : pos);
  const code = /^(AH\d{5}): /.exec(msg);
  if (code) { rec.error_code = code[1]!; msg = msg.slice(code[0].length); }
  const ref = msg.lastIndexOf(', referer: ');
  if (ref >= 0) { (rec.extras ??= {}).referer = msg.slice(ref + 11); msg = msg.slice(0, ref); }
  rec.message = msg;
  return { ok: true, record: rec };
}

/** The Apache error-log format (`apache_error`). */
export const apacheError: LineFormat<ErrorLogRecord> = Object.freeze({
  name: 'apache_error',
  schema: 'error' as const,
  description: 'Apache httpd error log (2.2 and 2.4 default ErrorLogFormat)',
  specificity: 4,
  parse,
});
