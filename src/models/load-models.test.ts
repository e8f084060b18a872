/**
 * Dialect variants of models: `name.<dialect>.sql` stands in for `name.sql` on that warehouse, with
 * the same header and the same output columns; the built-in models need none and load alike for
 * both dialects.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { connectUtc } from '../sinks/_shared/duckdb-values.js';
import { tmpDir } from '../../test/helpers/tmp.js';
import { GoldSection } from './config.js';
import { loadModels, variantColumnProblems } from './load-models.js';
import { outputColumns } from './sql-dependencies.js';

const gold = (dir: string) => GoldSection.parse({ builtin: [], models_dir: dir });

test('a dialect variant replaces the portable model on its warehouse only', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', 'daily.sql'), '-- materialized: view\nselect day, count(*) as n from fact_requests group by all');
  writeFileSync(join(dir, 'm', 'daily.postgres.sql'), '-- materialized: view\nselect day, count(*) as n from fact_requests group by day');
  writeFileSync(join(dir, 'm', 'plain.sql'), 'select 1 as one');
  const duck = loadModels(gold('m'), dir, 'duckdb');
  const pg = loadModels(gold('m'), dir, 'postgres');
  assert.deepEqual(duck.models.map((m) => [m.name, m.sql.endsWith('group by all')]), [['daily', true], ['plain', false]]);
  assert.deepEqual(pg.models.map((m) => [m.name, m.sql.endsWith('group by day')]), [['daily', true], ['plain', false]]);
  assert.deepEqual(pg.variants.map((v) => v.others.length), [1, 0]);
});

test('a variant without a model for the other dialect, or with another header, is refused with the file named', (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'a', 'only.postgres.sql'), 'select 1 as x');
  assert.throws(() => loadModels(gold('a'), dir, 'duckdb'), (e: Error & { code?: string }) => e.code === 'TRB_SCHEMA_MODEL_INVALID' && /no variant for duckdb/.test(e.message) && /only\.sql/.test(e.message));
  assert.equal(loadModels(gold('a'), dir, 'postgres').models[0]!.name, 'only');
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'b', 'd.sql'), '-- materialized: incremental\n-- partition_by: day\n-- source: stg_requests\nselect day from stg_requests');
  writeFileSync(join(dir, 'b', 'd.postgres.sql'), '-- materialized: table\nselect day from stg_requests');
  assert.throws(() => loadModels(gold('b'), dir, 'duckdb'), (e: Error & { code?: string }) => e.code === 'TRB_SCHEMA_MODEL_INVALID' && /d\.postgres\.sql/.test(e.message) && /header differs/.test(e.message));
});

test('variants must return the same columns, as DuckDB parses them', async (t) => {
  const dir = tmpDir(t);
  mkdirSync(join(dir, 'c'));
  writeFileSync(join(dir, 'c', 'x.sql'), 'select day, count(*) as requests from fact_requests group by all');
  writeFileSync(join(dir, 'c', 'x.postgres.sql'), 'select day, count(*) as n from fact_requests group by day');
  writeFileSync(join(dir, 'c', 'y.sql'), 'select f.day, (array_agg(path order by ts))[1] as first_path from fact_requests f group by 1');
  writeFileSync(join(dir, 'c', 'y.postgres.sql'), 'select day::date as day, min(path) as first_path from fact_requests group by 1');
  const conn = await connectUtc(await DuckDBInstance.create(':memory:'));
  t.after(() => conn.disconnectSync());
  const problems = await variantColumnProblems(conn, loadModels(gold('c'), dir, 'postgres').variants);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /x\.sql returns \(day, requests\) but .*x\.postgres\.sql returns \(day, n\)/);
});

test('output columns are the aliases and plain column names of the select list, whatever the expressions', async (t) => {
  const conn = await connectUtc(await DuckDBInstance.create(':memory:'));
  t.after(() => conn.disconnectSync());
  // A prefix keeps generated names clear of SQL keywords.
  const ident = fc.stringMatching(/^c_[a-z0-9_]{0,10}$/);
  const exprs = ['1', "'x'", 'count(*)', 'md5(a)', 'a + 1', '(array_agg(a order by b))[1]', 'cast(a as varchar)', 'a::date', 'case when a then 1 end'];
  await fc.assert(fc.asyncProperty(fc.uniqueArray(ident, { minLength: 1, maxLength: 6 }), fc.array(fc.constantFrom(...exprs), { minLength: 6, maxLength: 6 }), fc.boolean(), async (names, ex, union) => {
    const list = names.map((n, i) => (i % 2 === 0 ? `${ex[i]} as ${n}` : `t.${n}`)).join(', ');
    const sql = `select ${list} from t${union ? ` union all select ${names.map(() => '1').join(', ')}` : ''}`;
    assert.deepEqual(await outputColumns(conn, 'p', 'p.sql', sql), names);
  }), { numRuns: 60 });
  assert.equal(await outputColumns(conn, 'p', 'p.sql', 'select * from t'), undefined);
  assert.equal(await outputColumns(conn, 'p', 'p.sql', 'select a + 1 from t'), undefined);
});

test('the built-in models need no variant: the same files load for DuckDB and PostgreSQL', () => {
  const g = GoldSection.parse({});
  const duck = loadModels(g, '.', 'duckdb');
  const pg = loadModels(g, '.', 'postgres');
  assert.ok(duck.models.length >= 20);
  assert.deepEqual(pg.models, duck.models);
  assert.deepEqual(pg.tests, duck.tests);
});
