/**
 * JSON-lines access logs (nginx `escape=json`, Caddy, Traefik, custom loggers): one JSON object per
 * line, mapped to AccessRecord columns through dotted paths. The default mapping knows the common
 * nginx, Caddy and Traefik keys; a user mapping replaces the candidates of the fields it names.
 * Unmapped top-level scalar keys are kept in `extras`.
 */
import type { AccessRecord } from '../../core/record.js';
import { newAccessRecord } from '../access-record.js';
import { parseFailure, type LineFormat, type ParseResult } from '../format.js';
import { applyRequestLine, applyTarget } from '../text/request-line.js';
import { sumUpstreamMs } from '../template/template-format.js';
import { parseClfTime } from '../time/clf-time.js';
import { parseIsoTime } from '../time/iso-time.js';

/** Record columns a JSON key can be mapped to (`request` = a full request line to split). */
export type JsonMappableField = Exclude<keyof AccessRecord, 'format' | 'extras' | 'ts_offset_min'> | 'request';

/**
 * Field → dotted path of the value (`request.headers.User-Agent`). Duration fields accept a unit
 * suffix `:s`, `:ms` (default), `:us` or `:ns` (`request_time:s`).
 */
export type JsonFieldMapping = Partial<Record<JsonMappableField, string>>;

/** Default candidates per field, tried in order (nginx json, Caddy, Traefik, generic). */
export const DEFAULT_JSON_MAPPING: Readonly<Record<JsonMappableField, readonly string[]>> = Object.freeze({
  client_ip: ['remote_addr', 'client_ip', 'remote_ip', 'clientip', 'ip', 'request.client_ip', 'request.remote_ip', 'ClientHost'],
  ident: ['ident'],
  user: ['remote_user', 'user', 'user_id', 'ClientUsername'],
  ts: ['time_iso8601', 'time', 'timestamp', '@timestamp', 'ts', 'StartUTC', 'time_local', 'msec', 'date'],
  method: ['request_method', 'method', 'request.method', 'RequestMethod'],
  path: ['request_uri', 'uri', 'path', 'request.uri', 'RequestPath', 'url'],
  query: ['args', 'query_string', 'query'],
  protocol: ['server_protocol', 'protocol', 'proto', 'request.proto', 'RequestProtocol'],
  status: ['status', 'status_code', 'DownstreamStatus', 'response.status'],
  bytes_sent: ['body_bytes_sent', 'bytes_sent', 'size', 'DownstreamContentSize', 'bytes'],
  referer: ['http_referer', 'referer', 'referrer', 'request.headers.Referer', 'request_Referer'],
  user_agent: ['http_user_agent', 'user_agent', 'useragent', 'request.headers.User-Agent', 'request_User-Agent'],
  request_time_ms: ['request_time:s', 'duration:s', 'Duration:ns', 'request_time_ms:ms'],
  upstream_time_ms: ['upstream_response_time:s'],
  vhost: ['host', 'server_name', 'request.host', 'RequestHost', 'http_host', 'vhost'],
  port: ['server_port'],
  x_forwarded_for: ['http_x_forwarded_for', 'x_forwarded_for', 'request.headers.X-Forwarded-For', 'request_X-Forwarded-For'],
  request: ['request'],
});

interface Candidate { readonly parts: readonly string[]; readonly flat: string; readonly scale: number }
const SCALE: Readonly<Record<string, number>> = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

function candidate(spec: string): Candidate {
  const m = /^(.*):(s|ms|us|ns)$/.exec(spec);
  const path = m ? m[1]! : spec;
  return { parts: path.split('.'), flat: path, scale: m ? SCALE[m[2]!]! : 1 };
}

function lookup(obj: Record<string, unknown>, c: Candidate): unknown {
  let v: unknown = obj[c.flat];
  if (v === undefined && c.parts.length > 1) {
    v = obj;
    for (const p of c.parts) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      v = (v as Record<string, unknown>)[p];
    }
  }
  if (Array.isArray(v)) v = v[0];
  if (v === null || v === undefined || v === '' || v === '-') return undefined;
  return v;
}

const timeOut = { ts: 0, off: 0 as number | null };
const clfOut = { ts: 0, off: 0 };

function toTs(v: unknown, rec: AccessRecord): boolean {
  let n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isNaN(n)) {
    if (n > 1e14) n /= 1000; else if (n < 1e11) n *= 1000;
    rec.ts = n; rec.ts_offset_min = 0;
    return true;
  }
  if (typeof v !== 'string') return false;
  if (parseIsoTime(v, 0, timeOut) === v.length) { rec.ts = timeOut.ts; rec.ts_offset_min = timeOut.off; return true; }
  if (parseClfTime(v, 0, clfOut) === v.length) { rec.ts = clfOut.ts; rec.ts_offset_min = clfOut.off; return true; }
  return false;
}

function toInt(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** Creates the JSON-lines format (`json`); `mapping` overrides the default candidates per field. */
export function createJsonLinesFormat(mapping: JsonFieldMapping = {}, name = 'json'): LineFormat<AccessRecord> {
  const fields = Object.keys(DEFAULT_JSON_MAPPING) as JsonMappableField[];
  const plan = fields.map((field) => {
    const user = mapping[field];
    const specs = user !== undefined ? [user] : DEFAULT_JSON_MAPPING[field];
    return { field, candidates: specs.map(candidate) };
  });
  const custom = Object.keys(mapping).length > 0;
  const parse = (line: string): ParseResult<AccessRecord> => {
    let obj: unknown;
    try { obj = JSON.parse(line); } catch (e) {
      return parseFailure('parse_failed', `invalid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return parseFailure('parse_failed', 'expected a JSON object');
    const o = obj as Record<string, unknown>;
    const rec = newAccessRecord(name);
    const used = new Set<string>();
    let found = 0;
    for (const { field, candidates } of plan) {
      for (const c of candidates) {
        const v = lookup(o, c);
        if (v === undefined) continue;
        const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
        let ok = true;
        switch (field) {
          case 'ts': ok = toTs(v, rec); break;
          case 'status': ok = (rec.status = toInt(v)) !== null; break;
          case 'bytes_sent': ok = (rec.bytes_sent = toInt(v)) !== null; break;
          case 'port': ok = (rec.port = toInt(v)) !== null; break;
          case 'request_time_ms': {
            const n = typeof v === 'number' ? v : Number(s);
            ok = Number.isFinite(n); if (ok) rec.request_time_ms = n * c.scale; break;
          }
          case 'upstream_time_ms': {
            if (s === null) { ok = false; break; }
            const n = sumUpstreamMs(s, 0, s.length);
            ok = n !== null && !Number.isNaN(n); if (ok) rec.upstream_time_ms = n! * c.scale / 1000; break;
          }
          case 'request': ok = s !== null && rec.method === null && rec.path === null; if (ok) applyRequestLine(rec, s!, s!); break;
          case 'path': ok = s !== null; if (ok) { if (rec.query === null) applyTarget(rec, s!); else rec.path = s; } break;
          case 'query': ok = s !== null; if (ok) rec.query = s!.startsWith('?') ? s!.slice(1) : s; break;
          default: ok = s !== null; if (ok) (rec as unknown as Record<string, unknown>)[field] = s; break;
        }
        if (ok) { used.add(c.parts[0]!); used.add(c.flat); found++; break; }
        if (field === 'ts' || field === 'status') {
          return parseFailure('parse_failed', `invalid ${field} ${JSON.stringify(v).slice(0, 60)} at key '${c.flat}'`, field);
        }
      }
    }
    if (found === 0 && !custom) return parseFailure('parse_failed', 'no known access-log key in the JSON object');
    for (const k in o) {
      if (used.has(k)) continue;
      const v = o[k];
      if (typeof v === 'string' ? v !== '' && v !== '-' : typeof v === 'number' || typeof v === 'boolean') (rec.extras ??= {})[k] = String(v);
    }
    return { ok: true, record: rec };
  };
  return Object.freeze({
    name,
    schema: 'access' as const,
    description: custom ? `JSON lines with mapping ${JSON.stringify(mapping)}` : 'JSON lines (nginx escape=json, Caddy, Traefik keys)',
    specificity: 1,
    parse,
  });
}
