/**
 * The generated reference files under docs/reference/ and the freshness check used by
 * `scripts/gen-docs.ts --check` and by the docs-fresh test.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import '../error-codes.js'; // defines every error code, so all are listed in errors.md
import { renderRecordSchemaDoc } from '../core/record-docs.js';
import { pipelineJsonSchema } from './json-schema.js';
import { renderConfigReference, renderErrorReference } from './reference-docs.js';
import type { ComponentRegistry } from './registry-types.js';
import { renderServerConfigReference } from '../server/config/server-config-docs.js';

/** Paths (relative to the repository root) of the generated reference files. */
export const REFERENCE_FILES = Object.freeze({
  configuration: 'docs/reference/configuration.md',
  errors: 'docs/reference/errors.md',
  schema: 'docs/reference/pipeline.schema.json',
  records: 'docs/record-schema.md',
  server: 'docs/reference/server-configuration.md',
});

/**
 * The content of every generated reference file, by relative path. The error reference lists the
 * codes defined in this process: callers must have imported every module that defines errors
 * (the registry's components do so through their imports).
 */
export function renderReferenceFiles(registry: ComponentRegistry): ReadonlyMap<string, string> {
  return new Map([
    [REFERENCE_FILES.configuration, renderConfigReference(registry)],
    [REFERENCE_FILES.errors, renderErrorReference()],
    [REFERENCE_FILES.schema, `${JSON.stringify(pipelineJsonSchema(registry), null, 2)}\n`],
    [REFERENCE_FILES.records, renderRecordSchemaDoc()],
    [REFERENCE_FILES.server, renderServerConfigReference()],
  ]);
}

/** Relative paths of the reference files under `root` that are missing or differ from what the code generates. */
export async function findStaleReferenceDocs(root: string, registry: ComponentRegistry): Promise<readonly string[]> {
  const stale: string[] = [];
  for (const [rel, content] of renderReferenceFiles(registry)) {
    const current = await readFile(join(root, rel), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(rel);
  }
  return stale;
}

/** Writes every reference file under `root` (creating directories) and returns the paths that changed. */
export async function writeReferenceDocs(root: string, registry: ComponentRegistry): Promise<readonly string[]> {
  const stale = new Set(await findStaleReferenceDocs(root, registry));
  for (const [rel, content] of renderReferenceFiles(registry)) {
    if (!stale.has(rel)) continue;
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  }
  return [...stale];
}
