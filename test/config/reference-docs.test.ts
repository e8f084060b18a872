import assert from 'node:assert/strict';
import { it } from 'node:test';
import '../../src/config/config-errors.js';
import { renderConfigReference, renderErrorReference } from '../../src/config/reference-docs.js';
import { fakeRegistry } from './fake-registry.js';

it('renders one options table per component type from the zod schemas', () => {
  const md = renderConfigReference(fakeRegistry);
  for (const h of ['## Top level', '## `quality`', '## `engine`', '### source `files`', '### source `http`', '### stage `dedupe`', '### sink `duckdb`']) {
    assert.ok(md.includes(h), `missing heading ${h}`);
  }
  assert.ok(md.includes('| `include` | list of string (>= 1 items) |  | yes | Glob patterns of files to read. Example: `["logs/*.log"]`. |'));
  assert.ok(md.includes('| `rotate.wait_ms` | integer (>= 0) | `1000` | no | Wait after rotation, ms. |'), 'nested options are flattened');
  assert.ok(md.includes('| `encoding` | `"utf8"` or `"latin1"` | `"utf8"` | no | Text encoding. |'));
  assert.ok(md.includes('| `workers` | `"auto"` or integer (1..64) | `"auto"` | no |'));
  assert.match(md, /\| `token` \| .* \| no \| Bearer token\. Secret: only `\$\{secret:NAME\}` is accepted\./);
  assert.ok(md.includes('| `id` | string | the type | no |'), 'stage id defaults to the type');
  assert.ok(md.includes('[pipelines guide](../guide/pipelines.md)'));
  assert.equal(renderConfigReference(fakeRegistry), md, 'deterministic');
});

it('renders every defined error code with family, exit code, HTTP status and template', () => {
  const md = renderErrorReference();
  assert.ok(md.includes('| `TRB_CONFIG_INVALID` | config | 2 | 400 | never | Invalid pipeline config in {file}:{line} at `{path}`: {reason} |'));
  assert.ok(md.includes('| `TRB_SECRET_RESOLVE_FAILED` | secret | 2 | 500 | never |'));
  assert.ok(md.includes('| `TRB_NOT_FOUND` | request | 1 | 404 | never |'), 'a per-code status overrides the family');
  const codes = [...md.matchAll(/^\| `(TRB_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(codes, [...codes].sort(), 'sorted by code');
  assert.ok(codes.includes('TRB_CONFIG_ENV_MISSING'));
});
