/**
 * Runs the sink contract (test/contract/sink.contract.ts) against every embedded sink in src/sinks.
 * The `postgres` sink runs the same contract against the real server from
 * src/sinks/postgres/postgres-sink.int.test.ts (an integration test, so `--unit` stays service-free).
 */
import { join } from 'node:path';
import { describeSinkContract } from '../../test/contract/sink.contract.js';
import { LakeSink } from './lake/lake-sink.js';
import { readLakeQuarantine, readLakeRows } from './lake/read-lake.js';
import { DuckdbSink } from './duckdb/duckdb-sink.js';
import { openWarehouse } from './duckdb/warehouse.js';
import { MemorySink } from './memory/memory-sink.js';
import { memoryStore } from './memory/memory-store.js';

async function queryObjects(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const wh = await openWarehouse(path);
  try {
    const r = await wh.query(sql);
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
  } finally { await wh.close(); }
}

describeSinkContract('lake', async ({ dir, ctx }) => {
  const root = join(dir, 'lake');
  return {
    sink: new LakeSink('lake', { path: root, dataset: 'requests', compression: 'zstd', row_group_size: 122_880, memory_limit: '256MB' }, ctx),
    readRows: () => readLakeRows(root, 'requests'),
    readQuarantine: () => readLakeQuarantine(root, 'requests'),
  };
});

describeSinkContract('duckdb', async ({ dir, ctx }) => {
  const path = join(dir, 'warehouse.duckdb');
  return {
    sink: new DuckdbSink('warehouse', { path, table: 'requests', quarantine_table: 'quarantine', memory_limit: '256MB' }, ctx),
    readRows: () => queryObjects(path, 'SELECT * FROM requests'),
    readQuarantine: () => queryObjects(path, 'SELECT * FROM quarantine'),
  };
});

describeSinkContract('memory', async ({ dir, ctx }) => {
  const sink = new MemorySink('mem', { store: dir }, ctx);
  return {
    sink,
    readRows: async () => memoryStore(dir).rows,
    readQuarantine: async () => memoryStore(dir).quarantine,
  };
});
