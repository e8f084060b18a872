import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LineBatch } from '../../core/component.js';
import { assertBalanced } from '../../core/counts.js';
import { parseStageSpec, ParseConfig, ParseStage } from './index.js';

const meta = { source: 'logs', uri: '/var/log/access.log', stream: 'fp1' };
const GOOD = '10.0.0.1 - - [02/Jan/2024:10:11:12 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"';
const ctx = { committed: new Map<string, number>() };

function batch(lines: string[], overLong?: Set<number>): LineBatch {
  let off = 1000;
  const offsets = lines.map((l) => { const o = off; off += l.length + 1; return o; });
  const b = { meta, lines, lineNos: lines.map((_, i) => 11 + i), offsets };
  return overLong ? { ...b, overLong } : b;
}

describe('parse stage', () => {
  it('sets lineage, rejects with origin, filters blank lines and balances', () => {
    assert.deepEqual([parseStageSpec.kind, parseStageSpec.type], ['stage', 'parse']);
    assert.ok(parseStageSpec.create('parse', ParseConfig.parse({})) instanceof ParseStage);
    const stage = new ParseStage('parse', ParseConfig.parse({ format: 'combined' }));
    const lines = [GOOD, '', 'not a log line', '   ', GOOD.replace('200', '404'), 'x'.repeat(50)];
    const res = stage.process(batch(lines, new Set([5])), ctx);
    const { passed, rejected, filtered } = res;
    assert.equal(passed.records.length, 2);
    assert.deepEqual(passed.raws, [lines[0], lines[4]]);
    assert.deepEqual(passed.records.map((r) => [r.source_line, r.source_offset, r.status]), [[11, 1000, 200], [15, 1000 + lines.slice(0, 4).reduce((s, l) => s + l.length + 1, 0), 404]]);
    assert.equal(filtered, 2);
    assert.deepEqual(rejected.map((r) => [r.code, r.origin.line, r.stage, r.raw.length]), [['parse_failed', 13, 'parse', 14], ['line_too_long', 16, 'parse', 50]]);
    assert.equal(rejected[0]!.origin.uri, '/var/log/access.log');
    assertBalanced('parse', { in: lines.length, passed: passed.records.length, rejected: rejected.length, filtered });
  });

  it('auto detects on the first batch; unknown lines are format_unknown', () => {
    const stage = new ParseStage('p', ParseConfig.parse({}));
    const res = stage.process(batch([GOOD, 'garbage']), ctx);
    assert.equal(res.passed.records[0]!.format, 'apache_combined');
    assert.equal(res.rejected[0]!.code, 'format_unknown');
  });

  it('config: defaults, strict keys, validated names and log formats', () => {
    assert.deepEqual(ParseConfig.parse({}), { format: 'auto', sample_lines: 1000 });
    assert.equal(ParseConfig.safeParse({ format: 'auto', extra: 1 }).success, false);
    const bad = ParseConfig.safeParse({ format: 'apache_combinedd' });
    assert.equal(bad.success, false);
    assert.match(JSON.stringify(bad.error?.issues), /unknown format/);
    assert.equal(ParseConfig.safeParse({ format: 'log_format' }).success, false);
    assert.equal(ParseConfig.safeParse({ format: 'log_format', log_format: "log_format x '$remote_addr" }).success, false);
    assert.equal(ParseConfig.safeParse({ format: 'json', json_fields: { nope: 'x' } }).success, false);
    assert.equal(ParseConfig.safeParse({ format: 'combined', json_fields: { client_ip: 'x' } }).success, false);
    const custom = new ParseStage('p', ParseConfig.parse({ format: 'log_format', log_format: '%h %>s %D' }));
    const r = custom.process(batch(['1.2.3.4 200 1000']), ctx);
    assert.equal(r.passed.records[0]!.request_time_ms, 1);
  });
});

describe('parse stage with format: auto', () => {
  it('detects the format of each stream on its own (a directory mixing Apache and Nginx files)', () => {
    const stage = new ParseStage('parse', ParseConfig.parse({ format: 'auto' }));
    const nginx = '10.0.0.2 - - [02/Jan/2024:10:11:13 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8" "-" rt=0.120 uct="0.001" uht="0.100" urt="0.110"';
    const a = stage.process({ ...batch([GOOD, GOOD, GOOD]), meta: { ...meta, stream: 'apache' } }, ctx);
    const n = stage.process({ ...batch([nginx, nginx, nginx]), meta: { ...meta, stream: 'nginx' } }, ctx);
    const formats = (r: typeof a): string[] => r.passed.records.map((x) => (x as unknown as { format: string }).format);
    assert.deepEqual(formats(a), ['apache_combined', 'apache_combined', 'apache_combined']);
    assert.deepEqual(formats(n), ['nginx_main', 'nginx_main', 'nginx_main']);
    assert.equal((n.passed.records[0] as unknown as { request_time_ms: number }).request_time_ms, 120);
  });
});
