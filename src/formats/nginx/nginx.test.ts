import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nginxCombined, nginxForwarded, nginxMain, nginxTimed } from './nginx-formats.js';
import { nginxError } from './nginx-error.js';
import { compileNginxLogFormat, readNginxDirective } from './nginx-log-format.js';
import { LogFormatInvalid } from '../errors.js';
import { parseFail, parseOk } from '../test-helpers.js';

const MAIN_LINE = String.raw`192.0.2.10 - alice [02/Jan/2024:10:11:12 -0700] "GET /api/items?id=7 HTTP/1.1" 200 512 "https://ref.test/" "Mozilla/5.0 \x22quoted\x22" "198.51.100.1, 10.0.0.1" rt=0.123 uct="0.001" uht="0.002, 0.003" urt="0.002, 0.010 : 0.001"`;

describe('nginx built-in formats', () => {
  it('nginx_main fills timings (upstream lists summed in ms) and XFF', () => {
    const r = parseOk(nginxMain, MAIN_LINE);
    assert.equal(r.ts, Date.UTC(2024, 0, 2, 17, 11, 12));
    assert.equal(r.ts_offset_min, -420);
    assert.deepEqual([r.user, r.method, r.path, r.query, r.status, r.bytes_sent], ['alice', 'GET', '/api/items', 'id=7', 200, 512]);
    assert.equal(r.user_agent, 'Mozilla/5.0 "quoted"');
    assert.equal(r.x_forwarded_for, '198.51.100.1, 10.0.0.1');
    assert.equal(r.request_time_ms, 123);
    assert.ok(Math.abs(r.upstream_time_ms! - 13) < 1e-9);
    assert.deepEqual(r.extras, { upstream_connect_time: '0.001', upstream_header_time: '0.002, 0.003' });
  });

  it('nginx_main: "-" upstream → null, empty 400 request kept in extras', () => {
    const r = parseOk(nginxMain, `2001:db8::2 - - [02/Jan/2024:10:11:12 +0000] "" 400 0 "-" "-" "-" rt=0.000 uct="-" uht="-" urt="-"`);
    assert.equal(r.upstream_time_ms, null);
    assert.equal(r.method, null);
    assert.equal(r.extras?.request, '');
  });

  it('nginx_combined, nginx_forwarded and nginx_timed', () => {
    const c = parseOk(nginxCombined, String.raw`10.1.1.1 - - [02/Jan/2024:10:11:12 +0100] "GET /\xE2\x82\xAC HTTP/1.1" 404 0 "-" "curl/8.4.0"`);
    assert.equal(c.path, '/€');
    const f = parseOk(nginxForwarded, `10.1.1.1 - - [02/Jan/2024:10:11:12 +0100] "GET / HTTP/1.1" 200 1 "-" "curl" "203.0.113.5"`);
    assert.equal(f.x_forwarded_for, '203.0.113.5');
    const t = parseOk(nginxTimed, `10.1.1.1 - - [02/Jan/2024:10:11:12 +0100] "GET / HTTP/1.1" 200 1 "-" "curl" 0.250 0.100, 0.050`);
    assert.equal(t.request_time_ms, 250);
    assert.ok(Math.abs(t.upstream_time_ms! - 150) < 1e-9);
    parseFail(nginxMain, `10.1.1.1 - - [02/Jan/2024:10:11:12 +0100] "GET / HTTP/1.1" 200 1 "-" "curl"`);
  });
});

describe('compileNginxLogFormat', () => {
  it('accepts the full directive with quoted concatenation and escape=json', () => {
    const d = readNginxDirective(`log_format  api escape=json '{"t":"$time_iso8601","ip":"$remote_addr",'\n  '"req":"$request","s":$status,"ua":"$http_user_agent","rt":$request_time,"x":"$http_x_request_id"}';`);
    assert.equal(d.name, 'api');
    assert.equal(d.escape, 'json');
    const f = compileNginxLogFormat(`log_format  api escape=json '{"t":"$time_iso8601","ip":"$remote_addr",'\n  '"req":"$request","s":$status,"ua":"$http_user_agent","rt":$request_time,"x":"$http_x_request_id"}';`);
    assert.equal(f.name, 'log_format:api');
    const r = parseOk(f, String.raw`{"t":"2024-01-02T10:11:12+05:30","ip":"::1","req":"GET /p?q=1 HTTP/2.0","s":200,"ua":"A \"b\" \u00e9","rt":0.5,"x":""}`);
    assert.equal(r.ts, Date.UTC(2024, 0, 2, 4, 41, 12));
    assert.equal(r.ts_offset_min, 330);
    assert.deepEqual([r.client_ip, r.method, r.path, r.query, r.protocol, r.status, r.user_agent, r.request_time_ms],
      ['::1', 'GET', '/p', 'q=1', 'HTTP/2.0', 200, 'A "b" é', 500]);
    assert.equal(r.extras, null, 'empty json value is null');
  });

  it('maps request parts, headers, host/port and unknown variables', () => {
    const f = compileNginxLogFormat('$remote_addr $request_method $request_uri $server_protocol $status $bytes_sent $host:$server_port $scheme ${connection} $http_x_trace_id $sent_http_content_type $msec $upstream_addr', { name: 'n' });
    const r = parseOk(f, '10.0.0.1 PUT /a?b=c HTTP/1.1 201 99 h.test:8080 https 42 tr-1 application/json 1704190272.500 10.0.0.9:80');
    assert.deepEqual([r.method, r.path, r.query, r.protocol, r.status, r.bytes_sent, r.vhost, r.port, r.ts, r.ts_offset_min],
      ['PUT', '/a', 'b=c', 'HTTP/1.1', 201, 99, 'h.test', 8080, 1704190272500, 0]);
    assert.deepEqual(r.extras, { scheme: 'https', connection: '42', header_x_trace_id: 'tr-1', sent_header_content_type: 'application/json', upstream_addr: '10.0.0.9:80' });
  });

  it('$time_local without brackets is self-delimiting (it contains a space)', () => {
    const f = compileNginxLogFormat('$time_local $remote_addr');
    assert.equal(parseOk(f, '02/Jan/2024:10:11:12 +0000 1.2.3.4').client_ip, '1.2.3.4');
  });

  it('escape=none reads values raw; escape option overrides the directive', () => {
    const f = compileNginxLogFormat(`log_format raw escape=json '"$http_user_agent"';`, { escape: 'none' });
    assert.equal(parseOk(f, String.raw`"a\x22b"`).user_agent, String.raw`a\x22b`);
  });

  it('broken directives are TRB_CONFIG_LOG_FORMAT_INVALID', () => {
    assert.throws(() => compileNginxLogFormat(`log_format x '$remote_addr`), (e) => LogFormatInvalid.is(e));
    assert.throws(() => compileNginxLogFormat(`log_format x escape=xml '$remote_addr';`), (e) => LogFormatInvalid.is(e));
  });
});

describe('nginx_error', () => {
  it('parses the message, pid#tid, connection and trailer pairs', () => {
    const r = parseOk(nginxError, '2024/01/02 10:11:12 [error] 123#456: *789 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 1.2.3.4, server: x, request: "GET /x HTTP/1.1", host: "y"');
    assert.equal(r.ts, Date.UTC(2024, 0, 2, 10, 11, 12));
    assert.deepEqual([r.level, r.pid, r.tid, r.client_ip, r.error_code], ['error', 123, '456', '1.2.3.4', '2']);
    assert.equal(r.message, 'open() "/usr/share/nginx/html/x" failed (2: No such file or directory)');
    assert.deepEqual(r.extras, { connection: '789', server: 'x', request: 'GET /x HTTP/1.1', host: 'y' });
  });
  it('parses lines without a connection or client', () => {
    const r = parseOk(nginxError, '2024/01/02 10:11:12 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)');
    assert.equal(r.level, 'emerg');
    assert.equal(r.error_code, '98');
    assert.equal(r.client_ip, null);
  });
  it('rejects other lines', () => {
    parseFail(nginxError, '[Wed Oct 11 14:32:52 2000] [error] msg');
  });
});
