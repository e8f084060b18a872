import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedCache } from './bounded-cache.js';

test('BoundedCache: computes once per cached key, keeps recent keys, stays bounded, 0 disables', () => {
  let calls = 0;
  const c = new BoundedCache<number, number | null>(10);
  const f = (k: number): number | null => { calls++; return k % 2 === 0 ? k * 10 : null; };
  for (let r = 0; r < 3; r++) for (let k = 0; k < 5; k++) assert.equal(c.get(k, f), k % 2 === 0 ? k * 10 : null);
  assert.equal(calls, 5, 'null answers are cached too');
  for (let k = 100; k < 10_000; k++) c.get(k, f);
  calls = 0;
  c.get(9_999, f);
  assert.equal(calls, 0, 'the most recent key is still cached');
  c.get(0, f);
  assert.equal(calls, 1, 'an old key was evicted');
  const none = new BoundedCache<number, number>(0);
  calls = 0;
  none.get(1, () => ++calls); none.get(1, () => ++calls);
  assert.equal(calls, 2);
});

test('BoundedCache: a hot key survives generations of cold ones', () => {
  const c = new BoundedCache<string, number>(100);
  let hot = 0;
  for (let i = 0; i < 10_000; i++) {
    c.get('hot', () => ++hot);
    c.get(`cold-${i}`, () => i);
  }
  assert.equal(hot, 1);
});
