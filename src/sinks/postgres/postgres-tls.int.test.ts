/**
 * TLS and password authentication of the `postgres` sink against a real PostgreSQL with TLS on
 * (a throwaway cluster started by test/helpers/tls-postgres.ts: private CA, certificate for
 * `localhost`, TLS-only pg_hba, scram-sha-256 for role `app`): a pipeline whose password comes from
 * the vault loads over verify-full; a wrong CA, a host name the certificate does not name, no TLS,
 * or a wrong password each fail with their typed error, and the password reaches no log line,
 * summary or error message.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isTributaryError } from '../../core/errors.js';
import { SecretValue } from '../../core/secret-value.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { runPipelineFile } from '../../engine/runtime/run-pipeline.js';
import { captureLogger } from '../../../test/helpers/capture-logger.js';
import { startTlsPostgres, type TlsPostgres } from '../../../test/helpers/tls-postgres.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { PostgresConfig } from './config.js';
import { PostgresSink } from './postgres-sink.js';
import { miniContext } from './test-helpers.js';

let server: TlsPostgres;
before(async () => { server = await startTlsPostgres(); });
after(() => server?.stop());

const base = (extra: Record<string, unknown>): PostgresConfig => PostgresConfig.parse({
  connection: { host: 'localhost', port: server.port, database: 'postgres', user: server.appUser },
  password: SecretValue.of(server.appPassword, 'pg_app_password'), schema: 'wh', table: `t_${randomBytes(4).toString('hex')}`, ...extra,
});

/** Runs `sql` as the superuser over verify-full TLS and returns the rows. */
async function adminRows<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
  const admin = new pg.Client({ host: 'localhost', port: server.port, user: 'postgres', database: 'postgres', ssl: { ca: readFileSync(server.caFile, 'utf8') } });
  await admin.connect();
  try { return (await admin.query<R>(sql, [...params])).rows; } finally { await admin.end(); }
}

/** TLS facts of the sink's session, read from pg_stat_ssl. */
async function sessionTls(sinkId: string): Promise<{ ssl: boolean; version: string } | undefined> {
  return (await adminRows<{ ssl: boolean; version: string }>(
    'SELECT s.ssl, s.version FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1', [`tributary-sink:${sinkId}`]))[0];
}

const rejectsWith = async (config: PostgresConfig, code: string): Promise<void> => {
  const sink = new PostgresSink('pg', config, miniContext('/tmp'));
  try {
    await assert.rejects(sink.open(), (e: unknown) => {
      assert.ok(isTributaryError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.ok(!e.message.includes(server.appPassword) && !JSON.stringify(e.details).includes(server.appPassword), 'the password is never in an error');
      return true;
    });
  } finally { await sink.close(); }
};

describe('postgres sink TLS and passwords [postgresql with TLS]', () => {
  it('verify-full with the CA and a vault password: a pipeline loads over TLS and the password is never printed', async (t) => {
    const dir = tmpDir(t);
    const dataDir = join(dir, 'data');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'a.log'), Array.from({ length: 50 }, (_, i) =>
      `10.0.0.${i % 7} - - [10/Oct/2024:13:55:${String(i % 60).padStart(2, '0')} +0000] "GET /p${i % 5} HTTP/1.1" 200 5 "-" "Mozilla/5.0"\n`).join(''));
    const env: NodeJS.ProcessEnv = { ...process.env, TRIBUTARY_MASTER_KEY: randomBytes(32).toString('base64') };
    delete env['TRIBUTARY_DATA_DIR'];
    delete env['TRIBUTARY_CONTROL_STORE_URL'];
    const d = await openDeployment(dataDir, env);
    await d.vault.set('pg_app_password', server.appPassword);
    await d.close();
    const table = `t_${randomBytes(4).toString('hex')}`;
    writeFileSync(join(dir, 'p.yaml'), `name: tls
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
    format: apache_combined
sinks:
  - id: pg
    type: postgres
    connection: postgres://${server.appUser}@localhost:${server.port}/postgres
    password: \${secret:pg_app_password}
    tls: { mode: verify-full, ca: ${server.caFile}, min_version: TLSv1.3 }
    schema: wh
    table: ${table}
`);
    const log = captureLogger();
    const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir, env, workers: 1, log });
    assert.equal(run.status, 'succeeded', run.error?.message);
    assert.equal(run.landed, 50);
    assert.equal(Number((await adminRows<{ n: string }>(`SELECT count(*) AS n FROM wh.${table}`))[0]!.n), 50);
    const printed = [...log.lines, JSON.stringify(run)].join('\n');
    assert.ok(!printed.includes(server.appPassword), 'the password reaches no log line nor the run summary');
  });

  it('the session is encrypted with the TLS version asked for (TLSv1.3), also in require mode without a CA', async (t) => {
    for (const [id, tls] of [['tls13', { mode: 'verify-full', ca: server.caFile, min_version: 'TLSv1.3' }], ['tlsreq', { mode: 'require' }]] as const) {
      const sink = new PostgresSink(id, base({ tls }), miniContext('/tmp'));
      t.after(() => sink.close());
      await sink.open();
      const s = await sessionTls(id);
      assert.equal(s?.ssl, true, `${id}: encrypted`);
      if (id === 'tls13') assert.equal(s?.version, 'TLSv1.3');
    }
  });

  it('verify-full refuses a certificate from another CA and a host name the certificate does not name', async () => {
    await rejectsWith(base({ tls: { mode: 'verify-full', ca: server.otherCaFile } }), 'TRB_CONNECT_POSTGRES_TLS_FAILED');
    const byIp = base({ tls: { mode: 'verify-full', ca: server.caFile } });
    await rejectsWith({ ...byIp, connection: { host: '127.0.0.1', port: server.port, database: 'postgres', user: server.appUser } }, 'TRB_CONNECT_POSTGRES_TLS_FAILED');
  });

  it('a wrong password, or no TLS where pg_hba.conf demands it, is TRB_CONNECT_POSTGRES_AUTH_FAILED (not retried)', async () => {
    await rejectsWith({ ...base({ tls: { mode: 'verify-full', ca: server.caFile } }), password: SecretValue.of('wrong-password', 'x') }, 'TRB_CONNECT_POSTGRES_AUTH_FAILED');
    await rejectsWith(base({ tls: { mode: 'disable' } }), 'TRB_CONNECT_POSTGRES_AUTH_FAILED');
  });
});
