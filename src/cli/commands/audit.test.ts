/** `tributary audit ...` against a real (SQLite) data directory, with in-memory audit keys. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment } from '../../engine/bootstrap.js';
import type { AuditEntryRow } from '../../seams/control-store/audit-store.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { main } from '../program.js';
import { registerAudit, type AuditCommandDeps } from './audit.js';

const ENV = {}; // no TRIBUTARY_* from the outer environment: always the SQLite store of the data dir

/** Runs `tributary audit ...args`; resolves with the output, rejects with the command's error. */
async function audit(args: readonly string[], deps: Omit<AuditCommandDeps, 'out'> = {}): Promise<string> {
  let text = '';
  const program = new Command('tributary').exitOverride();
  registerAudit(program, { env: ENV, out: (s) => { text += s; }, ...deps });
  await program.parseAsync(['node', 'tributary', 'audit', ...args]);
  return text;
}

/** A data directory holding `n` audit entries written through the deployment's audit log. */
async function dataDir(t: TestContext, n: number): Promise<{ dir: string; keys: MemoryDataKeys }> {
  const dir = tmpDir(t, 'trb-audit-cli-');
  const keys = new MemoryDataKeys();
  const d = await openDeployment(dir, ENV, { keys });
  for (let i = 1; i <= n; i++) {
    await d.audit.record({ actor: i % 2 ? 'cli:alice' : 'engine', action: i % 3 ? 'secret.read' : 'run.start', target: `target_${i}`,
      outcome: i === 4 ? 'denied' : 'ok', details: { i } });
  }
  await d.close();
  return { dir, keys };
}

async function rejectsWith(p: Promise<unknown>, code: string, exit: number): Promise<Error> {
  let caught: Error | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isTributaryError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.exit, exit);
    caught = e;
    return true;
  });
  return caught!;
}

describe('tributary audit', () => {
  test('verify: OK on an intact log; names the first bad entry (exit 2) after tampering', async (t) => {
    const { dir, keys } = await dataDir(t, 9);
    const deps = { keysFor: () => keys };
    assert.match(await audit(['verify', '--data-dir', dir], deps), /^Audit log OK: 9 entries, head 9 [0-9a-f]{64}, 0 anchor\(s\) checked\./);
    const json = JSON.parse(await audit(['verify', '--data-dir', dir, '--json'], deps)) as { ok: boolean; entries: number };
    assert.deepEqual([json.ok, json.entries], [true, 9]);
    const db = new Database(join(dir, 'control.db'));
    db.prepare('update audit_log set outcome = ? where seq = ?').run('ok', 4);
    db.close();
    const e = await rejectsWith(audit(['verify', '--data-dir', dir], deps), 'TRB_AUDIT_CHAIN_BROKEN', 2);
    assert.match(e.message, /at entry 4 \(hash\).*verified \(3\)/);
    assert.deepEqual([(e as { details?: { seq?: number } }).details?.seq], [4]);
  });

  test('anchor --export, then verify --anchor catches a truncation that also removed the stored anchors', async (t) => {
    const { dir, keys } = await dataDir(t, 6);
    const deps = { keysFor: () => keys };
    const line = await audit(['anchor', '--data-dir', dir, '--export'], deps);
    const exported = JSON.parse(line) as { format: string; seq: number };
    assert.deepEqual([exported.format, exported.seq], ['tributary.audit.anchor', 6]);
    assert.match(await audit(['anchor', '--data-dir', dir], deps), /^Anchored entry 6 \(head [0-9a-f]{64}\)/);
    const file = join(dir, 'anchors.jsonl');
    writeFileSync(file, line);
    assert.match(await audit(['verify', '--data-dir', dir, '--anchor', file], deps), /6 entries.*2 anchor\(s\) checked/);
    const db = new Database(join(dir, 'control.db'));
    db.exec('delete from audit_log where seq >= 5; delete from audit_anchors');
    db.close();
    assert.match(await audit(['verify', '--data-dir', dir], deps), /OK: 4 entries/);
    const e = await rejectsWith(audit(['verify', '--data-dir', dir, '--anchor', file], deps), 'TRB_AUDIT_CHAIN_BROKEN', 2);
    assert.match(e.message, /at entry 5 \(truncated\)/);
    const edit = new Database(join(dir, 'control.db'));
    edit.prepare('update audit_log set target = ? where seq = ?').run('edited', 2);
    edit.close();
    await rejectsWith(audit(['anchor', '--data-dir', dir, '--export'], deps), 'TRB_AUDIT_CHAIN_BROKEN', 2);
    assert.equal((JSON.parse(await audit(['anchor', '--data-dir', dir, '--export', '--no-verify'], deps)) as { seq: number }).seq, 4);
  });

  test('anchor on an empty log and a bad anchor file are request errors', async (t) => {
    const { dir, keys } = await dataDir(t, 0);
    await rejectsWith(audit(['anchor', '--data-dir', dir], { keysFor: () => keys }), 'TRB_AUDIT_LOG_EMPTY', 1);
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"seq": 1}');
    await rejectsWith(audit(['verify', '--data-dir', dir, '--anchor', file], { keysFor: () => keys }), 'TRB_AUDIT_ANCHOR_INVALID', 1);
  });

  test('tail: the last N entries oldest first; JSON lines; --follow prints new entries until stopped', async (t) => {
    const { dir, keys } = await dataDir(t, 5);
    const lines = (await audit(['tail', '--data-dir', dir, '-n', '3'])).trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split('  ')[0]), ['3', '4', '5']);
    assert.match(lines[1]!, /^4 {2}\S+Z {2}engine {2}secret\.read {2}target_4 {2}denied {2}\{"i":4\}$/);
    const rows = (await audit(['tail', '--data-dir', dir, '--json'])).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntryRow);
    assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.match(rows[0]!.mac, /^[0-9a-f]{64}$/);

    const ac = new AbortController();
    const following = audit(['tail', '--data-dir', dir, '-n', '1', '--follow', '--json'], { signal: ac.signal, followIntervalMs: 20 });
    const d = await openDeployment(dir, ENV, { keys });
    await d.audit!.record({ actor: 'engine', action: 'run.end', target: 'later', outcome: 'ok' });
    await d.close();
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    const followed = (await following).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntryRow);
    assert.deepEqual(followed.map((r) => [r.seq, r.target]), [[5, 'target_5'], [6, 'later']]);
  });

  test('search: filters combine, newest first, table or JSON', async (t) => {
    const { dir } = await dataDir(t, 8);
    const json = async (...args: string[]): Promise<number[]> =>
      (JSON.parse(await audit(['search', '--data-dir', dir, '--json', ...args])) as AuditEntryRow[]).map((r) => r.seq);
    assert.deepEqual(await json(), [8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(await json('--action', 'run.start'), [6, 3]);
    assert.deepEqual(await json('--actor', 'cli:alice', '--action', 'secret.read'), [7, 5, 1]);
    assert.deepEqual(await json('--target', 'get_1'), [1]);
    assert.deepEqual(await json('--outcome', 'denied'), [4]);
    assert.deepEqual(await json('-n', '2'), [8, 7]);
    assert.deepEqual(await json('--since', '2000-01-01', '--until', '2999-01-01', '-n', '1'), [8]);
    assert.deepEqual(await json('--until', '2000-01-01'), []);
    const table = await audit(['search', '--data-dir', dir, '--outcome', 'denied']);
    assert.match(table, /^seq\s+ts\s+actor\s+action\s+target\s+outcome\s+details\n/);
    assert.match(table, /target_4\s+denied\s+\{"i":4\}\n\(1 row\)/);
    await rejectsWith(audit(['search', '--data-dir', dir, '--since', 'last tuesday']), 'TRB_VALIDATION', 1);
  });

  test('with the vault sealed, verify exits 2 naming the sealed vault; tail still works', async (t) => {
    const dir = tmpDir(t, 'trb-audit-cli-');
    const env = { TRIBUTARY_MASTER_KEY: randomBytes(32).toString('base64') };
    const d = await openDeployment(dir, env);
    await d.audit.record({ actor: 'cli:alice', action: 'secret.read', target: 'x', outcome: 'ok' });
    await d.audit.record({ actor: 'engine', action: 'run.start', target: 'web', outcome: 'ok' });
    await d.close();
    assert.match(await audit(['verify', '--data-dir', dir], { env }), /Audit log OK: 3 entries/, 'key.create of the audit key, then the two events');
    await rejectsWith(audit(['verify', '--data-dir', dir], { env: { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' } }), 'TRB_SECRET_VAULT_SEALED', 2);
    assert.equal((await audit(['tail', '--data-dir', dir], { env: { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' } })).trimEnd().split('\n').length, 3);
  });
});
