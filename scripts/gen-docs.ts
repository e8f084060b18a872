/**
 * Generates the reference docs from the code: docs/reference/configuration.md (zod schemas of the
 * pipeline and every registered component), docs/reference/errors.md (every error code) and
 * docs/reference/pipeline.schema.json.
 *
 *   node --import tsx scripts/gen-docs.ts           write the files that changed
 *   node --import tsx scripts/gen-docs.ts --check   exit 1 (listing them) when any file is stale
 */
import { fileURLToPath } from 'node:url';
import { registry } from '../src/engine/registry.js';
import { findStaleReferenceDocs, writeReferenceDocs } from '../src/config/reference-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));

if (process.argv.includes('--check')) {
  const stale = await findStaleReferenceDocs(root, registry);
  if (stale.length > 0) {
    console.error(`Reference docs are stale: ${stale.join(', ')}\nRun \`npm run docs:gen\` and commit the result.`);
    process.exit(1);
  }
  console.log('Reference docs are up to date.');
} else {
  const written = await writeReferenceDocs(root, registry);
  console.log(written.length === 0 ? 'Reference docs were already up to date.' : `Wrote ${written.join(', ')}`);
}
