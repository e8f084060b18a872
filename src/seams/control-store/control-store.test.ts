/**
 * Runs the ControlStore contract over every adapter (filter with TRB_ADAPTERS=sqlite,postgres), plus
 * adapter-specific behaviour: several instances on one database, migration failures, options.
 * PostgreSQL tests use a fresh random schema per test, dropped afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { requireService } from '../../../test/helpers/services.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { runModuleScript } from '../../../test/helpers/run-module-script.js';
import {
  bronzeEntry, commitRecord, describeControlStoreContract, lakeFile,
} from '../../../test/contract/control-store.contract.js';
import { describeVaultStoreContract } from '../../../test/contract/vault-store.contract.js';
import { describeIdentityStoreContract } from '../../../test/contract/identity-store.contract.js';
import { CONTROL_MIGRATION_NAMES } from './migrations/control-migrations.js';
import type { ControlStore } from './control-store.js';
import { createPostgresControlStore } from './postgres/index.js';
import { createSqliteControlStore } from './sqlite/index.js';

const ADAPTERS = new Set((process.env.TRB_ADAPTERS ?? 'sqlite,postgres').split(',').map((s) => s.trim()));

/** Opens N stores on one fresh database; returns null when the service is missing (t skipped). */
type Opener = (t: TestContext, n: number) => Promise<ControlStore[] | null>;

const openSqlite: Opener = async (t, n) => {
  const path = join(tmpDir(t, 'trb-control-'), 'control.db');
  const stores = Array.from({ length: n }, () => createSqliteControlStore({ path }));
  t.after(() => Promise.all(stores.map((s) => s.close())));
  return stores;
};

const openPostgres: Opener = async (t, n) => {
  const url = await requireService(t, 'postgresql');
  if (url === null) return null;
  const schema = `trb_test_${randomBytes(6).toString('hex')}`;
  const stores = Array.from({ length: n }, () => createPostgresControlStore({ url, schema, poolSize: 2 }));
  t.after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try { await client.query(`drop schema if exists "${schema}" cascade`); } finally { await client.end(); }
  });
  return stores;
};

const openers: Record<string, Opener> = { sqlite: openSqlite, postgres: openPostgres };

for (const [name, openStores] of Object.entries(openers)) {
  if (!ADAPTERS.has(name)) continue;
  const label = name === 'postgres' ? 'postgres [postgresql]' : name;
  describeControlStoreContract(label, async (t) => (await openStores(t, 1))?.[0] ?? null);
  describeVaultStoreContract(label, async (t) => (await openStores(t, 1))?.[0] ?? null);
  describeIdentityStoreContract(label, async (t) => (await openStores(t, 1))?.[0] ?? null);

  describe(`control store ${label}: shared database`, () => {
    test('two instances migrate concurrently and see each other\'s runs and commits', async (t) => {
      const stores = await openStores(t, 2);
      if (!stores) return;
      const [a, b] = stores as [ControlStore, ControlStore];
      await Promise.all([a.migrate(), b.migrate()]);
      const run = await a.startRun({ pipeline: 'web', configHash: 'h', trigger: 'cli' });
      assert.equal((await b.getRun(run))?.status, 'running');
      await a.commit(commitRecord({ runId: run, commitId: 'c1', checkpoints: [{ source: 's', key: 'k', value: { offset: 5 } }],
        bronze: [bronzeEntry()], files: [lakeFile()] }));
      assert.deepEqual(await b.getCheckpoints('web', 's'), new Map([['k', { offset: 5 }]]));
      assert.equal((await b.listBronze()).length, 1);
      await b.finishRun(run, { status: 'succeeded', counts: { landed: 1 } });
      assert.equal((await a.getRun(run))?.status, 'succeeded');
    });

    test('the same commitId raced from two instances is applied once', async (t) => {
      const stores = await openStores(t, 2);
      if (!stores) return;
      const [a, b] = stores as [ControlStore, ControlStore];
      await a.migrate();
      await b.migrate();
      const mk = (offset: number) => commitRecord({ commitId: 'race', checkpoints: [{ source: 's', key: 'k', value: { offset } }],
        files: [lakeFile({ path: `f${offset}` })] });
      await Promise.all([a.commit(mk(1)), b.commit(mk(2))]);
      const files = await a.listLakeFiles();
      assert.equal(files.length, 1);
      const winner = Number(files[0]?.path.slice(1));
      assert.deepEqual(await b.getCheckpoints('web', 's'), new Map([['k', { offset: winner }]]));
    });
  });
}

describe('control store sqlite: specifics', { skip: !ADAPTERS.has('sqlite') }, () => {
  test('the database file is private and in WAL mode', async (t) => {
    const path = join(tmpDir(t), 'sub', 'control.db');
    const s = createSqliteControlStore({ path });
    t.after(() => s.close());
    await s.migrate();
    assert.equal(statSync(path).mode & 0o077, 0);
    const raw = new Database(path, { readonly: true });
    try { assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal'); } finally { raw.close(); }
  });

  test('a conflicting schema fails migration with TRB_STORE_MIGRATION_FAILED and rolls the migration back', async (t) => {
    const path = join(tmpDir(t), 'control.db');
    const raw = new Database(path);
    raw.exec('create table lake_files (something_else text)'); // the last table 0001 creates
    raw.close();
    const s = createSqliteControlStore({ path });
    t.after(() => s.close());
    await assert.rejects(s.migrate(), (err: Error & { code?: string; details?: Record<string, unknown> }) => {
      assert.equal(err.code, 'TRB_STORE_MIGRATION_FAILED');
      assert.equal(err.details?.migration, '0001_initial');
      assert.ok(err.cause, 'keeps the driver error as cause');
      return true;
    });
    const check = new Database(path, { readonly: true });
    try {
      const tables = check.prepare("select name from sqlite_master where type = 'table' and name in ('runs', 'commits')").all();
      assert.deepEqual(tables, [], 'tables created before the failure were rolled back');
    } finally { check.close(); }
  });

  test('two processes migrating and committing to one file lose nothing', async (t) => {
    const path = join(tmpDir(t), 'control.db');
    const storeModule = new URL('./sqlite/index.ts', import.meta.url).href;
    const script = (worker: number) => `
      const { createSqliteControlStore } = await import(${JSON.stringify(storeModule)});
      const s = createSqliteControlStore({ path: ${JSON.stringify(path)} });
      await s.migrate();
      for (let i = 0; i < 25; i++) {
        await s.commit({ pipeline: 'web', runId: 'r${worker}', commitId: 'w${worker}-' + i, bronze: [],
          checkpoints: [{ source: 's', key: 'w${worker}-' + i, value: { i } }], files: [] });
        await s.commit({ pipeline: 'web', runId: 'r${worker}', commitId: 'shared-' + i, bronze: [], files: [],
          checkpoints: [{ source: 'shared', key: 'k' + i, value: { worker: ${worker} } }] });
      }
      await s.close();`;
    const results = await Promise.all([1, 2].map((w) => runModuleScript(script(w))));
    for (const r of results) assert.equal(r.code, 0, r.err);
    const s = createSqliteControlStore({ path });
    t.after(() => s.close());
    assert.equal((await s.getCheckpoints('web', 's')).size, 50);
    assert.equal((await s.getCheckpoints('web', 'shared')).size, 25);
  });

  test('a path that cannot be opened is TRB_STORE_UNAVAILABLE; bad options are TRB_STORE_OPTIONS_INVALID', (t) => {
    const file = join(tmpDir(t), 'file');
    writeFileSync(file, 'x');
    assert.throws(() => createSqliteControlStore({ path: join(file, 'control.db') }), { code: 'TRB_STORE_UNAVAILABLE' });
    assert.throws(() => createSqliteControlStore({ path: ' ' }), { code: 'TRB_STORE_OPTIONS_INVALID' });
    assert.throws(() => createSqliteControlStore({ path: 'x.db', busyTimeoutMs: -1 }), { code: 'TRB_STORE_OPTIONS_INVALID' });
  });

  test(':memory: stores work and are private to the instance', async (t) => {
    const a = createSqliteControlStore({ path: ':memory:' });
    const b = createSqliteControlStore({ path: ':memory:' });
    t.after(() => Promise.all([a.close(), b.close()]));
    await a.migrate();
    await b.migrate();
    await a.startRun({ pipeline: 'web', configHash: 'h', trigger: 'cli' });
    assert.equal((await b.listRuns()).length, 0);
  });
});

describe('control store postgres: specifics', { skip: !ADAPTERS.has('postgres') }, () => {
  test('an unreachable server is TRB_STORE_UNAVAILABLE with retry backoff', async (t) => {
    const s = createPostgresControlStore({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeoutMs: 2000 });
    t.after(() => s.close());
    await assert.rejects(s.listRuns(), { code: 'TRB_STORE_UNAVAILABLE', retry: 'backoff', family: 'store' });
    await assert.rejects(s.migrate(), { code: 'TRB_STORE_MIGRATION_FAILED' });
  });

  test('bad options are TRB_STORE_OPTIONS_INVALID', () => {
    assert.throws(() => createPostgresControlStore({ url: 'postgres://x', schema: 'Bad-Name' }), { code: 'TRB_STORE_OPTIONS_INVALID' });
    assert.throws(() => createPostgresControlStore({ url: 'postgres://x', schema: 'a"; drop' }), { code: 'TRB_STORE_OPTIONS_INVALID' });
    assert.throws(() => createPostgresControlStore({ url: '' }), { code: 'TRB_STORE_OPTIONS_INVALID' });
    assert.throws(() => createPostgresControlStore({ url: 'postgres://x', poolSize: 0 }), { code: 'TRB_STORE_OPTIONS_INVALID' });
  });

  test('tables live in the configured schema with native types [postgresql]', async (t) => {
    const url = await requireService(t, 'postgresql');
    if (url === null) return;
    const schema = `trb_test_${randomBytes(6).toString('hex')}`;
    const s = createPostgresControlStore({ url, schema, poolSize: 1 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.after(async () => {
      await s.close();
      try { await client.query(`drop schema if exists "${schema}" cascade`); } finally { await client.end(); }
    });
    await s.migrate();
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = $1 and column_name in ('started_at', 'counts', 'value', 'from_offset') order by 1, 2`, [schema]);
    assert.deepEqual(rows.map((r) => `${r.table_name}.${r.column_name}:${r.data_type}`), [
      'bronze_objects.from_offset:bigint', 'checkpoints.value:jsonb', 'runs.counts:jsonb', 'runs.started_at:timestamp with time zone',
      'stage_state.value:jsonb',
    ]);
    const { rows: mig } = await client.query<{ name: string }>(`select name from "${schema}".control_migrations order by name`);
    assert.deepEqual(mig.map((r) => r.name), [...CONTROL_MIGRATION_NAMES]);
  });
});
