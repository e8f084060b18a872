/** Pure helpers of backups: the manifest MAC, the count comparison of `--verify`, libpq variables from a URL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manifestMacValid, signManifest, type UnsignedManifest } from './backup-manifest.js';
import { describePostgres, libpqEnv } from './pg-dump.js';
import { compareCounts } from './verify-backup.js';

const unsigned = {
  format: 'tributary-backup', formatVersion: 1, tributaryVersion: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z',
  source: { dataDir: '/d', pipeline: null }, controlStore: { kind: 'sqlite', migrations: ['0001_initial'] }, files: 'reference',
  encryption: { scheme: 'age', key: 'backup', keyVersion: 1, recipient: 'age1x', escrow: [] },
  members: [], references: [], counts: { control: { runs: 1 }, warehouses: {} },
} as const satisfies UnsignedManifest;

describe('backup helpers', () => {
  it('signs the manifest with a key derived from the identity; any change or another identity fails', () => {
    const m = signManifest(unsigned, 'AGE-SECRET-KEY-1AAA');
    assert.ok(manifestMacValid(m, ['AGE-SECRET-KEY-1BBB', 'AGE-SECRET-KEY-1AAA']));
    assert.ok(!manifestMacValid(m, ['AGE-SECRET-KEY-1BBB']));
    assert.ok(!manifestMacValid({ ...m, createdAt: '2026-01-02T00:00:00.000Z' }, ['AGE-SECRET-KEY-1AAA']));
  });

  it('lists every table whose rows differ, and tables on one side only', () => {
    const e = { control: { runs: 2, checkpoints: 1 }, warehouses: { 'warehouse:w.duckdb': { 'main.requests': 10 }, 'warehouse:enc.duckdb': null } };
    assert.deepEqual(compareCounts(e, e), []);
    const a = { control: { runs: 2 }, warehouses: { 'warehouse:w.duckdb': { 'main.requests': 9 }, 'warehouse:enc.duckdb': null } };
    assert.deepEqual(compareCounts(e, a), [
      'control store table `checkpoints`: 1 row(s) recorded, absent restored',
      '`warehouse:w.duckdb` table `main.requests`: 10 row(s) recorded, 9 restored',
    ]);
  });

  it('turns a connection URL into libpq variables, and describes it without the password', () => {
    const url = 'postgres://u%40x:p%3Ass@db.example:6543/wh?sslmode=require';
    assert.deepEqual(libpqEnv(url), { PGHOST: 'db.example', PGPORT: '6543', PGUSER: 'u@x', PGPASSWORD: 'p:ss', PGDATABASE: 'wh', PGSSLMODE: 'require' });
    assert.equal(describePostgres(url), 'u@x@db.example:6543/wh');
    assert.throws(() => libpqEnv('mysql://x'), { code: 'TRB_BACKUP_POSTGRES_FAILED' });
  });
});
