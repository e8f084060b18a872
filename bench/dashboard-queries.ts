/**
 * The dashboard-style queries of `npm run bench:gold`, in the SQL DuckDB and PostgreSQL share, over
 * the scaled copies `bench_facts` and `bench_visitor_geo_days` and the `dim_geo` dimension. `day0`
 * .. `day1` (`YYYY-MM-DD`) is the week they look at; `day0` is the day.
 */
import { percentile } from './percentile.js';

export function dashboardQueries(day0: string, day1: string): Record<string, string> {
  return {
    'top endpoints with p95 over a day (facts)': `SELECT endpoint, count(*) AS requests, percentile_cont(0.95) WITHIN GROUP (ORDER BY request_time_ms) AS p95 FROM bench_facts WHERE day = DATE '${day0}' GROUP BY endpoint ORDER BY requests DESC LIMIT 20`,
    'visitors by country over a week (facts + dim_geo)': `SELECT g.geo_country, count(DISTINCT f.visitor_key) AS visitors FROM bench_facts f JOIN dim_geo g USING (geo_key) WHERE f.day BETWEEN DATE '${day0}' AND DATE '${day1}' GROUP BY 1 ORDER BY 2 DESC`,
    'visitors by country over a week (visitor_geo_days)': `SELECT geo_country, count(DISTINCT visitor_key) AS visitors FROM bench_visitor_geo_days WHERE day BETWEEN DATE '${day0}' AND DATE '${day1}' GROUP BY 1 ORDER BY 2 DESC`,
    'errors per minute over a day (facts)': `SELECT minute, count(*) FILTER (WHERE status >= 500) AS errors, count(*) AS requests FROM bench_facts WHERE day = DATE '${day0}' GROUP BY minute ORDER BY minute`,
    'week over week requests by day (facts)': `SELECT day, count(*) AS requests, lag(count(*), 7) OVER (ORDER BY day) AS week_before FROM bench_facts WHERE day BETWEEN DATE '${day0}' - 7 AND DATE '${day1}' GROUP BY day ORDER BY day`,
  };
}

/** p50 and p95 of a query, in milliseconds. */
export interface QueryTiming {
  readonly p50_ms: number;
  readonly p95_ms: number;
}

/** Times each of `queries` with `run`: one warm-up, then 20 runs; p50 and p95 rounded to 0.1 ms. */
export async function timeQueries(queries: Readonly<Record<string, string>>, run: (sql: string) => Promise<unknown>): Promise<Record<string, QueryTiming>> {
  const timings: Record<string, QueryTiming> = {};
  for (const [name, sql] of Object.entries(queries)) {
    const ms: number[] = [];
    await run(sql);
    for (let i = 0; i < 20; i++) { const q0 = performance.now(); await run(sql); ms.push(performance.now() - q0); }
    timings[name] = { p50_ms: Math.round(percentile(ms, 50) * 10) / 10, p95_ms: Math.round(percentile(ms, 95) * 10) / 10 };
  }
  return timings;
}
