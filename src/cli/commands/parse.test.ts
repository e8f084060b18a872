import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveFormat } from '../../formats/index.js';
import { renderParseLine } from './parse.js';

test('parse output keeps exactly the documented shapes', () => {
  const f = resolveFormat({ format: 'combined' });
  const ok = JSON.parse(renderParseLine(f, '192.0.2.1 - - [10/Oct/2024:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "x"', 1)) as Record<string, unknown>;
  assert.equal(ok.ts, '2024-10-10T20:55:36.000Z');
  assert.equal(ok.format, 'apache_combined');
  assert.equal(ok.line, undefined);
  const bad = JSON.parse(renderParseLine(f, 'not a log line', 7)) as { line: number; error: Record<string, unknown> };
  assert.deepEqual(Object.keys(bad), ['line', 'error']);
  assert.deepEqual(Object.keys(bad.error), ['code', 'reason']);
  assert.equal(bad.line, 7);
  assert.equal(bad.error.code, 'parse_failed');
  assert.match(String(bad.error.reason), /\S/);
});
