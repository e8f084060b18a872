/** Every module that defines error codes is imported by src/error-codes.ts (so the docs list it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_MODULES } from '../../src/error-codes.js';
import { listErrorCodes } from '../../src/core/errors.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const walk = (dir: string, out: string[] = []): string[] => {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) out.push(p);
  }
  return out;
};

test('src/error-codes.ts imports every module that calls defineError', () => {
  const src = join(REPO_ROOT, 'src');
  const defining = walk(src)
    .filter((f) => /defineError(<|\()/.test(readFileSync(f, 'utf8')) && !f.endsWith('error-codes.ts'))
    .map((f) => relative(src, f)).sort();
  assert.deepEqual([...ERROR_MODULES].sort(), defining);
});

test('every error code is documented in docs/reference/errors.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/reference/errors.md'), 'utf8');
  const missing = listErrorCodes().map((e) => e.code).filter((c) => !doc.includes(c));
  assert.deepEqual(missing, []);
});
