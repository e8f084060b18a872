/** Configuration of the `stdin` source: the only declaration of its options, defaults and docs. */
import { z } from 'zod';

/** Options of the `stdin` source (snake_case YAML keys). */
export const StdinConfig = z.strictObject({
  chunk_bytes: z.int().min(1).max(256 * 1024 * 1024).default(4 * 1024 * 1024).meta({
    description: 'Target size of a chunk of whole lines, bytes. A pause in the input sends the complete lines read so far without waiting for a full chunk.',
  }),
  max_line_bytes: z.int().min(1).max(64 * 1024 * 1024).default(64 * 1024).meta({
    description: 'Longest line kept whole, bytes; a longer line is cut to this size and quarantined as `line_too_long`.',
  }),
  fingerprint_bytes: z.int().min(1).max(1024 * 1024).default(8192).meta({
    description: 'Most bytes of the first line hashed into the stream identity (`stdin:` + fingerprint).',
  }),
});

/** Parsed `stdin` source options (defaults applied). */
export type StdinConfig = z.infer<typeof StdinConfig>;
