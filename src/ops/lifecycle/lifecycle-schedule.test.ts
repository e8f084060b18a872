/** The `--every` loop: interval parsing, ticks until aborted, retryable failures continue, others stop it. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PipelineBusy } from '../../engine/errors.js';
import { LifecycleLakeFailed } from './errors.js';
import { parseScheduleInterval, runEvery } from './lifecycle-schedule.js';

it('parses intervals strictly', () => {
  assert.equal(parseScheduleInterval('30s'), 30_000);
  assert.equal(parseScheduleInterval('15m'), 900_000);
  assert.equal(parseScheduleInterval('1h'), 3_600_000);
  assert.equal(parseScheduleInterval('1d'), 86_400_000);
  for (const bad of ['0s', '1.5h', '1 h', 'h', '1w', '']) assert.throws(() => parseScheduleInterval(bad), { code: 'TRB_LIFECYCLE_OPTION_INVALID' });
});

it('ticks at once and then every interval until aborted; a busy pipeline is retried at the next tick', async () => {
  const ac = new AbortController();
  const errors: unknown[] = [];
  let n = 0;
  const ok = await runEvery(10, ac.signal, async () => {
    n++;
    if (n === 2) throw PipelineBusy({ pipeline: 'p', pid: 1, lock: 'x' });
    if (n === 4) ac.abort();
  }, (e) => errors.push(e));
  assert.equal(n, 4);
  assert.equal(ok, 3);
  assert.equal(errors.length, 1);
});

it('any other failure stops the loop', async () => {
  const ac = new AbortController();
  await assert.rejects(runEvery(10, ac.signal, async () => { throw LifecycleLakeFailed({ path: 'x', step: 'y', reason: 'z' }); }, () => undefined),
    { code: 'TRB_LIFECYCLE_LAKE_FAILED' });
});
