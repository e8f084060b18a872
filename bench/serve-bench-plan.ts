/**
 * The plan of `npm run bench:serve`, kept free of I/O so bench/serve-bench-plan.test.ts can check
 * it: options, the dashboard queries, the configurations and their order per round, and how the
 * measurements are summarised.
 */
import { parseArgs } from 'node:util';
import { percentile } from './percentile.js';

/** Options of the benchmark. */
export interface ServeBenchOptions {
  /** Access-log lines generated and loaded (default 200,000). */
  readonly lines: number;
  /** Seconds of load per configuration and round (default 10). */
  readonly duration: number;
  /** Rounds; each measures every configuration once, in a rotated order (default 3). */
  readonly rounds: number;
  readonly connections: number;
  readonly json: boolean;
  /** Work directory (default: a fresh temporary one, removed at the end). */
  readonly dir: string | undefined;
}

const positive = (name: string, v: string | undefined, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

/** Parses `argv` (without node and script). Throws on unknown options and bad numbers. */
export function parseServeBenchArgs(argv: readonly string[]): ServeBenchOptions {
  const { values: v } = parseArgs({ args: [...argv], options: {
    lines: { type: 'string' }, duration: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' },
    json: { type: 'boolean', default: false }, dir: { type: 'string' },
  } });
  return {
    lines: positive('lines', v.lines, 200_000), duration: positive('duration', v.duration, 10), rounds: positive('rounds', v.rounds, 3),
    connections: positive('connections', v.connections, 50), json: v.json ?? false, dir: v.dir,
  };
}

/** One dashboard panel's query. */
export interface DashboardQuery {
  readonly name: string;
  readonly sql: string;
}

/** The dashboard: `day` is a whole day of the data, `weekStart` the first of 7 days (`YYYY-MM-DD`). */
export function dashboardQueries(day: string, weekStart: string): readonly DashboardQuery[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d{4}-\d{2}-\d{2}$/.test(weekStart)) throw new RangeError('dates must be YYYY-MM-DD');
  return [
    { name: 'top endpoints with p95 over a day', sql: `SELECT endpoint, count(*) AS requests, quantile_cont(request_time_ms, 0.95) AS p95_ms FROM fact_requests WHERE day = DATE '${day}' GROUP BY endpoint ORDER BY requests DESC LIMIT 20` },
    { name: 'visitors by country over a week', sql: `SELECT g.geo_country, count(DISTINCT f.visitor_key) AS visitors FROM fact_requests f JOIN dim_geo g USING (geo_key) WHERE f.day BETWEEN DATE '${weekStart}' AND DATE '${weekStart}' + 6 GROUP BY 1 ORDER BY 2 DESC` },
    { name: 'errors per minute over a day', sql: `SELECT minute, count(*) FILTER (WHERE status >= 500) AS errors, count(*) AS requests FROM fact_requests WHERE day = DATE '${day}' GROUP BY minute ORDER BY minute` },
    { name: 'status mix over a day', sql: `SELECT status, count(*) AS requests FROM requests WHERE ts >= TIMESTAMPTZ '${day} 00:00:00+00' AND ts < TIMESTAMPTZ '${day} 00:00:00+00' + INTERVAL 1 DAY GROUP BY status ORDER BY status` },
    { name: 'latest requests (personal columns)', sql: 'SELECT ts, method, path, status, client_ip, user_agent FROM requests ORDER BY ts DESC LIMIT 50' },
  ];
}

/** A configuration: which server answers and with which role's key. */
export interface BenchConfig {
  readonly name: string;
  /** `secure-noaudit`: the secure engine with its per-query audit entries switched off (to separate their cost). */
  readonly server: 'plain' | 'secure' | 'secure-noaudit';
  readonly role: string;
}

/** The configurations; the first is the unrestricted baseline. */
export const BENCH_CONFIGS: readonly BenchConfig[] = Object.freeze([
  { name: 'unrestricted (plain engine)', server: 'plain', role: 'admin' },
  { name: 'analyst (masked columns)', server: 'secure', role: 'analyst' },
  { name: 'shop (row filter status < 500)', server: 'secure', role: 'shop' },
  { name: 'admin (secure engine, unmasked + decrypt)', server: 'secure', role: 'admin' },
  { name: 'analyst, query audit off', server: 'secure-noaudit', role: 'analyst' },
]);

/** Round `r`'s order: the configurations rotated by `r`, so none is always first or last. */
export function roundOrder<T>(items: readonly T[], r: number): readonly T[] {
  const k = r % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One configuration's measurement in one round. */
export interface RoundResult {
  readonly requestsPerSec: number;
  readonly latenciesMs: readonly number[];
  readonly non2xx: number;
  readonly errors: number;
}

/** A configuration's summary over all rounds. */
export interface ConfigSummary {
  readonly config: string;
  /** Mean of the rounds' req/s. */
  readonly requests_per_sec: number;
  readonly rounds_req_per_sec: readonly number[];
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly non_2xx: number;
  readonly errors: number;
  /** Cost per request vs the baseline: `baseline req/s ÷ this req/s − 1`, in % (0 for the baseline). */
  readonly overhead_pct: number;
  /** The same, per round (paired: measured back to back in the same round). */
  readonly rounds_overhead_pct: readonly number[];
  /** p95 latency vs the baseline's, in %. */
  readonly p95_overhead_pct: number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Summarises `results[config][round]`; the first configuration is the baseline. */
export function summarize(names: readonly string[], results: readonly (readonly RoundResult[])[]): readonly ConfigSummary[] {
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const base = results[0]!;
  const baseRps = mean(base.map((r) => r.requestsPerSec));
  const baseP95 = percentile(base.flatMap((r) => r.latenciesMs), 95);
  return results.map((rs, i) => {
    const all = rs.flatMap((r) => r.latenciesMs);
    const rps = mean(rs.map((r) => r.requestsPerSec));
    const p95 = percentile(all, 95);
    return {
      config: names[i]!, requests_per_sec: round1(rps), rounds_req_per_sec: rs.map((r) => round1(r.requestsPerSec)),
      p50_ms: round1(percentile(all, 50)), p95_ms: round1(p95), p99_ms: round1(percentile(all, 99)),
      non_2xx: rs.reduce((a, r) => a + r.non2xx, 0), errors: rs.reduce((a, r) => a + r.errors, 0),
      overhead_pct: round1((baseRps / rps - 1) * 100),
      rounds_overhead_pct: rs.map((r, k) => round1((base[k]!.requestsPerSec / r.requestsPerSec - 1) * 100)),
      p95_overhead_pct: round1((p95 / baseP95 - 1) * 100),
    };
  });
}
