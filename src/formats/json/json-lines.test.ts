import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonLinesFormat } from './json-lines.js';
import { parseFail, parseOk } from '../test-helpers.js';

const json = createJsonLinesFormat();

describe('json lines', () => {
  it('reads nginx escape=json keys', () => {
    const r = parseOk(json, JSON.stringify({ time_iso8601: '2024-01-02T10:11:12+01:00', remote_addr: '::ffff:10.0.0.1', request: 'GET /a?b=1 HTTP/1.1', status: '200', body_bytes_sent: '12', http_user_agent: 'curl', request_time: '0.015', upstream_response_time: '0.010, 0.002', http_referer: '', custom: 'v' }));
    assert.equal(r.ts, Date.UTC(2024, 0, 2, 9, 11, 12));
    assert.deepEqual([r.client_ip, r.method, r.path, r.query, r.protocol, r.status, r.bytes_sent, r.user_agent, r.request_time_ms, r.referer],
      ['::ffff:10.0.0.1', 'GET', '/a', 'b=1', 'HTTP/1.1', 200, 12, 'curl', 15, null]);
    assert.ok(Math.abs(r.upstream_time_ms! - 12) < 1e-9);
    assert.deepEqual(r.extras, { custom: 'v' });
  });

  it('reads Caddy (epoch seconds, nested request, header arrays) and Traefik (ns durations)', () => {
    const c = parseOk(json, JSON.stringify({ level: 'info', ts: 1704190272.5, logger: 'http.log.access', request: { remote_ip: '1.2.3.4', proto: 'HTTP/2.0', method: 'GET', host: 'c.test', uri: '/x?y=z', headers: { 'User-Agent': ['ua/1'] } }, duration: 0.25, size: 10, status: 404 }));
    assert.deepEqual([c.ts, c.client_ip, c.method, c.path, c.query, c.vhost, c.user_agent, c.request_time_ms, c.bytes_sent, c.status],
      [1704190272500, '1.2.3.4', 'GET', '/x', 'y=z', 'c.test', 'ua/1', 250, 10, 404]);
    const t = parseOk(json, JSON.stringify({ ClientHost: '5.6.7.8', StartUTC: '2024-01-02T10:11:12.123456789Z', RequestMethod: 'POST', RequestPath: '/p', RequestProtocol: 'HTTP/1.1', DownstreamStatus: 502, DownstreamContentSize: 0, Duration: 1500000, 'request_User-Agent': 'tr' }));
    assert.deepEqual([t.client_ip, t.method, t.path, t.status, t.request_time_ms, t.user_agent], ['5.6.7.8', 'POST', '/p', 502, 1.5, 'tr']);
    assert.ok(Math.abs(t.ts! - (Date.UTC(2024, 0, 2, 10, 11, 12) + 123.456789)) < 1e-3);
  });

  it('epoch milliseconds and a custom mapping with units', () => {
    const f = createJsonLinesFormat({ client_ip: 'peer.addr', ts: 'when', request_time_ms: 'took:s', status: 'code' });
    const r = parseOk(f, '{"peer":{"addr":"9.9.9.9"},"when":1704190272123,"took":0.5,"code":201}');
    assert.deepEqual([r.client_ip, r.ts, r.request_time_ms, r.status], ['9.9.9.9', 1704190272123, 500, 201]);
  });

  it('invalid JSON, non-objects and bad timestamps are parse_failed', () => {
    assert.match(parseFail(json, '{"status":200').reason, /invalid JSON/);
    assert.equal(parseFail(json, '[1,2]').code, 'parse_failed');
    assert.equal(parseFail(json, '{"foo":1}').code, 'parse_failed');
    assert.equal(parseFail(json, '{"time":"yesterday","status":200}').field, 'ts');
  });
});
