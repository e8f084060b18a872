/**
 * The ControlStore contract: every adapter must pass these tests unchanged. An adapter test calls
 * {@link describeControlStoreContract} with a factory that returns a fresh, empty, NOT yet migrated
 * store (or null after skipping `t` when its service is missing) and cleans up its own storage.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { isTributaryError } from '../../src/core/errors.js';
import type {
  BronzeEntry, CommitRecord, ControlStore, LakeFileEntry,
} from '../../src/seams/control-store/control-store.js';
import type { AuditEntryDraft, AuditHead } from '../../src/seams/control-store/audit-store.js';

/** Returns a fresh, empty store that `migrate()` has not run on, or null when `t` was skipped. */
export type ControlStoreFactory = (t: TestContext) => Promise<ControlStore | null>;

/** Asserts that `p` rejects with a `store`-family TributaryError carrying `code`. */
export async function assertStoreError(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isTributaryError(err), `expected a TributaryError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.family, 'store');
    return true;
  });
}

/** A fresh store from `factory`, migrated and closed after `t`; null when `t` was skipped. */
export async function openMigrated(factory: ControlStoreFactory, t: TestContext): Promise<ControlStore | null> {
  const store = await factory(t);
  if (store === null) return null;
  t.after(() => store.close());
  await store.migrate();
  return store;
}

/** A bronze entry with defaults; `over` replaces fields. */
export function bronzeEntry(over: Partial<BronzeEntry> = {}): BronzeEntry {
  return {
    sha256: 'a'.repeat(64), objectKey: 'bronze/aa/aaaa', size: 120, source: 'logs', uri: '/var/log/access.log',
    stream: 'stream-1', fromOffset: 0, toOffset: 120, firstLine: 1, lineCount: 3,
    ingestedAt: '2025-01-02T03:04:05.678Z', encoding: 'identity', ...over,
  };
}

/** A lake file entry with defaults; `over` replaces fields. */
export function lakeFile(over: Partial<LakeFileEntry> = {}): LakeFileEntry {
  return { sink: 'lake', dataset: 'access', path: 'lake/access/day=2025-01-02/part-1.parquet', rows: 10, bytes: 2048,
    partition: 'day=2025-01-02', sha256: 'b'.repeat(64), ...over };
}

/** A commit with nothing in it; `over` replaces fields. */
export function commitRecord(over: Partial<CommitRecord> = {}): CommitRecord {
  return { pipeline: 'web', runId: 'run-1', commitId: 'run-1-1', checkpoints: [], bronze: [], files: [], ...over };
}

/**
 * A draft chained to `head` (hash `h<seq>-<tag>`, so tests can see which build produced a row);
 * `over` replaces fields.
 */
export function auditDraft(head: AuditHead | undefined, over: Partial<AuditEntryDraft> = {}, tag = 'x'): AuditEntryDraft {
  const seq = (head?.seq ?? 0) + 1;
  return {
    ts: '2025-01-02T03:04:05.678Z', actor: 'cli:alice', action: 'secret.read', target: 'db_password', outcome: 'ok',
    requestId: `req-${seq}`, details: { version: 1, nested: { b: [1, 'two', null, true], a: 'é✓' } },
    prevHash: head?.hash ?? '0'.repeat(64), hash: `h${seq}-${tag}`, mac: `m${seq}`, keyVersion: 1, ...over,
  };
}

/** Registers the contract tests for one adapter under `control store contract: <name>`. */
export function describeControlStoreContract(name: string, factory: ControlStoreFactory): void {
  async function open(t: TestContext): Promise<ControlStore | null> {
    const store = await factory(t);
    if (store === null) return null;
    t.after(() => store.close());
    await store.migrate();
    return store;
  }

  describe(`control store contract: ${name}`, () => {
    test('migrate() is idempotent and keeps data', async (t) => {
      const s = await factory(t);
      if (!s) return;
      t.after(() => s.close());
      await s.migrate();
      const id = await s.startRun({ pipeline: 'web', configHash: 'h1', trigger: 'cli' });
      await s.migrate();
      assert.equal((await s.getRun(id))?.status, 'running');
    });

    test('run lifecycle: running → finished, with counts and error', async (t) => {
      const s = await open(t);
      if (!s) return;
      const before = Date.now();
      const id = await s.startRun({ pipeline: 'web', configHash: 'h1', trigger: 'schedule' });
      const running = await s.getRun(id);
      assert.ok(running);
      assert.deepEqual({ ...running, started_at: 'x' }, {
        id, pipeline: 'web', config_hash: 'h1', trigger: 'schedule', status: 'running', started_at: 'x',
        finished_at: null, counts: null, error_code: null, error_message: null,
      });
      assert.match(running.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Date.parse(running.started_at) >= before - 1 && Date.parse(running.started_at) <= Date.now());

      const counts = { parse: { in: 10, passed: 8, rejected: 2, filtered: 0 }, ratio: 0.2, names: ['a', 'é✓'], ok: true, none: null };
      await s.finishRun(id, { status: 'succeeded', counts });
      const done = await s.getRun(id);
      assert.equal(done?.status, 'succeeded');
      assert.deepEqual(done?.counts, counts);
      assert.ok(done?.finished_at && Date.parse(done.finished_at) >= Date.parse(running.started_at));
      assert.equal(done?.error_code, null);

      const failed = await s.startRun({ pipeline: 'web', configHash: 'h2', trigger: 'api' });
      await s.finishRun(failed, { status: 'failed', counts: null, error: { code: 'TRB_SINK_WRITE_FAILED', message: 'disk full' } });
      const f = await s.getRun(failed);
      assert.equal(f?.status, 'failed');
      assert.equal(f?.error_code, 'TRB_SINK_WRITE_FAILED');
      assert.equal(f?.error_message, 'disk full');
      assert.equal(f?.counts, null);

      await assertStoreError(s.finishRun(id, { status: 'failed', counts: {} }), 'TRB_STORE_RUN_FINISHED');
      await assertStoreError(s.finishRun('no-such-run', { status: 'failed', counts: {} }), 'TRB_STORE_RUN_NOT_FOUND');
      assert.equal(await s.getRun('no-such-run'), undefined);
    });

    test('run input that cannot be stored is refused and changes nothing', async (t) => {
      const s = await open(t);
      if (!s) return;
      await assertStoreError(s.startRun({ pipeline: 'web', configHash: 'h', trigger: 'cron' as 'cli' }), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.startRun({ pipeline: '', configHash: 'h', trigger: 'cli' }), 'TRB_STORE_VALUE_INVALID');
      const id = await s.startRun({ pipeline: 'web', configHash: 'h', trigger: 'bench' });
      await assertStoreError(s.finishRun(id, { status: 'succeeded', counts: { n: 10n } }), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.finishRun(id, { status: 'succeeded', counts: { rate: Number.NaN } }), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.finishRun(id, { status: 'done' as 'failed', counts: {} }), 'TRB_STORE_VALUE_INVALID');
      assert.equal((await s.getRun(id))?.status, 'running');
      assert.equal((await s.listRuns()).length, 1);
    });

    test('run ids sort in start order', async (t) => {
      const s = await open(t);
      if (!s) return;
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await s.startRun({ pipeline: 'web', configHash: 'h', trigger: 'cli' }));
      assert.deepEqual([...ids].sort(), ids);
      assert.equal(new Set(ids).size, ids.length);
    });

    test('listRuns: newest first, limit, pipeline filter', async (t) => {
      const s = await open(t);
      if (!s) return;
      const a: string[] = [];
      const b: string[] = [];
      for (let i = 0; i < 3; i++) {
        a.push(await s.startRun({ pipeline: 'a', configHash: 'h', trigger: 'cli' }));
        b.push(await s.startRun({ pipeline: 'b', configHash: 'h', trigger: 'watch' }));
      }
      const all = await s.listRuns();
      assert.deepEqual(all.map((r) => r.id), [b[2], a[2], b[1], a[1], b[0], a[0]]);
      assert.deepEqual((await s.listRuns({ limit: 2 })).map((r) => r.id), [b[2], a[2]]);
      assert.deepEqual((await s.listRuns({ pipeline: 'a' })).map((r) => r.id), [a[2], a[1], a[0]]);
      assert.deepEqual((await s.listRuns({ pipeline: 'b', limit: 1 })).map((r) => r.id), [b[2]]);
      assert.deepEqual(await s.listRuns({ pipeline: 'none' }), []);
      await assertStoreError(s.listRuns({ limit: 0 }), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.listRuns({ limit: 1.5 }), 'TRB_STORE_VALUE_INVALID');
    });

    test('checkpoints: upsert, JSON round trip, isolation between pipelines and sources', async (t) => {
      const s = await open(t);
      if (!s) return;
      const v1 = { offset: 120, line: 3, inode: 'abc', nested: { list: [1, 2.5, 'x', null, true] }, text: 'ünïcödé ✓' };
      await s.commit(commitRecord({
        commitId: 'c1',
        checkpoints: [
          { source: 's1', key: 'k1', value: v1 },
          { source: 's1', key: 'k2', value: { offset: 7 } },
          { source: 's2', key: 'k1', value: { offset: 99 } },
        ],
      }));
      await s.commit(commitRecord({ pipeline: 'other', commitId: 'c2', checkpoints: [{ source: 's1', key: 'k1', value: { offset: -1 } }] }));
      assert.deepEqual(await s.getCheckpoints('web', 's1'), new Map<string, unknown>([['k1', v1], ['k2', { offset: 7 }]]));
      assert.deepEqual(await s.getCheckpoints('web', 's2'), new Map([['k1', { offset: 99 }]]));
      assert.deepEqual(await s.getCheckpoints('other', 's1'), new Map([['k1', { offset: -1 }]]));
      assert.equal((await s.getCheckpoints('web', 'missing')).size, 0);

      // Upsert: a later commit replaces one key; a repeated key within one commit keeps the last entry.
      await s.commit(commitRecord({ commitId: 'c3', checkpoints: [
        { source: 's1', key: 'k1', value: { offset: 200 } },
        { source: 's1', key: 'k1', value: { offset: 240, dropped: undefined } },
      ] }));
      assert.deepEqual(await s.getCheckpoints('web', 's1'), new Map<string, unknown>([['k1', { offset: 240 }], ['k2', { offset: 7 }]]));
      assert.deepEqual(await s.getCheckpoints('other', 's1'), new Map([['k1', { offset: -1 }]]));
    });

    test('keyed stage state: upserts and deletes with the commit, per pipeline and stage; replays are no-ops', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.commit(commitRecord({ commitId: 'c1', state: [
        { stage: 'sessions', key: 'v_a', value: ['s_1', 3, 1000, 900] },
        { stage: 'sessions', key: 'v_b', value: ['s_2', 1, 1200, 1200] },
        { stage: 'behavior', key: 'ps1_x', value: [1300, [[1200, 1300], null]] },
      ] }));
      await s.commit(commitRecord({ pipeline: 'other', commitId: 'c2', state: [{ stage: 'sessions', key: 'v_a', value: 'elsewhere' }] }));
      assert.deepEqual(await s.getStageState('web', 'sessions'), new Map<string, unknown>([['v_a', ['s_1', 3, 1000, 900]], ['v_b', ['s_2', 1, 1200, 1200]]]));
      assert.deepEqual(await s.getStageState('web', 'behavior'), new Map<string, unknown>([['ps1_x', [1300, [[1200, 1300], null]]]]));
      assert.deepEqual(await s.getStageState('other', 'sessions'), new Map<string, unknown>([['v_a', 'elsewhere']]));
      const c3 = commitRecord({ commitId: 'c3', state: [
        { stage: 'sessions', key: 'v_a', value: ['s_1', 4, 2000, 900] },
        { stage: 'sessions', key: 'v_b', value: null },
        { stage: 'sessions', key: 'v_c', value: ['s_3', 1, 2100, 2100] },
        { stage: 'sessions', key: 'v_c', value: null },
      ] });
      await s.commit(c3);
      await s.commit({ ...c3, state: [{ stage: 'sessions', key: 'v_z', value: 1 }] });
      assert.deepEqual(await s.getStageState('web', 'sessions'), new Map<string, unknown>([['v_a', ['s_1', 4, 2000, 900]]]), 'last entry per key wins; a replayed commitId changes nothing');
      assert.equal((await s.getStageState('web', 'missing')).size, 0);
      await assertStoreError(s.commit(commitRecord({ commitId: 'c4', state: [{ stage: 'sessions', key: 'v_a', value: Number.NaN }] })), 'TRB_STORE_VALUE_INVALID');
    });

    test('commit is atomic: a failure inside the transaction leaves nothing behind', async (t) => {
      const s = await open(t);
      if (!s) return;
      const bad = commitRecord({
        commitId: 'c-bad',
        checkpoints: [{ source: 's1', key: 'k1', value: { offset: 10 } }],
        bronze: [bronzeEntry()],
        // Valid JS, refused by the lake_files CHECK constraint: fails after the other inserts ran.
        files: [lakeFile({ path: 'ok.parquet' }), lakeFile({ path: 'bad.parquet', rows: -1 })],
      });
      await assertStoreError(s.commit(bad), 'TRB_STORE_COMMIT_FAILED');
      assert.equal((await s.getCheckpoints('web', 's1')).size, 0);
      assert.deepEqual(await s.listBronze(), []);
      assert.deepEqual(await s.listLakeFiles(), []);
      // The commit id was rolled back too: the corrected commit is applied, not skipped as a replay.
      await s.commit({ ...bad, files: [lakeFile({ path: 'ok.parquet' })] });
      assert.equal((await s.getCheckpoints('web', 's1')).size, 1);
      assert.equal((await s.listBronze()).length, 1);
      assert.equal((await s.listLakeFiles()).length, 1);
    });

    test('commit refuses values it cannot store, before writing anything', async (t) => {
      const s = await open(t);
      if (!s) return;
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      const badValues: unknown[] = [{ n: 1n }, cyclic, [1, 2], { at: new Date() }, { f: () => 1 }, { x: Infinity }, { s: 'a\0b' }];
      for (const value of badValues) {
        await assertStoreError(s.commit(commitRecord({
          commitId: 'c-bad',
          checkpoints: [{ source: 's1', key: 'k1', value: { ok: true } }, { source: 's1', key: 'k2', value: value as Record<string, unknown> }],
          bronze: [bronzeEntry()],
        })), 'TRB_STORE_VALUE_INVALID');
      }
      await assertStoreError(s.commit(commitRecord({ bronze: [bronzeEntry({ ingestedAt: 'yesterday' })] })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.commit(commitRecord({ bronze: [bronzeEntry({ size: 1.5 })] })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.commit(commitRecord({ bronze: [bronzeEntry({ encoding: 'br' as 'gzip' })] })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.commit(commitRecord({ files: [lakeFile({ bytes: Number.NaN })] })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.commit(commitRecord({ commitId: '' })), 'TRB_STORE_VALUE_INVALID');
      assert.equal((await s.getCheckpoints('web', 's1')).size, 0);
      assert.deepEqual(await s.listBronze(), []);
      assert.deepEqual(await s.listLakeFiles(), []);
    });

    test('committing the same commitId twice is a no-op', async (t) => {
      const s = await open(t);
      if (!s) return;
      const c = commitRecord({
        commitId: 'c1', checkpoints: [{ source: 's1', key: 'k1', value: { offset: 10 } }],
        bronze: [bronzeEntry()], files: [lakeFile()],
      });
      await s.commit(c);
      await s.commit(c);
      await s.commit({
        ...c, checkpoints: [{ source: 's1', key: 'k1', value: { offset: 999 } }],
        bronze: [bronzeEntry({ sha256: 'c'.repeat(64) })], files: [lakeFile({ path: 'other.parquet' })],
      });
      assert.deepEqual(await s.getCheckpoints('web', 's1'), new Map([['k1', { offset: 10 }]]));
      assert.equal((await s.listBronze()).length, 1);
      assert.deepEqual((await s.listLakeFiles()).map((f) => f.path), [lakeFile().path]);
    });

    test('bronze manifest: duplicates ignored, ordered by stream then offset, filters', async (t) => {
      const s = await open(t);
      if (!s) return;
      const e1 = bronzeEntry({ stream: 's-b', fromOffset: 100, toOffset: 200, ingestedAt: '2025-01-02T03:04:05Z' });
      const e2 = bronzeEntry({ stream: 's-a', fromOffset: 50, toOffset: 90, sha256: 'd'.repeat(64), encoding: 'gzip' });
      const e3 = bronzeEntry({ stream: 's-b', fromOffset: 0, toOffset: 100, sha256: 'e'.repeat(64) });
      await s.commit(commitRecord({ commitId: 'c1', bronze: [e1, e2] }));
      await s.commit(commitRecord({ pipeline: 'p2', commitId: 'c2', bronze: [{ ...e1, objectKey: 'elsewhere' }, e3, e3] }));
      const all = await s.listBronze();
      assert.deepEqual(all.map((e) => [e.stream, e.fromOffset, e.commitId]), [['s-a', 50, 'c1'], ['s-b', 0, 'c2'], ['s-b', 100, 'c1']]);
      assert.deepEqual(all[2], { ...e1, ingestedAt: '2025-01-02T03:04:05.000Z', pipeline: 'web', commitId: 'c1' });
      assert.deepEqual(all[0], { ...e2, pipeline: 'web', commitId: 'c1' });
      assert.deepEqual((await s.listBronze({ stream: 's-b' })).map((e) => e.fromOffset), [0, 100]);
      assert.deepEqual((await s.listBronze({ pipeline: 'p2' })).map((e) => e.sha256), [e3.sha256]);
      assert.deepEqual(await s.listBronze({ pipeline: 'p2', stream: 's-a' }), []);
    });

    test('bronze manifest: age encryption (key name and version) round-trips; plaintext entries carry none', async (t) => {
      const s = await open(t);
      if (!s) return;
      const enc = bronzeEntry({ sha256: 'f'.repeat(64), objectKey: 'objects/ff/x.bronze-v2.age', encryption: { scheme: 'age', keyName: 'bronze', keyVersion: 2 } });
      const plain = bronzeEntry({ stream: 'stream-0' });
      await s.commit(commitRecord({ commitId: 'c1', bronze: [enc, plain] }));
      const [p, e] = await s.listBronze();
      assert.deepEqual(e, { ...enc, pipeline: 'web', commitId: 'c1' });
      assert.deepEqual(p, { ...plain, pipeline: 'web', commitId: 'c1' });
      assert.equal('encryption' in p!, false);
      await assertStoreError(s.commit(commitRecord({ commitId: 'c2', bronze: [bronzeEntry({ encryption: { scheme: 'gpg' as 'age', keyName: 'k', keyVersion: 1 } })] })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.commit(commitRecord({ commitId: 'c3', bronze: [bronzeEntry({ encryption: { scheme: 'age', keyName: 'k', keyVersion: 0 } })] })), 'TRB_STORE_VALUE_INVALID');
    });

    test('lake manifest: a path committed again is replaced; filters', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.commit(commitRecord({ commitId: 'c1', files: [
        lakeFile({ path: 'a.parquet', rows: 10 }),
        lakeFile({ path: 'q.parquet', sink: 'quarantine', dataset: 'quarantine', partition: null, sha256: null }),
      ] }));
      await s.commit(commitRecord({ commitId: 'c2', files: [lakeFile({ path: 'a.parquet', rows: 20, bytes: 4096 }), lakeFile({ path: 'b.parquet' })] }));
      const lake = await s.listLakeFiles({ sink: 'lake' });
      assert.deepEqual(lake.map((f) => [f.path, f.rows, f.bytes, f.commitId]), [['a.parquet', 20, 4096, 'c2'], ['b.parquet', 10, 2048, 'c2']]);
      const [q] = await s.listLakeFiles({ dataset: 'quarantine' });
      assert.ok(q);
      assert.deepEqual({ ...q, committedAt: 'x' }, { ...lakeFile({ path: 'q.parquet', sink: 'quarantine', dataset: 'quarantine',
        partition: null, sha256: null }), pipeline: 'web', commitId: 'c1', committedAt: 'x' });
      assert.match(q.committedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal((await s.listLakeFiles()).length, 3);
      assert.deepEqual(await s.listLakeFiles({ pipeline: 'other' }), []);
    });

    test('lake manifest: replaceLakeFiles swaps entries atomically and refuses a stale or clashing swap', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.commit(commitRecord({ commitId: 'c1', files: [lakeFile({ path: 'a.parquet' }), lakeFile({ path: 'b.parquet' }), lakeFile({ path: 'c.parquet' })] }));
      await s.replaceLakeFiles('web', 'erase-1', [
        { from: 'a.parquet', to: lakeFile({ path: 'a2.parquet', rows: 7, bytes: 1000, sha256: 'c'.repeat(64) }) },
        { from: 'b.parquet', to: null },
      ]);
      const after = await s.listLakeFiles();
      assert.deepEqual(after.map((f) => [f.path, f.rows, f.bytes, f.commitId]), [['a2.parquet', 7, 1000, 'erase-1'], ['c.parquet', 10, 2048, 'c1']]);
      // A `from` that is gone (or of another pipeline) and a `to` that exists both roll the whole swap back.
      for (const bad of [[{ from: 'c.parquet', to: null }, { from: 'a.parquet', to: null }], [{ from: 'c.parquet', to: lakeFile({ path: 'a2.parquet' }) }]]) {
        await assertStoreError(s.replaceLakeFiles('web', 'erase-2', bad), 'TRB_STORE_CONFLICT');
        assert.deepEqual((await s.listLakeFiles()).map((f) => f.path), ['a2.parquet', 'c.parquet']);
      }
      await assertStoreError(s.replaceLakeFiles('other', 'erase-3', [{ from: 'c.parquet', to: null }]), 'TRB_STORE_CONFLICT');
      await assertStoreError(s.replaceLakeFiles('web', 'erase-4', [{ from: 'c.parquet', to: lakeFile({ path: 'd.parquet', rows: -1 }) }]), 'TRB_STORE_QUERY_FAILED');
      await assertStoreError(s.replaceLakeFiles('web', 'erase-5', [{ from: 'c.parquet', to: lakeFile({ path: 'd.parquet', bytes: Number.NaN }) }]), 'TRB_STORE_VALUE_INVALID');
      assert.deepEqual((await s.listLakeFiles()).map((f) => f.path), ['a2.parquet', 'c.parquet']);
    });

    test('bronze manifest: deleteBronze removes exactly the given rows of the pipeline, idempotently', async (t) => {
      const s = await open(t);
      if (!s) return;
      const a = bronzeEntry({ fromOffset: 0, toOffset: 10 });
      const b = bronzeEntry({ fromOffset: 10, toOffset: 20 });
      const c = bronzeEntry({ sha256: 'b'.repeat(64), stream: 'stream-2' });
      await s.commit(commitRecord({ commitId: 'c1', bronze: [a, b, c] }));
      // Same content (sha256, object) in another pipeline's stream.
      await s.commit(commitRecord({ pipeline: 'other', commitId: 'o1', bronze: [{ ...a, stream: 'stream-9' }] }));
      assert.equal(await s.deleteBronze('web', [a, c, bronzeEntry({ fromOffset: 99 }), { ...a, stream: 'stream-9' }]), 2);
      assert.deepEqual((await s.listBronze({ pipeline: 'web' })).map((e) => [e.stream, e.fromOffset]), [['stream-1', 10]]);
      assert.equal((await s.listBronze({ pipeline: 'other' })).length, 1, 'another pipeline\'s row (same object) stays');
      assert.equal(await s.deleteBronze('web', [a, c]), 0, 'deleting again is a no-op');
      assert.equal(await s.deleteBronze('web', []), 0);
      await assertStoreError(s.deleteBronze('web', [{ ...b, fromOffset: Number.NaN }]), 'TRB_STORE_VALUE_INVALID');
      assert.equal((await s.listBronze({ pipeline: 'web' })).length, 1);
    });

    test('large and concurrent commits are all applied', async (t) => {
      const s = await open(t);
      if (!s) return;
      const bronze = Array.from({ length: 1203 }, (_, i) => bronzeEntry({ fromOffset: i * 10, toOffset: i * 10 + 10 }));
      await s.commit(commitRecord({ commitId: 'big', bronze }));
      assert.equal((await s.listBronze()).length, 1203);
      await Promise.all(Array.from({ length: 16 }, (_, i) => s.commit(commitRecord({
        commitId: `c${i}`, checkpoints: [{ source: 'src', key: `k${i}`, value: { i } }], files: [lakeFile({ path: `f${i}` })],
      }))));
      assert.equal((await s.getCheckpoints('web', 'src')).size, 16);
      assert.equal((await s.listLakeFiles()).length, 16);
    });

    test('close() twice is safe; calls after close fail with TRB_STORE_CLOSED', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.close();
      await s.close();
      await assertStoreError(s.listRuns(), 'TRB_STORE_CLOSED');
      await assertStoreError(s.commit(commitRecord()), 'TRB_STORE_CLOSED');
      await assertStoreError(s.migrate(), 'TRB_STORE_CLOSED');
    });
  });

  // ---- AuditStore (`ControlStore.audit`): append-only entries and anchors ----
  describe(`control store contract (audit): ${name}`, () => {
    test('append: seq from 1, build sees the head, rows round-trip', async (t) => {
      const s = await open(t);
      if (!s) return;
      const heads: (AuditHead | undefined)[] = [];
      const first = await s.audit.append((h) => { heads.push(h); return auditDraft(h); });
      assert.equal(first.seq, 1);
      const second = await s.audit.append((h) => { heads.push(h); return auditDraft(h, { details: null, outcome: 'denied' }); });
      assert.equal(second.seq, 2);
      assert.deepEqual(heads, [undefined, { seq: 1, hash: 'h1-x' }]);
      assert.equal(second.prevHash, 'h1-x');
      const rows = await s.audit.list();
      assert.deepEqual(rows, [first, second]);
      assert.deepEqual(rows[0], { ...auditDraft(undefined), seq: 1 });
      assert.equal(rows[1]?.details, null);
      assert.deepEqual(await s.audit.head(), second);
      assert.equal(await s.audit.count(), 2);
    });

    test('empty log: head undefined, count 0, no anchors', async (t) => {
      const s = await open(t);
      if (!s) return;
      assert.equal(await s.audit.head(), undefined);
      assert.equal(await s.audit.count(), 0);
      assert.deepEqual(await s.audit.list(), []);
      assert.deepEqual(await s.audit.listAnchors(), []);
    });

    test('append refuses drafts it cannot store and stores nothing', async (t) => {
      const s = await open(t);
      if (!s) return;
      await assertStoreError(s.audit.append((h) => auditDraft(h, { actor: '' })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.audit.append((h) => auditDraft(h, { target: 'a\0b' })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.audit.append((h) => auditDraft(h, { details: { n: 1n } as unknown as Record<string, unknown> })), 'TRB_STORE_VALUE_INVALID');
      await assertStoreError(s.audit.append((h) => auditDraft(h, { details: [1] as unknown as Record<string, unknown> })), 'TRB_STORE_VALUE_INVALID');
      assert.equal(await s.audit.count(), 0);
      await assert.rejects(s.audit.append(() => { throw new Error('build failed'); }));
      assert.equal(await s.audit.count(), 0);
      assert.equal((await s.audit.append((h) => auditDraft(h))).seq, 1);
    });

    test('list: filters combine with AND; order and limit', async (t) => {
      const s = await open(t);
      if (!s) return;
      const specs: Partial<AuditEntryDraft>[] = [
        { action: 'run.start', actor: 'engine', target: 'web', ts: '2025-01-01T00:00:00.000Z' },
        { action: 'secret.read', actor: 'cli:alice', target: 'db_password', ts: '2025-01-02T00:00:00.000Z' },
        { action: 'secret.read', actor: 'cli:bob', target: 'api_100%_key', outcome: 'denied', ts: '2025-01-03T00:00:00.000Z' },
        { action: 'run.end', actor: 'engine', target: 'web', outcome: 'error', ts: '2025-01-04T00:00:00.000Z' },
        { action: 'secret.write', actor: 'cli:alice', target: 'apiX100Y_key', ts: '2025-01-05T00:00:00.000Z' },
      ];
      for (const over of specs) await s.audit.append((h) => auditDraft(h, over));
      const seqs = async (q: Parameters<typeof s.audit.list>[0]): Promise<number[]> => (await s.audit.list(q)).map((r) => r.seq);
      assert.deepEqual(await seqs({}), [1, 2, 3, 4, 5]);
      assert.deepEqual(await seqs({ fromSeq: 2, toSeq: 4 }), [2, 3, 4]);
      assert.deepEqual(await seqs({ action: 'secret.read' }), [2, 3]);
      assert.deepEqual(await seqs({ actor: 'cli:alice' }), [2, 5]);
      assert.deepEqual(await seqs({ outcome: 'ok' }), [1, 2, 5]);
      assert.deepEqual(await seqs({ targetContains: 'pass' }), [2]);
      assert.deepEqual(await seqs({ targetContains: '100%_' }), [3], '% and _ match literally');
      assert.deepEqual(await seqs({ since: '2025-01-02T00:00:00.000Z', until: '2025-01-04T00:00:00.000Z' }), [2, 3, 4]);
      assert.deepEqual(await seqs({ action: 'secret.read', actor: 'cli:bob' }), [3]);
      assert.deepEqual(await seqs({ order: 'desc', limit: 2 }), [5, 4]);
      assert.deepEqual(await seqs({ fromSeq: 2, limit: 2 }), [2, 3]);
      assert.deepEqual(await seqs({ action: 'none' }), []);
      assert.equal((await s.audit.list({ fromSeq: 4, limit: 1 }))[0]?.ts, '2025-01-04T00:00:00.000Z');
      await assertStoreError(s.audit.list({ limit: 0 }), 'TRB_STORE_VALUE_INVALID');
    });

    test('anchors: stored by seq, the same seq again is ignored, listed in seq order', async (t) => {
      const s = await open(t);
      if (!s) return;
      const anchor = (seq: number, mac = `mac${seq}`) => ({
        seq, headHash: `h${seq}`, entryCount: seq, ts: '2025-01-02T03:04:05.678Z', mac, keyVersion: 2,
      });
      await s.audit.putAnchor(anchor(20));
      await s.audit.putAnchor(anchor(10));
      await s.audit.putAnchor(anchor(10, 'other'));
      assert.deepEqual(await s.audit.listAnchors(), [anchor(10), anchor(20)]);
      await assertStoreError(s.audit.putAnchor({ ...anchor(30), headHash: '' }), 'TRB_STORE_VALUE_INVALID');
      assert.equal((await s.audit.listAnchors()).length, 2);
    });

    test('appendBatch: one head read, consecutive seqs, rows round-trip; an empty batch stores nothing', async (t) => {
      const s = await open(t);
      if (!s) return;
      const heads: (AuditHead | undefined)[] = [];
      const batch = (h: AuditHead | undefined, n: number, tag: string): AuditEntryDraft[] => {
        heads.push(h);
        const out: AuditEntryDraft[] = [];
        let prev = h;
        for (let i = 0; i < n; i++) {
          const d = auditDraft(prev, i % 2 ? { details: null } : {}, tag);
          out.push(d);
          prev = { seq: (prev?.seq ?? 0) + 1, hash: d.hash };
        }
        return out;
      };
      assert.deepEqual(await s.audit.appendBatch((h) => batch(h, 0, 'e')), []);
      assert.equal(await s.audit.count(), 0);
      const first = await s.audit.appendBatch((h) => batch(h, 3, 'a'));
      assert.deepEqual(first.map((r) => r.seq), [1, 2, 3]);
      const single = await s.audit.append((h) => auditDraft(h, {}, 's'));
      assert.equal(single.seq, 4);
      const second = await s.audit.appendBatch((h) => batch(h, 2, 'b'));
      assert.deepEqual(second.map((r) => [r.seq, r.prevHash]), [[5, 'h4-s'], [6, 'h5-b']]);
      assert.deepEqual(heads, [undefined, undefined, { seq: 4, hash: 'h4-s' }]);
      assert.deepEqual(await s.audit.list(), [...first, single, ...second]);
      assert.equal(first[1]?.details, null);
    });

    test('appendBatch is all or nothing: one unstorable draft stores none of the batch', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.audit.append((h) => auditDraft(h));
      await assertStoreError(s.audit.appendBatch((h) => [auditDraft(h), auditDraft({ seq: 2, hash: 'h2-x' }, { actor: '' })]), 'TRB_STORE_VALUE_INVALID');
      await assert.rejects(s.audit.appendBatch(() => { throw new Error('build failed'); }));
      assert.equal(await s.audit.count(), 1);
      assert.deepEqual((await s.audit.appendBatch((h) => [auditDraft(h)])).map((r) => r.seq), [2]);
    });

    test('a large batch (more rows than one INSERT carries) is stored whole, in order', async (t) => {
      const s = await open(t);
      if (!s) return;
      const n = 1234;
      const rows = await s.audit.appendBatch((h) => Array.from({ length: n }, (_, i) => auditDraft({ seq: (h?.seq ?? 0) + i, hash: `h${i}` }, {}, `b${i}`)));
      assert.equal(rows.length, n);
      const stored = await s.audit.list({ limit: 2000 });
      assert.deepEqual(stored.map((r) => r.seq), Array.from({ length: n }, (_, i) => i + 1));
      assert.deepEqual(stored.map((r) => r.hash), rows.map((r) => r.hash));
    });

    test('concurrent batches and single appends interleave without gaps, each batch contiguous', async (t) => {
      const s = await open(t);
      if (!s) return;
      const chained = (h: AuditHead | undefined, n: number, tag: string): AuditEntryDraft[] => {
        let prev = h;
        return Array.from({ length: n }, (_, i) => {
          const d = auditDraft(prev, {}, `${tag}.${i}`);
          prev = { seq: (prev?.seq ?? 0) + 1, hash: d.hash };
          return d;
        });
      };
      const calls = Array.from({ length: 16 }, (_, w) => (w % 3 === 0
        ? s.audit.append((h) => auditDraft(h, {}, `s${w}.0`)).then((r) => [r])
        : s.audit.appendBatch((h) => chained(h, 5, `b${w}`))));
      const results = await Promise.all(calls);
      const stored = await s.audit.list();
      const total = results.reduce((n, r) => n + r.length, 0);
      assert.equal(stored.length, total);
      stored.forEach((r, i) => {
        assert.equal(r.seq, i + 1);
        assert.equal(r.prevHash, i === 0 ? '0'.repeat(64) : stored[i - 1]!.hash, `entry ${r.seq} links to ${i}`);
      });
      for (const rows of results) {
        assert.deepEqual(rows.map((r) => r.seq), rows.map((_r, i) => rows[0]!.seq + i), 'a batch is contiguous');
      }
    });

    test('concurrent appends chain every entry to its predecessor, without gaps', async (t) => {
      const s = await open(t);
      if (!s) return;
      const n = 24;
      const rows = await Promise.all(Array.from({ length: n }, (_, i) => s.audit.append((h) => auditDraft(h, {}, `w${i}`))));
      assert.deepEqual(rows.map((r) => r.seq).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
      const stored = await s.audit.list();
      assert.equal(stored.length, n);
      stored.forEach((r, i) => {
        assert.equal(r.seq, i + 1);
        assert.equal(r.prevHash, i === 0 ? '0'.repeat(64) : stored[i - 1]!.hash, `entry ${r.seq} links to ${i}`);
      });
      assert.equal(new Set(stored.map((r) => r.hash.split('-')[1])).size, n, 'every writer landed exactly once');
    });
  });
}
