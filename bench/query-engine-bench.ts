/**
 * Cost of role enforcement in the secure DuckDB query engine: the same dashboard queries run on a
 * plain read-only DuckDB connection to the warehouse (unrestricted), and through the engine as
 * admin (secure views, nothing masked), analyst (personal columns masked) and a row-filtered role
 * (`status < 500`, columns guarded), whose baseline is the plain connection with the same filter in
 * a plain view. Sequential, one query at a time, median and p95 per case.
 *
 *   XDG_CONFIG_HOME=$(mktemp -d) node --import tsx bench/query-engine-bench.ts [--lines 200000] [--rounds 30]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateAccessLog } from '../src/generator/index.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { connectUtc } from '../src/sinks/_shared/duckdb-values.js';
import { SecureDuckdbEngine } from '../src/query/secure-duckdb-engine.js';
import { parseRolesText } from '../src/security/rbac/load-roles.js';
import { rolePermissions } from '../src/security/rbac/role-set.js';
import type { Identity } from '../src/security/identity/identity.js';
import { ENRICHED_STAGES, logPipeline } from '../test/helpers/log-pipeline.js';
import { percentile } from './percentile.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const lines = Number(arg('lines', '200000'));
const rounds = Number(arg('rounds', '30'));

const QUERIES = [
  "SELECT date_trunc('hour', ts) AS h, count(*), count(*) FILTER (WHERE status >= 500) FROM requests GROUP BY 1 ORDER BY 1",
  'SELECT path, count(*) AS n, avg(request_time_ms) FROM requests GROUP BY path ORDER BY n DESC LIMIT 20',
  'SELECT status, count(*) FROM requests GROUP BY status ORDER BY status',
  'SELECT geo_country, ua_browser, count(*) FROM requests WHERE status < 400 GROUP BY ALL ORDER BY 3 DESC LIMIT 50',
  'SELECT ts, method, path, status, user_agent FROM requests ORDER BY ts DESC LIMIT 100',
];

const dir = mkdtempSync(join(tmpdir(), 'trb-qbench-'));
try {
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines, seed: 3, format: 'apache_combined', malformedRatio: 0 }, join(dir, 'logs', 'a.log'));
  writeFileSync(join(dir, 'p.yaml'), logPipeline({ name: 'qbench', format: 'apache_combined', stages: ['validate', 'dedupe', ...ENRICHED_STAGES] }));
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: join(dir, 'data'), workers: 2 });
  if (run.status !== 'succeeded') throw new Error(run.error?.message);
  const warehouse = join(dir, 'data', 'warehouse.duckdb');

  const cases: Record<string, (sql: string) => Promise<number>> = {};
  const raw = await DuckDBInstance.create(':memory:');
  const rawConn = await connectUtc(raw);
  await rawConn.run(`ATTACH '${warehouse}' AS w (READ_ONLY); USE w`);
  cases['unrestricted'] = async (sql) => (await rawConn.runAndReadAll(sql)).currentRowCount;
  // The same queries with the shop role's filter written into a plain view: the baseline of `shop`.
  const filtered = await connectUtc(raw);
  await filtered.run('CREATE SCHEMA memory.f; CREATE VIEW memory.f.requests AS SELECT * FROM w.main.requests WHERE status < 500');
  await filtered.run("SET search_path = 'memory.f'");
  cases['unrestricted_filtered'] = async (sql) => (await filtered.runAndReadAll(sql)).currentRowCount;
  const roles = parseRolesText('roles:\n  shop:\n    extends: analyst\n    datasets:\n      requests:\n        row_filter: "status < 500"\n', 'roles.yaml');
  const engine = await SecureDuckdbEngine.open({ warehouse, roles, pii: { runColumns: run.columns }, audit: { record: async () => {} } });
  for (const role of ['admin', 'analyst', 'shop']) {
    const id: Identity = { subject: `bench:${role}`, role, method: 'local', permissions: new Set(rolePermissions(role, roles)) };
    cases[role] = async (sql) => {
      const s = await engine.query(id, sql, { via: 'http' });
      let n = 0;
      for await (const b of s.batches()) n += b.length;
      return n;
    };
  }
  const results: Record<string, { median_ms: number; p95_ms: number }> = {};
  for (const [name, fn] of Object.entries(cases)) {
    for (const q of QUERIES) await fn(q);
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of QUERIES) {
        const t0 = performance.now();
        await fn(q);
        times.push(performance.now() - t0);
      }
    }
    results[name] = { median_ms: +percentile(times, 50).toFixed(2), p95_ms: +percentile(times, 95).toFixed(2) };
  }
  for (const [name, r] of Object.entries(results)) {
    const baseline = name === 'shop' ? 'unrestricted_filtered' : 'unrestricted';
    const base = results[baseline]!.median_ms;
    console.log(JSON.stringify({ case: name, ...r, baseline, overhead_pct: +(((r.median_ms - base) / base) * 100).toFixed(1) }));
  }
  await engine.close();
  rawConn.disconnectSync();
  filtered.disconnectSync();
  raw.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
