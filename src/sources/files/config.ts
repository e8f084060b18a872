/** Configuration of the `files` source: the only declaration of its options, defaults and docs. */
import { z } from 'zod';

/** Options of the `files` source (snake_case YAML keys). */
export const FilesConfig = z.strictObject({
  include: z.array(z.string().min(1)).min(1).meta({
    description: 'Glob patterns of the files to read (fast-glob syntax). Relative patterns resolve against the pipeline file\'s directory; a `..` segment is refused.',
    examples: [['logs/access.log*'], ['/var/log/nginx/*.log*']],
  }),
  exclude: z.array(z.string().min(1)).default([]).meta({
    description: 'Glob patterns of files to leave out, resolved like `include` (use `**/` to match at any depth).',
    examples: [['logs/*.tmp']],
  }),
  roots: z.array(z.string().min(1)).optional().meta({
    description: 'Directories files may live in (after resolving symlinks). Default: the glob-free base directory of each `include` pattern. A file outside every root fails the run.',
    examples: [['/var/log/nginx']],
  }),
  start_at: z.enum(['beginning', 'end']).default('beginning').meta({
    description: 'Where to start a file that has no checkpoint and exists when the run starts; files that appear later are always read from the beginning.',
  }),
  chunk_bytes: z.int().min(1).max(256 * 1024 * 1024).default(4 * 1024 * 1024).meta({
    description: 'Target size of a chunk of whole lines, bytes (decompressed).',
  }),
  max_line_bytes: z.int().min(1).max(64 * 1024 * 1024).default(64 * 1024).meta({
    description: 'Longest line kept whole, bytes; a longer line is cut to this size and quarantined as `line_too_long`.',
  }),
  poll_interval_ms: z.int().min(1).max(60_000).default(200).meta({
    description: 'Watch mode: how often open files are checked for appended data, milliseconds.',
  }),
  glob_interval_ms: z.int().min(1).max(3_600_000).default(1000).meta({
    description: 'Watch mode: how often the patterns are matched again to find new and rotated files, milliseconds.',
  }),
  fingerprint_bytes: z.int().min(1).max(1024 * 1024).default(8192).meta({
    description: 'Most bytes of the first line hashed into the stream identity (the fingerprint).',
  }),
});

/** Parsed `files` source options (defaults applied). */
export type FilesConfig = z.infer<typeof FilesConfig>;
