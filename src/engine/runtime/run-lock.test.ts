import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTributaryError } from '../../core/errors.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { acquireRunLock } from './run-lock.js';

test('one run per pipeline and data directory; released locks and locks of dead processes are taken', (t) => {
  const dir = tmpDir(t);
  const lock = acquireRunLock(dir, 'web-logs');
  assert.equal(readFileSync(join(dir, 'web-logs.run.lock'), 'utf8'), String(process.pid));
  assert.throws(() => acquireRunLock(dir, 'web-logs'), (e: unknown) => isTributaryError(e) && e.code === 'TRB_PIPELINE_BUSY' && e.exit === 1);
  acquireRunLock(dir, 'other').release(); // other pipelines are independent
  lock.release();
  lock.release(); // twice is harmless
  acquireRunLock(dir, 'web-logs').release();

  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir, 'web-logs.run.lock'), dead);
  const taken = acquireRunLock(dir, 'web-logs');
  assert.equal(readFileSync(join(dir, 'web-logs.run.lock'), 'utf8'), String(process.pid));
  taken.release();
});
