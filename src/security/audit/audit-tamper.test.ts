/**
 * Tamper tests on the real control stores (SQLite, and PostgreSQL when reachable): rows are changed
 * behind the store's back with raw SQL, and `verify` must name exactly the first tampered entry.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { AuditAnchorRow, AuditEntryRow } from '../../seams/control-store/audit-store.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys.js';
import { STORE_ADAPTERS, type RawSql, type StoreAdapter, type StoreFixture } from '../../../test/helpers/control-stores.js';
import { AuditLog } from './audit-log.js';
import { entryHash, entryMac, GENESIS_HASH } from './audit-hash.js';
import { exportAnchor, parseAnchorExports } from './anchor-export.js';
import type { AuditFailureReason } from './verify-audit-chain.js';

const N = 12;
const COLUMNS = 'ts = $1, actor = $2, action = $3, target = $4, outcome = $5, request_id = $6, details = $7, prev_hash = $8, hash = $9, mac = $10, key_version = $11';

/** Replaces every column but seq of entry `seq`. */
async function writeRow(raw: RawSql, seq: number, r: Omit<AuditEntryRow, 'seq'>): Promise<void> {
  await raw.exec(`update {audit_log} set ${COLUMNS} where seq = $12`, [r.ts, r.actor, r.action, r.target, r.outcome, r.requestId,
    r.details === null ? null : JSON.stringify(r.details), r.prevHash, r.hash, r.mac, r.keyVersion, seq]);
}

/** `r` re-chained to `prevHash`, re-hashed and MACed with `key`. */
function forge(r: AuditEntryRow, seq: number, prevHash: string, key: Buffer, over: Partial<AuditEntryRow> = {}): AuditEntryRow {
  const f = { ...r, ...over, seq, prevHash };
  const hash = entryHash(f);
  return { ...f, hash, mac: entryMac(key, hash) };
}

interface Setup extends StoreFixture {
  readonly log: AuditLog;
  readonly keys: MemoryDataKeys;
  readonly rows: readonly AuditEntryRow[];
}

async function setup(adapter: StoreAdapter, t: TestContext, anchorEvery = 0): Promise<Setup | null> {
  const fx = await adapter.open(t);
  if (!fx) return null;
  const keys = new MemoryDataKeys();
  const log = new AuditLog({ store: fx.stores[0]!.audit, keys, failClosed: true, anchorEvery });
  for (let i = 1; i <= N; i++) {
    await log.record({ actor: i % 2 ? 'cli:alice' : 'engine', action: i % 3 ? 'secret.read' : 'run.end', target: `t${i}`,
      outcome: i === 5 ? 'denied' : 'ok', details: { zz: i, aa: { list: [i, 'é'], k: null }, mid: i * 1.5 } });
  }
  const rows = await fx.stores[0]!.audit.list();
  assert.equal((await log.verify()).ok, true, 'the untouched log verifies');
  return { ...fx, log, keys, rows };
}

async function expectBad(log: AuditLog, seq: number, reason: AuditFailureReason, anchors?: readonly AuditAnchorRow[]): Promise<void> {
  const r = await log.verify({ pageSize: 5, ...(anchors ? { anchors } : {}) });
  assert.equal(r.ok, false, 'verify must fail');
  assert.deepEqual({ seq: r.firstBad?.seq, reason: r.firstBad?.reason }, { seq, reason }, r.firstBad?.problem);
  assert.equal(r.entries, seq - 1);
}

function describeTamper(adapter: StoreAdapter): void {
  describe(`audit tamper detection: ${adapter.label}`, () => {
    for (const [k, column, value] of [[1, 'target', 'elsewhere'], [6, 'details', '{"zz":6,"aa":{"list":[6,"é"],"k":null},"mid":90}'],
      [N, 'ts', '2030-01-01T00:00:00.000Z'], [5, 'outcome', 'ok'], [3, 'actor', 'cli:mallory']] as const) {
      test(`edit: changing ${column} of entry ${k} is caught at ${k}`, async (t) => {
        const s = await setup(adapter, t);
        if (!s) return;
        await s.raw.exec(`update {audit_log} set ${column} = $1 where seq = $2`, [value, k]);
        await expectBad(s.log, k, 'hash');
      });
    }

    test('edit: changing a MAC is caught at that entry', async (t) => {
      const s = await setup(adapter, t);
      if (!s) return;
      await s.raw.exec('update {audit_log} set mac = $1 where seq = $2', ['f'.repeat(64), 9]);
      await expectBad(s.log, 9, 'mac');
    });

    for (const k of [1, 6, 11]) {
      test(`delete: removing entry ${k} is caught at ${k}`, async (t) => {
        const s = await setup(adapter, t);
        if (!s) return;
        await s.raw.exec('delete from {audit_log} where seq = $1', [k]);
        await expectBad(s.log, k, 'missing');
      });
    }

    for (const [k, j] of [[4, 9], [6, 7], [1, N]] as const) {
      test(`reorder: swapping the contents of entries ${k} and ${j} is caught at ${k}`, async (t) => {
        const s = await setup(adapter, t);
        if (!s) return;
        const a = s.rows[k - 1]!;
        const b = s.rows[j - 1]!;
        await writeRow(s.raw, k, b);
        await writeRow(s.raw, j, a);
        await expectBad(s.log, k, 'prev_hash');
      });
    }

    for (const k of [1, 6]) {
      test(`insert: a forged entry at ${k} (later entries renumbered) is caught at ${k}`, async (t) => {
        const s = await setup(adapter, t);
        if (!s) return;
        await s.raw.exec('update {audit_log} set seq = seq + 1000000 where seq >= $1', [k]);
        await s.raw.exec('update {audit_log} set seq = seq - 999999 where seq >= 1000000');
        // Chained and hashed correctly; only the key is missing.
        const fake = forge(s.rows[k - 1]!, k, k === 1 ? GENESIS_HASH : s.rows[k - 2]!.hash, randomBytes(32), { action: 'secret.write', target: 'forged' });
        await s.raw.exec(`insert into {audit_log} (seq, ts, actor, action, target, outcome, request_id, details, prev_hash, hash, mac, key_version)
          values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [k, fake.ts, fake.actor, fake.action, fake.target, fake.outcome,
          fake.requestId, JSON.stringify(fake.details), fake.prevHash, fake.hash, fake.mac, fake.keyVersion]);
        await expectBad(s.log, k, 'mac');
      });
    }

    test('truncate: dropping the tail after an anchor was taken is caught at the first dropped entry', async (t) => {
      const s = await setup(adapter, t);
      if (!s) return;
      const anchor = await s.log.anchor();
      assert.equal(anchor?.seq, N);
      const exported = parseAnchorExports(exportAnchor(anchor!), 'anchor.json');
      await s.raw.exec('delete from {audit_log} where seq >= $1', [8]);
      await expectBad(s.log, 8, 'truncated');
      // Someone who can delete rows can delete the stored anchors too: only the exported one is left.
      await s.raw.exec('delete from {audit_anchors}');
      assert.equal((await s.log.verify()).ok, true, 'without anchors a truncation is invisible (documented)');
      await expectBad(s.log, 8, 'truncated', exported);
    });

    test('a forged anchor is caught by its MAC', async (t) => {
      const s = await setup(adapter, t);
      if (!s) return;
      const real = await s.log.anchor();
      const forged = { ...real!, seq: 20, entryCount: 20 };
      const r = await s.log.verify({ anchors: [forged] });
      assert.deepEqual([r.ok, r.firstBad?.reason, r.firstBad?.anchorSeq], [false, 'anchor_mac', 20]);
    });

    for (const k of [1, 5, N]) {
      test(`rewrite without the key: re-hashing entries ${k}..${N} under another key is caught at ${k}`, async (t) => {
        const s = await setup(adapter, t);
        if (!s) return;
        const wrong = randomBytes(32);
        let prev = k === 1 ? GENESIS_HASH : s.rows[k - 2]!.hash;
        for (let seq = k; seq <= N; seq++) {
          const row = forge(s.rows[seq - 1]!, seq, prev, wrong, seq === k ? { outcome: 'ok', target: 'rewritten' } : {});
          await writeRow(s.raw, seq, row);
          prev = row.hash;
        }
        await expectBad(s.log, k, 'mac');
      });
    }

    test('rewrite WITH the key: invisible to the chain, caught by anchors taken before', async (t) => {
      const s = await setup(adapter, t, 4);
      if (!s) return;
      const exported = parseAnchorExports(exportAnchor((await s.log.anchor())!), 'anchor.json');
      const key = (await s.keys.version('audit', 1)).material;
      const k = 5;
      let prev = s.rows[k - 2]!.hash;
      for (let seq = k; seq <= N; seq++) {
        const row = forge(s.rows[seq - 1]!, seq, prev, key, seq === k ? { outcome: 'ok' } : {});
        await writeRow(s.raw, seq, row);
        prev = row.hash;
      }
      const r1 = await s.log.verify();
      assert.deepEqual([r1.ok, r1.firstBad?.seq, r1.firstBad?.reason, r1.firstBad?.anchorSeq], [false, k, 'anchor_mismatch', 8],
        'the stored anchor at 8 no longer matches; the one at 4 still does, so the rewrite starts at 5');
      await s.raw.exec('delete from {audit_anchors}');
      assert.equal((await s.log.verify()).ok, true, 'with the key and without anchors a rewrite is invisible (documented)');
      const r2 = await s.log.verify({ anchors: exported });
      assert.deepEqual([r2.ok, r2.firstBad?.seq, r2.firstBad?.reason, r2.firstBad?.anchorSeq], [false, 1, 'anchor_mismatch', N]);
    });
  });
}

for (const adapter of STORE_ADAPTERS) describeTamper(adapter);
