/** Error codes of the `stdin` source. */
import { defineError } from '../../core/errors.js';

/** Standard input (or the injected stream) failed while being read. */
export const StdinReadFailed = defineError<{ source: string; reason: string }>(
  'TRB_SOURCE_STDIN_READ_FAILED',
  'Cannot read standard input for source `{source}`: {reason}',
  { family: 'source' });
