/**
 * `tributary apikeys` and `tributary users` end to end through the commander program, on a real
 * SQLite data directory with in-memory audit keys: the key is printed once and then authenticates,
 * list shows no secret, revoke/rotate work, passwords come from stdin, and the audit log holds
 * every admin action with neither key nor password in it. Exit codes through `main()`.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { Command } from 'commander';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { authenticateApiKey } from '../../security/apikeys/authenticate-api-key.js';
import type { Permission } from '../../security/identity/identity.js';
import { createScramVerifier } from '../../security/identity/scram.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys.js';
import { RecordingAudit } from '../../../test/helpers/recording-audit.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import type { IdentityCommandDeps } from '../identity-command-deps.js';
import { main } from '../program.js';
import { registerApiKeys } from './apikeys.js';
import { registerUsers } from './users.js';

const ENV = {};
const ROLES: Readonly<Record<string, ReadonlySet<Permission>>> = { analyst: new Set<Permission>(['sql:query', 'datasets:read']) };
const rolePermissions = (r: string): ReadonlySet<Permission> | undefined => ROLES[r];

function stdinOf(text: string): NodeJS.ReadStream {
  return Object.assign(Readable.from([Buffer.from(text)]), { isTTY: false }) as unknown as NodeJS.ReadStream;
}

/** Runs `tributary ...args`; resolves with stdout, rejects with the command's error. */
async function cli(args: readonly string[], deps: IdentityCommandDeps): Promise<string> {
  let text = '';
  const program = new Command('tributary').exitOverride();
  const d = { env: ENV, rolePermissions, ...deps, out: (s: string) => { text += s; } };
  registerApiKeys(program, d);
  registerUsers(program, d);
  await program.parseAsync(['node', 'tributary', ...args]);
  return text;
}

async function setup(t: TestContext): Promise<{ dir: string; deps: IdentityCommandDeps }> {
  const dir = tmpDir(t, 'trb-identity-cli-');
  return { dir, deps: { deployment: { keys: new MemoryDataKeys() } } };
}

async function auditEntries(dir: string, deps: IdentityCommandDeps): Promise<readonly { action: string; outcome: string; actor: string; target: string }[]> {
  const d = await openDeployment(dir, ENV, deps.deployment);
  try { return await d.control.audit.list(); } finally { await d.close(); }
}

describe('tributary apikeys', () => {
  test('create prints the key once; it authenticates; list shows status without secrets; revoke and rotate', async (t) => {
    const { dir, deps } = await setup(t);
    const human = await cli(['apikeys', 'create', '--data-dir', dir, '--role', 'analyst', '--name', 'grafana', '--scope', 'sql:query', '--expires', '90d'], deps);
    const key = /^(trb_\S+)$/m.exec(human)?.[1];
    assert.ok(key, human);
    assert.match(human, /Created API key \S+ \(grafana\): role analyst, scopes sql:query, expires \d{4}-/);
    const created = JSON.parse(await cli(['apikeys', 'create', '--data-dir', dir, '--role', 'analyst', '--json'], deps)) as { id: string; key: string; scopes: string[] };
    assert.deepEqual(created.scopes, []);

    const d = await openDeployment(dir, ENV, deps.deployment);
    const auth = { store: d.control.apiKeys, rolePermissions, audit: new RecordingAudit() };
    const id = await authenticateApiKey(`Bearer ${key}`, auth);
    assert.deepEqual([id.role, [...id.permissions]], ['analyst', ['sql:query']]);

    const listText = await cli(['apikeys', 'list', '--data-dir', dir], deps);
    const list = JSON.parse(await cli(['apikeys', 'list', '--data-dir', dir, '--json'], deps)) as { id: string; status: string }[];
    assert.deepEqual(list.map((k) => k.status), ['active', 'active']);
    for (const text of [listText, JSON.stringify(list)]) assert.ok(!text.includes(key.slice(-43)) && !text.includes(created.key.slice(-43)) && !text.includes('scrypt$'));

    assert.match(await cli(['apikeys', 'revoke', id.keyId!, '--data-dir', dir], deps), /^Revoked API key/);
    await assert.rejects(authenticateApiKey(`Bearer ${key}`, auth), (e: unknown) => isTributaryError(e) && e.code === 'TRB_AUTH_REVOKED');
    assert.match(await cli(['apikeys', 'revoke', id.keyId!, '--data-dir', dir], deps), /already revoked/);

    const rotated = JSON.parse(await cli(['apikeys', 'rotate', created.id, '--grace', '1h', '--data-dir', dir, '--json'], deps)) as { key: string; replaces: string };
    assert.equal(rotated.replaces, created.id);
    await authenticateApiKey(`Bearer ${created.key}`, auth); // grace period
    await authenticateApiKey(`Bearer ${rotated.key}`, auth);
    await d.close();
    const statuses = (JSON.parse(await cli(['apikeys', 'list', '--data-dir', dir, '--json'], deps)) as { status: string }[]).map((k) => k.status);
    assert.deepEqual(statuses, ['revoked', 'active', 'active']);

    const entries = await auditEntries(dir, deps);
    const admin = entries.filter((e) => e.action.startsWith('apikey.') && e.outcome === 'ok').map((e) => e.action);
    assert.deepEqual(admin, ['apikey.create', 'apikey.create', 'apikey.revoke', 'apikey.revoke', 'apikey.rotate']);
    assert.ok(entries.every((e) => e.actor.startsWith('cli:')));
    const all = JSON.stringify(entries);
    for (const k of [key, created.key, rotated.key]) assert.ok(!all.includes(k.slice(-43)), 'no key in the audit log');
  });

  test('invalid requests fail with typed errors before anything is stored', async (t) => {
    const { dir, deps } = await setup(t);
    for (const args of [['--role', 'analyst', '--expires', 'tomorrow'], ['--role', 'analyst', '--scope', 'audit:read'], ['--role', 'wizard'], ['--role', 'analyst', '--expires', '2001-01-01']]) {
      await assert.rejects(cli(['apikeys', 'create', '--data-dir', dir, ...args], deps), (e: unknown) => isTributaryError(e) && e.code === 'TRB_APIKEY_INVALID' && e.exit === 1);
    }
    await assert.rejects(cli(['apikeys', 'revoke', 'AAAAAAAAAAAA', '--data-dir', dir], deps), (e: unknown) => isTributaryError(e) && e.code === 'TRB_APIKEY_NOT_FOUND');
    await assert.rejects(cli(['apikeys', 'rotate', 'x', '--grace', 'soon', '--data-dir', dir], deps), (e: unknown) => isTributaryError(e) && e.code === 'TRB_APIKEY_INVALID');
    assert.equal(JSON.parse(await cli(['apikeys', 'list', '--data-dir', dir, '--json'], deps)).length, 0);
  });

  test('exit codes and --help through main()', async (t) => {
    const dir = tmpDir(t, 'trb-identity-main-');
    const write = process.stdout.write;
    const errWrite = process.stderr.write;
    let captured = '';
    process.stdout.write = ((s: string) => { captured += s; return true; }) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => { captured += s; return true; }) as typeof process.stderr.write;
    try {
      assert.equal(await main(['node', 'tributary', 'apikeys', '--help']), 0);
      assert.equal(await main(['node', 'tributary', 'users', 'create', '--help']), 0);
      assert.equal(await main(['node', 'tributary', 'apikeys', 'create', '--data-dir', dir, '--role', 'analyst', '--expires', 'never']), 1);
      assert.equal(await main(['node', 'tributary', 'apikeys', 'revoke', 'AAAAAAAAAAAA', '--data-dir', dir, '--json']), 1);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
    assert.match(captured, /Usage: tributary apikeys/);
    assert.match(captured, /--password-stdin/);
    assert.match(captured, /error\[TRB_APIKEY_INVALID\]/);
    assert.match(captured, /"code":"TRB_APIKEY_NOT_FOUND"/);
  });
});

describe('tributary users', () => {
  test('create from stdin, list, passwd, delete; the verifier matches the password; audit has no password', async (t) => {
    const { dir, deps } = await setup(t);
    const pw = 'a long enough password';
    assert.match(await cli(['users', 'create', 'metabase', '--role', 'analyst', '--password-stdin', '--data-dir', dir], { ...deps, stdin: stdinOf(`${pw}\n`) }),
      /Created wire user metabase with role analyst \(SCRAM-SHA-256, 4096 iterations\)/);
    const list = JSON.parse(await cli(['users', 'list', '--data-dir', dir, '--json'], deps)) as { name: string; role: string }[];
    assert.deepEqual(list.map((u) => [u.name, u.role]), [['metabase', 'analyst']]);
    assert.ok(!JSON.stringify(list).includes('storedKey'));

    await assert.rejects(cli(['users', 'create', 'metabase', '--role', 'analyst', '--password-stdin', '--data-dir', dir], { ...deps, stdin: stdinOf(`${pw}\n`) }),
      (e: unknown) => isTributaryError(e) && e.code === 'TRB_USER_EXISTS');
    await assert.rejects(cli(['users', 'create', 'grafana', '--role', 'analyst', '--data-dir', dir], { ...deps, stdin: stdinOf(pw) }),
      (e: unknown) => isTributaryError(e) && e.code === 'TRB_USER_INVALID' && /--password-stdin/.test(e.message), 'no prompt without a terminal');
    await cli(['users', 'passwd', 'metabase', '--password-stdin', '--data-dir', dir], { ...deps, stdin: stdinOf('another long password') });
    const d = await openDeployment(dir, ENV, deps.deployment);
    const v = (await d.control.wireUsers.get('metabase'))!.verifier;
    await d.close();
    assert.equal(v.iterations, 4096);
    const expected = await createScramVerifier('another long password', { salt: Buffer.from(v.salt, 'base64'), iterations: v.iterations });
    assert.deepEqual(v, expected, 'the stored verifier is that of the new password');
    assert.match(await cli(['users', 'delete', 'metabase', '--data-dir', dir], deps), /Deleted wire user metabase/);
    await assert.rejects(cli(['users', 'delete', 'metabase', '--data-dir', dir], deps), (e: unknown) => isTributaryError(e) && e.code === 'TRB_USER_NOT_FOUND' && e.exit === 1);

    const entries = await auditEntries(dir, deps);
    assert.deepEqual(entries.filter((e) => e.outcome === 'ok').map((e) => `${e.action} ${e.target}`),
      ['user.create user:metabase', 'user.passwd user:metabase', 'user.delete user:metabase']);
    const all = JSON.stringify(entries);
    assert.ok(!all.includes(pw) && !all.includes('another long password') && !all.includes(v.storedKey));
  });
});
