import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apacheCombined, apacheCommon, apacheVhostCombined } from './apache-formats.js';
import { apacheError } from './apache-error.js';
import { compileApacheLogFormat } from './apache-log-format.js';
import { parseFail, parseOk } from '../test-helpers.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('apache_combined', () => {
  it('parses the httpd docs example with offset -0700 into UTC', () => {
    const r = parseOk(apacheCombined, `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`);
    assert.equal(r.ts, Date.UTC(2000, 9, 10, 20, 55, 36));
    assert.equal(r.ts_offset_min, -420);
    assert.deepEqual([r.client_ip, r.ident, r.user, r.method, r.path, r.query, r.protocol, r.status, r.bytes_sent],
      ['127.0.0.1', null, 'frank', 'GET', '/apache_pb.gif', null, 'HTTP/1.0', 200, 2326]);
    assert.equal(r.referer, 'http://www.example.com/start.html');
    assert.equal(r.user_agent, 'Mozilla/4.08 [en] (Win98; I ;Nav)');
    assert.equal(r.format, 'apache_combined');
    assert.equal(r.extras, null);
  });

  it('handles IPv6 and IPv4-mapped clients, +0530 offsets, query split without decoding', () => {
    const a = parseOk(apacheCombined, `2001:db8:85a3::8a2e:370:7334 - - [01/Feb/2024:00:10:00 +0530] "GET /a%20b/c?x=%41&y=2 HTTP/2.0" 304 - "-" "${UA}"`);
    assert.equal(a.client_ip, '2001:db8:85a3::8a2e:370:7334');
    assert.equal(a.ts, Date.UTC(2024, 0, 31, 18, 40, 0));
    assert.equal(a.ts_offset_min, 330);
    assert.equal(a.path, '/a%20b/c');
    assert.equal(a.query, 'x=%41&y=2');
    assert.equal(a.bytes_sent, null);
    assert.equal(a.referer, null);
    assert.equal(a.user_agent, UA);
    const b = parseOk(apacheCombined, `::ffff:192.0.2.1 - - [01/Feb/2024:00:10:00 +0000] "HEAD / HTTP/1.1" 200 0 "-" "-"`);
    assert.equal(b.client_ip, '::ffff:192.0.2.1');
    assert.equal(b.user_agent, null);
  });

  it('unescapes \\" \\\\ and \\xHH inside quoted fields (UTF-8 byte runs decoded)', () => {
    const r = parseOk(apacheCombined, String.raw`10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /caf\xc3\xa9?q=\"x\" HTTP/1.1" 200 1 "-" "Evil \"UA\" \\ back"`);
    assert.equal(r.path, '/café');
    assert.equal(r.query, 'q="x"');
    assert.equal(r.user_agent, 'Evil "UA" \\ back');
  });

  it('keeps junk requests (TLS handshake, "-" with 400/408) as parsed records with extras.request', () => {
    const tls = parseOk(apacheCombined, String.raw`203.0.113.9 - - [10/Oct/2000:13:55:36 +0000] "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" 400 226 "-" "-"`);
    assert.equal(tls.method, null);
    assert.equal(tls.path, null);
    assert.equal(tls.status, 400);
    assert.equal(tls.extras?.request, String.raw`\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03`);
    const dash = parseOk(apacheCombined, `203.0.113.9 - - [10/Oct/2000:13:55:36 +0000] "-" 408 - "-" "-"`);
    assert.equal(dash.method, null);
    assert.equal(dash.status, 408);
    assert.equal(dash.extras?.request, '-');
  });

  it('parses HTTP/0.9 requests (no protocol) and paths with raw spaces', () => {
    const r = parseOk(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /" 200 10 "-" "-"`);
    assert.deepEqual([r.method, r.path, r.protocol], ['GET', '/', null]);
    const s = parseOk(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a b HTTP/1.1" 404 10 "-" "-"`);
    assert.deepEqual([s.path, s.protocol], ['/a b', 'HTTP/1.1']);
  });

  it('survives U+FFFD and very long user agents', () => {
    const long = 'A'.repeat(20_000);
    const r = parseOk(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /\uFFFD HTTP/1.1" 200 1 "-" "${long}\uFFFD"`);
    assert.equal(r.path, '/\uFFFD');
    assert.equal(r.user_agent?.length, 20_001);
  });

  it('keeps text appended after combined in extras.trailing', () => {
    const r = parseOk(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8" 1234 example.org`);
    assert.equal(r.extras?.trailing, '1234 example.org');
  });

  it('rejects non-matching lines with a reason naming the column', () => {
    const f = parseFail(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] GET / HTTP/1.1" 200 1 "-" "-"`);
    assert.equal(f.code, 'parse_failed');
    assert.match(f.reason, /expected ' "' before request at column 42/);
    assert.equal(parseFail(apacheCombined, `10.0.0.1 - - [10/Foo/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`).field, 'time');
    assert.equal(parseFail(apacheCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" abc 1 "-" "-"`).field, 'status');
    assert.equal(parseFail(apacheCombined, '').code, 'parse_failed');
  });
});

describe('apache_common and apache_vhost_combined', () => {
  it('common parses CLF lines', () => {
    const r = parseOk(apacheCommon, `192.168.1.20 - - [28/Jul/2006:10:27:10 -0300] "GET /cgi-bin/try/ HTTP/1.0" 200 3395`);
    assert.equal(r.status, 200);
    assert.equal(r.ts_offset_min, -180);
  });
  it('vhost_combined fills vhost and port, and refuses plain combined lines', () => {
    const r = parseOk(apacheVhostCombined, `www.example.com:443 10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"`);
    assert.deepEqual([r.vhost, r.port, r.bytes_sent], ['www.example.com', 443, 512]);
    parseFail(apacheVhostCombined, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"`);
  });
});

describe('compileApacheLogFormat', () => {
  it('maps directives, modifiers, headers and units', () => {
    const f = compileApacheLogFormat(String.raw`%a %{c}a %l %u %t \"%r\" %>s %<s %B %D %{ms}T %v %p %{remote}p %P \"%400,501{User-agent}i\" \"%!200{Referer}i\" %{X-Forwarded-For}i %{Host}i %{X-Request-Id}i %{Content-Type}o %{HOME}e %{note}n %f %k %X %L %R %% %I %O`, 'custom');
    const r = parseOk(f, String.raw`10.0.0.2 10.0.0.3 - bob [10/Oct/2000:13:55:36 +0100] "POST /x?y=1 HTTP/1.1" 201 200 123 2500 2 site.test 8443 55555 77 "ua" "-" 1.1.1.1,2.2.2.2 host.test abc-123 text/html /root nv /var/www/x 3 + YZ handler % 300 456`);
    assert.deepEqual([r.client_ip, r.user, r.status, r.bytes_sent, r.request_time_ms, r.vhost, r.port, r.user_agent, r.referer, r.x_forwarded_for],
      ['10.0.0.2', 'bob', 201, 123, 2.5, 'site.test', 8443, 'ua', null, '1.1.1.1,2.2.2.2']);
    assert.deepEqual(r.extras, {
      peer_ip: '10.0.0.3', status_original: '200', time_ms: '2', remote_port: '55555', pid: '77', header_host: 'host.test',
      header_x_request_id: 'abc-123', sent_header_content_type: 'text/html', env_home: '/root', note_note: 'nv',
      filename: '/var/www/x', keepalive_requests: '3', connection_status: '+', log_id: 'YZ', handler: 'handler', bytes_in: '300', bytes_out: '456',
    });
  });

  it('Host header fills vhost when there is no %v; unknown directives become extras', () => {
    const f = compileApacheLogFormat('%h %{Host}i %Z %{foo}J %>s');
    assert.match(f.name, /^log_format:[0-9a-f]{6}$/);
    const r = parseOk(f, '1.2.3.4 example.org zzz bar 200');
    assert.equal(r.vhost, 'example.org');
    assert.deepEqual(r.extras, { directive_Z: 'zzz', directive_J_foo: 'bar' });
  });

  it('strftime, sec/msec/usec, begin:/end: and msec_frac time forms', () => {
    const ts = Date.UTC(2000, 9, 10, 20, 55, 36, 123);
    const a = compileApacheLogFormat('[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] %h');
    assert.equal(parseOk(a, '[10/Oct/2000 13:55:36.123 -0700] 1.2.3.4').ts, ts);
    const b = compileApacheLogFormat('%{begin:msec}t %h');
    assert.equal(parseOk(b, `${ts} 1.2.3.4`).ts, ts);
    const c = compileApacheLogFormat('%{sec}t %{end:usec_frac}t %h');
    assert.equal(parseOk(c, `${Math.floor(ts / 1000)} 123000 1.2.3.4`).ts, ts);
    const d = compileApacheLogFormat('%{%Y-%m-%dT%H:%M:%S%z}t %h');
    const r = parseOk(d, '2000-10-10T13:55:36-0700 1.2.3.4');
    assert.equal(r.ts, ts - 123);
    assert.equal(r.ts_offset_min, -420);
  });

  it('accepts a whole LogFormat line from httpd.conf', () => {
    const f = compileApacheLogFormat(String.raw`LogFormat "%h %l %u %t \"%r\" %>s %b %D" timed`);
    assert.equal(f.name, 'log_format:timed');
    assert.equal(parseOk(f, '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 1500').request_time_ms, 1.5);
  });

  it('is strict about the line end (no trailing text unless built-in)', () => {
    const f = compileApacheLogFormat('%h %>s');
    assert.match(parseFail(f, '1.2.3.4 200 extra').reason, /expected a number for status|unexpected text/);
  });
});

describe('apache_error', () => {
  it('parses 2.2 lines', () => {
    const r = parseOk(apacheError, '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test');
    assert.equal(r.ts, Date.UTC(2000, 9, 11, 14, 32, 52));
    assert.equal(r.ts_offset_min, null);
    assert.deepEqual([r.level, r.module, r.client_ip, r.client_port], ['error', null, '127.0.0.1', null]);
    assert.equal(r.message, 'client denied by server configuration: /export/home/live/ap/htdocs/test');
  });
  it('parses 2.4 lines with module, pid/tid, client port, AH code and referer', () => {
    const r = parseOk(apacheError, '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: Invalid URI in request GET /x HTTP/1.1, referer: http://a.test/');
    assert.equal(r.ts, Date.UTC(2000, 9, 11, 14, 32, 52) + 123.456);
    assert.deepEqual([r.level, r.module, r.pid, r.tid, r.client_ip, r.client_port, r.error_code],
      ['error', 'core', 1234, '5678', '1.2.3.4', 5678, 'AH00126']);
    assert.equal(r.message, 'Invalid URI in request GET /x HTTP/1.1');
    assert.equal(r.extras?.referer, 'http://a.test/');
    const v6 = parseOk(apacheError, '[Sun Jan 07 10:00:00.000001 2024] [ssl:warn] [pid 99] [client 2001:db8::1:443] AH01909: cert');
    assert.deepEqual([v6.client_ip, v6.client_port, v6.tid], ['2001:db8::1', 443, null]);
  });
  it('rejects access-log lines', () => {
    parseFail(apacheError, '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326');
  });
});

describe('lenient trailing text', () => {
  it('keeps appended fields but rejects a line cut inside a quoted field', async () => {
    const { getFormat } = await import('../index.js');
    const common = getFormat('apache_common');
    const base = '192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 512';
    const ok = common.parse(`${base} "https://ref/" "curl/8" 1234`);
    assert.ok(ok.ok && ok.record.extras?.trailing === '"https://ref/" "curl/8" 1234');
    const cut = common.parse(`${base} "https://ref/" "Mozilla/5.0 (X11; Lin`);
    assert.ok(!cut.ok && cut.code === 'parse_failed' && /truncated/.test(cut.reason));
    const escaped = common.parse(`${base} "say \\"hi\\""`);
    assert.ok(escaped.ok);
  });
});
