/**
 * `tributary serve` as a real process, the way a user runs it: a pipeline has filled the DuckDB
 * warehouse, keys and wire users come from `tributary apikeys|users`, the server listens with TLS
 * (HTTPS and the PostgreSQL wire gateway), `/v1/sql` answers over HTTPS, the real `psql` connects
 * with `sslmode=verify-full` and SCRAM, lists the tables it may see and runs a query, a wrong
 * password and a key in a query string are refused, and SIGTERM stops it cleanly with the audit
 * log verifying afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateAccessLog } from '../../src/generator/index.js';
import { createThrowawayCa } from '../../src/server/pgwire/test-support/throwaway-ca.js';
import { logPipeline } from '../helpers/log-pipeline.js';
import { tmpDir } from '../helpers/tmp.js';
import { cli, spawnCli } from './_cli.js';
import { needService } from '../helpers/services.js';

const run = promisify(execFile);

function https(url: string, ca: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers ?? {}, ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('tributary serve (process)', () => {
  it('HTTPS /v1/sql and psql over TLS with SCRAM, under the roles, audited', { timeout: 240_000 }, async (t) => {
    const root = tmpDir(t, 'trb-serve-e2e-');
    const data = join(root, 'data');
    const env = { XDG_CONFIG_HOME: join(root, 'config'), TRIBUTARY_DATA_DIR: data };
    mkdirSync(join(root, 'logs'));
    await generateAccessLog({ lines: 300, seed: 11, format: 'apache_combined', malformedRatio: 0 }, join(root, 'logs', 'a.log'));
    writeFileSync(join(root, 'web.yaml'), logPipeline({ name: 'web', format: 'apache_combined', stages: ['validate', 'privacy'] }));
    const ran = await cli(['run', join(root, 'web.yaml'), '--json'], undefined, env);
    assert.equal(ran.code, 0, ran.stderr);

    const ca = createThrowawayCa();
    writeFileSync(join(root, 'server.yaml'), `server:
  listeners:
    - name: main
      host: 127.0.0.1
      port: 0
      tls: { cert_file: ${join(ca.dir, 'server.crt')}, key_file: ${join(ca.dir, 'server.key')} }
  warehouse: { type: duckdb, path: ${join(data, 'warehouse.duckdb')} }
  pipelines_dir: ${root}
pgwire:
  enabled: true
  port: 0
  tls: { cert_file: ${join(ca.dir, 'server.crt')}, key_file: ${join(ca.dir, 'server.key')} }
`);
    const key = JSON.parse((await cli(['apikeys', 'create', '--role', 'analyst', '--json'], undefined, env)).stdout) as { key: string };
    const user = await cli(['users', 'create', 'alice', '--role', 'security', '--password-stdin'], 'alice password 12345\n', env);
    assert.equal(user.code, 0, user.stderr);

    const server = spawnCli(['serve', '--config', join(root, 'server.yaml')], env);
    t.after(() => { server.kill('SIGKILL'); });
    let stderr = '';
    const listening = await new Promise<{ https: string; pgPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 60_000);
      server.stderr?.on('data', (b: Buffer) => {
        stderr += b.toString();
        const h = /Listening: main (https:\/\/\S+)/.exec(stderr);
        const p = /Listening: pgwire postgresql:\/\/[^:]+:(\d+)/.exec(stderr);
        if (h?.[1] && p?.[1]) { clearTimeout(timer); resolve({ https: h[1], pgPort: Number(p[1]) }); }
      });
      server.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}:\n${stderr}`)); });
    });

    const sql = await https(`${listening.https}/v1/sql`, ca.ca, {
      method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM requests', format: 'json' }),
    });
    assert.equal(sql.status, 200, sql.body);
    assert.equal((JSON.parse(sql.body) as { rows: number[][] }).rows[0]?.[0], 300);
    const denied = await https(`${listening.https}/v1/sql`, ca.ca, {
      method: 'POST', headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: "SELECT * FROM read_csv('/etc/passwd')", format: 'json' }),
    });
    assert.ok(denied.status >= 400 && denied.status < 500, denied.body);
    assert.equal((await https(`${listening.https}/v1/runs?api_key=${key.key}`, ca.ca)).status, 400, 'a key in the query string is refused');

    const conn = `host=127.0.0.1 port=${listening.pgPort} user=alice dbname=tributary sslmode=verify-full sslrootcert=${ca.caFile}`;
    const psql = (args: string[], password: string) => run('psql', [conn, '-X', '-A', '-t', ...args], { env: { ...process.env, PGPASSWORD: password, PGSSLSNI: '0' } });
    const tables = await psql(['-c', '\\dt'], 'alice password 12345');
    assert.match(tables.stdout, /requests/);
    assert.doesNotMatch(tables.stdout, /\|sessions\|/, 'security does not see sessions');
    const count = await psql(['-c', 'SELECT count(*) FROM requests'], 'alice password 12345');
    assert.equal(count.stdout.trim(), '300');
    await assert.rejects(psql(['-c', 'SELECT 1'], 'wrong password 12345'), /password authentication failed|authentication failed/);

    server.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server.once('exit', resolve));
    assert.equal(code, 0, stderr);
    const verify = await cli(['audit', 'verify'], undefined, env);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const audit = await cli(['audit', 'tail', '--json', '--lines', '500'], undefined, env);
    assert.match(audit.stdout, /sql\.query/);
    assert.match(audit.stdout, /auth\.fail/);
    assert.ok(!audit.stdout.includes(key.key) && !audit.stdout.includes('alice password'), 'no secret in the audit log');
  });

  it('rate limits hold across two server processes sharing the real Redis', { timeout: 120_000 }, async (t) => {
    await needService('redis');
    const root = tmpDir(t, 'trb-serve-redis-');
    const data = join(root, 'data');
    const env = { XDG_CONFIG_HOME: join(root, 'config'), TRIBUTARY_DATA_DIR: data };
    assert.equal((await cli(['secrets', 'set', 'redis_url'], 'redis://127.0.0.1:6379\n', env)).code, 0);
    writeFileSync(join(root, 'server.yaml'), `server:
  listeners: [{ name: main, host: 127.0.0.1, port: 0 }]
  rate_limit:
    per_key: { max: 6, window_secs: 60 }
    per_address: { max: 10000, window_secs: 60 }
    redis_url: \${secret:redis_url}
`);
    const key = JSON.parse((await cli(['apikeys', 'create', '--role', 'auditor', '--json'], undefined, env)).stdout) as { key: string };
    const start = async (): Promise<string> => {
      const p = spawnCli(['serve', '--config', join(root, 'server.yaml'), '--insecure-http'], env);
      t.after(() => { p.kill('SIGKILL'); });
      let err = '';
      return new Promise<string>((resolve, reject) => {
        p.stderr?.on('data', (b: Buffer) => { err += b.toString(); const m = /Listening: main (http:\/\/\S+)/.exec(err); if (m?.[1]) resolve(m[1]); });
        p.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
    };
    const [a, b] = await Promise.all([start(), start()]);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${i % 2 ? b : a}/v1/runs`, { headers: { authorization: `Bearer ${key.key}` } });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 6), [200, 200, 200, 200, 200, 200], 'six requests in the shared budget, spread over both servers');
    assert.deepEqual(statuses.slice(6), [429, 429], 'the seventh and eighth are refused by whichever server they reach');
  });
});
