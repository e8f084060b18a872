import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Logger } from '../../core/component.js';
import { ACCESS_SCHEMA } from '../../core/record.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { DuckdbSink } from '../duckdb/duckdb-sink.js';
import { connectUtc } from './duckdb-values.js';
import { releaseFreedMemory } from './release-freed-memory.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SETTING = "SELECT current_setting('allocator_bulk_deallocation_flush_threshold')";

describe('releaseFreedMemory', () => {
  it('makes the whole instance trim after every bulk deallocation (every connection sees it)', async () => {
    const db = await DuckDBInstance.create(':memory:');
    try {
      const a = await connectUtc(db);
      const before = String((await a.runAndReadAll(SETTING)).getRows()[0]?.[0]);
      assert.notEqual(before, '0 bytes');
      await releaseFreedMemory(a);
      const b = await connectUtc(db);
      assert.equal(String((await b.runAndReadAll(SETTING)).getRows()[0]?.[0]), '0 bytes');
      a.disconnectSync(); b.disconnectSync();
    } finally { db.closeSync(); }
  });

  it('is the warehouse sink default: a reader of the same database file sees the setting once the sink is open', async (t) => {
    const dir = tmpDir(t, 'trb-release-mem-');
    const path = join(dir, 'wh.duckdb');
    const sink = new DuckdbSink('wh', { path, table: 'requests', quarantine_table: 'quarantine', memory_limit: '256MB' },
      { pipeline: 'p', baseDir: dir, dataDir: dir, schema: ACCESS_SCHEMA, outputs: [], log });
    await sink.open();
    try {
      const db = await DuckDBInstance.fromCache(path);
      const conn = await connectUtc(db);
      assert.equal(String((await conn.runAndReadAll(SETTING)).getRows()[0]?.[0]), '0 bytes');
      conn.disconnectSync();
    } finally { await sink.close(); }
  });
});
