/** Unit tests of the `postgres` sink without a server: config rules, TLS options, SQL helpers, views, error mapping. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { validatePipelineText } from '../../config/load-config.js';
import { isTributaryError } from '../../core/errors.js';
import { ACCESS_SCHEMA } from '../../core/record.js';
import { SecretValue } from '../../core/secret-value.js';
import { registry } from '../../engine/registry.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { PostgresConfig } from './config.js';
import { clientConfig, connectError, serverLabel, tlsOptions } from './connect-postgres.js';
import { withoutNul } from './insert-rejections.js';
import { pgAccessViews } from './pg-access-views.js';
import { dayPartitionName, nextDay, pgType, utcDay } from './pg-sql.js';
import { replaceNulBytes } from './stage-csv.js';

const pipeline = (sink: string): string => `name: p
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
sinks:
  - id: pg
    type: postgres
${sink}`;

const problems = (sink: string): string[] => {
  const r = validatePipelineText(pipeline(sink), 'p.yaml', registry, { env: {}, cwd: '/tmp' });
  return r.ok ? [] : r.problems.map((p) => `${p.code} ${p.message}`);
};

describe('postgres sink config', () => {
  it('accepts a URL or parts, a vault password, and fills the defaults', () => {
    assert.deepEqual(problems('    connection: postgres://app@db:5432/wh\n    password: ${secret:pg_pw}\n'), []);
    assert.deepEqual(problems('    connection: { host: db, database: wh, user: app }\n    tls: { mode: verify-full, ca: ./ca.pem }\n'), []);
    const c = PostgresConfig.parse({ connection: 'postgres://app@db/wh' });
    assert.deepEqual({ schema: c.schema, table: c.table, q: c.quarantine_table, ahead: c.partition_days_ahead, back: c.partition_days_back, tls: c.tls },
      { schema: 'public', table: 'requests', q: 'quarantine', ahead: 7, back: 3650, tls: { mode: 'verify-full', min_version: 'TLSv1.2' } });
  });

  it('rejects a plaintext password (field or URL) without echoing it, TLS in the URL, unknown keys and long table names', () => {
    const plain = problems('    connection: postgres://app@db/wh\n    password: hunter2\n');
    assert.equal(plain.length, 1);
    assert.match(plain[0]!, /^TRB_CONFIG_PLAINTEXT_SECRET/);
    const inUrl = problems('    connection: postgres://app:hunter2@db/wh\n');
    assert.ok(inUrl.length === 1 && inUrl.every((p) => !p.includes('hunter2')), inUrl.join('\n'));
    assert.match(problems('    connection: postgres://app@db/wh?sslmode=disable\n').join(), /tls/);
    assert.match(problems('    connection: postgres://app@db/wh\n    tables: x\n').join(), /TRB_CONFIG_INVALID/);
    assert.match(problems(`    connection: postgres://app@db/wh\n    table: ${'t'.repeat(49)}\n`).join(), /48/);
    assert.match(problems('    connection: mysql://app@db/wh\n').join(), /postgres:\/\//);
  });
});

describe('postgres sink connection options', () => {
  it('maps tls modes to node TLS options, reading the CA file relative to the pipeline', (t) => {
    const dir = tmpDir(t);
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    assert.equal(tlsOptions({ mode: 'disable', min_version: 'TLSv1.2' }, dir), false);
    assert.deepEqual(tlsOptions({ mode: 'require', min_version: 'TLSv1.3' }, dir), { minVersion: 'TLSv1.3', rejectUnauthorized: false });
    assert.deepEqual(tlsOptions({ mode: 'verify-full', ca: 'ca.pem', min_version: 'TLSv1.2' }, dir), { minVersion: 'TLSv1.2', rejectUnauthorized: true, ca: 'PEM' });
    const missing = PostgresConfig.parse({ connection: 'postgres://app@db/wh', tls: { ca: 'nope.pem' } });
    assert.throws(() => clientConfig(missing, dir, 'pg'), (e: unknown) => isTributaryError(e) && e.code === 'TRB_CONNECT_POSTGRES_TLS_FAILED');
  });

  it('never puts the password in labels; sessions run in UTC', () => {
    const c = PostgresConfig.parse({ connection: { host: 'db', database: 'wh', user: 'app' }, tls: { mode: 'disable' } });
    assert.equal(serverLabel(c), 'db:5432/wh');
    assert.equal(serverLabel(PostgresConfig.parse({ connection: 'postgres://app@db.internal:6432/analytics' })), 'db.internal:6432/analytics');
    const fromUrl = clientConfig(PostgresConfig.parse({ connection: 'postgres://app%40corp@[::1]/wh', password: SecretValue.of('pw') }), '/tmp');
    assert.deepEqual([fromUrl.host, fromUrl.port, fromUrl.database, fromUrl.user, fromUrl.password, fromUrl.connectionString],
      ['::1', 5432, 'wh', 'app@corp', 'pw', undefined], 'a URL is passed as parts so pg cannot drop the password');
    const opts = clientConfig(c, '/tmp');
    assert.match(String(opts.options), /TimeZone=UTC/);
    assert.equal(opts.password, undefined);
  });

  it('classifies connection failures by SQLSTATE and errno, not by where they happened', () => {
    const at = (err: unknown) => connectError('pg', 'db:5432/wh', err);
    assert.equal(at(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' })).code, 'TRB_CONNECT_POSTGRES_AUTH_FAILED');
    assert.equal(at(new Error('The server does not support SSL connections')).code, 'TRB_CONNECT_POSTGRES_TLS_FAILED');
    assert.equal(at(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).code, 'TRB_CONNECT_POSTGRES_TLS_FAILED');
    const refused = at(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    assert.equal(refused.code, 'TRB_CONNECT_POSTGRES_UNREACHABLE');
    assert.equal(refused.retry, 'backoff');
  });
});

describe('postgres sink SQL helpers', () => {
  it('maps column types like the DuckDB sink, with timestamptz and jsonb', () => {
    assert.deepEqual((['varchar', 'integer', 'bigint', 'double', 'boolean', 'timestamp', 'json'] as const).map(pgType),
      ['text', 'integer', 'bigint', 'double precision', 'boolean', 'timestamptz', 'jsonb']);
  });

  it('names and walks UTC days', () => {
    assert.equal(dayPartitionName('requests', '2024-03-05'), 'requests_p20240305');
    assert.equal(nextDay('2024-02-28'), '2024-02-29');
    assert.equal(nextDay('2024-12-31'), '2025-01-01');
    assert.equal(utcDay(Date.parse('2024-03-05T23:59:59Z'), 1), '2024-03-06');
    assert.equal(utcDay(Date.parse('1969-12-31T12:00:00Z')), '1969-12-31');
  });

  it('creates the DuckDB sink\'s views, qualified by schema, sessions only with session columns', () => {
    const views = pgAccessViews(ACCESS_SCHEMA, 'wh', 'requests', 'quarantine');
    assert.deepEqual(views.map((v) => v.name), ['requests_per_hour', 'top_paths', 'status_mix', 'top_clients', 'quarantine_by_reason']);
    assert.ok(views.slice(0, 4).every((v) => v.select.includes('"wh"."requests"')));
    assert.match(views[0]!.select, /AT TIME ZONE 'UTC'/);
  });

  it('replaces NUL (which PostgreSQL text cannot hold) with U+FFFD, in rejections and in COPY input', async () => {
    assert.equal(withoutNul('a\0b'), 'a\uFFFDb');
    assert.equal(withoutNul(undefined), null);
    const out = await buffer(Readable.from([Buffer.from('x\0y\0'), Buffer.from('plain')]).pipe(replaceNulBytes()));
    assert.equal(out.toString('utf8'), 'x\uFFFDy\uFFFDplain');
  });
});
