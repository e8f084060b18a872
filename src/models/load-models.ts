/**
 * Loads the models and tests a `gold:` section names: the built-in sets, then the user's directory.
 *
 * Dialects: `name.sql` is a model for every warehouse; `name.duckdb.sql` / `name.postgres.sql`
 * beside it replaces it on that warehouse only, for SQL the two dialects cannot share. A variant
 * must declare the same header as the file it stands in for (checked here) and the same output
 * columns (checked by {@link variantColumnProblems}, with DuckDB's parser). The built-in models
 * need no variant: they are written in the SQL both dialects share, and the dialect differences
 * live in the generated staging views.
 *
 * Why shared SQL first and variants only by exception (rather than a `.postgres.sql` beside every
 * built-in model, or SQL macros): the common subset of DuckDB and PostgreSQL covers every built-in
 * model once `GROUP BY ALL`, `arg_max` and `generate_series` are spelled portably, so one file per
 * model stays the single source of truth and cannot drift from a twin; the parity test proves both
 * warehouses give the same rows. Macros would be a small SQL dialect of our own to learn and parse.
 * Variants remain for what genuinely differs (a user's DuckDB-only functions, say).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GoldConfig } from './config.js';
import { ModelInvalid } from './errors.js';
import { GOLD_DIALECTS, type GoldDialect } from './gold-warehouse.js';
import { parseModel, type Model } from './model.js';
import { outputColumns } from './sql-dependencies.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseModelTests, type ModelTest } from './model-tests.js';

/** Directory of a built-in model set (shipped with the package, next to the compiled code's sources). */
function builtinDir(set: string): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // src/models/ (tsx) or dist/src/models/ (compiled): the .sql files live in src/models/builtin.
  for (const d of [join(here, 'builtin', set), join(here, '..', '..', '..', 'src', 'models', 'builtin', set)]) if (existsSync(d)) return d;
  throw ModelInvalid({ model: set, file: here, reason: `built-in model set \`${set}\` is not installed` });
}

/** A model chosen for a dialect, and the other variants of the same model (for the column check). */
export interface ModelVariants {
  readonly model: Model;
  readonly others: readonly Model[];
}

const VARIANT = new RegExp(`^(.+)\\.(${GOLD_DIALECTS.join('|')})\\.sql$`);

function sameHeader(a: Model, b: Model): boolean {
  return a.materialized === b.materialized && a.partitionBy === b.partitionBy && a.source === b.source && a.uniqueKey === b.uniqueKey && a.referencedBy === b.referencedBy;
}

function readDir(dir: string, label: (f: string) => string, dialect: GoldDialect): { models: ModelVariants[]; tests: ModelTest[] } {
  const files = new Map<string, Map<GoldDialect | 'any', string>>();
  const tests: ModelTest[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f === 'tests.yml' || f === 'tests.yaml') tests.push(...parseModelTests(label(f), readFileSync(join(dir, f), 'utf8')));
    if (!f.endsWith('.sql')) continue;
    const v = VARIANT.exec(f);
    const name = v ? v[1]! : basename(f, '.sql');
    if (!files.has(name)) files.set(name, new Map());
    files.get(name)!.set(v ? (v[2] as GoldDialect) : 'any', f);
  }
  const models: ModelVariants[] = [];
  for (const [name, byDialect] of files) {
    const parsed = new Map([...byDialect].map(([d, f]) => [d, parseModel(name, label(f), readFileSync(join(dir, f), 'utf8'))] as const));
    const model = parsed.get(dialect) ?? parsed.get('any');
    const first = [...parsed.values()][0]!;
    if (model === undefined) {
      throw ModelInvalid({ model: name, file: first.file, reason: `it has no variant for ${dialect}: add \`${name}.sql\` (both dialects) or \`${name}.${dialect}.sql\`` });
    }
    const others = [...parsed.values()].filter((m) => m !== model);
    const differs = others.find((m) => !sameHeader(m, model));
    if (differs) throw ModelInvalid({ model: name, file: differs.file, reason: `its header differs from ${model.file}: every variant of a model declares the same materialisation, partition, source and keys` });
    models.push({ model, others });
  }
  return { models, tests };
}

/**
 * Every model (in the variant for `dialect`) and test of `gold` (`baseDir`: the pipeline file's
 * directory). A user model may not reuse a built-in name. `variants` lists each model's other
 * dialect variants.
 */
export function loadModels(gold: GoldConfig, baseDir: string, dialect: GoldDialect = 'duckdb'): { models: Model[]; tests: ModelTest[]; variants: ModelVariants[] } {
  const variants: ModelVariants[] = [];
  const tests: ModelTest[] = [];
  for (const set of gold.builtin) {
    const r = readDir(builtinDir(set), (f) => `builtin:${set}/${f}`, dialect);
    variants.push(...r.models); tests.push(...r.tests);
  }
  if (gold.models_dir !== undefined) {
    const dir = resolve(baseDir, gold.models_dir);
    if (!existsSync(dir)) throw ModelInvalid({ model: '(models_dir)', file: dir, reason: 'the directory does not exist' });
    const r = readDir(dir, (f) => join(dir, f), dialect);
    for (const v of r.models) {
      const clash = variants.find((x) => x.model.name === v.model.name);
      if (clash) throw ModelInvalid({ model: v.model.name, file: v.model.file, reason: `a model of that name already exists (${clash.model.file})` });
      variants.push(v);
    }
    tests.push(...r.tests);
  }
  return { models: variants.map((v) => v.model), tests, variants };
}

/**
 * Problems of dialect variants whose output columns differ from the chosen model's (names, in
 * order, as DuckDB's parser reads the select list; a variant whose columns cannot be told from the
 * SQL alone, such as `select *`, is not compared). One sentence per model, empty when all agree.
 */
export async function variantColumnProblems(parser: DuckDBConnection, variants: readonly ModelVariants[]): Promise<string[]> {
  const out: string[] = [];
  for (const { model, others } of variants) {
    if (others.length === 0) continue;
    const want = await outputColumns(parser, model.name, model.file, model.sql);
    for (const o of others) {
      const got = await outputColumns(parser, o.name, o.file, o.sql);
      if (want && got && want.join(',') !== got.join(',')) out.push(`${o.file} returns (${got.join(', ')}) but ${model.file} returns (${want.join(', ')})`);
    }
  }
  return out;
}
