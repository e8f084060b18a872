import { DuckDBInstance } from '@duckdb/node-api';
import { ACCESS_SCHEMA } from '/work/main/dist/src/core/record.js';
import { readCsvSql, csvSelectList, storedColumns, duckdbType, quoteIdent } from '/work/main/dist/src/sinks/_shared/sql.js';
import { rmSync, mkdirSync } from 'node:fs';
const csv = '/tmp/perf/commit.csv';
rmSync('/tmp/perf/wh2.duckdb', { force: true }); rmSync('/tmp/perf/wh2.duckdb.wal', { force: true });
const db = await DuckDBInstance.create('/tmp/perf/wh2.duckdb'); const c = await db.connect();
await c.run("SET TimeZone='UTC'");
if (process.argv[2]) await c.run(process.argv[2]);
async function T(name, sql) { const t = performance.now(); const r = await c.runAndReadAll(sql); console.log(name, (performance.now() - t).toFixed(0), 'ms'); }
const cols = storedColumns(ACCESS_SCHEMA).map((x) => `${quoteIdent(x.name)} ${duckdbType(x.type, 'JSON')}`).join(', ');
const fast = readCsvSql(csv, ACCESS_SCHEMA).replace("'TIMESTAMPTZ'", "'TIMESTAMP'");
const slow = readCsvSql(csv, ACCESS_SCHEMA);
for (const [name, src, json] of [['csv tstz json', slow, 'JSON'], ['csv ts json', fast, 'JSON'], ['csv ts varchar', fast, 'VARCHAR'], ['parquet', null, null]]) {
  await c.run(`CREATE OR REPLACE TABLE t (${cols})`); await c.run('CHECKPOINT');
  await c.run('BEGIN');
  if (src) await T('insert ' + name, `INSERT INTO t SELECT ${csvSelectList(ACCESS_SCHEMA, 'c', json)} FROM ${src} AS c`);
  else await T('insert ' + name, `INSERT INTO t SELECT * FROM '/tmp/perf/pq/one-u.parquet'`);
  await T('  commit', 'COMMIT');
}
