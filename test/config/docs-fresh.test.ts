/**
 * The committed reference docs (docs/reference/) must match what the code generates from the real
 * registry. Fix a failure with `npm run docs:gen`.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ComponentRegistry } from '../../src/config/registry-types.js';
import { findStaleReferenceDocs } from '../../src/config/reference-files.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const REGISTRY_MODULE = '../../src/engine/registry.js';

async function realRegistry(): Promise<ComponentRegistry> {
  let mod: { registry?: ComponentRegistry };
  try {
    mod = (await import(REGISTRY_MODULE)) as { registry?: ComponentRegistry };
  } catch (err) {
    assert.fail(`cannot import the component registry (src/engine/registry.ts): ${(err as Error).message}`);
  }
  const r = mod.registry;
  assert.ok(r && Array.isArray(r.sources) && Array.isArray(r.stages) && Array.isArray(r.sinks),
    'src/engine/registry.ts must export `registry: ComponentRegistry` ({ sources, stages, sinks })');
  return r;
}

it('docs/reference is up to date with the schemas and error codes', async () => {
  const stale = await findStaleReferenceDocs(REPO_ROOT, await realRegistry());
  assert.deepEqual(stale, [], `stale reference docs: ${stale.join(', ')}; run \`npm run docs:gen\` and commit the result`);
});
