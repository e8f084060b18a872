/** Temporary directories for tests, removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Creates a fresh temp dir that is deleted after `t` finishes. */
export function tmpDir(t: TestContext, prefix = 'trb-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Absolute path of the repository root (tests resolve fixtures against it). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
