/**
 * AuditLog on the real control stores (SQLite, and PostgreSQL when reachable): chaining, jsonb key
 * order, concurrent writers, the JSONL mirror, anchors, key rotation, fail-closed and timeouts.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { SecretValue } from '../../core/secret-value.js';
import type { AuditEntryRow, AuditStore } from '../../seams/control-store/audit-store.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { createSqliteControlStore } from '../../seams/control-store/sqlite/index.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys.js';
import { STORE_ADAPTERS, type StoreAdapter } from '../../../test/helpers/control-stores.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { runModuleScript } from '../../../test/helpers/run-module-script.js';
import { AuditLog, type AuditLogOptions } from './audit-log.js';
import type { AuditEvent } from './audit-trail.js';
import { auditFailClosed, auditMirrorPath, openAuditLog } from './open-audit-log.js';

const event = (i: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  actor: i % 2 ? 'cli:alice' : 'engine', action: i % 3 ? 'run.start' : 'secret.read', target: `target-${i}`, outcome: 'ok',
  // Keys deliberately unsorted and of different lengths: PostgreSQL jsonb gives them back in another order.
  details: { zulu: i, alpha: { yy: [i, 'x'], b: null, aaa: true }, 'ünï': 'cödé ✓', m: 0.1 + 0.2, big: 2 ** 60, tiny: 5e-324 },
  ...over,
});

function mirrorRows(path: string): AuditEntryRow[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as AuditEntryRow);
}

/** A log on `control` with memory keys, capturing what it reports. */
function auditLogOn(t: TestContext, control: Pick<ControlStore, 'audit'>, over: Partial<AuditLogOptions> = {}) {
  const dir = tmpDir(t, 'trb-audit-mirror-');
  const keys = over.keys as MemoryDataKeys | undefined ?? new MemoryDataKeys();
  const messages: string[] = [];
  const log = new AuditLog({ store: control.audit, keys, mirrorPath: auditMirrorPath(dir), failClosed: false, anchorEvery: 0,
    log: (m) => messages.push(m), ...over });
  return { log, keys, messages, mirror: auditMirrorPath(dir) };
}

function describeAuditLog(adapter: StoreAdapter): void {
  describe(`audit log: ${adapter.label}`, () => {
    test('entries chain from genesis and verify, whatever order the store gives details keys back in', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const { log, messages } = auditLogOn(t, fx.stores[0]!);
      for (let i = 1; i <= 7; i++) await log.record(event(i));
      await log.record({ actor: 'engine', action: 'run.end', target: 'web', outcome: 'error' });
      assert.deepEqual(messages, []);
      const rows = await fx.stores[0]!.audit.list();
      assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(rows[0]?.prevHash, '0'.repeat(64));
      assert.equal(rows[1]?.prevHash, rows[0]?.hash);
      assert.deepEqual(rows[2]?.details, event(3).details);
      assert.equal(rows[7]?.details, null);
      assert.match(rows[0]!.requestId, /^[0-9a-f-]{36}$/, 'a request id is generated');
      assert.match(rows[0]!.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const r = await log.verify({ pageSize: 3 });
      assert.deepEqual(r, { ok: true, entries: 8, lastSeq: 8, headHash: rows[7]!.hash, anchors: 0 });
    });

    test('several AuditLog instances on several store instances append concurrently and keep one valid chain', async (t) => {
      const fx = await adapter.open(t, 3);
      if (!fx) return;
      const keys = new MemoryDataKeys();
      const logs = fx.stores.map((s) => auditLogOn(t, s, { keys }));
      await Promise.all(logs.flatMap(({ log }, w) => Array.from({ length: 12 }, (_, i) => log.record(event(i, { target: `w${w}-${i}` })))));
      assert.deepEqual(logs.flatMap((l) => l.messages), []);
      assert.equal(await fx.stores[0]!.audit.count(), 36);
      const targets = (await fx.stores[1]!.audit.list()).map((r) => r.target).sort();
      assert.deepEqual(targets, logs.flatMap((_l, w) => Array.from({ length: 12 }, (_, i) => `w${w}-${i}`)).sort());
      assert.equal((await logs[2]!.log.verify({ pageSize: 10 })).ok, true);
    });

    test('group commit: hundreds of concurrent records land once each, in few transactions, one valid chain; mirror in seq order; anchors at every boundary', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const inner = fx.stores[0]!.audit;
      let transactions = 0;
      const counting: AuditStore = {
        append: (b) => inner.append(b), list: (q) => inner.list(q), head: () => inner.head(), count: () => inner.count(),
        putAnchor: (a) => inner.putAnchor(a), listAnchors: () => inner.listAnchors(),
        appendBatch: (b) => { transactions++; return inner.appendBatch(b); },
      };
      const n = 300;
      const { log, messages, mirror } = auditLogOn(t, { audit: counting }, { anchorEvery: 7, maxBatch: 64 });
      await Promise.all(Array.from({ length: n }, (_, i) => log.record(event(i, { target: `t-${i}` }))));
      assert.deepEqual(messages, []);
      const rows = await inner.list();
      assert.deepEqual(rows.map((r) => r.target), Array.from({ length: n }, (_, i) => `t-${i}`), 'every entry once, in arrival order');
      assert.ok(transactions >= Math.ceil(n / 64) && transactions < n / 4, `${transactions} transactions for ${n} entries`);
      const lines = mirrorRows(mirror);
      assert.deepEqual(lines.map((r) => r.seq), rows.map((r) => r.seq), 'mirror lines in seq order');
      assert.deepEqual(lines, rows.map((r) => ({ ...r })));
      const anchors = await inner.listAnchors();
      assert.deepEqual(anchors.map((a) => a.seq), Array.from({ length: Math.floor(n / 7) }, (_, i) => (i + 1) * 7));
      const r = await log.verify({ pageSize: 50 });
      assert.deepEqual([r.ok, r.entries, r.anchors], [true, n, Math.floor(n / 7)]);
    });

    test('two AuditLog instances (on one store instance and on two) interleave their batches into one valid chain', async (t) => {
      const fx = await adapter.open(t, 2);
      if (!fx) return;
      const keys = new MemoryDataKeys();
      const logs = [auditLogOn(t, fx.stores[0]!, { keys }), auditLogOn(t, fx.stores[0]!, { keys }), auditLogOn(t, fx.stores[1]!, { keys })];
      const per = 150;
      await Promise.all(logs.flatMap(({ log }, w) => Array.from({ length: per }, (_, i) => log.record(event(i, { target: `w${w}-${i}` })))));
      assert.deepEqual(logs.flatMap((l) => l.messages), []);
      const rows = await fx.stores[1]!.audit.list();
      assert.equal(rows.length, logs.length * per);
      for (const [w, l] of logs.entries()) {
        const mine = rows.filter((r) => r.target.startsWith(`w${w}-`));
        assert.deepEqual(mine.map((r) => r.target), Array.from({ length: per }, (_, i) => `w${w}-${i}`), `instance ${w}: every entry once, in its arrival order`);
        assert.deepEqual(mirrorRows(l.mirror).map((r) => r.seq), mine.map((r) => r.seq), `instance ${w}: its mirror holds its entries in seq order`);
      }
      assert.equal((await logs[0]!.log.verify({ pageSize: 100 })).ok, true);
    });

    test('an unstorable entry in a batch fails alone; the rest of the batch is written', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const { log, messages } = auditLogOn(t, fx.stores[0]!, { failClosed: true });
      const calls = Array.from({ length: 20 }, (_, i) => log.record(event(i, { target: `t-${i}` })));
      calls.push(log.record(event(20, { actor: '' })));
      const strict = assert.rejects(log.record(event(21, { actor: '', target: 'privileged' }), { privileged: true }), { code: 'TRB_AUDIT_WRITE_FAILED' });
      calls.push(log.record(event(22, { target: 't-22' })));
      await Promise.all([...calls, strict]);
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /target-20.*not written: .*non-empty/);
      const targets = (await fx.stores[0]!.audit.list()).map((r) => r.target);
      assert.deepEqual(targets, [...Array.from({ length: 20 }, (_, i) => `t-${i}`), 't-22']);
      assert.equal((await log.verify()).ok, true);
    });

    test('the JSONL mirror holds exactly the stored entries, private to the owner', async (t) => {
      const fx = await adapter.open(t, 2);
      if (!fx) return;
      const keys = new MemoryDataKeys();
      const dir = tmpDir(t, 'trb-audit-data-');
      const a = openAuditLog({ control: fx.stores[0]!, dataDir: dir, keys, failClosed: false });
      const b = openAuditLog({ control: fx.stores[1]!, dataDir: dir, keys, failClosed: false });
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).record(event(i))));
      await a.record(event(99, { details: { secret: SecretValue.of('hunter2'), material: Buffer.from('raw key bytes') } }));
      const path = auditMirrorPath(dir);
      assert.equal(path, join(dir, 'audit', 'audit.jsonl'));
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'audit')).mode & 0o777, 0o700);
      const fromMirror = mirrorRows(path).sort((x, y) => x.seq - y.seq);
      assert.deepEqual(fromMirror, [...await fx.stores[0]!.audit.list()].map((r) => ({ ...r })));
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes('hunter2') && !text.includes('raw key bytes'), 'no secret value reaches the mirror');
      assert.deepEqual(fromMirror[10]?.details, { secret: '[redacted]', material: '[redacted bytes]' });
    });

    test('anchors are stored every N entries and checked by verify', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const { log } = auditLogOn(t, fx.stores[0]!, { anchorEvery: 4 });
      for (let i = 1; i <= 10; i++) await log.record(event(i));
      const anchors = await fx.stores[0]!.audit.listAnchors();
      assert.deepEqual(anchors.map((a) => [a.seq, a.entryCount, a.keyVersion]), [[4, 4, 1], [8, 8, 1]]);
      const rows = await fx.stores[0]!.audit.list();
      assert.equal(anchors[1]?.headHash, rows[7]?.hash);
      const manual = await log.anchor();
      assert.equal(manual?.seq, 10);
      const r = await log.verify();
      assert.equal(r.ok, true);
      assert.equal(r.anchors, 3);
    });

    test('entries MACed under several key versions verify; a missing version is named', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const { log, keys } = auditLogOn(t, fx.stores[0]!);
      await log.record(event(1));
      await log.record(event(2));
      keys.rotate('audit');
      await log.record(event(3));
      assert.deepEqual((await fx.stores[0]!.audit.list()).map((r) => r.keyVersion), [1, 1, 2]);
      assert.equal((await log.verify()).ok, true);
      const other = new AuditLog({ store: fx.stores[0]!.audit, keys: new MemoryDataKeys(), failClosed: false });
      const r = await other.verify();
      assert.deepEqual([r.ok, r.firstBad?.seq, r.firstBad?.reason, r.entries], [false, 1, 'key_unknown', 0]);
    });

    test('fail-closed: a privileged write to a broken store rejects, a non-privileged one resolves', async (t) => {
      const fx = await adapter.open(t);
      if (!fx) return;
      const closed = fx.stores[0]!;
      const { log, messages } = auditLogOn(t, closed, { failClosed: true });
      await log.record(event(1));
      await closed.close();
      await assert.rejects(log.record(event(2, { action: 'secret.read', target: 'db_password' }), { privileged: true }), (e: Error & { code?: string; family?: string; retry?: string }) => {
        assert.equal(e.code, 'TRB_AUDIT_WRITE_FAILED');
        assert.equal(e.family, 'secret');
        assert.equal(e.retry, 'backoff');
        assert.match(e.message, /secret\.read.*db_password.*TRIBUTARY_AUDIT_FAIL_CLOSED/);
        return true;
      });
      await log.record(event(3));
      assert.equal(messages.length, 1);
      assert.match(messages[0]!, /was not written: .*closed/);
      const open = auditLogOn(t, closed, { failClosed: false });
      await open.log.record(event(4), { privileged: true });
      assert.equal(open.messages.length, 1, 'without fail-closed a privileged failure is only reported');
    });
  });
}

for (const adapter of STORE_ADAPTERS) describeAuditLog(adapter);

describe('audit log: failures never stall the caller', () => {
  /** An AuditStore whose appends never finish (a hung database). */
  function hungStore(inner: AuditStore): AuditStore & { release(): void } {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    return {
      ...inner,
      list: (q) => inner.list(q), head: () => inner.head(), count: () => inner.count(),
      putAnchor: (a) => inner.putAnchor(a), listAnchors: () => inner.listAnchors(),
      append: async (build) => { await gate; return inner.append(build); },
      appendBatch: async (build) => { await gate; return inner.appendBatch(build); },
      release,
    };
  }

  test('a hung store: non-privileged records resolve after the timeout; fail-closed privileged ones reject and are dropped', async (t) => {
    const fx = await STORE_ADAPTERS[0]!.open(t);
    if (!fx) return;
    const store = hungStore(fx.stores[0]!.audit);
    const messages: string[] = [];
    const log = new AuditLog({ store, keys: new MemoryDataKeys(), failClosed: true, writeTimeoutMs: 80, log: (m) => messages.push(m) });
    const started = Date.now();
    await log.record(event(1, { target: 'plain' }));
    await assert.rejects(log.record(event(2, { target: 'privileged' }), { privileged: true }), { code: 'TRB_AUDIT_WRITE_FAILED' });
    assert.ok(Date.now() - started < 2000, 'bounded by the timeout');
    assert.match(messages[0]!, /not written: not confirmed within 80 ms/);
    store.release();
    await log.flush();
    const targets = (await store.list()).map((r) => r.target);
    assert.deepEqual(targets, ['plain'], 'the late non-privileged entry lands, the refused privileged one never does');
    assert.equal((await log.verify()).ok, true);
  });

  test('a full queue blocks new records (backpressure) instead of dropping them; fail-closed privileged ones waiting for room reject', async (t) => {
    const fx = await STORE_ADAPTERS[0]!.open(t);
    if (!fx) return;
    const store = hungStore(fx.stores[0]!.audit);
    const messages: string[] = [];
    const log = new AuditLog({ store, keys: new MemoryDataKeys(), failClosed: true, writeTimeoutMs: 60, maxBatch: 2, maxPending: 3,
      log: (m) => messages.push(m) });
    const settled: number[] = [];
    const calls = Array.from({ length: 10 }, (_, i) => log.record(event(i, { target: `t-${i}` })).then(() => { settled.push(i); }));
    await assert.rejects(log.record(event(10, { target: 'privileged' }), { privileged: true }), { code: 'TRB_AUDIT_WRITE_FAILED' });
    await new Promise((r) => setTimeout(r, 150));
    // One entry in the hung transaction and three queued: those four are released by the timeout; six wait for room.
    assert.deepEqual(settled.sort((a, b) => a - b), [0, 1, 2, 3]);
    assert.ok(messages.some((m) => /waiting for the control store; new records wait for room/.test(m)), messages.join('\n'));
    store.release();
    await Promise.all(calls);
    await log.flush();
    const targets = (await store.list()).map((r) => r.target);
    assert.deepEqual(targets, Array.from({ length: 10 }, (_, i) => `t-${i}`), 'nothing dropped, arrival order kept, the refused privileged entry never written');
    assert.equal((await log.verify()).ok, true);
  });

  test('two processes recording concurrently into one SQLite file interleave their batches into one valid chain', async (t) => {
    const dir = tmpDir(t, 'trb-audit-procs-');
    const path = join(dir, 'control.db');
    const key = { name: 'audit', kind: 'audit', version: 1, material: Buffer.alloc(32, 7), meta: {} } as const;
    const keys = { current: async () => key, version: async () => key, all: async () => [key] };
    const script = (w: number) => `
      const { createSqliteControlStore } = await import(${JSON.stringify(new URL('../../seams/control-store/sqlite/index.ts', import.meta.url).href)});
      const { AuditLog } = await import(${JSON.stringify(new URL('./audit-log.ts', import.meta.url).href)});
      const s = createSqliteControlStore({ path: ${JSON.stringify(path)} });
      await s.migrate();
      const key = { name: 'audit', kind: 'audit', version: 1, material: Buffer.alloc(32, 7), meta: {} };
      const keys = { current: async () => key, version: async () => key, all: async () => [key] };
      const log = new AuditLog({ store: s.audit, keys, failClosed: true, anchorEvery: 50, mirrorPath: ${JSON.stringify(join(dir, 'audit.jsonl'))} });
      await Promise.all(Array.from({ length: 200 }, (_, i) => log.record({ actor: 'p${w}', action: 'sql.query', target: 'p${w}-' + i, outcome: 'ok' }, { privileged: true })));
      await s.close();`;
    const results = await Promise.all([1, 2].map((w) => runModuleScript(script(w))));
    for (const r of results) assert.equal(r.code, 0, r.err);
    const store = createSqliteControlStore({ path });
    t.after(() => store.close());
    const rows = await store.audit.list();
    for (const w of [1, 2]) {
      assert.deepEqual(rows.filter((r) => r.actor === `p${w}`).map((r) => r.target), Array.from({ length: 200 }, (_, i) => `p${w}-${i}`));
    }
    const mirrored = mirrorRows(join(dir, 'audit.jsonl'));
    assert.deepEqual(mirrored.map((r) => r.seq).sort((a, b) => a - b), rows.map((r) => r.seq), 'both mirrors hold every entry once');
    const log = new AuditLog({ store: store.audit, keys, failClosed: false });
    const r = await log.verify({ pageSize: 64 });
    assert.deepEqual([r.ok, r.entries, r.anchors], [true, 400, 8]);
  });

  test('a sealed vault: the write fails like a broken store', async (t) => {
    const fx = await STORE_ADAPTERS[0]!.open(t);
    if (!fx) return;
    const keys = new MemoryDataKeys();
    keys.seal();
    const messages: string[] = [];
    const log = new AuditLog({ store: fx.stores[0]!.audit, keys, failClosed: true, log: (m) => messages.push(m) });
    await log.record(event(1));
    await assert.rejects(log.record(event(2), { privileged: true }), { code: 'TRB_AUDIT_WRITE_FAILED' });
    assert.match(messages[0]!, /sealed/);
    assert.equal(await fx.stores[0]!.audit.count(), 0);
  });

  test('TRIBUTARY_AUDIT_FAIL_CLOSED turns fail-closed on', () => {
    assert.equal(auditFailClosed({}), false);
    assert.equal(auditFailClosed({ TRIBUTARY_AUDIT_FAIL_CLOSED: '1' }), true);
    assert.equal(auditFailClosed({ TRIBUTARY_AUDIT_FAIL_CLOSED: 'true' }), true);
    assert.equal(auditFailClosed({ TRIBUTARY_AUDIT_FAIL_CLOSED: '0' }), false);
    const log = openAuditLog({ control: { audit: {} as AuditStore }, dataDir: '/x', keys: new MemoryDataKeys(), env: { TRIBUTARY_AUDIT_FAIL_CLOSED: '1' } });
    assert.equal(log.failClosed, true);
  });
});
