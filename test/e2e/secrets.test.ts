/**
 * `tributary secrets` end to end: values never from argv, redaction, exit codes, and master key
 * rotation interrupted by SIGKILL at every step (failpoints) and at random moments: every secret
 * stays readable and a second run finishes the job.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteControlStore } from '../../src/seams/control-store/sqlite/index.js';
import { openVault } from '../../src/security/vault/open-vault.js';
import { tmpDir } from '../helpers/tmp.js';
import { cli, spawnCli, collect } from './_cli.js';

function envFor(root: string): Record<string, string> {
  return { XDG_CONFIG_HOME: join(root, 'config'), TRIBUTARY_DATA_DIR: join(root, 'data') };
}

async function ok(args: string[], env: Record<string, string>, input?: string): Promise<string> {
  const r = await cli(args, input, env);
  assert.equal(r.code, 0, `tributary ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

describe('tributary secrets', () => {
  it('sets from stdin, gets, lists without values, rotates, removes; errors exit 2', async (t) => {
    const env = envFor(tmpDir(t, 'trb-secrets-'));
    const set = await cli(['secrets', 'set', 'api_token', '--json'], 'canary-9a7b\n', env);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), { name: 'api_token', version: 1 });
    assert.match(set.stderr, /Created the vault master key file .*master\.key \(mode 0600\)/);
    const keyFile = join(env.XDG_CONFIG_HOME ?? '', 'tributary', 'master.key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(await ok(['secrets', 'get', 'api_token'], env), 'canary-9a7b\n');
    await ok(['secrets', 'rotate', 'api_token'], env, 'canary-9a7b-v2');
    assert.equal(await ok(['secrets', 'get', 'api_token'], env), 'canary-9a7b-v2\n');
    assert.equal(await ok(['secrets', 'get', 'api_token', '--secret-version', '1'], env), 'canary-9a7b\n');
    await ok(['secrets', 'generate', 'bronze', '--type', 'age'], env);
    const list = JSON.parse(await ok(['secrets', 'list', '--json'], env)) as { name: string; kind: string; version: number }[];
    assert.deepEqual(list.filter((e) => e.kind !== 'audit').map((e) => [e.name, e.kind, e.version]), [['api_token', 'secret', 2], ['bronze', 'age', 1]]);
    assert.doesNotMatch(JSON.stringify(list), /canary|AGE-SECRET/);
    const missing = await cli(['secrets', 'get', 'nope'], undefined, env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /TRB_SECRET_NOT_FOUND|`nope` does not exist/);
    const empty = await cli(['secrets', 'set', 'x'], '', env);
    assert.equal(empty.code, 2);
    await ok(['secrets', 'rm', 'api_token'], env);
    assert.equal((await cli(['secrets', 'get', 'api_token'], undefined, env)).code, 2);
    await ok(['secrets', 'set', 'still_here'], env, 'x');
    const sealed = await cli(['secrets', 'get', 'still_here'], undefined, { ...env, TRIBUTARY_MASTER_KEY_PROVIDER: 'env' });
    assert.equal(sealed.code, 2);
    assert.match(sealed.stderr, /sealed/);
    // No value ever reached the data directory in plaintext.
    const db = readFileSync(join(env.TRIBUTARY_DATA_DIR ?? '', 'control.db'));
    assert.equal(db.includes(Buffer.from('canary')), false);
  });

  for (const point of ['vault.rotate_master.after_new_key', 'vault.rotate_master.after_first_rewrap', 'vault.rotate_master.after_rewrap']) {
    it(`master key rotation killed at ${point} loses nothing and completes on rerun`, async (t) => {
      const env = envFor(tmpDir(t, 'trb-rotate-'));
      for (let i = 0; i < 4; i++) await ok(['secrets', 'set', `s${i}`], env, `value-${i}`);
      const killed = await cli(['secrets', 'rotate', '--master'], undefined, { ...env, TRIBUTARY_FAILPOINT: point });
      assert.equal(killed.signal, 'SIGKILL', `expected the failpoint to kill the process: ${killed.stderr}`);
      for (let i = 0; i < 4; i++) assert.equal(await ok(['secrets', 'get', `s${i}`], env), `value-${i}\n`);
      await ok(['secrets', 'rotate', '--master', '--rewrap-only'], env);
      const status = JSON.parse(await ok(['secrets', 'list', '--json'], env)) as { masterKeyIds: string[] }[];
      assert.equal(new Set(status.flatMap((s) => s.masterKeyIds)).size, 1, 'every entry is under one master key after the rerun');
      for (let i = 0; i < 4; i++) assert.equal(await ok(['secrets', 'get', `s${i}`], env), `value-${i}\n`);
    });
  }

  it('master key rotation killed at random moments never leaves an unreadable secret', async (t) => {
    const env = envFor(tmpDir(t, 'trb-rotate-rand-'));
    await ok(['secrets', 'set', 'first'], env, 'v-first');
    // Many entries, written in process (fast), so a rotation takes long enough to be interrupted.
    const control = createSqliteControlStore({ path: join(env.TRIBUTARY_DATA_DIR ?? '', 'control.db') });
    await control.migrate();
    const vault = openVault({ control, env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME ?? '' } });
    for (let i = 0; i < 400; i++) await vault.createKey(`k${i}`, 'field');
    await control.close();
    let mixedRounds = 0;
    for (let round = 0; round < 4; round++) {
      const child = spawnCli(['secrets', 'rotate', '--master'], env);
      const done = collect(child);
      // Kill once the rotation has started (its first progress is the new key in the key file).
      const keyFile = join(env.XDG_CONFIG_HOME ?? '', 'tributary', 'master.key');
      const before = readFileSync(keyFile, 'utf8');
      for (let i = 0; i < 400 && readFileSync(keyFile, 'utf8') === before; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      child.kill('SIGKILL');
      await done;
      const list = JSON.parse(await ok(['secrets', 'list', '--json'], env)) as { masterKeyIds: string[] }[];
      if (new Set(list.flatMap((s) => s.masterKeyIds)).size > 1) mixedRounds++;
      assert.equal(await ok(['secrets', 'get', 'first'], env), 'v-first\n');
    }
    assert.ok(mixedRounds > 0, 'at least one kill landed in the middle of the re-wrapping');
    await ok(['secrets', 'rotate', '--master', '--rewrap-only'], env);
    const list = JSON.parse(await ok(['secrets', 'list', '--json'], env)) as { masterKeyIds: string[] }[];
    assert.equal(new Set(list.flatMap((s) => s.masterKeyIds)).size, 1);
    assert.equal(await ok(['secrets', 'get', 'first'], env), 'v-first\n');
  });
});
