/**
 * Nginx error log: `2024/01/02 10:11:12 [error] 123#456: *789 message, client: 1.2.3.4, server: x,
 * request: "GET / HTTP/1.1", host: "y"`. pid and thread id come from `123#456`, the connection
 * number (`*789`) and the trailing `key: value` pairs go to `extras`. Times carry no zone: read as
 * UTC, `ts_offset_min` null.
 */
import type { ErrorLogRecord } from '../../core/record.js';
import { newErrorRecord } from '../error-record.js';
import { parseFailure, type LineFormat, type ParseResult } from '../format.js';
import { civilToMs } from '../time/civil.js';

const HEAD = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[([a-z]+)\] (\d+)#(\d+): (?:\*(\d+) )?/;
const KEYS = new Set(['client', 'server', 'request', 'upstream', 'host', 'referrer', 'subrequest', 'login', 'ip']);

/** Reads the `, key: value` trailer that starts at `from`; returns the pairs or null if malformed. */
function trailer(s: string, from: number): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = from;
  while (i < s.length) {
    if (!s.startsWith(', ', i)) return null;
    const colon = s.indexOf(': ', i + 2);
    if (colon < 0) return null;
    const key = s.slice(i + 2, colon);
    if (!KEYS.has(key)) return null;
    let j = colon + 2, val: string;
    if (s[j] === '"') {
      let k = j + 1;
      while (k < s.length && !(s[k] === '"' && (k + 1 === s.length || s.startsWith(', ', k + 1)))) k++;
      if (k >= s.length) return null;
      val = s.slice(j + 1, k);
      j = k + 1;
    } else {
      const n = s.indexOf(', ', j);
      j = n < 0 ? s.length : n;
      val = s.slice(colon + 2, j);
    }
    out.set(key, val);
    i = j;
  }
  return out;
}

function parse(line: string): ParseResult<ErrorLogRecord> {
  const m = HEAD.exec(line);
  if (!m) return parseFailure('parse_failed', "expected 'YYYY/MM/DD HH:MM:SS [level] pid#tid: ' at column 1");
  const ts = civilToMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (ts === null) return parseFailure('parse_failed', 'invalid date at column 1', 'ts');
  const rec = newErrorRecord('nginx_error', '');
  rec.ts = ts;
  rec.level = m[7]!;
  rec.pid = Number(m[8]);
  rec.tid = m[9]!;
  if (m[10] !== undefined) (rec.extras ??= {}).connection = m[10];
  const body = m[0].length;
  let msgEnd = line.length;
  const ci = line.indexOf(', client: ', body);
  if (ci >= 0) {
    const pairs = trailer(line, ci);
    if (pairs) {
      msgEnd = ci;
      for (const [k, v] of pairs) {
        if (k === 'client') rec.client_ip = v;
        else (rec.extras ??= {})[k] = v;
      }
    }
  }
  rec.message = line.slice(body, msgEnd);
  const code = /\((\d+): [^)]*\)/.exec(rec.message);
  if (code) rec.error_code = code[1]!;
  return { ok: true, record: rec };
}

/** The Nginx error-log format (`nginx_error`). */
export const nginxError: LineFormat<ErrorLogRecord> = Object.freeze({
  name: 'nginx_error',
  schema: 'error' as const,
  description: 'Nginx error log (`YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message, client: ..., server: ...`)',
  specificity: 4,
  parse,
});
