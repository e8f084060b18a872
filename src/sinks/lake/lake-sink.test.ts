import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Logger, SinkBatch, SinkContext } from '../../core/component.js';
import type { RecordSchema } from '../../core/record.js';
import { ACCESS_SCHEMA } from '../../core/record.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { LakeConfig } from './config.js';
import { LakeSink, lakeRoot } from './lake-sink.js';
import { readLakeRows } from './read-lake.js';
import { reconcileLake } from './reconcile-lake.js';
import { lakeSinkSpec } from './index.js';
import { connectUtc } from '../_shared/duckdb-values.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HEADER = 'client_ip,ident,user,ts,ts_offset_min,method,path,query,protocol,status,bytes_sent,referer,user_agent,' +
  'request_time_ms,upstream_time_ms,vhost,port,x_forwarded_for,format,extras,source_stream,source_offset,source_line,source_uri';
const LINES = [
  '"10.0.0.1",,,2024-03-05 23:59:59.999999,60,"GET","/a",,"HTTP/1.1",200,512,,"curl/8",1.5,,"example.com",443,,"nginx_combined",,"f1",0,1,"/var/log/a.log"',
  '"10.0.0.2",,,2024-03-06 00:00:00.000000,60,"POST","/b","x=1","HTTP/1.1",500,,,"curl/8",250,,"example.com",443,,"nginx_combined","{""h"":""v""}","f1",100,2,"/var/log/a.log"',
  '"10.0.0.1",,,2024-03-06 10:00:00.000000,60,"GET","/a",,"HTTP/1.1",404,10,,"curl/8",3,,"example.com",443,,"nginx_combined",,"f1",200,3,"/var/log/a.log"',
];

function setup(dir: string, schema: RecordSchema = ACCESS_SCHEMA): { ctx: SinkContext; root: string } {
  return { ctx: { pipeline: 'p', baseDir: dir, dataDir: dir, schema, outputs: [], log }, root: join(dir, 'lake') };
}

function batch(dir: string, commitId: string, lines: readonly string[], to: number, header = HEADER, schema: RecordSchema = ACCESS_SCHEMA): SinkBatch {
  const csvPath = join(dir, `${commitId}.csv`);
  writeFileSync(csvPath, `${header}\n${lines.join('\n')}\n`);
  return {
    commitId, schema, csvPath, rows: lines.length, streams: new Map([['f1', { from: 0, to }]]), outputs: [],
    rejections: [{ origin: { source: 'logs', uri: '/var/log/a.log', stream: 'f1', line: 4, offset: 250 }, raw: 'junk', code: 'parse_failed', reason: 'no match', stage: 'parse' }],
  };
}

const config = (root: string, over: Partial<LakeConfig> = {}): LakeConfig =>
  ({ path: root, dataset: 'requests', compression: 'zstd', row_group_size: 122_880, memory_limit: '256MB', ...over });

describe('lake sink', () => {
  it('commits day partitions under deterministic names, with sizes, row counts and hashes', async (t) => {
    const dir = tmpDir(t);
    const { ctx, root } = setup(dir);
    const sink = new LakeSink('lake', config(root), ctx);
    t.after(() => sink.close());
    await sink.open();
    assert.deepEqual(await sink.write(batch(dir, 'run1-000000', LINES, 300)), { written: 3, failed: [] });
    assert.ok(existsSync(join(root, 'silver/requests/.staging/run1-000000')));
    const files = await sink.commit('run1-000000');
    const silver = files.filter((f) => f.path.startsWith('silver/'));
    assert.deepEqual(silver.map((f) => [f.path, f.rows, f.partition]), [
      ['silver/requests/day=2024-03-05/part-run1-000000-0.parquet', 1, 'day=2024-03-05'],
      ['silver/requests/day=2024-03-06/part-run1-000000-0.parquet', 2, 'day=2024-03-06'],
    ]);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(files.filter((f) => f.path.startsWith('quarantine/')).map((f) => [f.path, f.rows]),
      [[`quarantine/requests/day=${today}/part-run1-000000-0.parquet`, 1]]);
    for (const f of files) {
      const buf = readFileSync(join(root, f.path));
      assert.equal(f.bytes, statSync(join(root, f.path)).size);
      assert.equal(f.sha256, createHash('sha256').update(buf).digest('hex'));
    }
    assert.deepEqual(readdirSync(join(root, 'silver/requests/.staging')), []);
    const state = JSON.parse(readFileSync(join(root, 'silver/requests/_tributary_state.json'), 'utf8'));
    assert.deepEqual(state.watermarks, { f1: 300 });
    const rows = await readLakeRows(root, 'requests');
    assert.deepEqual(rows.map((r) => [r.ts, r.day, r.status, r.bytes_sent, r.extras]), [
      ['2024-03-05T23:59:59.999999Z', '2024-03-05', 200, 512, null],
      ['2024-03-06T00:00:00.000000Z', '2024-03-06', 500, null, '{"h":"v"}'],
      ['2024-03-06T10:00:00.000000Z', '2024-03-06', 404, 10, null],
    ]);
    assert.equal(sink.location().location, join(root, 'silver/requests'));
  });

  it('writes the configured codec and Parquet types (TIMESTAMP for ts, VARCHAR for json)', async (t) => {
    const dir = tmpDir(t);
    const { ctx, root } = setup(dir);
    const sink = new LakeSink('lake', config(root, { compression: 'snappy' }), ctx);
    t.after(() => sink.close());
    await sink.open();
    await sink.write(batch(dir, 'c1', LINES.slice(0, 1), 100));
    const [file] = await sink.commit('c1');
    const db = await DuckDBInstance.create(':memory:');
    t.after(() => db.closeSync());
    const conn = await connectUtc(db);
    const p = join(root, file!.path);
    const codecs = (await conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${p}')`)).getRows().map((r) => r[0]);
    assert.deepEqual(codecs, ['SNAPPY']);
    const types = Object.fromEntries((await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${p}')`)).getRows().map((r) => [r[0], r[1]]));
    assert.equal(types.ts, 'TIMESTAMP');
    assert.equal(types.extras, 'VARCHAR');
    assert.equal(types.source_offset, 'BIGINT');
    assert.equal(types.status, 'INTEGER');
  });

  it('writes unpartitioned files when the schema has no timestamp column', async (t) => {
    const dir = tmpDir(t);
    const schema: RecordSchema = { name: 'kv', columns: [{ name: 'k', type: 'varchar', nullable: true, description: '' }] };
    const { ctx, root } = setup(dir, schema);
    const sink = new LakeSink('lake', config(root), ctx);
    t.after(() => sink.close());
    await sink.open();
    const b = batch(dir, 'c1', ['"a","f1",0,1,"/x"', '"b","f1",5,2,"/x"'], 10, 'k,source_stream,source_offset,source_line,source_uri', schema);
    await sink.write({ ...b, rejections: [] });
    const files = await sink.commit('c1');
    assert.deepEqual(files.map((f) => [f.path, f.rows, f.partition]), [['silver/requests/part-c1-0.parquet', 2, undefined]]);
  });

  it('reconcileLake removes orphans of a crashed commit and rolls its watermarks back', async (t) => {
    const dir = tmpDir(t);
    const { ctx, root } = setup(dir);
    const a = new LakeSink('lake', config(root), ctx);
    await a.open();
    await a.write(batch(dir, 'run1-000000', LINES.slice(0, 1), 100));
    const manifest = new Set((await a.commit('run1-000000')).map((f) => f.path));
    await a.write({ ...batch(dir, 'run1-000001', LINES.slice(1), 300), rejections: [] });
    const orphans = (await a.commit('run1-000001')).map((f) => f.path); // "crash" before the manifest records them
    await a.close();
    mkdirSync(join(root, 'silver/requests/.staging/run1-000002/day=2024-03-06'), { recursive: true });
    writeFileSync(join(root, 'silver/requests/day=2024-03-06/notes.txt'), 'not a part file');

    const removed = await reconcileLake(root, 'requests', manifest);
    assert.deepEqual(removed, [...orphans, 'silver/requests/.staging/run1-000002/'].sort());
    assert.ok(existsSync(join(root, 'silver/requests/day=2024-03-06/notes.txt')), 'foreign files are kept');
    for (const p of manifest) assert.ok(existsSync(join(root, p)));
    assert.deepEqual(await reconcileLake(root, 'requests', manifest), [], 'a second run finds nothing');

    const b = new LakeSink('lake', config(root), ctx);
    t.after(() => b.close());
    await b.open();
    const w = await b.write({ ...batch(dir, 'run2-000000', LINES, 300), rejections: [] });
    assert.equal(w.written, 2, 'the rolled-back rows are accepted again, the committed one is not');
    await b.commit('run2-000000');
    assert.deepEqual((await readLakeRows(root, 'requests')).map((r) => r.source_offset), [0, 100, 200]);
  });

  it('config: defaults, strict keys, root resolution', () => {
    assert.deepEqual(LakeConfig.parse({}), { dataset: 'requests', compression: 'zstd', row_group_size: 122_880, memory_limit: '256MB' });
    assert.throws(() => LakeConfig.parse({ datset: 'x' }));
    assert.throws(() => LakeConfig.parse({ compression: 'lz4' }));
    assert.throws(() => LakeConfig.parse({ dataset: '../etc' }));
    assert.equal(lakeRoot(LakeConfig.parse({}), { baseDir: '/p', dataDir: '/d' }), '/d/lake');
    assert.equal(lakeRoot(LakeConfig.parse({ path: 'out' }), { baseDir: '/p', dataDir: '/d' }), '/p/out');
    assert.equal(lakeSinkSpec.type, 'lake');
  });

  it('refuses unsafe commit ids', async (t) => {
    const dir = tmpDir(t);
    const { ctx, root } = setup(dir);
    const sink = new LakeSink('lake', config(root), ctx);
    t.after(() => sink.close());
    await sink.open();
    await assert.rejects(sink.write({ ...batch(dir, 'ok', LINES, 300), commitId: '../evil' }), { code: 'TRB_SINK_INVALID_NAME' });
  });
});
