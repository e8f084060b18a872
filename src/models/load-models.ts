/** Loads the models and tests a `gold:` section names: the built-in sets, then the user's directory. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GoldConfig } from './config.js';
import { ModelInvalid } from './errors.js';
import { parseModel, type Model } from './model.js';
import { parseModelTests, type ModelTest } from './model-tests.js';

/** Directory of a built-in model set (shipped with the package, next to the compiled code's sources). */
function builtinDir(set: string): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // src/models/ (tsx) or dist/src/models/ (compiled): the .sql files live in src/models/builtin.
  for (const d of [join(here, 'builtin', set), join(here, '..', '..', '..', 'src', 'models', 'builtin', set)]) if (existsSync(d)) return d;
  throw ModelInvalid({ model: set, file: here, reason: `built-in model set \`${set}\` is not installed` });
}

function readDir(dir: string, label: (f: string) => string): { models: Model[]; tests: ModelTest[] } {
  const models: Model[] = [];
  const tests: ModelTest[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (f.endsWith('.sql')) models.push(parseModel(basename(f, '.sql'), label(f), readFileSync(p, 'utf8')));
    if (f === 'tests.yml' || f === 'tests.yaml') tests.push(...parseModelTests(label(f), readFileSync(p, 'utf8')));
  }
  return { models, tests };
}

/** Every model and test of `gold` (`baseDir`: the pipeline file's directory). A user model may not reuse a built-in name. */
export function loadModels(gold: GoldConfig, baseDir: string): { models: Model[]; tests: ModelTest[] } {
  const models: Model[] = [];
  const tests: ModelTest[] = [];
  for (const set of gold.builtin) {
    const r = readDir(builtinDir(set), (f) => `builtin:${set}/${f}`);
    models.push(...r.models); tests.push(...r.tests);
  }
  if (gold.models_dir !== undefined) {
    const dir = resolve(baseDir, gold.models_dir);
    if (!existsSync(dir)) throw ModelInvalid({ model: '(models_dir)', file: dir, reason: 'the directory does not exist' });
    const r = readDir(dir, (f) => join(dir, f));
    for (const m of r.models) {
      const clash = models.find((x) => x.name === m.name);
      if (clash) throw ModelInvalid({ model: m.name, file: m.file, reason: `a model of that name already exists (${clash.file})` });
      models.push(m);
    }
    tests.push(...r.tests);
  }
  return { models, tests };
}
