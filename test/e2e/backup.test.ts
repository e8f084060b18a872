/**
 * `tributary backup` / `tributary restore` end to end through the CLI: a pipeline over generated
 * access logs is run, backed up and restored into an empty directory; queries over the restored
 * warehouse give the same counts, a further run on the restored deployment lands only new lines,
 * and both operations are in the audit logs. A changed byte in a member, a non-empty target and a
 * missing referenced lake file are refused with typed errors naming what is wrong; `--verify`
 * reports equality; `--lake copy` restores without the original files; no client address from the
 * input appears in plaintext in any backup file; a backup killed before its final rename leaves
 * nothing at `--out`.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateAccessLog } from '../../src/generator/index.js';
import { filesUnder } from '../helpers/data-files.js';
import { cli, pipelineYaml, queryJson, runJson, workspace } from './_cli.js';

interface Json { [k: string]: unknown }

const parse = (stdout: string): Json => JSON.parse(stdout) as Json;

/** `backup|restore ... --json`: the parsed output, asserting the exit code. */
async function ok(args: string[]): Promise<Json> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, `${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return parse(r.stdout);
}

/** `... --json` expected to fail: the error object. */
async function fails(args: string[]): Promise<{ code: number | null; error: { code: string; message: string; details: Json } }> {
  const r = await cli([...args, '--json']);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail: ${r.stdout}`);
  return { code: r.code, error: (parse(r.stdout) as { error: { code: string; message: string; details: Json } }).error };
}

const count = async (dataDir: string, table: string): Promise<number> =>
  Number((await queryJson(join(dataDir, 'warehouse.duckdb'), `SELECT count(*) AS n FROM ${table}`))[0]?.['n']);

describe('backup and restore (e2e)', () => {
  const ws = workspace('trb-backup-e2e-');
  const file = join(ws.dir, 'p.yaml');
  const data = join(ws.dir, 'data');
  const log = join(ws.dir, 'logs', 'access.log');
  let ips: string[] = [];
  let requests = 0;
  let quarantine = 0;
  let refBackup = '';

  before(async () => {
    mkdirSync(join(ws.dir, 'logs'));
    await generateAccessLog({ lines: 3000, seed: 11, format: 'apache_combined', malformedRatio: 0.005 }, log);
    ips = [...new Set(readFileSync(log, 'latin1').split('\n').map((l) => l.split(' ')[0] ?? '').filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)))];
    writeFileSync(file, pipelineYaml({ name: 'bk', include: ['logs/*.log'] }));
    const run = await runJson(file);
    assert.equal(run.summary.status, 'succeeded', run.stderr);
    requests = await count(data, 'requests');
    quarantine = await count(data, 'quarantine');
    assert.ok(requests > 2900 && quarantine > 0 && ips.length > 50);
  });
  after(ws.cleanup);

  it('backs up by reference, restores into an empty directory, and the restored deployment queries and runs', async () => {
    refBackup = join(ws.dir, 'backups', 'ref');
    const b = await ok(['backup', file, '--out', refBackup]);
    assert.equal(b['path'], refBackup);
    assert.equal(b['files'], 'reference');
    assert.ok((b['references'] as number) > 0, 'lake files and bronze objects are referenced');
    const manifest = JSON.parse(readFileSync(join(refBackup, 'manifest.json'), 'utf8')) as Json & { members: { role: string; sha256: string }[] };
    assert.deepEqual([...new Set(manifest.members.map((m) => m.role))].sort(), ['audit-mirror', 'control-store', 'lake-state', 'warehouse']);
    assert.equal((manifest['encryption'] as Json)['key'], 'backup');

    const target = join(ws.dir, 'restored');
    const r = await ok(['restore', refBackup, '--data-dir', target]);
    assert.equal(r['dataDir'], target);
    assert.deepEqual((r['references'] as Json)['missing'], []);
    assert.equal(await count(target, 'requests'), requests);
    assert.equal(await count(target, 'quarantine'), quarantine);
    for (const f of filesUnder(join(data, 'lake')).filter((p) => p.endsWith('.parquet'))) {
      assert.ok(existsSync(join(target, f.slice(data.length))), `lake file ${f} is restored`);
    }

    // A further run on the restored deployment continues from the restored checkpoints.
    appendFileSync(log, '203.0.113.250 - - [08/Nov/2026:10:00:00 +0000] "GET /after-restore HTTP/1.1" 200 12 "-" "curl/8.5.0"\n');
    const again = await runJson(file, '--data-dir', target);
    assert.equal(again.summary.status, 'succeeded', again.stderr);
    assert.equal(again.summary.landed, 1);
    assert.equal(await count(target, 'requests'), requests + 1);

    // Audited in both deployments, attempt then outcome; the restored chain verifies.
    const created = await cli(['audit', 'search', '--data-dir', data, '--action', 'backup.create', '--json']);
    assert.deepEqual((JSON.parse(created.stdout) as Json[]).map((e) => e['outcome']), ['ok', 'attempt']);
    const restored = await cli(['audit', 'search', '--data-dir', target, '--action', 'backup.restore', '--json']);
    assert.deepEqual((JSON.parse(restored.stdout) as Json[]).map((e) => e['outcome']), ['ok', 'attempt']);
    assert.equal((await cli(['audit', 'verify', '--data-dir', target])).code, 0);
  });

  it('keeps no client address from the input in plaintext in any backup file', () => {
    const files = filesUnder(refBackup);
    assert.ok(files.length >= 5);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const ip of ips) assert.ok(!bytes.includes(ip), `${f} contains the client address ${ip} in plaintext`);
    }
  });

  it('refuses a tampered member, naming it, and restores nothing', async () => {
    const manifest = JSON.parse(readFileSync(join(refBackup, 'manifest.json'), 'utf8')) as { members: { name: string; file: string; role: string }[] };
    const member = manifest.members.find((m) => m.role === 'warehouse')!;
    const copy = join(ws.dir, 'backups', 'tampered');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    for (const f of filesUnder(refBackup)) {
      const dest = join(copy, f.slice(refBackup.length));
      mkdirSync(join(dest, '..'), { recursive: true });
      writeFileSync(dest, readFileSync(f));
    }
    const bytes = readFileSync(join(copy, member.file));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(join(copy, member.file), bytes);
    const target = join(ws.dir, 'restored-tampered');
    const f = await fails(['restore', copy, '--data-dir', target]);
    assert.equal(f.error.code, 'TRB_BACKUP_MEMBER_CORRUPT');
    assert.equal(f.error.details['member'], member.name);
    assert.match(f.error.message, new RegExp(member.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(f.code, 6);
    assert.ok(!existsSync(target), 'nothing is restored');
    assert.deepEqual(readdirSync(join(ws.dir)).filter((n) => n.includes('restoring')), [], 'no temporary directory is left');

    // An altered manifest is refused too (its MAC).
    const m = readFileSync(join(copy, 'manifest.json'), 'utf8');
    writeFileSync(join(copy, 'manifest.json'), m.replace(/"createdAt": "[^"]+"/, '"createdAt": "2000-01-01T00:00:00.000Z"'));
    assert.equal((await fails(['restore', copy, '--data-dir', target])).error.code, 'TRB_BACKUP_MANIFEST_INVALID');
  });

  it('refuses a non-empty target directory', async () => {
    const target = join(ws.dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'something'), 'x');
    const f = await fails(['restore', refBackup, '--data-dir', target]);
    assert.equal(f.error.code, 'TRB_BACKUP_TARGET_NOT_EMPTY');
    assert.equal(f.code, 1);
    assert.deepEqual(readdirSync(target), ['something']);
  });

  it('--verify restores into a temporary place and reports equal counts', async () => {
    const v = await ok(['restore', '--verify', refBackup]);
    assert.equal(v['verified'], true);
    const counts = v['counts'] as { control: Record<string, number>; warehouses: Record<string, Record<string, number>> };
    assert.equal(counts.warehouses['warehouse:warehouse.duckdb']?.['main.requests'], requests);
    assert.ok((counts.control['lake_files'] ?? 0) > 0);
    const b = await ok(['backup', '--data-dir', data, '--out', join(ws.dir, 'backups'), '--verify']);
    assert.match(String(b['path']), /backups\/tributary-backup-\d{8}T\d{6}Z$/);
    assert.equal((b['verify'] as Json)['verified'], true);
  });

  it('--lake reference reports a missing lake file; --lake copy restores without the originals', async () => {
    const copyBackup = join(ws.dir, 'backups', 'copy');
    const b = await ok(['backup', file, '--out', copyBackup, '--lake', 'copy']);
    assert.equal(b['references'], 0);
    const manifest = JSON.parse(readFileSync(join(copyBackup, 'manifest.json'), 'utf8')) as { members: { role: string }[] };
    assert.ok(manifest.members.some((m) => m.role === 'lake-file') && manifest.members.some((m) => m.role === 'bronze-object'));
    for (const f of filesUnder(copyBackup)) {
      const bytes = readFileSync(f);
      for (const ip of ips.slice(0, 50)) assert.ok(!bytes.includes(ip), `${f} contains ${ip} in plaintext`);
    }

    // Lose one lake file of the original deployment.
    const lost = filesUnder(join(data, 'lake')).find((p) => p.endsWith('.parquet'))!;
    rmSync(lost);
    const target = join(ws.dir, 'restored-ref');
    const f = await fails(['restore', refBackup, '--data-dir', target]);
    assert.equal(f.error.code, 'TRB_BACKUP_REFERENCE_MISSING');
    assert.deepEqual(f.error.details['files'], [lost]);
    assert.ok(!existsSync(target));
    const partial = await ok(['restore', refBackup, '--data-dir', target, '--allow-missing-files']);
    assert.deepEqual((partial['references'] as Json)['missing'], [lost]);

    const fromCopy = join(ws.dir, 'restored-copy');
    await ok(['restore', copyBackup, '--data-dir', fromCopy]);
    assert.ok(existsSync(join(fromCopy, lost.slice(data.length))), 'the lost file comes back from the copy backup');
    assert.equal(await count(fromCopy, 'requests'), requests);
    writeFileSync(lost, readFileSync(join(fromCopy, lost.slice(data.length))));
  });

  it('a backup killed before its final rename leaves nothing at --out, and the next one succeeds', async () => {
    for (const point of ['backup.after_members', 'backup.before_rename']) {
      const out = join(ws.dir, 'backups', `crash-${point}`);
      const killed = await cli(['backup', file, '--out', out], undefined, { TRIBUTARY_FAILPOINT: point });
      assert.equal(killed.signal, 'SIGKILL', `${point}: ${killed.stderr}`);
      assert.ok(!existsSync(out), `${point}: nothing at --out`);
      const b = await ok(['backup', file, '--out', out]);
      assert.equal(b['path'], out);
      assert.deepEqual(readdirSync(join(data, 'staging')).filter((n) => n.startsWith('backup-')), [], 'no plaintext snapshot is left in staging');
    }
  });
});
