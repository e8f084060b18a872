/** Error codes of the `files` source (run-level failures; bad lines are never errors). */
import { defineError } from '../../core/errors.js';

/** An `include` pattern with a `..` segment: it could climb out of the directory it names. */
export const PathTraversal = defineError<{ source: string; pattern: string }>(
  'TRB_CONFIG_PATH_TRAVERSAL',
  'Pattern `{pattern}` of source `{source}` has a `..` segment; write the directory without `..` (an absolute path works)',
  { family: 'config' });

/** A matched file (or its symlink target) lies outside every allowed root. */
export const PathRefused = defineError<{ source: string; file: string; target: string; roots: readonly string[] }>(
  'TRB_SOURCE_PATH_REFUSED',
  'Refused to read `{file}` for source `{source}`: it resolves to `{target}`, outside the allowed roots ({roots}); add the directory to `roots` or remove the link',
  { family: 'source' });

/** An I/O error other than a file vanishing (permissions, corrupt gzip data, device errors). */
export const FileReadFailed = defineError<{ source: string; file: string; reason: string }>(
  'TRB_SOURCE_FILE_READ_FAILED',
  'Cannot read `{file}` for source `{source}`: {reason}',
  { family: 'source' });

/** A committed checkpoint that is not a `{ offset, line, path, size }` object. */
export const FileCheckpointInvalid = defineError<{ source: string; key: string; reason: string }>(
  'TRB_SOURCE_FILE_CHECKPOINT_INVALID',
  'Checkpoint `{key}` of source `{source}` is not a files checkpoint ({reason}); delete it to read the stream again from the start',
  { family: 'source' });
