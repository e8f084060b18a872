/**
 * Property tests: print a random record in a format, parse it back, get the same fields — for every
 * built-in access format and for random Apache LogFormat / Nginx log_format strings. Plus a fuzz
 * test: no input makes any format throw, and every failure carries a known RejectCode.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { REJECT_CODES } from '../core/outcome.js';
import type { AccessRecord } from '../core/record.js';
import { ACCESS_FORMATS, BUILTIN_FORMATS } from './builtin-formats.js';
import { compileApacheLogFormat } from './apache/apache-log-format.js';
import { compileNginxLogFormat } from './nginx/nginx-log-format.js';
import { createAutoFormat } from './auto-format.js';
import { getFormat } from './index.js';
import { escapeApache, escapeNginx } from './text/unescape.js';
import type { LineFormat } from './format.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');
function clf(ms: number, off: number): string {
  const l = new Date(ms + off * 60_000);
  const a = Math.abs(off);
  return `${p2(l.getUTCDate())}/${MONTHS[l.getUTCMonth()]}/${l.getUTCFullYear()}:${p2(l.getUTCHours())}:${p2(l.getUTCMinutes())}:${p2(l.getUTCSeconds())} ${off < 0 ? '-' : '+'}${p2(Math.trunc(a / 60))}${p2(a % 60)}`;
}

const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join('.'));
const arbIp = fc.oneof(ipv4, fc.array(hex, { minLength: 8, maxLength: 8 }).map((a) => a.join(':')),
  fc.tuple(hex, hex).map(([a, b]) => `2001:db8::${a}:${b}`), ipv4.map((v) => `::ffff:${v}`));
const token = fc.stringMatching(/^[A-Za-z0-9._]{1,12}$/).filter((s) => s !== '-');
const nasty = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', '\x16', '\x00', ' ', '\t', '\n', 'é', '€', '😀', '\u00ff', '\x7f', '\uFFFD'), fc.string({ minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 40 })
  .filter((s) => s !== '-' && s.trim() === s && s.length > 0);
const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 4 });
const pathArb = fc.stringMatching(/^\/[A-Za-z0-9._~%\/\-"é\\]{0,30}$/);

interface Sample {
  client_ip: string; user: string | null; ms: number; off: number; method: string; path: string; query: string | null;
  protocol: string | null; status: number; bytes: number | null; referer: string | null; ua: string | null; xff: string | null;
  rt_us: number; vhost: string; port: number; trace: string | null;
}
const arbSample: fc.Arbitrary<Sample> = fc.record({
  client_ip: arbIp, user: optional(token),
  ms: fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2090, 0, 1) / 1000 }).map((s) => s * 1000),
  off: fc.integer({ min: -12 * 60, max: 14 * 60 }),
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PROPFIND', 'M-SEARCH'), path: pathArb,
  query: optional(fc.stringMatching(/^[A-Za-z0-9=&%+?\/"]{0,20}$/)), protocol: optional(fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/2')),
  status: fc.integer({ min: 100, max: 599 }), bytes: optional(fc.nat(1e9)), referer: optional(nasty), ua: optional(nasty), xff: optional(nasty),
  rt_us: fc.nat(1e8), vhost: token, port: fc.integer({ min: 1, max: 65535 }), trace: optional(nasty),
});

type Esc = (s: string) => string;
const request = (s: Sample, esc: Esc): string =>
  esc(`${s.method} ${s.path}${s.query === null ? '' : `?${s.query}`}${s.protocol === null ? '' : ` ${s.protocol}`}`);
const str = (v: string | null, esc: Esc): string => (v === null ? '-' : esc(v));

function checkCommon(r: AccessRecord, s: Sample): void {
  assert.equal(r.client_ip, s.client_ip);
  assert.equal(r.ts, s.ms);
  assert.equal(r.ts_offset_min, s.off);
  assert.deepEqual([r.method, r.path, r.query, r.protocol], [s.method, s.path, s.query, s.protocol]);
  assert.equal(r.status, s.status);
  assert.equal(r.bytes_sent, s.bytes);
}

const combinedLine = (s: Sample, esc: Esc, user = true): string =>
  `${s.client_ip} - ${user ? str(s.user, (x) => x) : '-'} [${clf(s.ms, s.off)}] "${request(s, esc)}" ${s.status} ${s.bytes ?? '-'} "${str(s.referer, esc)}" "${str(s.ua, esc)}"`;

const PRINTERS: Record<string, (s: Sample) => string> = {
  apache_combined: (s) => combinedLine(s, escapeApache),
  apache_common: (s) => `${s.client_ip} - ${str(s.user, (x) => x)} [${clf(s.ms, s.off)}] "${request(s, escapeApache)}" ${s.status} ${s.bytes ?? '-'}`,
  apache_vhost_combined: (s) => `${s.vhost}:${s.port} ${combinedLine(s, escapeApache)}`,
  nginx_combined: (s) => combinedLine(s, escapeNginx),
  nginx_main: (s) => `${combinedLine(s, escapeNginx)} "${str(s.xff, escapeNginx)}" rt=${(s.rt_us / 1e6).toFixed(3)} uct="-" uht="-" urt="${(s.rt_us / 1e6).toFixed(3)}, -"`,
  nginx_forwarded: (s) => `${combinedLine(s, escapeNginx)} "${str(s.xff, escapeNginx)}"`,
  nginx_timed: (s) => `${combinedLine(s, escapeNginx)} ${(s.rt_us / 1e6).toFixed(3)} ${(s.rt_us / 1e6).toFixed(3)}`,
  json: (s) => JSON.stringify({ remote_addr: s.client_ip, remote_user: s.user ?? '', time_local: clf(s.ms, s.off), request: request(s, (x) => x), status: s.status, body_bytes_sent: s.bytes ?? '-', http_referer: s.referer ?? '', http_user_agent: s.ua ?? '', request_time: (s.rt_us / 1e6).toFixed(3) }),
};

describe('property: built-in formats round-trip', () => {
  for (const format of ACCESS_FORMATS) {
    const print = PRINTERS[format.name];
    it(format.name, () => {
      assert.ok(print, `no printer for ${format.name}`);
      fc.assert(fc.property(arbSample, (s) => {
        const r = format.parse(print(s));
        if (!r.ok) assert.fail(`${r.reason}\nline: ${print(s)}`);
        const rec = r.record;
        checkCommon(rec, s);
        if (format.name !== 'nginx_combined' && format.name !== 'json') assert.equal(rec.user, s.user);
        if (format.name !== 'apache_common') { assert.equal(rec.referer, s.referer); assert.equal(rec.user_agent, s.ua); }
        if (format.name === 'apache_vhost_combined') assert.deepEqual([rec.vhost, rec.port], [s.vhost, s.port]);
        if (format.name === 'nginx_main' || format.name === 'nginx_forwarded') assert.equal(rec.x_forwarded_for, s.xff);
        if (format.name === 'nginx_main' || format.name === 'nginx_timed') {
          assert.ok(Math.abs(rec.request_time_ms! - Math.round(s.rt_us / 1000)) < 1e-6);
          assert.ok(Math.abs(rec.upstream_time_ms! - Math.round(s.rt_us / 1000)) < 1e-6);
        }
      }), { seed: 7, numRuns: 300 });
    });
  }
});

interface Piece {
  readonly apache: string; readonly nginx: string; readonly quoted: boolean;
  print(s: Sample, esc: Esc, nginx: boolean): string;
  check(r: AccessRecord, s: Sample, nginx: boolean): void;
}
const PIECES: readonly Piece[] = [
  { apache: '%h', nginx: '$remote_addr', quoted: false, print: (s) => s.client_ip, check: (r, s) => assert.equal(r.client_ip, s.client_ip) },
  { apache: '%u', nginx: '$remote_user', quoted: false, print: (s) => s.user ?? '-', check: (r, s) => assert.equal(r.user, s.user) },
  { apache: '%t', nginx: '[$time_local]', quoted: false, print: (s) => `[${clf(s.ms, s.off)}]`, check: (r, s) => assert.deepEqual([r.ts, r.ts_offset_min], [s.ms, s.off]) },
  { apache: '%r', nginx: '$request', quoted: true, print: (s, esc) => request(s, esc), check: (r, s) => assert.deepEqual([r.method, r.path, r.query, r.protocol], [s.method, s.path, s.query, s.protocol]) },
  { apache: '%>s', nginx: '$status', quoted: false, print: (s) => String(s.status), check: (r, s) => assert.equal(r.status, s.status) },
  { apache: '%b', nginx: '$body_bytes_sent', quoted: false, print: (s) => String(s.bytes ?? '-'), check: (r, s) => assert.equal(r.bytes_sent, s.bytes) },
  { apache: '%{Referer}i', nginx: '$http_referer', quoted: true, print: (s, esc) => str(s.referer, esc), check: (r, s) => assert.equal(r.referer, s.referer) },
  { apache: '%{User-Agent}i', nginx: '$http_user_agent', quoted: true, print: (s, esc) => str(s.ua, esc), check: (r, s) => assert.equal(r.user_agent, s.ua) },
  { apache: '%{X-Forwarded-For}i', nginx: '$http_x_forwarded_for', quoted: true, print: (s, esc) => str(s.xff, esc), check: (r, s) => assert.equal(r.x_forwarded_for, s.xff) },
  { apache: '%{X-Trace}i', nginx: '$http_x_trace', quoted: true, print: (s, esc) => str(s.trace, esc), check: (r, s) => assert.equal(r.extras?.header_x_trace ?? null, s.trace) },
  { apache: '%D', nginx: '$request_time', quoted: false, print: (s, _e, n) => (n ? (s.rt_us / 1e6).toFixed(3) : String(s.rt_us)),
    check: (r, s, n) => assert.ok(Math.abs(r.request_time_ms! - (n ? Math.round(s.rt_us / 1000) : s.rt_us / 1000)) < 1e-6) },
  { apache: '%v', nginx: '$host', quoted: false, print: (s) => s.vhost, check: (r, s) => assert.equal(r.vhost, s.vhost) },
  { apache: '%p', nginx: '$server_port', quoted: false, print: (s) => String(s.port), check: (r, s) => assert.equal(r.port, s.port) },
];
const SEPARATORS = [' ', ' | ', ' - ', '\t', ', ', ' :: '];
const arbLayout = fc.record({
  pieces: fc.shuffledSubarray(PIECES.map((_, i) => i), { minLength: 1 }),
  seps: fc.array(fc.constantFrom(...SEPARATORS), { minLength: PIECES.length + 1, maxLength: PIECES.length + 1 }),
  lead: fc.constantFrom('', '> ', 'log: '),
});

function layoutOf(l: { pieces: number[]; seps: string[]; lead: string }, nginx: boolean): { fmt: string; print: (s: Sample) => string } {
  const esc = nginx ? escapeNginx : escapeApache;
  let fmt = l.lead;
  const parts: ((s: Sample) => string)[] = [() => l.lead];
  l.pieces.forEach((idx, i) => {
    const piece = PIECES[idx]!;
    const sep = i === 0 ? '' : l.seps[i]!;
    const d = nginx ? piece.nginx : piece.apache;
    fmt += sep + (piece.quoted ? `"${d}"` : d);
    parts.push((s) => sep + (piece.quoted ? `"${piece.print(s, esc, nginx)}"` : piece.print(s, esc, nginx)));
  });
  return { fmt, print: (s) => parts.map((f) => f(s)).join('') };
}

describe('property: LogFormat and log_format compilers round-trip random layouts', () => {
  for (const nginx of [false, true]) {
    it(nginx ? 'nginx log_format' : 'apache LogFormat', () => {
      fc.assert(fc.property(arbLayout, arbSample, (l, s) => {
        const { fmt, print } = layoutOf(l, nginx);
        const format = nginx ? compileNginxLogFormat(fmt) : compileApacheLogFormat(fmt);
        const line = print(s);
        const r = format.parse(line);
        if (!r.ok) assert.fail(`${r.reason}\nformat: ${fmt}\nline: ${line}`);
        for (const idx of l.pieces) PIECES[idx]!.check(r.record, s, nginx);
      }), { seed: 11, numRuns: 400 });
    });
  }
});

describe('fuzz: parse never throws and failures carry a known code', () => {
  const formats: LineFormat[] = [...BUILTIN_FORMATS, createAutoFormat({ sample_lines: 5 }),
    compileApacheLogFormat('%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t %h "%r" %>s %D %{sec}t %q %U %m %H'),
    compileNginxLogFormat(`log_format j escape=json '{"t":"$time_iso8601","u":"$upstream_response_time","m":$msec,"a":"$args"}';`)];
  const valid = [PRINTERS.apache_combined!, PRINTERS.nginx_main!, PRINTERS.json!];
  const mutated = fc.tuple(arbSample, fc.nat(2), fc.array(fc.tuple(fc.nat(400), fc.nat(3), fc.string({ maxLength: 3, unit: 'binary' })), { maxLength: 4 }))
    .map(([s, k, edits]) => edits.reduce((line, [at, del, ins]) => line.slice(0, at % (line.length + 1)) + ins + line.slice((at % (line.length + 1)) + del), valid[k]!(s)));
  const anything = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom('"', '[', ']', ' ', '-', '\\', 'x', '1', ':', '/', '{', '}', ',', '?'), maxLength: 120 }), mutated);
  it('random and mutated lines', () => {
    fc.assert(fc.property(anything, (line) => {
      for (const f of formats) {
        const r = f.parse(line);
        if (r.ok) assert.equal(typeof r.record.format, 'string');
        else { assert.ok(REJECT_CODES.includes(r.code), r.code); assert.equal(typeof r.reason, 'string'); }
      }
    }), { seed: 3, numRuns: 1500 });
  });
  it('getFormat resolves every built-in by name', () => {
    for (const f of BUILTIN_FORMATS) assert.equal(getFormat(f.name), f);
  });
});
