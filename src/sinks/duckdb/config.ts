/** Configuration of the `duckdb` sink: the single declaration of its options, defaults and docs. */
import { z } from 'zod';
import { sqlIdentifier } from '../_shared/sql.js';
import { secretRef } from '../../config/schema/secret-ref.js';

/** Options of the DuckDB warehouse sink. */
export const DuckdbConfig = z.strictObject({
  path: z.string().min(1).optional().meta({
    description: 'Warehouse database file; relative paths resolve against the pipeline file. Default: `<data_dir>/warehouse.duckdb`.',
    examples: ['./warehouse.duckdb'],
  }),
  table: sqlIdentifier().default('requests').meta({
    description: 'Table the rows are inserted into (created from the record schema + lineage columns when missing).',
  }),
  quarantine_table: sqlIdentifier().default('quarantine').meta({
    description: 'Table rejected records are inserted into, with their origin, code and reason.',
  }),
  memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as `2GB` or `512MiB`').default('256MB').meta({
    description: 'DuckDB memory limit (instance-wide); DuckDB spills to disk beyond it. Keeps the process memory flat whatever the input size: '
      + 'the buffer pool keeps recently written table blocks cached up to this limit, so a larger one lets resident memory grow with the warehouse '
      + '(128MB keeps a plain `tributary run` under 600 MB peak RSS, but a commit of the enriched pipelines, with their extra datasets, fails at 128MB; docs/benchmarks.md). Raise it for heavy queries or gold builds.',
    examples: ['256MB', '2GB'],
  }),
  threads: z.number().int().min(1).max(1024).optional().meta({
    description: 'DuckDB worker threads (instance-wide). Default: one per core.',
  }),
  encryption_key: secretRef({
    description: 'Encrypt the database file (DuckDB AES-GCM, `ATTACH ... (ENCRYPTION_KEY ...)`) with this vault secret, and its spill files too. '
      + 'Needs DuckDB\'s OpenSSL crypto (the `httpfs` extension installed); without it the sink refuses to open (`TRB_SECRET_ENCRYPTION_UNAVAILABLE`) rather than write unencrypted or insecurely. See docs/security/encryption.md.',
    examples: ['${secret:warehouse_key}'],
  }).optional(),
});

/** Parsed `duckdb` sink options. */
export type DuckdbConfig = z.infer<typeof DuckdbConfig>;
