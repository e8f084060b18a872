/**
 * The pieces of `npm run bench:serve` work (no timing assertions): options, the round order, the
 * summary, and, on a small real warehouse, every dashboard query answers through the plain engine
 * and the secure engine for each benchmarked role, with the shop role's rows filtered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cell, QueryEngine } from '../src/query/query-engine.js';
import { SecureDuckdbEngine } from '../src/query/secure-duckdb-engine.js';
import { PERMISSIONS, type Identity } from '../src/security/identity/identity.js';
import { rolePermissions } from '../src/security/rbac/role-set.js';
import { tmpDirFor } from './serve-bench-tmp.js';
import { openPlainDuckdbEngine } from './plain-duckdb-engine.js';
import { BENCH_CONFIGS, dashboardQueries, parseServeBenchArgs, roundOrder, summarize } from './serve-bench-plan.js';
import { serveBenchRoles } from './serve-bench-roles.js';
import { buildServeBenchWarehouse, type ServeBenchWarehouse } from './serve-bench-warehouse.js';

async function rows(engine: QueryEngine, id: Identity, sql: string): Promise<(readonly Cell[])[]> {
  const s = await engine.query(id, sql, { via: 'http' });
  const out: (readonly Cell[])[] = [];
  for await (const b of s.batches()) out.push(...b);
  return out;
}

describe('serve bench plan', () => {
  it('parses options with their defaults and refuses bad ones', () => {
    assert.deepEqual(parseServeBenchArgs([]), { lines: 200_000, duration: 10, rounds: 3, connections: 50, json: false, dir: undefined });
    assert.deepEqual(parseServeBenchArgs(['--lines', '1_000_000', '--rounds', '5', '--json', '--dir', '/x']), { lines: 1_000_000, duration: 10, rounds: 5, connections: 50, json: true, dir: '/x' });
    assert.throws(() => parseServeBenchArgs(['--duration', '0']), RangeError);
    assert.throws(() => parseServeBenchArgs(['--frobnicate']));
    assert.throws(() => dashboardQueries("2026-01-01'", '2026-01-01'), RangeError);
  });

  it('rotates the order per round and summarises against the first configuration', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((r) => roundOrder(['a', 'b', 'c', 'd'], r).join('')), ['abcd', 'bcda', 'cdab', 'dabc', 'abcd']);
    const [base, other] = summarize(['base', 'slow'], [
      [{ requestsPerSec: 100, latenciesMs: [10, 20], non2xx: 0, errors: 0 }, { requestsPerSec: 100, latenciesMs: [10], non2xx: 0, errors: 0 }],
      [{ requestsPerSec: 80, latenciesMs: [20, 40], non2xx: 1, errors: 0 }, { requestsPerSec: 100, latenciesMs: [20], non2xx: 0, errors: 2 }],
    ]);
    assert.equal(base!.overhead_pct, 0);
    assert.equal(other!.overhead_pct, 11.1); // 100 / 90 − 1
    assert.deepEqual(other!.rounds_overhead_pct, [25, 0]);
    assert.deepEqual([other!.non_2xx, other!.errors, other!.p95_ms, other!.p95_overhead_pct], [1, 2, 40, 100]);
  });

  describe('on a real warehouse', () => {
    let wh: ServeBenchWarehouse;
    let dir: { path: string; remove(): void };
    before(async () => {
      dir = tmpDirFor('trb-serve-bench-test-');
      wh = await buildServeBenchWarehouse(dir.path, 3000);
    });
    after(() => dir.remove());

    it('answers every dashboard query for every configuration; the shop role sees no 5xx', async () => {
      const roles = serveBenchRoles();
      const plain = await openPlainDuckdbEngine(wh.warehouse);
      const secure = await SecureDuckdbEngine.open({ warehouse: wh.warehouse, roles, pii: { runColumns: wh.columns }, audit: { record: async () => {} } });
      try {
        const queries = dashboardQueries(wh.day, wh.weekStart);
        for (const c of BENCH_CONFIGS) {
          const id: Identity = { subject: `bench:${c.role}`, role: c.role, method: 'local', permissions: new Set(c.server === 'plain' ? PERMISSIONS : rolePermissions(c.role, roles)) };
          for (const q of queries) assert.ok((await rows(c.server === 'plain' ? plain : secure, id, q.sql)).length > 0, `${c.name}: ${q.name}`);
        }
        const shop: Identity = { subject: 'bench:shop', role: 'shop', method: 'local', permissions: new Set(rolePermissions('shop', roles)) };
        const errors = (r: (readonly Cell[])[]): number => r.reduce((a, x) => a + Number(x[1]), 0);
        const perMinute = queries[2]!.sql;
        assert.ok(errors(await rows(plain, shop, perMinute)) > 0, 'the generated day has server errors');
        assert.equal(errors(await rows(secure, shop, perMinute)), 0);
        const latest = await rows(secure, { ...shop, role: 'analyst', permissions: new Set(rolePermissions('analyst', roles)) }, queries[4]!.sql);
        const plainLatest = await rows(plain, shop, queries[4]!.sql);
        assert.notDeepEqual(latest.map((r) => r[5]), plainLatest.map((r) => r[5]), 'the analyst sees user_agent masked');
      } finally {
        await plain.close();
        await secure.close();
      }
    });
  });
});
