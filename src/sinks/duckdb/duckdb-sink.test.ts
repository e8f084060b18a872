import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Logger, SinkBatch, SinkContext } from '../../core/component.js';
import type { RecordSchema } from '../../core/record.js';
import { ACCESS_SCHEMA } from '../../core/record.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { DuckdbConfig } from './config.js';
import { DuckdbSink, warehousePath } from './duckdb-sink.js';
import { openWarehouse } from './warehouse.js';
import type { Warehouse } from './warehouse.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HEADER = 'client_ip,ident,user,ts,ts_offset_min,method,path,query,protocol,status,bytes_sent,referer,user_agent,' +
  'request_time_ms,upstream_time_ms,vhost,port,x_forwarded_for,format,extras,source_stream,source_offset,source_line,source_uri';
// 6 requests over two hours: /a ×4 (one 500), /b ×2 (one 404); two clients.
const LINES = [
  '"10.0.0.1",,,2024-03-05 10:00:00.000000,0,"GET","/a",,"HTTP/1.1",200,100,,"ua",10,,"h",443,,"f",,"s",0,1,"/l"',
  '"10.0.0.1",,,2024-03-05 10:10:00.000000,0,"GET","/a",,"HTTP/1.1",200,100,,"ua",20,,"h",443,,"f",,"s",10,2,"/l"',
  '"10.0.0.2",,,2024-03-05 10:20:00.000000,0,"GET","/a",,"HTTP/1.1",500,,,"ua",30,,"h",443,,"f","{""k"":1}","s",20,3,"/l"',
  '"10.0.0.1",,,2024-03-05 11:00:00.000000,0,"GET","/a",,"HTTP/1.1",304,0,,"ua",40,,"h",443,,"f",,"s",30,4,"/l"',
  '"10.0.0.2",,,2024-03-05 11:30:00.000000,0,"GET","/b",,"HTTP/1.1",404,50,,"ua",5,,"h",443,,"f",,"s",40,5,"/l"',
  '"10.0.0.2",,,2024-03-05 11:40:00.000000,0,"GET","/b",,"HTTP/1.1",200,50,,"ua",5,,"h",443,,"f",,"s",50,6,"/l"',
];

const cfg = (path: string, over: Partial<DuckdbConfig> = {}): DuckdbConfig => ({ path, table: 'requests', quarantine_table: 'quarantine', memory_limit: '256MB', ...over });
const ctxFor = (dir: string, schema: RecordSchema = ACCESS_SCHEMA): SinkContext => ({ pipeline: 'p', baseDir: dir, dataDir: dir, schema, outputs: [], log });

function batch(dir: string, commitId: string, lines: readonly string[], to: number): SinkBatch {
  const csvPath = join(dir, `${commitId}.csv`);
  writeFileSync(csvPath, `${HEADER}\n${lines.join('\n')}\n`);
  return {
    commitId, schema: ACCESS_SCHEMA, csvPath, rows: lines.length, streams: new Map([['s', { from: 0, to }]]), outputs: [],
    rejections: [{ origin: { source: 'logs', uri: '/l', stream: 's', line: 7, offset: to - 5 }, raw: 'junk', code: 'parse_failed', reason: 'no match', stage: 'parse' }],
  };
}

async function rows(wh: Warehouse, sql: string): Promise<unknown[][]> {
  return (await wh.query(sql)).rows.map((r) => [...r]);
}

describe('duckdb sink', () => {
  it('creates typed tables, watermarks and access views that answer correctly', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'w.duckdb');
    const sink = new DuckdbSink('wh', cfg(path, { threads: 1, memory_limit: '512MB' }), ctxFor(dir));
    t.after(() => sink.close());
    await sink.open();
    await sink.write(batch(dir, 'c1', LINES, 60));
    await sink.commit('c1');
    const wh = await openWarehouse(path, { readOnly: true });
    t.after(() => wh.close());
    const types = Object.fromEntries(await rows(wh, 'DESCRIBE requests') as [string, string][]);
    assert.equal(types.ts, 'TIMESTAMP');
    assert.equal(types.extras, 'JSON');
    assert.equal(types.source_offset, 'BIGINT');
    assert.deepEqual(await rows(wh, "SELECT current_setting('threads'), current_setting('TimeZone')"), [[1, 'UTC']]);
    assert.deepEqual(await rows(wh, 'SELECT dataset, stream, next_offset FROM _tributary_watermarks'), [['requests', 's', 60]]);
    assert.deepEqual(await rows(wh, 'SELECT * FROM requests_per_hour'), [
      ['2024-03-05T10:00:00.000000Z', 3, 1, 200], ['2024-03-05T11:00:00.000000Z', 3, 0, 100]]);
    assert.deepEqual(await rows(wh, 'SELECT path, requests, error_rate FROM top_paths'), [['/a', 4, 0.25], ['/b', 2, 0]]);
    assert.deepEqual(await rows(wh, 'SELECT p95_request_time_ms FROM top_paths'), [[38.5], [5]]);
    assert.deepEqual(await rows(wh, 'SELECT * FROM status_mix'), [['2xx', 3, 0.5], ['3xx', 1, 0.1667], ['4xx', 1, 0.1667], ['5xx', 1, 0.1667]]);
    assert.deepEqual(await rows(wh, 'SELECT client_ip, requests, client_errors, server_errors, bytes, first_seen FROM top_clients'), [
      ['10.0.0.1', 3, 0, 0, 200, '2024-03-05T10:00:00.000000Z'], ['10.0.0.2', 3, 1, 1, 100, '2024-03-05T10:20:00.000000Z']]);
    assert.deepEqual(await rows(wh, 'SELECT code, stage, field, count, last_reason FROM quarantine_by_reason'), [['parse_failed', 'parse', null, 1, 'no match']]);
    assert.deepEqual(await rows(wh, "SELECT extras->>'k', commit_id FROM requests, quarantine WHERE extras IS NOT NULL"), [['1', 'c1']]);
    assert.deepEqual(sink.location(), {
      sink: 'wh', type: 'duckdb', location: `${path}#requests`,
      description: `DuckDB table "requests" (rejections in "quarantine") in ${path}`,
    });
  });

  it('filters a partly re-delivered batch per stream inside one transaction', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'w.duckdb');
    const sink = new DuckdbSink('wh', cfg(path), ctxFor(dir));
    t.after(() => sink.close());
    await sink.open();
    await sink.write(batch(dir, 'c1', LINES.slice(0, 3), 30));
    await sink.commit('c1');
    const w = await sink.write(batch(dir, 'c2', LINES.slice(1), 60));
    assert.equal(w.written, 3);
    const wh = await openWarehouse(path);
    t.after(() => wh.close());
    assert.deepEqual(await rows(wh, 'SELECT count(*) FROM requests'), [[3]], 'the open transaction is invisible to others');
    await sink.commit('c2');
    assert.deepEqual(await rows(wh, 'SELECT list(source_offset ORDER BY source_offset) FROM requests'), [[[0, 10, 20, 30, 40, 50]]]);
    assert.deepEqual(await rows(wh, 'SELECT list("offset" ORDER BY "offset") FROM quarantine'), [[[25, 55]]]);
    assert.equal((await sink.write(batch(dir, 'c3', LINES, 60))).written, 0);
    await sink.commit('c3');
    assert.deepEqual(await rows(wh, 'SELECT count(*) FROM requests'), [[6]]);
    assert.deepEqual(await rows(wh, 'SELECT count(*) FROM quarantine'), [[2]]);
    assert.deepEqual(await rows(wh, 'SELECT next_offset FROM _tributary_watermarks'), [[60]]);
  });

  it('adds columns a newer schema brings to an existing table', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'w.duckdb');
    const small: RecordSchema = { name: 'x', columns: [{ name: 'a', type: 'varchar', nullable: true, description: '' }] };
    const s1 = new DuckdbSink('wh', cfg(path, { table: 't' }), ctxFor(dir, small));
    await s1.open();
    await s1.close();
    const big: RecordSchema = { name: 'x', columns: [...small.columns, { name: 'b', type: 'double', nullable: true, description: '' }] };
    const s2 = new DuckdbSink('wh', cfg(path, { table: 't' }), ctxFor(dir, big));
    await s2.open();
    await s2.close();
    const wh = await openWarehouse(path);
    t.after(() => wh.close());
    assert.deepEqual((await rows(wh, 'DESCRIBE t')).map((r) => r[0]), ['a', 'source_stream', 'source_offset', 'source_line', 'source_uri', 'b']);
    assert.deepEqual((await rows(wh, "SELECT count(*) FROM duckdb_views() WHERE view_name = 'top_paths'")), [[0]], 'no access views for other schemas');
  });

  it('config: defaults, strict keys, path resolution', () => {
    assert.deepEqual(DuckdbConfig.parse({}), { table: 'requests', quarantine_table: 'quarantine', memory_limit: '256MB' });
    assert.throws(() => DuckdbConfig.parse({ tabel: 'x' }));
    assert.throws(() => DuckdbConfig.parse({ table: 'drop table x;' }));
    assert.throws(() => DuckdbConfig.parse({ memory_limit: 'lots' }));
    assert.equal(DuckdbConfig.parse({ memory_limit: '2GB' }).memory_limit, '2GB');
    assert.equal(warehousePath(DuckdbConfig.parse({}), { baseDir: '/p', dataDir: '/d' }), '/d/warehouse.duckdb');
    assert.equal(warehousePath(DuckdbConfig.parse({ path: 'w.db' }), { baseDir: '/p', dataDir: '/d' }), '/p/w.db');
  });
});
