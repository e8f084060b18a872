/**
 * `npm run bench:serve` (or `node --import tsx bench/serve-bench.ts`): requests per second and
 * latency of the HTTP server under 50 concurrent connections (autocannon), for `GET /healthz` and
 * a small dashboard-style `POST /v1/sql` (top 10 vhosts by requests over 100,000 rows). The server
 * runs in a child process (bench/serve-bench-server.ts). Options: `--duration <secs>` (default 10),
 * `--connections <n>` (default 50), `--json`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { machineInfo } from './machine-info.js';
import { percentile } from './percentile.js';
import { BENCH_KEY } from './serve-bench-key.js';

interface Scenario { readonly name: string; readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: string; readonly headers?: Record<string, string> }
interface Measured { readonly scenario: string; readonly requests_per_sec: number; readonly p50_ms: number; readonly p95_ms: number; readonly p99_ms: number; readonly non_2xx: number; readonly errors: number; readonly total: number }

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const duration = arg('duration', 10);
const connections = arg('connections', 50);
const SQL = "SELECT vhost, count(*) AS requests, sum(bytes) AS bytes FROM access WHERE status < 400 GROUP BY vhost ORDER BY requests DESC LIMIT 10";

async function startChild(): Promise<{ port: number; stop: () => void }> {
  const self = fileURLToPath(import.meta.url);
  const server = self.replace(/serve-bench\.(ts|js)$/, 'serve-bench-server.$1');
  const child = spawn(process.execPath, [...process.execArgv, server], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); const m = /READY (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { port, stop: () => { child.kill('SIGTERM'); } };
}

async function measure(port: number, s: Scenario): Promise<Measured> {
  const times: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${port}${s.path}`, method: s.method, connections, duration, pipelining: 1,
      headers: { ...(s.body ? { 'content-type': 'application/json' } : {}), ...s.headers }, ...(s.body ? { body: s.body } : {}),
    }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_c, _status, _bytes, ms) => { times.push(ms); });
  });
  return {
    scenario: s.name, requests_per_sec: Math.round(r.requests.average), total: r.requests.total,
    p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), p99_ms: percentile(times, 99),
    non_2xx: r.non2xx, errors: r.errors,
  };
}

const { port, stop } = await startChild();
try {
  const auth = { authorization: `Bearer ${BENCH_KEY}` };
  const scenarios: Scenario[] = [
    { name: 'GET /healthz', method: 'GET', path: '/healthz' },
    { name: 'POST /v1/sql (json, top 10 of 100k rows)', method: 'POST', path: '/v1/sql', headers: auth, body: JSON.stringify({ sql: SQL, format: 'json' }) },
    { name: 'POST /v1/sql (ndjson, same query)', method: 'POST', path: '/v1/sql', headers: auth, body: JSON.stringify({ sql: SQL, format: 'ndjson' }) },
  ];
  const results: Measured[] = [];
  for (const s of scenarios) {
    process.stderr.write(`Measuring ${s.name} for ${duration} s with ${connections} connections…\n`);
    results.push(await measure(port, s));
  }
  const report = { when: new Date().toISOString(), connections, duration_secs: duration, machine: machineInfo(), results };
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`| scenario | req/s | p50 ms | p95 ms | p99 ms | non-2xx | errors |\n|---|---|---|---|---|---|---|\n`);
    for (const r of results) process.stdout.write(`| ${r.scenario} | ${r.requests_per_sec} | ${r.p50_ms.toFixed(1)} | ${r.p95_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${r.non_2xx} | ${r.errors} |\n`);
  }
} finally {
  stop();
}
