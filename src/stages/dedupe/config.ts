/**
 * Options of the `dedupe` stage. `key` selects how a record's identity is formed; it is the tag of
 * the config, so a later content-hash mode can join as `{ key: 'fields', fields: [...] }` (a
 * discriminated union on `key`) without changing existing pipelines.
 */
import { z } from 'zod';

/** Config of the `dedupe` stage. */
export const DedupeConfig = z.strictObject({
  key: z.literal('record_id').default('record_id')
    .meta({ description: 'Record identity. `record_id` = (source stream, byte offset): drops records already committed by an earlier run and repeats of the same offset within a batch.' }),
}).meta({ description: 'Drops records that are already stored or repeated, counting them as filtered.' });
/** A parsed {@link DedupeConfig}. */
export type DedupeConfig = z.infer<typeof DedupeConfig>;
