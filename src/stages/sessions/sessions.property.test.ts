/**
 * Sessions and behaviour windows do not depend on where batches, files or restarts fall: feeding
 * the same requests in any chunking, with the operator rebuilt from its committed state at any
 * point, gives exactly the output of one pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { KeyedOperator, KeyedOutput } from '../../core/component.js';
import { SessionTracker, sessionId } from './session-tracker.js';
import { BehaviorDetector } from '../behavior/behavior-detector.js';
import { BehaviorConfig } from '../behavior/config.js';

/** Runs `features` through operators made by `make`, split at `cuts`, restarting from committed state at `restarts`. */
function runChunked(make: () => KeyedOperator, features: readonly unknown[], cuts: readonly number[], restarts: ReadonlySet<number>): KeyedOutput[] {
  const committed = new Map<string, unknown>();
  let op = make();
  const out: KeyedOutput[] = [];
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < features.length), features.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    if (restarts.has(i)) { op = make(); op.restore(committed); }
    out.push(op.process(features.slice(bounds[i], bounds[i + 1])));
    for (const [k, v] of op.drainChanges()) { if (v === null) committed.delete(k); else committed.set(k, JSON.parse(JSON.stringify(v))); }
  }
  return out;
}

const flatColumns = (outs: readonly KeyedOutput[]): unknown[][] => outs[0]!.columns.map((_, c) => outs.flatMap((o) => [...o.columns[c]!]));
const flatRows = (outs: readonly KeyedOutput[]): unknown[] => outs.flatMap((o) => o.rows);

/** Requests of a few visitors over a few hours: mostly increasing times, some late, some long gaps. */
const requests = fc.array(fc.record({
  visitor: fc.integer({ min: 0, max: 5 }),
  gap: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 25 * 60_000, max: 40 * 60_000 }), fc.integer({ min: -60_000, max: 0 }), fc.integer({ min: -40 * 60_000, max: -20 * 60_000 })),
  status: fc.constantFrom(200, 200, 404, 401, 500),
  login: fc.boolean(),
}), { minLength: 1, maxLength: 300 });

test('sessions: the same ids and sequence numbers whatever the chunking and restarts', () => {
  fc.assert(fc.property(requests, fc.array(fc.nat(300)), fc.array(fc.nat(20)), (reqs, cuts, restarts) => {
    let ts = Date.UTC(2026, 0, 1);
    const features = reqs.map((r) => { ts += r.gap; return [ts, `v_${r.visitor}`] as const; });
    const make = (): SessionTracker => new SessionTracker(30, 1000);
    const once = flatColumns([make().process(features)]);
    const chunked = flatColumns(runChunked(make, features, cuts, new Set(restarts)));
    assert.deepEqual(chunked, once);
  }), { numRuns: 300 });
});

test('sessions: 30 minutes of inactivity starts a new session; late requests stay in the open one', () => {
  const t0 = Date.UTC(2026, 0, 1, 10);
  const m = 60_000;
  const tr = new SessionTracker(30, 1000);
  const out = tr.process([[t0, 'v_a'], [t0 + 10 * m, 'v_a'], [t0 + 5 * m, 'v_a'], [t0 + 40 * m, 'v_a'], [t0 + 71 * m, 'v_a'], [t0, 'v_b'], null]);
  const [ids, seqs] = out.columns as [string[], number[]];
  assert.deepEqual(seqs, [1, 2, 3, 4, 1, 1, null]);
  assert.equal(ids[0], sessionId('v_a', t0));
  assert.equal(ids[3], ids[0], 'a gap of 30 minutes exactly keeps the session (40 - 10)');
  assert.equal(ids[4], sessionId('v_a', t0 + 71 * m), '31 minutes after the last request: new session');
  assert.notEqual(ids[5], ids[0]);
  assert.deepEqual(tr.stats(), { opened: 3, closed: 1, evicted: 0, open: 2 });
});

test('behaviour: the same security events whatever the chunking and restarts', () => {
  const config = BehaviorConfig.parse({ http_404_burst: { threshold: 4, window_secs: 60 }, login_bruteforce: { threshold: 3, window_secs: 120 }, rate_spike: { threshold: 6, window_secs: 30 } });
  fc.assert(fc.property(requests, fc.array(fc.nat(300)), fc.array(fc.nat(20)), (reqs, cuts, restarts) => {
    let ts = Date.UTC(2026, 0, 1);
    const features = reqs.map((r, i) => {
      ts += Math.floor(r.gap / 20);
      const flags = (r.status === 404 ? 1 : 0) | (r.login && r.status === 401 ? 2 : 0);
      return [ts, `ps1_${r.visitor}`, flags, r.status === 500 ? 50 : 0, r.status === 500 ? 'sqli.union' : null, null, null, i * 100, i + 1] as const;
    });
    const make = (): BehaviorDetector => new BehaviorDetector(config);
    assert.deepEqual(flatRows(runChunked(make, features, cuts, new Set(restarts))), flatRows([make().process(features)]));
  }), { numRuns: 300 });
});
