import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { openWarehouse } from './warehouse.js';
import { connectUtc } from '../_shared/duckdb-values.js';

async function makeDb(path: string): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const c = await connectUtc(db);
  await c.run("CREATE TABLE t AS SELECT 1::INTEGER i, 9007199254740993::BIGINT big, 42::BIGINT small, 12.5::DECIMAL(5,2) d, " +
    "TIMESTAMP '2024-03-05 12:34:56.000001' ts, TIMESTAMPTZ '2024-03-05 12:00:00+02' tstz, DATE '2024-03-05' dt, " +
    "[1, 2]::BIGINT[] l, {'a': 'x'} s, 'nan'::DOUBLE n, NULL::VARCHAR v");
  c.disconnectSync();
  db.closeSync();
}

describe('openWarehouse', () => {
  it('refuses a missing file with TRB_SINK_WAREHOUSE_MISSING and a hint', async (t) => {
    const dir = tmpDir(t);
    await assert.rejects(openWarehouse(join(dir, 'none.duckdb')), (e: any) => {
      assert.equal(e.code, 'TRB_SINK_WAREHOUSE_MISSING');
      assert.match(e.message, /run a pipeline/);
      return true;
    });
  });

  it('returns column types and JSON-safe values', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'w.duckdb');
    await makeDb(path);
    const wh = await openWarehouse(path, { readOnly: true });
    t.after(() => wh.close());
    const r = await wh.query('SELECT * FROM t');
    assert.deepEqual(r.columns.map((c) => `${c.name}:${c.type}`), [
      'i:INTEGER', 'big:BIGINT', 'small:BIGINT', 'd:DECIMAL(5,2)', 'ts:TIMESTAMP', 'tstz:TIMESTAMP WITH TIME ZONE', 'dt:DATE',
      'l:BIGINT[]', 's:STRUCT("a" VARCHAR)', 'n:DOUBLE', 'v:VARCHAR']);
    assert.deepEqual(r.rows, [[1, '9007199254740993', 42, 12.5, '2024-03-05T12:34:56.000001Z', '2024-03-05T10:00:00.000000Z',
      '2024-03-05', [1, 2], { a: 'x' }, 'NaN', null]]);
    assert.doesNotThrow(() => JSON.stringify(r));
    assert.deepEqual((await wh.query('SELECT $1::INTEGER + 1 AS x, $2 AS y', [41, 'ok'])).rows, [[42, 'ok']]);
  });

  it('read-only handles refuse writes; SQL errors are TRB_SINK_QUERY_FAILED', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'w.duckdb');
    await makeDb(path);
    const ro = await openWarehouse(path, { readOnly: true });
    await assert.rejects(ro.query('INSERT INTO t (i) VALUES (2)'), { code: 'TRB_SINK_QUERY_FAILED' });
    await assert.rejects(ro.query('SELECT 1; DROP TABLE t'), { code: 'TRB_SINK_QUERY_FAILED' });
    await assert.rejects(ro.query('SELEC 1'), { code: 'TRB_SINK_QUERY_FAILED' });
    await ro.close();
    await ro.close();
    await assert.rejects(ro.query('SELECT 1'), { code: 'TRB_SINK_QUERY_FAILED' });
    // a writer in this process holds the file: read-only handles share it and still refuse writes
    const rw = await openWarehouse(path);
    t.after(() => rw.close());
    await rw.query('INSERT INTO t (i) VALUES (2)');
    const ro2 = await openWarehouse(path, { readOnly: true });
    t.after(() => ro2.close());
    assert.deepEqual((await ro2.query('SELECT count(*) FROM t')).rows, [[2]]);
    await assert.rejects(ro2.query('DELETE FROM t'), { code: 'TRB_SINK_QUERY_FAILED' });
  });
});
