/**
 * `npm run bench:serve` (or `node --import tsx bench/serve-bench.ts`): issue 6's speed target.
 * Builds a real warehouse (generated access logs through the pipeline with every enrichment and
 * the gold models, serve-bench-warehouse.ts), creates one API key per role with createApiKey in
 * the deployment's control store, and starts two server children (serve-bench-server.ts) with the
 * real authentication: one over SecureDuckdbEngine, one over the unrestricted plain engine. Then,
 * for `--rounds` rounds, drives each configuration (serve-bench-plan.ts BENCH_CONFIGS, order
 * rotated per round) with autocannon for `--duration` seconds: `--connections` connections cycling
 * through the dashboard queries (`POST /v1/sql`, JSON). Reports req/s, p50/p95/p99 and the
 * overhead of each role vs unrestricted; `GET /healthz` once for reference.
 * Options: --lines N (200000), --duration S (10), --rounds N (3), --connections N (50), --json, --dir DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDeployment } from '../src/engine/bootstrap.js';
import { createApiKey } from '../src/security/apikeys/api-key-admin.js';
import { rolePermissions } from '../src/security/rbac/role-set.js';
import { machineInfo } from './machine-info.js';
import { percentile } from './percentile.js';
import { BENCH_CONFIGS, dashboardQueries, parseServeBenchArgs, roundOrder, summarize, type RoundResult } from './serve-bench-plan.js';
import { serveBenchRoles } from './serve-bench-roles.js';
import { buildServeBenchWarehouse } from './serve-bench-warehouse.js';

const o = parseServeBenchArgs(process.argv.slice(2));
const say = (s: string): void => { process.stderr.write(`${s}\n`); };
const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'trb-serve-bench-'));
mkdirSync(dir, { recursive: true });
process.env['XDG_CONFIG_HOME'] = join(dir, 'xdg'); // the vault's master key stays in the work dir

interface Child { readonly port: number; readonly proc: ChildProcess }

function startChild(mode: 'secure' | 'secure-noaudit' | 'plain', dataDir: string, columnsFile: string): Promise<Child> {
  const server = fileURLToPath(import.meta.url).replace(/serve-bench\.(ts|js)$/, 'serve-bench-server.$1');
  const proc = spawn(process.execPath, [...process.execArgv, server, mode, dataDir, columnsFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise<Child>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => { out += b.toString(); const m = /READY (\d+)/.exec(out); if (m) resolve({ port: Number(m[1]), proc }); });
    proc.once('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)));
  });
}

async function load(port: number, requests: autocannon.Request[], path = '/v1/sql', headers: Record<string, string> = {}): Promise<RoundResult> {
  const latenciesMs: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: o.connections, duration: o.duration, pipelining: 1, headers, requests },
      (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_c, _status, _bytes, ms) => { latenciesMs.push(ms); });
  });
  return { requestsPerSec: r.requests.total / o.duration, latenciesMs, non2xx: r.non2xx, errors: r.errors };
}

const children: Child[] = [];
try {
  say(`Building the warehouse from ${o.lines.toLocaleString('en-US')} generated lines in ${dir} …`);
  const wh = await buildServeBenchWarehouse(dir, o.lines);
  const columnsFile = join(dir, 'columns.json');
  writeFileSync(columnsFile, JSON.stringify(wh.columns));
  const roles = serveBenchRoles();
  const keys = new Map<string, string>();
  const d = await openDeployment(wh.dataDir);
  try {
    for (const role of new Set(BENCH_CONFIGS.map((c) => c.role))) {
      const created = await createApiKey({ role, name: `bench-${role}`, actor: 'bench:serve' },
        { store: d.control.apiKeys, audit: d.audit, rolePermissions: (r) => (roles.has(r) ? rolePermissions(r, roles) : undefined) });
      keys.set(role, created.key);
    }
  } finally {
    await d.close();
  }
  const servers = {
    secure: await startChild('secure', wh.dataDir, columnsFile), plain: await startChild('plain', wh.dataDir, columnsFile),
    'secure-noaudit': await startChild('secure-noaudit', wh.dataDir, columnsFile),
  };
  children.push(...Object.values(servers));
  const queries = dashboardQueries(wh.day, wh.weekStart);
  const requestsFor = (role: string): autocannon.Request[] => queries.map((q) => ({
    method: 'POST', path: '/v1/sql', body: JSON.stringify({ sql: q.sql, format: 'json' }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.get(role)}` },
  }));
  // Every configuration answers every query (and the shop role sees no 5xx rows) before timing.
  for (const c of BENCH_CONFIGS) {
    for (const q of queries) {
      const res = await fetch(`http://127.0.0.1:${servers[c.server].port}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.get(c.role)}` }, body: JSON.stringify({ sql: q.sql, format: 'json' }) });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${c.name}: ${q.name} answered ${res.status}: ${text.slice(0, 300)}`);
    }
  }
  say(`Warming up (${o.duration} s per configuration) …`);
  for (const c of BENCH_CONFIGS) await load(servers[c.server].port, requestsFor(c.role));
  const results: RoundResult[][] = BENCH_CONFIGS.map(() => []);
  for (let r = 0; r < o.rounds; r++) {
    for (const c of roundOrder(BENCH_CONFIGS, r)) {
      say(`Round ${r + 1}/${o.rounds}: ${c.name}, ${o.duration} s, ${o.connections} connections …`);
      results[BENCH_CONFIGS.indexOf(c)]!.push(await load(servers[c.server].port, requestsFor(c.role)));
    }
  }
  const healthz = await load(servers.secure.port, [{ method: 'GET', path: '/healthz' }], '/healthz');
  const report = {
    command: `npm run bench:serve -- ${process.argv.slice(2).join(' ')}`.trim(), when: new Date().toISOString(), machine: machineInfo(),
    warehouse: { lines: o.lines, requests_rows: wh.rows, day: wh.day, week_start: wh.weekStart },
    connections: o.connections, duration_secs: o.duration, rounds: o.rounds, queries,
    results: summarize(BENCH_CONFIGS.map((c) => c.name), results),
    healthz: { requests_per_sec: Math.round(healthz.requestsPerSec), p95_ms: percentile(healthz.latenciesMs, 95), non_2xx: healthz.non2xx },
  };
  if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write('| configuration | req/s (mean of rounds) | p50 ms | p95 ms | p99 ms | overhead (req/s) | per round | p95 vs baseline | non-2xx | errors |\n|---|---|---|---|---|---|---|---|---|---|\n');
    for (const s of report.results) process.stdout.write(`| ${s.config} | ${s.requests_per_sec} | ${s.p50_ms} | ${s.p95_ms} | ${s.p99_ms} | ${s.overhead_pct} % | ${s.rounds_overhead_pct.join(' / ')} | ${s.p95_overhead_pct} % | ${s.non_2xx} | ${s.errors} |\n`);
    process.stdout.write(`\nGET /healthz: ${report.healthz.requests_per_sec} req/s, p95 ${report.healthz.p95_ms} ms\n`);
  }
} finally {
  await Promise.all(children.map((c) => new Promise((resolve) => { c.proc.once('exit', resolve); c.proc.kill('SIGTERM'); })));
  if (o.dir === undefined) rmSync(dir, { recursive: true, force: true });
}
