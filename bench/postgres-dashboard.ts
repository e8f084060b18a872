/**
 * The PostgreSQL half of `npm run bench:gold -- --postgres`: scales the gold facts the benchmark
 * built in schema `schema` the way the DuckDB half does (copies shifted by whole weeks, distinct
 * visitor keys per copy), into tables partitioned by day like `fact_requests`, and times the same
 * dashboard queries (20 runs after a warm-up), with the server's settings and then with a
 * dashboard session's (`work_mem` 64MB, JIT off).
 */
import pg from 'pg';
import { quoteIdent, quoteLiteral } from '../src/sinks/_shared/sql.js';
import { dashboardQueries, timeQueries, type QueryTiming } from './dashboard-queries.js';

const DAY_MS = 86_400_000;
/** work_mem of the tuned run (the server default is 4MB). */
const TUNED_WORK_MEM = '64MB';

/** Scaled copy of `from` as partitioned table `to`: `copies` copies, copy k shifted by 7k days. */
async function scale(c: pg.Client, from: string, to: string, copies: number): Promise<void> {
  const cols = (await c.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [from])).rows;
  const days = (await c.query<{ d: string }>(`SELECT DISTINCT CAST(day AS text) AS d FROM ${quoteIdent(from)}`)).rows.map((r) => r.d);
  await c.query(`DROP TABLE IF EXISTS ${quoteIdent(to)}`);
  await c.query(`CREATE TABLE ${quoteIdent(to)} (LIKE ${quoteIdent(from)}) PARTITION BY RANGE (day)`);
  await c.query(`CREATE TABLE ${quoteIdent(`${to}_default`)} PARTITION OF ${quoteIdent(to)} DEFAULT`);
  const all = new Set<string>();
  for (let k = 0; k < copies; k++) for (const d of days) all.add(new Date(Date.parse(`${d}T00:00:00Z`) + 7 * k * DAY_MS).toISOString().slice(0, 10));
  for (const d of all) {
    const next = new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    await c.query(`CREATE TABLE ${quoteIdent(`${to}_p${d.replaceAll('-', '')}`)} PARTITION OF ${quoteIdent(to)} FOR VALUES FROM (${quoteLiteral(d)}) TO (${quoteLiteral(next)})`);
  }
  for (let k = 0; k < copies; k++) {
    const list = cols.map(({ column_name: n, data_type: t }) => {
      if (k === 0) return quoteIdent(n);
      if (n === 'day') return `day + ${7 * k}`;
      if (n === 'visitor_key') return `visitor_key || '-${k}'`;
      if (t.startsWith('timestamp')) return `${quoteIdent(n)} + interval '${7 * k} days'`;
      return quoteIdent(n);
    });
    await c.query(`INSERT INTO ${quoteIdent(to)} SELECT ${list.join(', ')} FROM ${quoteIdent(from)}`);
  }
  await c.query(`ANALYZE ${quoteIdent(to)}`);
}

/** Scales the facts of schema `schema` at `url` to about `target` rows and times the dashboard queries. */
export async function postgresDashboard(url: string, schema: string, target: number, say: (s: string) => void): Promise<{
  fact_rows: number; copies: number; scale_seconds: number; queries: Record<string, QueryTiming>; tuned: { settings: string; queries: Record<string, QueryTiming> };
}> {
  const c = new pg.Client({ connectionString: url, options: `-c TimeZone=UTC -c search_path=${schema}` });
  await c.connect();
  try {
    const n0 = Number((await c.query('SELECT count(*) AS n FROM fact_requests')).rows[0].n);
    const copies = Math.max(1, Math.ceil(target / n0));
    say(`PostgreSQL: scaling fact_requests to ${(n0 * copies).toLocaleString('en-US')} rows (${copies} copies) …`);
    const t0 = performance.now();
    await scale(c, 'fact_requests', 'bench_facts', copies);
    await scale(c, 'visitor_geo_days', 'bench_visitor_geo_days', copies);
    const scaleSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const rows = Number((await c.query('SELECT count(*) AS n FROM bench_facts')).rows[0].n);
    const r = (await c.query("SELECT CAST(min(day) + 7 AS text) AS d0, CAST(min(day) + 13 AS text) AS d1 FROM bench_facts")).rows[0] as { d0: string; d1: string };
    const queries = dashboardQueries(r.d0, r.d1);
    const timings = await timeQueries(queries, (sql) => c.query(sql));
    // The same with the session settings a dashboard role would get (ALTER ROLE … SET): sorts and
    // hashes of a count distinct fit in memory, and no JIT compilation for sub-second queries.
    await c.query(`SET work_mem = '${TUNED_WORK_MEM}'`);
    await c.query('SET jit = off');
    const tuned = await timeQueries(queries, (sql) => c.query(sql));
    await c.query('DROP TABLE bench_facts');
    await c.query('DROP TABLE bench_visitor_geo_days');
    return { fact_rows: rows, copies, scale_seconds: scaleSeconds, queries: timings, tuned: { settings: `work_mem=${TUNED_WORK_MEM}, jit=off`, queries: tuned } };
  } finally {
    await c.end();
  }
}
