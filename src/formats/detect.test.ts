import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAutoFormat, detectFormat, getFormat, listFormats, resolveFormat, UnknownFormat, LogFormatInvalid, compileLogFormat } from './index.js';

const COMBINED = (i: number): string => `10.0.0.${i % 250} - - [02/Jan/2024:10:11:${String(i % 60).padStart(2, '0')} +0000] "GET /p${i} HTTP/1.1" 200 ${i} "-" "curl/8"`;
const MAIN = (i: number): string => `${COMBINED(i)} "-" rt=0.010 uct="0.001" uht="0.002" urt="0.003"`;
const VHOST = (i: number): string => `site.test:443 ${COMBINED(i)}`;

describe('detectFormat', () => {
  it('prefers the most specific format on ties', () => {
    const main = detectFormat(Array.from({ length: 50 }, (_, i) => MAIN(i)));
    assert.equal(main.format.name, 'nginx_main');
    assert.equal(main.confidence, 1);
    assert.ok(main.ranking.find((r) => r.name === 'apache_combined')!.matched === 50, 'combined also matches (trailing text)');
    assert.equal(detectFormat(Array.from({ length: 20 }, (_, i) => VHOST(i))).format.name, 'apache_vhost_combined');
    assert.equal(detectFormat(Array.from({ length: 20 }, (_, i) => COMBINED(i))).format.name, 'apache_combined');
    assert.equal(detectFormat(['[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] denied']).format.name, 'apache_error');
  });
  it('confidence is the parsed share of non-empty lines', () => {
    const d = detectFormat([COMBINED(1), '', 'garbage', COMBINED(2), 'more garbage']);
    assert.equal(d.format.name, 'apache_combined');
    assert.equal(d.confidence, 0.5);
    assert.equal(detectFormat(['zzz']).confidence, 0);
  });
});

describe('auto format', () => {
  it('learns on the first lines, then falls back line by line keeping the real format name', () => {
    const auto = createAutoFormat({ sample_lines: 10 });
    const lines = [...Array.from({ length: 10 }, (_, i) => MAIN(i)), COMBINED(99), '{"remote_addr":"1.1.1.1","status":200,"time":"2024-01-02T00:00:00Z"}', 'junk line'];
    const out = lines.map((l) => auto.parse(l));
    assert.equal(auto.detection?.format.name, 'nginx_main');
    assert.ok(out.slice(0, 10).every((r) => r.ok && r.record.format === 'nginx_main'));
    const fb = out[10]!;
    assert.ok(fb.ok && fb.record.format === 'apache_combined');
    const js = out[11]!;
    assert.ok(js.ok && js.record.format === 'json');
    const bad = out[12]!;
    assert.ok(!bad.ok && bad.code === 'format_unknown');
    assert.match(bad.reason, /nginx_main: /);
  });
  it('prime() detects from a batch up front', () => {
    const auto = createAutoFormat();
    auto.prime(Array.from({ length: 30 }, (_, i) => VHOST(i)));
    assert.equal(auto.detection?.format.name, 'apache_vhost_combined');
    assert.equal(auto.detection?.confidence, 1);
  });
});

describe('format registry', () => {
  it('getFormat / aliases / unknown names', () => {
    assert.equal(getFormat('combined').name, 'apache_combined');
    assert.ok(listFormats().length >= 10);
    assert.throws(() => getFormat('nope'), (e) => UnknownFormat.is(e) && /apache_combined/.test((e as Error).message) && (e as { family: string }).family === 'config');
  });
  it('resolveFormat covers auto, log_format, json and built-ins', () => {
    assert.equal(resolveFormat({ format: 'auto' }).name, 'auto');
    assert.equal(resolveFormat({ format: 'log_format', log_format: '%h %>s', }).schema, 'access');
    assert.match(resolveFormat({ format: 'nginx_log_format', log_format: '$remote_addr $status' }).name, /^log_format:/);
    assert.equal(resolveFormat({ format: 'json', json_fields: { client_ip: 'ip' } }).name, 'json');
    assert.equal(resolveFormat({ format: 'nginx_error' }).schema, 'error');
    assert.throws(() => resolveFormat({ format: 'log_format' }), (e) => LogFormatInvalid.is(e));
    assert.throws(() => resolveFormat({ format: 'apache_combined', log_format: '%h' }), (e) => LogFormatInvalid.is(e));
  });
  it('compileLogFormat picks the syntax', () => {
    assert.equal(compileLogFormat('$remote_addr [$time_local] $status').parse('1.2.3.4 [02/Jan/2024:10:11:12 +0000] 200').ok, true);
    assert.equal(compileLogFormat('%h %t %>s').parse('1.2.3.4 [02/Jan/2024:10:11:12 +0000] 200').ok, true);
  });
});

describe('auto in a file mixing formats', () => {
  it('parses each line with a format that consumes it whole', async () => {
    const { createAutoFormat } = await import('./auto-format.js');
    const auto = createAutoFormat();
    const apache = '192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"';
    const nginx = '192.0.2.2 - - [10/Oct/2024:13:55:37 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8" "-" rt=0.120 uct="0.001" uht="0.100" urt="0.110"';
    auto.prime([apache, apache, apache]);
    const a = auto.parse(apache);
    const n = auto.parse(nginx);
    assert.ok(a.ok && a.record.format === 'apache_combined');
    assert.ok(n.ok && n.record.format === 'nginx_main' && n.record.request_time_ms === 120 && n.record.extras?.trailing === undefined);
  });
});
