/**
 * The pipelines users read first must load with the real component registry: the example in
 * docs/guide/pipelines.md and every pipeline file under examples/<name>/.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { validatePipelineText } from '../../src/config/load-config.js';
import type { ComponentRegistry } from '../../src/config/registry-types.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const REGISTRY_MODULE = '../../src/engine/registry.js';

async function realRegistry(): Promise<ComponentRegistry> {
  try {
    const { registry } = (await import(REGISTRY_MODULE)) as { registry: ComponentRegistry };
    return registry;
  } catch (err) {
    return assert.fail(`cannot import the component registry (src/engine/registry.ts): ${(err as Error).message}`);
  }
}

function assertValid(text: string, file: string, registry: ComponentRegistry): void {
  const r = validatePipelineText(text, file, registry, { env: {}, cwd: REPO_ROOT });
  assert.ok(r.ok, `${file} is invalid:\n${r.ok ? '' : r.problems.map((p) => p.message).join('\n')}`);
}

it('the complete example of the pipelines guide is valid', async () => {
  const guide = readFileSync(join(REPO_ROOT, 'docs/guide/pipelines.md'), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(guide)?.[1];
  assert.ok(example, 'the guide has a yaml example');
  assertValid(example, 'docs/guide/pipelines.md', await realRegistry());
});

it('every examples/*/*.yaml pipeline is valid', async () => {
  const registry = await realRegistry();
  const dir = join(REPO_ROOT, 'examples');
  const files = existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, d, f))) : [];
  assert.ok(files.some((f) => f.endsWith('security.yaml')));
  for (const f of files) assertValid(readFileSync(f, 'utf8'), f, registry);
});
