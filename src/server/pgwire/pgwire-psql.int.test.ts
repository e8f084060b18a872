/**
 * The gateway with the real `psql` binary (PostgreSQL 15 client), driven as a child process with
 * PGPASSWORD over verified TLS: `\dt` lists only the relations the identity may see, `\d requests`
 * describes columns with PostgreSQL type names, a SELECT returns rows, and a wrong password is
 * refused. psql's catalog queries are its real ones (`psql -E` prints them).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startTestGateway, ALICE_PASSWORD, type TestGateway } from './test-support/start-test-gateway.js';

interface PsqlRun { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs psql asynchronously (a synchronous child would block the in-process server). */
function psql(gw: TestGateway, password: string, ...args: string[]): Promise<PsqlRun> {
  const conninfo = `host=127.0.0.1 port=${gw.server.port} user=alice dbname=tributary sslmode=verify-full sslrootcert=${gw.ca.caFile}`;
  return new Promise((resolve) => {
    execFile('psql', [conninfo, '-X', '-v', 'ON_ERROR_STOP=1', ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' }, timeout: 30_000,
    }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('pgwire gateway with psql', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway(); });
  after(async () => { await gw.close(); });

  it('\\dt lists only the visible tables', async () => {
    const r = await psql(gw, ALICE_PASSWORD, '-c', '\\dt');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /public \| requests \| table/);
    assert.match(r.stdout, /public \| visitors \| table/);
    assert.doesNotMatch(r.stdout, /salaries/);
    assert.match(r.stdout, /\(2 rows\)/);
  });

  it('\\d requests describes the columns with PostgreSQL types; \\d of a hidden table finds nothing', async () => {
    const r = await psql(gw, ALICE_PASSWORD, '-c', '\\d requests');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Table "public\.requests"/);
    for (const line of [/ id\s+\| bigint/, / ts\s+\| timestamp with time zone/, / ok\s+\| boolean/, / price\s+\| numeric\(10,2\)/, / uid\s+\| uuid/]) {
      assert.match(r.stdout, line);
    }
    const hidden = await psql(gw, ALICE_PASSWORD, '-c', '\\d salaries');
    assert.match(hidden.stderr, /Did not find any relation named "salaries"/);
  });

  it('runs a SELECT, \\l and \\dn, and maps a denied query to an error', async () => {
    const r = await psql(gw, ALICE_PASSWORD, '-A', '-t', '-c', "SELECT id, ok, ts FROM requests WHERE status = 200");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), '1|t|2024-03-01 10:00:00.123456+00');
    const l = await psql(gw, ALICE_PASSWORD, '-c', '\\l');
    assert.match(l.stdout, /tributary/);
    const dn = await psql(gw, ALICE_PASSWORD, '-A', '-t', '-c', '\\dn');
    assert.equal(dn.stdout.trim().split('\n').map((x) => x.split('|')[0]).join(','), 'public');
    const denied = await psql(gw, ALICE_PASSWORD, '-c', 'SELECT * FROM salaries');
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Permission denied/);
  });

  it('refuses a wrong password (SCRAM) and audits it', async () => {
    const r = await psql(gw, 'wrong', '-c', 'SELECT 1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /password authentication failed for user "alice"/);
    assert.ok(gw.audit.some((e) => e.action === 'auth.fail' && e.actor === 'user:alice'));
  });

  it('is refused with sslmode=disable', async () => {
    const r = await new Promise<PsqlRun>((resolve) => {
      execFile('psql', [`host=127.0.0.1 port=${gw.server.port} user=alice dbname=tributary sslmode=disable`, '-c', 'SELECT 1'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PGPASSWORD: ALICE_PASSWORD },
      }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SSL connection is required/);
  });
});
