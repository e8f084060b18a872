/**
 * Backup and restore as services, on a deployment with no pipeline data (the control store and its
 * vault only): the round trip, and the refusals that need no CLI: a sealed vault or another master
 * key, a running pipeline, an existing output file, a backup from a newer schema.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { openDeployment } from '../../engine/bootstrap.js';
import { acquireRunLock } from '../../engine/runtime/run-lock.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { createBackup } from './create-backup.js';
import { restoreBackup } from './restore-backup.js';

/** An environment with its own vault master key file (under its own XDG_CONFIG_HOME). */
function envIn(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config') };
  for (const k of Object.keys(env)) if (k.startsWith('TRIBUTARY_')) delete env[k];
  return env;
}

async function deployment(t: TestContext): Promise<{ dir: string; data: string; env: NodeJS.ProcessEnv }> {
  const dir = tmpDir(t, 'trb-backup-unit-');
  const env = envIn(dir);
  const data = join(dir, 'data');
  const d = await openDeployment(data, env);
  try {
    await d.control.startRun({ pipeline: 'p', configHash: 'h', trigger: 'cli' });
    await d.vault.set('some_secret', 'value');
  } finally { await d.close(); }
  return { dir, data, env };
}

describe('createBackup / restoreBackup', () => {
  it('round-trips the control store (vault included) into an empty directory', async (t) => {
    const { dir, data, env } = await deployment(t);
    const b = await createBackup({ dataDir: data, out: join(dir, 'b'), env });
    assert.equal(b.members, 2); // control store + audit mirror
    assert.equal(b.counts.control['runs'], 1);
    const r = await restoreBackup({ backup: b.path, dataDir: join(dir, 'r'), env });
    assert.deepEqual(r.counts.control['vault_entries'], b.counts.control['vault_entries']);
    const d = await openDeployment(join(dir, 'r'), env);
    try {
      assert.equal((await d.vault.get('some_secret')).reveal(), 'value');
      assert.equal((await d.control.listRuns({})).length, 1);
    } finally { await d.close(); }
  });

  it('needs the master key that wrapped the backup key: sealed or another key is refused, nothing restored', async (t) => {
    const { dir, data, env } = await deployment(t);
    const b = await createBackup({ dataDir: data, out: join(dir, 'b'), env });
    const sealed = envIn(join(dir, 'nowhere'));
    await assert.rejects(restoreBackup({ backup: b.path, dataDir: join(dir, 'r1'), env: sealed }), { code: 'TRB_SECRET_VAULT_SEALED' });
    const other = await deployment(t);
    await assert.rejects(restoreBackup({ backup: b.path, dataDir: join(dir, 'r2'), env: other.env }), (err: { family?: string }) => err.family === 'secret');
    assert.ok(!existsSync(join(dir, 'r1')) && !existsSync(join(dir, 'r2')));
  });

  it('refuses while a pipeline runs, when --out is a file, and a backup of a newer schema', async (t) => {
    const { dir, data, env } = await deployment(t);
    const lock = acquireRunLock(data, 'p');
    try {
      await assert.rejects(createBackup({ dataDir: data, out: join(dir, 'b'), env }), { code: 'TRB_PIPELINE_BUSY' });
    } finally { lock.release(); }
    assert.ok(!existsSync(join(dir, 'b')));
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(createBackup({ dataDir: data, out: join(dir, 'file'), env }), { code: 'TRB_BACKUP_OUTPUT_EXISTS' });

    const b = await createBackup({ dataDir: data, out: join(dir, 'b'), env });
    const m = JSON.parse(readFileSync(join(b.path, 'manifest.json'), 'utf8')) as { controlStore: { migrations: string[] } };
    m.controlStore.migrations.push('9999_from_the_future');
    writeFileSync(join(b.path, 'manifest.json'), JSON.stringify(m));
    await assert.rejects(restoreBackup({ backup: b.path, dataDir: join(dir, 'r'), env }), { code: 'TRB_BACKUP_INCOMPATIBLE' });
  });
});
