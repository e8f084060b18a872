/**
 * Every DuckDB connection runs in UTC: the only place a connection is opened is `connectUtc`
 * (checked over the whole repository: sinks, warehouse reader, encryption probe, tests), and under
 * a non-UTC process time zone a raw connection reports that zone while `connectUtc` and the
 * warehouse reader report UTC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../../test/helpers/tmp.js';

const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
  if (n === 'node_modules' || n.startsWith('.')) return [];
  const p = join(d, n);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
});

test('DuckDB connections are only opened by connectUtc (src, test, bench)', () => {
  const offenders = ['src', 'test', 'bench'].flatMap((d) => walk(join(REPO_ROOT, d)))
    .filter((f) => /@duckdb\/node-api/.test(readFileSync(f, 'utf8')) || /DuckDBInstance/.test(readFileSync(f, 'utf8')))
    .filter((f) => /\.connect\(\s*\)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(REPO_ROOT, f))
    .filter((f) => f !== 'src/sinks/_shared/duckdb-values.ts');
  assert.deepEqual(offenders, [], 'open DuckDB connections with connectUtc() so they run SET TimeZone = \'UTC\'');
});

test("under TZ=Asia/Tokyo a raw connection says Asia/Tokyo, every connection Tributary opens says UTC", () => {
  const code = `
    import { mkdtempSync } from 'node:fs';
    import { join } from 'node:path';
    import { tmpdir } from 'node:os';
    import { DuckDBInstance } from '@duckdb/node-api';
    const { connectUtc } = await import(${JSON.stringify(join(REPO_ROOT, 'src/sinks/_shared/duckdb-values.ts'))});
    const { openWarehouse } = await import(${JSON.stringify(join(REPO_ROOT, 'src/sinks/duckdb/warehouse.ts'))});
    const q = "select current_setting('TimeZone')";
    const db = await DuckDBInstance.create(':memory:');
    // Deliberately raw (bracket access keeps it out of the static check above): the control value.
    const raw = (await (await db['connect']()).runAndReadAll(q)).getRows()[0][0];
    const utc = (await (await connectUtc(db)).runAndReadAll(q)).getRows()[0][0];
    const path = join(mkdtempSync(join(tmpdir(), 'trb-tz-')), 'w.duckdb');
    (await DuckDBInstance.create(path)).closeSync();
    const wh = await openWarehouse(path, { readOnly: true });
    const warehouse = (await wh.query(q)).rows[0][0];
    await wh.close();
    console.log(JSON.stringify({ raw, utc, warehouse }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO_ROOT, env: { ...process.env, TZ: 'Asia/Tokyo' }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { raw: 'Asia/Tokyo', utc: 'UTC', warehouse: 'UTC' });
});
