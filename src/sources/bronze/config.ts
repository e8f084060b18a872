/** Configuration of the `bronze` (replay) source. */
import { z } from 'zod';

/** Options of the bronze replay source. */
export const BronzeConfig = z.strictObject({
  pipeline: z.string().min(1).optional().meta({
    description: 'Pipeline whose bronze manifest is replayed (default: the running pipeline).',
  }),
  streams: z.array(z.string().min(1)).optional().meta({
    description: 'Only replay these stream ids (default: every stream in the manifest).',
    examples: [['f:0123456789abcdef']],
  }),
  chunk_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024).meta({
    description: 'Target size of the chunks handed to the workers, in bytes.',
  }),
}).meta({ description: 'Replays archived raw input from the bronze layer (verifying each object\'s sha256) through the stages.' });

/** Parsed bronze source options. */
export type BronzeConfig = z.infer<typeof BronzeConfig>;
