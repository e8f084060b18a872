/**
 * What only the `postgres` sink does, against the real PostgreSQL [postgresql]: day partitions
 * (ahead of time, on demand, the default partition and moving rows out of it), indexes, an
 * additional dataset as its own partitioned table, the load ledger under retries and crashes
 * (SIGKILL through failpoints), and TLS refused by a server without it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { isTributaryError } from '../../core/errors.js';
import type { RecordSchema } from '../../core/record.js';
import { dropSchema, freshSchemaName, pgRows, postgresUrl } from '../../../test/helpers/postgres.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { PostgresConfig } from './config.js';
import { utcDay } from './pg-sql.js';
import { PostgresSink } from './postgres-sink.js';
import { MINI_SCHEMA, miniBatch, miniContext, writeMiniCsv, type MiniRow } from './test-helpers.js';

const url = await postgresUrl();

/** A fresh schema (dropped after `t`) and a config on it. */
function fresh(t: TestContext, extra: Record<string, unknown> = {}): PostgresConfig & { schema: string } {
  const schema = freshSchemaName();
  t.after(() => dropSchema(url, schema));
  return PostgresConfig.parse({ connection: url, tls: { mode: 'disable' }, schema, ...extra }) as PostgresConfig & { schema: string };
}

const row = (ts: string, offset: number, stream = 's1', path = '/a', status = 200): MiniRow => ({ ts, path, status, stream, offset });
const today = (plusDays = 0): string => utcDay(Date.now(), plusDays);

/** Partition name → rows in it, for the partitions of `schema.table`. */
async function partitionCounts(schema: string, table: string): Promise<Map<string, number>> {
  const parts = await pgRows(url, `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = $1::regclass ORDER BY 1`, [`"${schema}"."${table}"`]);
  const out = new Map<string, number>();
  for (const p of parts) out.set(String(p.name), Number((await pgRows(url, `SELECT count(*) AS n FROM "${schema}"."${String(p.name)}"`))[0]!.n));
  return out;
}

/** An opened sink whose session can be killed by the server (`kill` returns the backends terminated). */
async function namedSink(t: TestContext) {
  const dir = tmpDir(t);
  const config = fresh(t);
  const id = `pg-${config.schema}`;
  const sink = new PostgresSink(id, config, miniContext(dir));
  t.after(() => sink.close());
  await sink.open();
  const kill = async (): Promise<number> =>
    (await pgRows(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`tributary-sink:${id}`])).length;
  return { dir, config, sink, kill };
}

/** Writes and commits one row and checks it is the only row of `schema.requests`. */
async function loadsOneRow(dir: string, schema: string, sink: PostgresSink): Promise<void> {
  const w = await sink.write(miniBatch(dir, 'run1-000001', [row('2024-03-05 10:00:00', 0)]));
  assert.equal(w.written, 1);
  await sink.commit('run1-000001');
  assert.equal((await pgRows(url, `SELECT count(*) AS n FROM "${schema}".requests`))[0]!.n, 1);
}

describe('postgres sink warehouse [postgresql]', () => {
  it('partitions by UTC day: ahead of time, on demand, and a default partition for NULL and out-of-window ts', async (t) => {
    const dir = tmpDir(t);
    const config = fresh(t, { partition_days_ahead: 2, partition_days_back: 30 });
    const sink = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => sink.close());
    await sink.open();
    const opened = await partitionCounts(config.schema, 'requests');
    const compact = (d: string): string => d.replaceAll('-', '');
    assert.deepEqual([...opened.keys()].sort(), [...[0, 1, 2].map((i) => `requests_p${compact(today(i))}`), 'requests_default'].sort());

    const rows = [
      row(`${today(-3)} 23:59:59.999999`, 0), row(`${today(-3)}T23:30:00-01:00`, 10), // the second is on day -2 in UTC
      row('', 20), row('2001-01-01 00:00:00', 30), row(`${today(9)} 08:00:00`, 40), row(`${today(1)} 00:00:00`, 50),
    ];
    await sink.write(miniBatch(dir, 'run1-000000', rows));
    await sink.commit('run1-000000');
    const after = await partitionCounts(config.schema, 'requests');
    assert.equal(after.get(`requests_p${compact(today(-3))}`), 1);
    assert.equal(after.get(`requests_p${compact(today(-2))}`), 1);
    assert.equal(after.get(`requests_p${compact(today(1))}`), 1);
    assert.equal(after.get('requests_default'), 3, 'NULL ts, older than partition_days_back, beyond partition_days_ahead');
    assert.equal(after.size, 6);

    // A wider window later: the future day gets its partition and its row moves out of the default.
    await sink.close();
    const wider = new PostgresSink('pg', { ...config, partition_days_ahead: 10 }, miniContext(dir));
    t.after(() => wider.close());
    await wider.open();
    const moved = await partitionCounts(config.schema, 'requests');
    assert.equal(moved.get(`requests_p${compact(today(9))}`), 1);
    assert.equal(moved.get('requests_default'), 2);
    assert.equal(Number((await pgRows(url, `SELECT count(*) AS n FROM "${config.schema}".requests`))[0]!.n), 6, 'no row lost or doubled by the move');
  });

  it('creates a BRIN index on ts and b-tree indexes on the dashboard columns present, on every partition', async (t) => {
    const dir = tmpDir(t);
    const config = fresh(t, { partition_days_ahead: 0 });
    const sink = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => sink.close());
    await sink.open();
    const idx = await pgRows(url, `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'requests' ORDER BY 1`, [config.schema]);
    assert.deepEqual(idx.map((i) => i.indexname), ['requests_path_idx', 'requests_status_idx', 'requests_ts_brin']);
    assert.match(String(idx[2]!.indexdef), /USING brin \(ts\)/);
    const onPart = await pgRows(url, 'SELECT count(*) AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [config.schema, `requests_p${today().replaceAll('-', '')}`]);
    assert.equal(onPart[0]!.n, 3);
  });

  it('loads an additional dataset into its own partitioned table, under the same watermarks', async (t) => {
    const dir = tmpDir(t);
    const events: RecordSchema = { name: 'security_events', columns: [
      { name: 'ts', type: 'timestamp', nullable: false, description: 't' },
      { name: 'client_id', type: 'varchar', nullable: true, description: 'c' },
      { name: 'rule', type: 'varchar', nullable: false, description: 'r' },
    ] };
    const config = fresh(t, { partition_days_ahead: 0 });
    const sink = new PostgresSink('pg', config, miniContext(dir, [{ dataset: 'security_events', schema: events }]));
    t.after(() => sink.close());
    await sink.open();
    const eventCsv = (name: string, offsets: number[]): string => {
      const path = join(dir, `${name}.csv`);
      writeFileSync(path, `ts,client_id,rule,source_stream,source_offset,source_line,source_uri\n${offsets.map((o) =>
        `2024-03-05 10:00:00.000000,"ps1_abc","behavior.http_404_burst","s1",${o},${o + 1},"/logs/s1.log"`).join('\n')}\n`);
      return path;
    };
    const batch = (id: string, offsets: number[]) => miniBatch(dir, id, offsets.map((o) => row('2024-03-05 10:00:00', o)), {
      outputs: [{ dataset: 'security_events', schema: events, csvPath: eventCsv(`${id}-events`, offsets), rows: offsets.length }],
    });
    await sink.write(batch('run1-000000', [0, 10]));
    await sink.commit('run1-000000');
    const w = await sink.write(batch('run1-000001', [10, 20]));
    assert.equal(w.written, 1);
    await sink.commit('run1-000001');
    const got = await pgRows(url, `SELECT source_offset, client_id FROM "${config.schema}".security_events ORDER BY 1`);
    assert.deepEqual(got, [{ source_offset: 0, client_id: 'ps1_abc' }, { source_offset: 10, client_id: 'ps1_abc' }, { source_offset: 20, client_id: 'ps1_abc' }]);
    const parts = await partitionCounts(config.schema, 'security_events');
    assert.equal(parts.get('security_events_p20240305'), 3);
    const idx = await pgRows(url, "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'security_events' ORDER BY 1", [config.schema]);
    assert.deepEqual(idx.map((i) => i.indexname), ['security_events_client_id_idx', 'security_events_ts_brin']);
  });

  it('a retried commit (same commit id, write + commit again, also from a new sink) lands nothing twice', async (t) => {
    const dir = tmpDir(t);
    const config = fresh(t);
    const rows = [0, 10, 20].map((o) => row('2024-03-05 10:00:00', o));
    const rejection = { origin: { source: 'logs', uri: '/logs/s1.log', stream: 's1', line: 2, offset: 5 }, raw: 'x', code: 'parse_failed', reason: 'bad', stage: 'parse' } as const;
    const a = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => a.close());
    await a.open();
    assert.equal((await a.write(miniBatch(dir, 'run1-000000', rows, { rejections: [rejection] }))).written, 3);
    await a.commit('run1-000000');
    // The engine lost the outcome (e.g. the control store commit never happened) and retries the commit.
    assert.equal((await a.write(miniBatch(dir, 'run1-000000', rows, { rejections: [rejection] }))).written, 3, 'the ledger reports what the commit loaded');
    assert.deepEqual(await a.commit('run1-000000'), []);
    await a.close();
    const b = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => b.close());
    await b.open();
    assert.deepEqual(await b.commit('run1-000000'), [], 'a commit recorded in the ledger is committed, also for a new sink');
    await b.write(miniBatch(dir, 'run1-000000', rows, { rejections: [rejection] }));
    await b.commit('run1-000000');
    await b.write(miniBatch(dir, 'run2-000000', rows, { rejections: [rejection] })); // a new run re-delivers the same input
    await b.commit('run2-000000');
    const counts = (await pgRows(url, `SELECT (SELECT count(*) FROM "${config.schema}".requests) AS rows,
      (SELECT count(*) FROM "${config.schema}".quarantine) AS rejected, (SELECT count(*) FROM "${config.schema}"._tributary_loads) AS loads`))[0];
    assert.deepEqual(counts, { rows: 3, rejected: 1, loads: 2 });
  });

  for (const [point, expectRows] of [['postgres.sink.after_insert', 0], ['postgres.sink.after_commit', 2]] as const) {
    it(`a process killed at ${point} then re-run stores every row exactly once`, async (t) => {
      const dir = tmpDir(t);
      const config = fresh(t);
      const csv = writeMiniCsv(dir, 'batch', [row('2024-03-05 10:00:00', 0), row('2024-03-05 11:00:00', 10)]);
      const child = join(dir, 'child.mts');
      writeFileSync(child, `import { PostgresSink } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'postgres-sink.ts')).href)};
import { PostgresConfig } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'config.ts')).href)};
import { MINI_SCHEMA, miniContext } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'test-helpers.ts')).href)};
const sink = new PostgresSink('pg', PostgresConfig.parse(${JSON.stringify({ connection: url, tls: { mode: 'disable' }, schema: config.schema })}), miniContext(${JSON.stringify(dir)}));
await sink.open();
await sink.write({ commitId: 'run1-000000', schema: MINI_SCHEMA, csvPath: ${JSON.stringify(csv)}, rows: 2, rejections: [], streams: new Map([['s1', { from: 0, to: 20 }]]), outputs: [] });
await sink.commit('run1-000000');
await sink.close();
`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', child], { env: { ...process.env, TRIBUTARY_FAILPOINT: point }, encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', `the child was killed at the failpoint: ${r.stderr}`);
      assert.equal((await pgRows(url, `SELECT count(*) AS n FROM "${config.schema}".requests`))[0]!.n, expectRows);
      const sink = new PostgresSink('pg', config, miniContext(dir));
      t.after(() => sink.close());
      await sink.open();
      const w = await sink.write(miniBatch(dir, 'run2-000000', [row('2024-03-05 10:00:00', 0), row('2024-03-05 11:00:00', 10)], { end: 20 }));
      assert.equal(w.written, 2 - expectRows);
      await sink.commit('run2-000000');
      const got = await pgRows(url, `SELECT source_offset FROM "${config.schema}".requests ORDER BY 1`);
      assert.deepEqual(got.map((g) => g.source_offset), [0, 10]);
    });
  }

  it('adds columns a newer schema brings to the table and every partition; old rows read NULL', async (t) => {
    const dir = tmpDir(t);
    const config = fresh(t, { partition_days_ahead: 0 });
    const a = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => a.close());
    await a.open();
    await a.write(miniBatch(dir, 'run1-000000', [row('2024-03-05 10:00:00', 0)]));
    await a.commit('run1-000000');
    await a.close();
    const wider: RecordSchema = { ...MINI_SCHEMA, columns: [...MINI_SCHEMA.columns, { name: 'client_ip', type: 'varchar', nullable: true, description: 'ip' }] };
    const b = new PostgresSink('pg', config, miniContext(dir, [], wider));
    t.after(() => b.close());
    await b.open();
    const csv = join(dir, 'wide.csv');
    writeFileSync(csv, 'ts,path,status,client_ip,source_stream,source_offset,source_line,source_uri\n2024-03-05 11:00:00,"/b",404,"10.0.0.1","s1",10,2,"/logs/s1.log"\n');
    await b.write({ commitId: 'run2-000000', schema: wider, csvPath: csv, rows: 1, rejections: [], streams: new Map([['s1', { from: 10, to: 20 }]]), outputs: [] });
    await b.commit('run2-000000');
    const got = await pgRows(url, `SELECT source_offset, client_ip FROM "${config.schema}".requests_p20240305 ORDER BY 1`);
    assert.deepEqual(got, [{ source_offset: 0, client_ip: null }, { source_offset: 10, client_ip: '10.0.0.1' }]);
    const idx = await pgRows(url, "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'requests' AND indexname = 'requests_client_ip_idx'", [config.schema]);
    assert.equal(idx.length, 1, 'the new dashboard column is indexed');
  });

  it('a connection the server drops while idle is re-opened by the next write', async (t) => {
    const { dir, config, sink, kill } = await namedSink(t);
    assert.equal(await kill(), 1);
    await new Promise((r) => setTimeout(r, 100));
    await loadsOneRow(dir, config.schema, sink);
  });

  it('a connection lost in the middle of a write fails it with a TributaryError, leaves nothing, and the next write loads', async (t) => {
    const { dir, config, sink, kill } = await namedSink(t);
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    t.after(() => blocker.end());
    await blocker.query('BEGIN');
    await blocker.query("SELECT pg_advisory_xact_lock(hashtextextended('tributary.load:' || $1, 0))", [`${config.schema}.requests`]);
    const pending = assert.rejects(sink.write(miniBatch(dir, 'run1-000000', [row('2024-03-05 10:00:00', 0)])),
      (e: unknown) => isTributaryError(e) && e.code === 'TRB_SINK_WRITE_FAILED');
    await new Promise((r) => setTimeout(r, 300)); // the write now waits for the load lock, inside its transaction
    assert.equal(await kill(), 1);
    await pending;
    await sink.abort('run1-000000');
    await blocker.query('ROLLBACK');
    assert.equal((await pgRows(url, `SELECT count(*) AS n FROM "${config.schema}".requests`))[0]!.n, 0);
    await loadsOneRow(dir, config.schema, sink);
  });

  it('refuses TLS modes this server cannot do with TRB_CONNECT_POSTGRES_TLS_FAILED, before anything is written', async (t) => {
    const dir = tmpDir(t);
    const config = fresh(t, { tls: { mode: 'require' } });
    const sink = new PostgresSink('pg', config, miniContext(dir));
    t.after(() => sink.close());
    await assert.rejects(sink.open(), (e: unknown) => isTributaryError(e) && e.code === 'TRB_CONNECT_POSTGRES_TLS_FAILED' && e.retry === 'never');
    const bad = new PostgresSink('pg', { ...config, tls: { mode: 'disable', min_version: 'TLSv1.2' }, connection: { host: '127.0.0.1', port: 1, database: 'test', user: 'postgres' } }, miniContext(dir));
    await assert.rejects(bad.open(), (e: unknown) => isTributaryError(e) && e.code === 'TRB_CONNECT_POSTGRES_UNREACHABLE' && e.retry === 'backoff');
  });
});
