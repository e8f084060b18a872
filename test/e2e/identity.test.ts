/**
 * `tributary apikeys` and `tributary users` as real processes (src/main.ts): the key is printed
 * once and works against the data directory's control store, a revoked key stops at once, the
 * password comes from stdin, the audit log (read back with `tributary audit`) verifies and holds
 * no key or password, and errors exit with their family's code.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteControlStore } from '../../src/seams/control-store/sqlite/index.js';
import { authenticateApiKey } from '../../src/security/apikeys/authenticate-api-key.js';
import type { Permission } from '../../src/security/identity/identity.js';
import { RecordingAudit } from '../helpers/recording-audit.js';
import { tmpDir } from '../helpers/tmp.js';
import { cli } from './_cli.js';

describe('tributary apikeys / users (processes)', () => {
  it('create, authenticate, revoke; users from stdin; audit verifies without secrets; exit codes', async (t) => {
    const root = tmpDir(t, 'trb-identity-e2e-');
    const env = { XDG_CONFIG_HOME: join(root, 'config'), TRIBUTARY_DATA_DIR: join(root, 'data') };
    const created = await cli(['apikeys', 'create', '--role', 'analyst', '--name', 'grafana', '--json'], undefined, env);
    assert.equal(created.code, 0, created.stderr);
    const k = JSON.parse(created.stdout) as { id: string; key: string; status: string };
    assert.equal(k.status, 'active');

    const store = createSqliteControlStore({ path: join(root, 'data', 'control.db') });
    t.after(() => store.close());
    const auth = { store: store.apiKeys, audit: new RecordingAudit(), rolePermissions: () => new Set<Permission>(['sql:query']) };
    assert.equal((await authenticateApiKey(`Bearer ${k.key}`, auth)).subject, `api:${k.id}`);
    assert.equal((await cli(['apikeys', 'revoke', k.id], undefined, env)).code, 0);
    await assert.rejects(authenticateApiKey(`Bearer ${k.key}`, auth), /was revoked/);

    const user = await cli(['users', 'create', 'metabase', '--role', 'analyst', '--password-stdin'], 'correct horse battery\n', env);
    assert.equal(user.code, 0, user.stderr);
    assert.equal((await cli(['users', 'create', 'x', '--role', 'analyst', '--password-stdin'], 'short\n', env)).code, 1);
    const missing = await cli(['apikeys', 'revoke', 'AAAAAAAAAAAA', '--json'], undefined, env);
    assert.equal(missing.code, 1);
    assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'TRB_APIKEY_NOT_FOUND');

    const verify = await cli(['audit', 'verify'], undefined, env);
    assert.equal(verify.code, 0, verify.stderr);
    const tail = await cli(['audit', 'tail', '-n', '100', '--json'], undefined, env);
    assert.match(tail.stdout, /"action":"apikey\.create"/);
    assert.match(tail.stdout, /"action":"user\.create"/);
    assert.ok(!tail.stdout.includes(k.key.slice(-43)) && !tail.stdout.includes('correct horse'), 'no key or password in the audit log');
  });
});
