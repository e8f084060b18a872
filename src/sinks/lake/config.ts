/** Configuration of the `lake` sink: the single declaration of its options, defaults and docs. */
import { z } from 'zod';
import { sqlIdentifier } from '../_shared/sql.js';
import { secretRef } from '../../config/schema/secret-ref.js';

/** Options of the silver lake sink (Parquet files partitioned by day). */
export const LakeConfig = z.strictObject({
  path: z.string().min(1).optional().meta({
    description: 'Lake root directory; relative paths resolve against the pipeline file. Default: `<data_dir>/lake`.',
    examples: ['./lake', '/srv/tributary/lake'],
  }),
  dataset: sqlIdentifier().default('requests').meta({
    description: 'Dataset name: rows land in `<path>/silver/<dataset>/day=YYYY-MM-DD/`, rejections in `<path>/quarantine/<dataset>/`.',
    examples: ['requests', 'errors'],
  }),
  compression: z.enum(['zstd', 'snappy', 'gzip']).default('zstd').meta({
    description: 'Parquet compression codec.',
  }),
  row_group_size: z.number().int().min(1024).max(10_000_000).default(122_880).meta({
    description: 'Rows per Parquet row group (DuckDB default 122880).',
  }),
  memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as `2GB` or `512MiB`').default('256MB').meta({
    description: 'Memory limit of the private DuckDB that writes Parquet; it spills to disk beyond it.',
    examples: ['256MB', '1GB'],
  }),
  encryption_key: secretRef({
    description: 'Encrypt every Parquet file (Parquet modular encryption, AES-GCM footer key via DuckDB `ENCRYPTION_CONFIG`) with this vault secret: '
      + 'a 16, 24 or 32 byte key, or its base64. Readers need the same key. Needs DuckDB\'s OpenSSL crypto (the `httpfs` extension installed); '
      + 'without it the sink refuses to open (`TRB_SECRET_ENCRYPTION_UNAVAILABLE`). See docs/security/encryption.md.',
    examples: ['${secret:lake_key}'],
  }).optional(),
});

/** Parsed `lake` sink options. */
export type LakeConfig = z.infer<typeof LakeConfig>;
