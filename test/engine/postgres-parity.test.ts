/**
 * The start of the warehouse parity test [postgresql]: one pipeline run writes the same input to a
 * `duckdb` and a `postgres` sink, and both answer the same questions the same way (counts, top
 * paths, status mix, requests per hour, sessions, quarantine, security events); a second run over
 * the same input changes neither. PostgreSQL must be running: the test fails, never skips, without it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { askWarehouse } from '../helpers/data-files.js';
import { dropSchema, freshSchemaName, pgRows, postgresUrl } from '../helpers/postgres.js';
import { tmpDir } from '../helpers/tmp.js';

const pipeline = (url: string, schema: string): string => `name: parity
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
    chunk_bytes: 65536
stages:
  - type: parse
    format: apache_combined
  - type: validate
  - type: dedupe
  - type: sessions
  - type: threat
  - type: behavior
    http_404_burst: { threshold: 3, window_secs: 600 }
  - type: privacy
sinks:
  - id: warehouse
    type: duckdb
  - id: pg
    type: postgres
    connection: ${url}
    tls: { mode: disable }
    schema: ${schema}
engine:
  commit_lines: 1500
`;

/** The same question in each dialect; answers compared as JSON after normalising numbers. */
const QUESTIONS: readonly { readonly name: string; readonly duckdb: string; readonly postgres: string }[] = [
  { name: 'counts', duckdb: 'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM quarantine) AS quarantined, (SELECT count(*) FROM security_events) AS events',
    postgres: 'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM quarantine) AS quarantined, (SELECT count(*) FROM security_events) AS events' },
  { name: 'top paths', duckdb: 'SELECT path, requests, error_rate FROM top_paths LIMIT 15', postgres: 'SELECT path, requests, error_rate FROM top_paths LIMIT 15' },
  { name: 'p95 per path', duckdb: 'SELECT path, round(p95_request_time_ms, 3) AS p95 FROM top_paths ORDER BY path COLLATE "C"', postgres: 'SELECT path, round(p95_request_time_ms::numeric, 3) AS p95 FROM top_paths ORDER BY path COLLATE "C"' },
  { name: 'status mix', duckdb: 'SELECT status_class, "count", share FROM status_mix', postgres: 'SELECT status_class, "count", share FROM status_mix' },
  { name: 'requests per hour', duckdb: "SELECT strftime(hour, '%Y-%m-%d %H:%M') AS hour, requests, errors, bytes FROM requests_per_hour",
    postgres: "SELECT to_char(hour, 'YYYY-MM-DD HH24:MI') AS hour, requests, errors, bytes FROM requests_per_hour" },
  { name: 'top clients', duckdb: 'SELECT client_ip, requests, client_errors, server_errors, bytes FROM top_clients LIMIT 10',
    postgres: 'SELECT client_ip, requests, client_errors, server_errors, bytes FROM top_clients LIMIT 10' },
  { name: 'sessions', duckdb: 'SELECT count(*) AS n, sum(requests) AS requests, sum(page_count) AS pages, count(*) FILTER (WHERE bounce) AS bounces, count(DISTINCT entry_page) AS entries FROM sessions',
    postgres: 'SELECT count(*) AS n, sum(requests) AS requests, sum(page_count) AS pages, count(*) FILTER (WHERE bounce) AS bounces, count(DISTINCT entry_page) AS entries FROM sessions' },
  { name: 'quarantine by reason', duckdb: 'SELECT code, stage, field, "count" FROM quarantine_by_reason ORDER BY code, stage, field',
    postgres: 'SELECT code, stage, field, "count" FROM quarantine_by_reason ORDER BY code, stage, field' },
  { name: 'security events', duckdb: 'SELECT kind, rule, severity, count(*) AS n FROM security_events GROUP BY ALL ORDER BY ALL',
    postgres: 'SELECT kind, rule, severity, count(*) AS n FROM security_events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3' },
];

const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

test('a duckdb and a postgres sink fed by one run give the same answers, and a re-run changes neither', async (t) => {
  const url = await postgresUrl();
  const schema = freshSchemaName();
  t.after(() => dropSchema(url, schema));
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'logs'));
  await generateAccessLog({ lines: 6000, seed: 41, format: 'apache_combined', malformedRatio: 0.02, days: 3 }, join(dir, 'logs', 'a.log'));
  await generateAccessLog({ lines: 3000, seed: 42, format: 'apache_combined', malformedRatio: 0.02, days: 2 }, join(dir, 'logs', 'b.log'));
  writeFileSync(join(dir, 'p.yaml'), pipeline(url, schema));
  const data = join(dir, 'data');
  const first = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(first.status, 'succeeded', first.error?.message);
  assert.ok(first.commits > 3, `several commits: ${first.commits}`);

  const answers = async (): Promise<Record<string, { duckdb: string; postgres: string }>> => {
    const out: Record<string, { duckdb: string; postgres: string }> = {};
    for (const q of QUESTIONS) {
      const d = (await askWarehouse(join(data, 'warehouse.duckdb'), q.duckdb)).map((r) => r.map(plain));
      const p = (await pgRows(url, q.postgres, [], schema)).map((r) => Object.values(r));
      out[q.name] = { duckdb: JSON.stringify(d), postgres: JSON.stringify(p) };
    }
    return out;
  };
  const before = await answers();
  for (const [name, a] of Object.entries(before)) assert.equal(a.postgres, a.duckdb, `${name}: postgres and duckdb differ`);
  const counts = JSON.parse(before['counts']!.duckdb) as number[][];
  assert.ok(counts[0]![0]! > 8000 && counts[0]![1]! > 50 && counts[0]![2]! > 0, `rows, rejections and security events landed: ${counts[0]}`);

  const again = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  assert.equal(again.status, 'succeeded', again.error?.message);
  assert.deepEqual(await answers(), before, 'a re-run over the same input changes neither warehouse');
});
