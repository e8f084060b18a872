/** Each doctor check finds its planted weakness and stays quiet on a clean deployment. */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import { detectDuckdbEncryption } from '../crypto/duckdb-encryption.js';
import { builtinCountryDb } from '../../stages/geoip/geoip-stage.js';
import { mmdbBuiltAt } from './checks/geoip-age.js';
import { DOCTOR_CHECKS } from './checks/index.js';
import type { DoctorContext } from './doctor-check.js';
import { runDoctor, type DoctorReport } from './run-doctor.js';

interface Setup { readonly root: string; readonly dataDir: string; readonly env: NodeJS.ProcessEnv; readonly d: Deployment }

async function setup(t: TestContext, env: (root: string) => NodeJS.ProcessEnv = () => ({})): Promise<Setup> {
  const root = tmpDir(t, 'trb-doctor-');
  chmodSync(root, 0o700);
  const dataDir = join(root, 'data');
  const fullEnv = { XDG_CONFIG_HOME: join(root, 'config'), ...env(root) };
  const d = await openDeployment(dataDir, fullEnv);
  t.after(() => d.close());
  return { root, dataDir, env: fullEnv, d };
}

async function doctor(s: Setup, opts: { files?: string[]; now?: Date } = {}): Promise<DoctorReport> {
  const ctx: DoctorContext = { dataDir: s.dataDir, env: s.env, pipelineFiles: opts.files ?? [], control: s.d.control, vault: s.d.vault, now: opts.now ?? new Date() };
  return runDoctor(ctx, DOCTOR_CHECKS);
}

const found = (r: DoctorReport, check: string): string[] => r.findings.filter((f) => f.check === check).map((f) => `${f.severity}: ${f.what}`);

describe('doctor', () => {
  it('passes on a clean deployment with secrets in the vault and ${secret:} references', async (t) => {
    const s = await setup(t);
    await s.d.vault.set('db_password', 'x', { rotateAfterDays: 90 });
    const file = join(s.root, 'p.yaml');
    writeFileSync(file, 'name: p\nsources:\n  - type: http\n    token: ${secret:api_token}\n    password: "${env:PG_PASSWORD}"\n    url: https://example.com/x\n    token_url: https://example.com/t\n'
      + 'stages:\n  - type: parse\n  - type: encrypt\n    fields: [client_ip]\nsinks:\n  - type: duckdb\n');
    const r = await doctor(s, { files: [file] });
    assert.deepEqual(r.findings, [], JSON.stringify(r.findings, null, 2));
    assert.equal(r.ok, true);
    assert.deepEqual(r.results.filter((x) => x.status === 'skipped').map((x) => x.check), ['geoip-age', 'tls-listeners', 'server-tls', 'warehouse-tls']);
  });

  it('finds plaintext secrets with file and line, never echoing them', async (t) => {
    const s = await setup(t);
    const file = join(s.root, 'bad.yaml');
    writeFileSync(file, [
      'name: p', 'sources:', '  - type: db', '    password: hunter2', '    dsn: postgres://app:s3cret@db/app',
      '    api_key: AKIAABCDEFGHIJKLMNOP', '    note: "Bearer abcdefghijklmnopqrstuvwxyz012345"', '',
    ].join('\n'));
    const r = await doctor(s, { files: [file] });
    assert.deepEqual(r.findings.filter((f) => f.check === 'plaintext-secret').map((f) => f.where), [`${file}:4`, `${file}:5`, `${file}:6`, `${file}:7`]);
    assert.doesNotMatch(JSON.stringify(r), /hunter2|s3cret|AKIAABCD|abcdefghijkl/);
  });

  it('flags a master key file kept in the data directory or readable by others', async (t) => {
    const s = await setup(t, (root) => ({ TRIBUTARY_MASTER_KEY_FILE: join(root, 'data', 'master.key') }));
    await s.d.vault.set('x', 'y');
    assert.match(found(await doctor(s), 'master-key').join('\n'), /critical: The master key file .* is stored with the data/);
    chmodSync(join(s.dataDir, 'master.key'), 0o644);
    assert.match(found(await doctor(s), 'master-key').join('\n'), /critical: The master key file is not private: its mode is 0644/);
  });

  it('flags a sealed vault that holds entries', async (t) => {
    const s = await setup(t);
    await s.d.vault.set('x', 'y');
    const sealed = await openDeployment(s.dataDir, { TRIBUTARY_MASTER_KEY_PROVIDER: 'env' });
    t.after(() => sealed.close());
    const r = await runDoctor({ dataDir: s.dataDir, env: {}, pipelineFiles: [], control: sealed.control, vault: sealed.vault, now: new Date() }, DOCTOR_CHECKS);
    assert.match(found(r, 'master-key').join('\n'), /high: The vault is sealed: \d+ entr/);
  });

  it('flags world-readable data and group-writable directories', async (t) => {
    const s = await setup(t);
    mkdirSync(join(s.dataDir, 'lake'), { recursive: true });
    writeFileSync(join(s.dataDir, 'lake', 'x.parquet'), 'x');
    chmodSync(join(s.dataDir, 'lake', 'x.parquet'), 0o644);
    chmodSync(join(s.dataDir, 'lake'), 0o770);
    const r = found(await doctor(s), 'data-dir-permissions');
    assert.equal(r.length, 2, r.join('\n'));
    assert.match(r.join('\n'), /high: File has mode 0644 \(world-readable\)/);
    assert.match(r.join('\n'), /medium: Directory has mode 0770/);
  });

  it('flags keys older than their rotation policy', async (t) => {
    const s = await setup(t);
    await s.d.vault.set('db_password', 'x', { rotateAfterDays: 30 });
    await s.d.vault.createKey('pseudonyms', 'hmac', { rotateAfterDays: 90 });
    const in40days = new Date(Date.now() + 40 * 86_400_000);
    assert.deepEqual(found(await doctor(s, { now: in40days }), 'key-rotation'), ['medium: Secret `db_password` (version 1) is 40 days old; its policy is 30 days']);
    await s.d.vault.rotate('db_password', { value: 'new' });
    assert.deepEqual(found(await doctor(s), 'key-rotation'), []);
  });

  it('flags GeoIP databases older than 30 days', async (t) => {
    const s = await setup(t);
    mkdirSync(join(s.dataDir, 'geoip'), { recursive: true, mode: 0o750 });
    const f = join(s.dataDir, 'geoip', 'GeoLite2-City.mmdb');
    writeFileSync(f, 'x', { mode: 0o640 });
    assert.deepEqual(found(await doctor(s), 'geoip-age'), []);
    const old = new Date(Date.now() - 45 * 86_400_000);
    utimesSync(f, old, old);
    assert.deepEqual(found(await doctor(s), 'geoip-age'), [`medium: GeoIP database is 45 days old (built ${old.toISOString().slice(0, 10)})`]);
    // A database a pipeline uses is aged by its own build time; the shipped CC0 one is a note.
    const copy = join(s.root, 'city.mmdb');
    copyFileSync(builtinCountryDb(), copy);
    const built = mmdbBuiltAt(copy);
    const file = join(s.root, 'geo.yaml');
    writeFileSync(file, `name: g\nstages:\n  - type: parse\n  - type: geoip\n    city_db: ${copy}\n`);
    const r = await doctor(s, { files: [file], now: new Date(built.getTime() + 40 * 86_400_000) });
    assert.ok(found(r, 'geoip-age').includes(`medium: GeoIP database is 40 days old (built ${built.toISOString().slice(0, 10)})`), found(r, 'geoip-age').join('\n'));
    assert.match((r.results.find((x) => x.check === 'geoip-age')?.notes ?? []).join(' '), /shipped CC0 country database was built/);
  });

  it('flags a PostgreSQL warehouse reached without TLS or without verifying the server', async (t) => {
    const s = await setup(t);
    const file = join(s.root, 'pg.yaml');
    const sink = (id: string, host: string, tls: string): string => `  - id: ${id}\n    type: postgres\n    connection: postgres://loader@${host}:5432/dw\n${tls}`;
    writeFileSync(file, `name: p\nsinks:\n${sink('a', 'db.internal', '    tls: { mode: disable }\n')}${sink('b', '127.0.0.1', '    tls: { mode: disable }\n')}`
      + `${sink('c', 'db.internal', '    tls: { mode: require }\n')}${sink('d', 'db.internal', '')}`);
    assert.deepEqual(found(await doctor(s, { files: [file] }), 'warehouse-tls'), [
      'high: postgres sink `a` connects to db.internal without TLS (tls.mode: disable)',
      'medium: postgres sink `b` connects to 127.0.0.1 without TLS (tls.mode: disable)',
      'medium: postgres sink `c` does not verify the server certificate of db.internal (tls.mode: require)',
    ]);
  });
});

describe('doctor: audit chain', () => {
  it('is quiet on an intact log and names the first tampered entry', async (t) => {
    const root = tmpDir(t, 'trb-doctor-audit-');
    const dataDir = join(root, 'data');
    const d = await openDeployment(dataDir, { XDG_CONFIG_HOME: join(root, 'config') });
    t.after(() => d.close());
    for (let i = 0; i < 5; i++) await d.vault.set(`s${i}`, 'value');
    await d.audit.flush();
    const ctx: DoctorContext = { dataDir, env: {}, pipelineFiles: [], control: d.control, vault: d.vault, now: new Date() };
    assert.deepEqual((await runDoctor(ctx, DOCTOR_CHECKS)).findings.filter((f) => f.check === 'audit-chain'), []);
    const db = new Database(join(dataDir, 'control.db'));
    t.after(() => db.close());
    db.prepare("update audit_log set target = 'someone-else' where seq = 4").run();
    const r = await runDoctor(ctx, DOCTOR_CHECKS);
    assert.deepEqual(r.findings.filter((f) => f.check === 'audit-chain').map((f) => [f.severity, f.where]), [['critical', 'audit seq 4']]);
  });
});

describe('doctor: encryption at rest', () => {
  it('flags bronze encryption off, a sink asking for unavailable DuckDB crypto, and plaintext personal data at rest', async (t) => {
    const s = await setup(t);
    const cap = await detectDuckdbEncryption();
    const write = (name: string, text: string): string => { const f = join(s.root, name); writeFileSync(f, text); return f; };
    const off = write('off.yaml', 'name: a\nengine:\n  bronze:\n    encryption: none\nstages:\n  - type: encrypt\nsinks:\n  - type: memory\n');
    const wants = write('wants.yaml', 'name: b\nsinks:\n  - type: duckdb\n    encryption_key: ${secret:wh}\n');
    const plain = write('plain.yaml', 'name: c\nstages:\n  - type: parse\nsinks:\n  - type: lake\n');
    const r = await doctor(s, { files: [off, wants, plain] });
    const got = r.findings.filter((f) => f.check === 'encryption-capability').map((f) => `${f.severity} ${f.where}`);
    const expected = [`high ${off}`, ...(cap.available ? [] : [`high ${wants}`, `medium ${plain}`])];
    assert.deepEqual(got.sort(), expected.sort());
    const notes = r.results.find((x) => x.check === 'encryption-capability')?.notes ?? [];
    assert.equal(notes.length, cap.available ? 0 : 1, 'the missing capability is always noted');
  });
});
