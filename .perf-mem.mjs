import { DuckDBInstance } from '@duckdb/node-api';
import { ACCESS_SCHEMA } from '/work/main/dist/src/core/record.js';
import { readCsvSql, csvSelectList, storedColumns, duckdbType, quoteIdent } from '/work/main/dist/src/sinks/_shared/sql.js';
import { rmSync } from 'node:fs';
const [mode, setting] = process.argv.slice(2);
const csv = process.env.CSV ?? '/tmp/perf/commit.csv';
const rss = () => Math.round(process.memoryUsage().rss / 1048576);
let c;
const t = performance.now();
if (mode === 'lake') {
  const db = await DuckDBInstance.create(':memory:'); c = await db.connect();
  await c.run("SET TimeZone='UTC'"); await c.run('SET preserve_insertion_order=false'); if (setting) for (const s of setting.split(';')) await c.run(s);
  rmSync('/tmp/perf/pqm', { recursive: true, force: true });
  await c.run(`COPY (SELECT ${csvSelectList(ACCESS_SCHEMA, 'c')}, strftime(CAST(c.ts AS TIMESTAMP), '%Y-%m-%d') AS day FROM ${readCsvSql(csv, ACCESS_SCHEMA)} AS c) TO '/tmp/perf/pqm' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, PARTITION_BY (day), FILENAME_PATTERN 'data_{i}')`);
} else {
  rmSync('/tmp/perf/whm.duckdb', { force: true });
  const db = await DuckDBInstance.create('/tmp/perf/whm.duckdb'); c = await db.connect();
  await c.run("SET TimeZone='UTC'"); if (setting) for (const s of setting.split(';')) await c.run(s);
  const cols = storedColumns(ACCESS_SCHEMA).map((x) => `${quoteIdent(x.name)} ${duckdbType(x.type, 'JSON')}`).join(', ');
  await c.run(`CREATE TABLE t (${cols})`);
  await c.run('BEGIN');
  await c.run(`INSERT INTO t SELECT ${csvSelectList(ACCESS_SCHEMA, 'c', 'JSON')} FROM ${readCsvSql(csv, ACCESS_SCHEMA)} AS c`);
  await c.run('COMMIT');
}
const cpu = process.cpuUsage();
console.log(mode, setting ?? '', 'ms', Math.round(performance.now() - t), 'cpu s', ((cpu.user + cpu.system) / 1e6).toFixed(1), 'rss now', rss());
