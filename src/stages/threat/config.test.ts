/**
 * The `threat` stage's reputation list options as a user writes them in a pipeline file (loaded
 * with the real registry, so messages carry file, line and path), and the duration parser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validatePipelineText } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { isSecretValue } from '../../core/secret-value.js';
import { durationSecs, formatDuration, parseDuration } from './duration.js';
import { ThreatConfig } from './config.js';

/** Problems of a pipeline whose threat stage has these `reputation_lists` lines (YAML, 6 spaces deep). */
function problems(lists: string): string[] {
  const text = `name: p\nsources:\n  - id: logs\n    type: files\n    include: ["*.log"]\nstages:\n  - type: parse\n  - type: threat\n    reputation_lists:\n${lists}sinks:\n  - id: out\n    type: memory\n`;
  const r = validatePipelineText(text, 'p.yaml', registry, { env: {}, cwd: '/x' });
  return r.ok ? [] : r.problems.map((p) => `${p.code} ${p.message}`);
}

describe('reputation list options', () => {
  it('accepts a file list and an https url list, with defaults for the download options', () => {
    assert.deepEqual(problems('      - { name: a, file: a.netset }\n      - { name: b, url: "https://lists.example/b.netset", refresh: 30m }\n'), []);
    const [, b] = ThreatConfig.parse({ reputation_lists: [{ name: 'a', file: 'a' }, { name: 'b', url: 'https://x.example/l' }] }).reputation_lists;
    assert.deepEqual({ refresh: b?.refresh, timeout: b?.timeout_secs, max: b?.max_bytes, insecure: b?.allow_insecure_http }, { refresh: 6 * 3600, timeout: 60, max: 64 * 1024 * 1024, insecure: false });
    const parsed = ThreatConfig.parse({ reputation_lists: [{ name: 'b', url: 'https://x.example/l', refresh: 90 }] });
    assert.deepEqual(ThreatConfig.parse(parsed), parsed, 'the parsed config parses to itself (the workers re-parse it)');
  });

  it('wants exactly one of `file` or `url`, with the line and path', () => {
    assert.deepEqual(problems('      - { name: a, file: a.netset, url: "https://x.example/a" }\n'),
      ['TRB_CONFIG_INVALID Invalid pipeline config in p.yaml:10 at `stages[1].reputation_lists[0].url`: set exactly one of `file` or `url`, not both']);
    assert.match(problems('      - { name: a }\n').join(), /reputation_lists\[0\]\.file`: set `file` \(a local list\) or `url`/);
    assert.match(problems('      - { name: a, file: a, headers: { X-Key: "${secret:k}" } }\n').join(), /`headers` applies to `url` lists only/);
    assert.match(problems('      - { name: a, file: a }\n      - { name: a, file: b }\n').join(), /reputation_lists\[1\]\.name`: list name `a` is used twice/);
  });

  it('takes https URLs; plain http only to this host or with allow_insecure_http, and never with headers to another host', () => {
    const url = (u: string, extra = ''): string => problems(`      - { name: a, url: "${u}"${extra} }\n`).join();
    assert.equal(url('https://lists.example/a.netset'), '');
    assert.equal(url('http://127.0.0.1:8080/a.netset'), '');
    assert.equal(url('http://localhost/a.netset'), '');
    assert.equal(url('http://[::1]:99/a'), '');
    assert.match(url('http://lists.example/a'), /plain http:\/\/.*allow_insecure_http: true/);
    assert.equal(url('http://mirror.lan/a', ', allow_insecure_http: true'), '');
    assert.match(url('http://mirror.lan/a', ', allow_insecure_http: true, headers: { Authorization: "Bearer ${secret:t}" }'), /headers.*never sent over plain http/);
    assert.match(url('ftp://lists.example/a'), /uses `ftp:`; only https/);
    assert.match(url('https://user:pw@lists.example/a'), /credentials/);
    assert.match(url('lists.example/a'), /not a valid absolute URL/);
  });

  it('header values must be secret references; reserved headers are refused', () => {
    assert.deepEqual(problems('      - { name: a, url: "https://x.example/a", headers: { Authorization: "Bearer ${secret:feed_token}" } }\n'), []);
    const plain = problems('      - { name: a, url: "https://x.example/a", headers: { Authorization: "Bearer abc123" } }\n');
    assert.equal(plain.length, 1);
    assert.match(plain[0] ?? '', /^TRB_CONFIG_PLAINTEXT_SECRET .*headers\.Authorization/);
    assert.ok(!plain[0]?.includes('abc123'), 'the literal is never echoed');
    assert.match(problems('      - { name: a, url: "https://x.example/a", headers: { If-None-Match: "${secret:x}" } }\n').join(), /set by the downloader itself/);
    assert.match(problems('      - { name: a, url: "https://x.example/a", headers: { "bad header": "${secret:x}" } }\n').join(), /HTTP header name/);
    const parsed = ThreatConfig.parse({ reputation_lists: [{ name: 'a', url: 'https://x.example/a', headers: { 'X-Key': '${secret:k}' } }] });
    assert.ok(isSecretValue(parsed.reputation_lists[0]?.headers?.['X-Key']));
  });

  it('checks refresh, timeout_secs and max_bytes bounds', () => {
    assert.match(problems('      - { name: a, url: "https://x.example/a", refresh: soon }\n').join(), /`soon` is not a duration/);
    assert.match(problems('      - { name: a, url: "https://x.example/a", refresh: 0 }\n').join(), /refresh`: must be from 1s to 30d, got `0` seconds/);
    assert.match(problems('      - { name: a, url: "https://x.example/a", refresh: 60d }\n').join(), /must be from 1s to 30d/);
    assert.match(problems('      - { name: a, url: "https://x.example/a", max_bytes: 0 }\n').join(), /max_bytes/);
    assert.match(problems('      - { name: a, url: "https://x.example/a", timeout_secs: 0 }\n').join(), /timeout_secs/);
  });
});

describe('durations', () => {
  it('reads seconds and unit parts', () => {
    assert.deepEqual(['6h', '30m', '90s', '1h30m', '1.5h', '1d', ' 2H ', '3600', '1h 30m', '0s'].map(parseDuration), [21600, 1800, 90, 5400, 5400, 86400, 7200, 3600, 5400, 0]);
    assert.deepEqual(['', 'h', '6', '-1h', '6x', '1h-', 'soon', '1e3s', '6 hours'].map(parseDuration), [undefined, undefined, 6, undefined, undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual([21600, 5400, 90061, 0, 59.6].map(formatDuration), ['6h', '1h30m', '1d1h1m1s', '0s', '1m']);
    assert.equal(durationSecs({ min: 1, max: 10 }).safeParse('11s').success, false);
    assert.equal(durationSecs({ min: 1, max: 10 }).safeParse(2.5).success, false);
  });

  it('property: formatting then parsing gives the seconds back, and any d/h/m/s combination adds up', () => {
    fc.assert(fc.property(fc.nat({ max: 400 * 86_400 }), (secs) => parseDuration(formatDuration(secs)) === secs));
    fc.assert(fc.property(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(99), fc.boolean(), (d, h, m, s, spaced) => {
      const parts = ([[d, 'd'], [h, 'h'], [m, 'm'], [s, 's']] as const).filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`);
      if (parts.length === 0) return true;
      return parseDuration(parts.join(spaced ? ' ' : '')) === d * 86_400 + h * 3600 + m * 60 + s;
    }));
  });
});
