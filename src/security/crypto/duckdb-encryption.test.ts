/**
 * DuckDB encryption capability, probed for real. On a machine without DuckDB's OpenSSL crypto (the
 * httpfs extension), the duckdb and lake sinks configured with `encryption_key` must refuse to open
 * with TRB_SECRET_ENCRYPTION_UNAVAILABLE and write nothing; with it, they open encrypted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Logger, SinkContext } from '../../core/component.js';
import { ACCESS_SCHEMA } from '../../core/record.js';
import { isTributaryError } from '../../core/errors.js';
import { SecretValue } from '../../core/secret-value.js';
import { REPO_ROOT, tmpDir } from '../../../test/helpers/tmp.js';
import { DuckdbConfig } from '../../sinks/duckdb/config.js';
import { DuckdbSink } from '../../sinks/duckdb/duckdb-sink.js';
import { LakeConfig } from '../../sinks/lake/config.js';
import { LakeSink } from '../../sinks/lake/lake-sink.js';
import { connectUtc } from '../../sinks/_shared/duckdb-values.js';
import { detectDuckdbEncryption } from './duckdb-encryption.js';

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ctxFor = (dir: string): SinkContext => ({ pipeline: 'p', baseDir: dir, dataDir: dir, schema: ACCESS_SCHEMA, outputs: [], log });

const cap = await detectDuckdbEncryption();
console.warn(`DuckDB encryption capability here: ${cap.available ? 'AVAILABLE' : 'NOT available'} (httpfs ${cap.httpfs}): ${cap.reason}`);

const refused = (component: string) => (e: unknown): boolean => {
  assert.ok(isTributaryError(e), String(e));
  assert.equal(e.code, 'TRB_SECRET_ENCRYPTION_UNAVAILABLE', e.message);
  assert.equal(e.family, 'secret');
  assert.equal(e.exit, 2);
  assert.ok(e.message.includes(component), e.message);
  assert.match(e.message, /INSTALL httpfs/);
  assert.match(e.message, /httpfs/);
  return true;
};

describe('DuckDB encryption capability', () => {
  it('is a typed result; it matches the httpfs state (missing → unavailable with a reason naming httpfs)', async () => {
    assert.equal(typeof cap.available, 'boolean');
    assert.ok(cap.reason.length > 10);
    assert.ok(['loaded', 'installed', 'missing'].includes(cap.httpfs));
    if (cap.httpfs === 'missing') {
      assert.equal(cap.available, false);
      assert.match(cap.reason, /read-only built-in crypto.*httpfs extension \(OpenSSL\) is not installed/);
    }
    assert.equal(await detectDuckdbEncryption(), cap, 'cached per process');
    assert.deepEqual(await detectDuckdbEncryption({ refresh: true }), cap, 'a fresh probe agrees');
  });

  it('the probe leaves the default instance settings alone (never force_mbedtls_unsafe)', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await connectUtc(db);
    const r = await conn.runAndReadAll("select current_setting('force_mbedtls_unsafe')");
    assert.equal(r.getRows()[0]?.[0], false);
    conn.disconnectSync(); db.closeSync();
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
    const offenders = walk(join(REPO_ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /force_mbedtls_unsafe\s*(=|:|TO\b)/i.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('encryption_key accepts only a secret reference', () => {
    assert.equal(DuckdbConfig.safeParse({ encryption_key: 'hunter2-literal-key' }).success, false);
    assert.equal(LakeConfig.safeParse({ encryption_key: 'hunter2-literal-key' }).success, false);
    // A reference string today, a SecretValue once the vault resolves configs: either way it keeps the reference.
    const parsed: unknown = DuckdbConfig.parse({ encryption_key: '${secret:warehouse_key}' }).encryption_key;
    assert.equal(typeof parsed === 'string' ? parsed : (parsed as SecretValue).template, '${secret:warehouse_key}');
    assert.throws(() => SecretValue.reference('${secret:warehouse_key}').reveal(), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_UNRESOLVED');
    assert.equal(SecretValue.of('k').reveal(), 'k');
  });

  it('duckdb sink with encryption_key: refused when unavailable (nothing written), encrypted when available', async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'sub', 'w.duckdb');
    const config = DuckdbConfig.parse({ path, encryption_key: '${secret:warehouse_key}' });
    if (!cap.available) {
      const sink = new DuckdbSink('wh', config, ctxFor(dir));
      await assert.rejects(sink.open(), refused('duckdb sink `wh`'));
      await sink.close();
      assert.equal(existsSync(join(dir, 'sub')), false, 'no unencrypted warehouse was created');
      return;
    }
    const key = 'k'.repeat(32);
    const sink = new DuckdbSink('wh', { ...config, encryption_key: SecretValue.of(key) }, ctxFor(dir));
    await sink.open();
    await sink.close();
    assert.equal(readFileSync(path).includes(Buffer.from('CREATE TABLE')), false, 'the catalog is not readable in clear');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await connectUtc(db);
    await assert.rejects(conn.run(`ATTACH '${path}' AS w (READ_ONLY)`));
    conn.disconnectSync(); db.closeSync();
  });

  it('lake sink with encryption_key: refused when unavailable (nothing written)', async (t) => {
    const dir = tmpDir(t);
    const root = join(dir, 'lake');
    const config = LakeConfig.parse({ path: root, encryption_key: '${secret:lake_key}' });
    if (!cap.available) {
      const sink = new LakeSink('lake', config, ctxFor(dir));
      await assert.rejects(sink.open(), refused('lake sink `lake`'));
      await sink.close();
      assert.equal(existsSync(root), false, 'no lake directory was created');
      return;
    }
    const sink = new LakeSink('lake', { ...config, encryption_key: SecretValue.of('0123456789abcdef') }, ctxFor(dir));
    await sink.open();
    await sink.close();
  });
});
