/** Errors of the bronze replay source. */
import { defineError } from '../../core/errors.js';

/** The run has no bronze layer to read. */
export const BronzeUnavailable = defineError<{ source: string }>(
  'TRB_SOURCE_BRONZE_UNAVAILABLE', 'Source `{source}` replays bronze, but this run has no bronze layer to read', { family: 'source' });

/** An archived object does not match its manifest checksum or size. */
export const BronzeCorrupt = defineError<{ source: string; object: string; expected: string; actual: string }>(
  'TRB_SOURCE_BRONZE_CORRUPT',
  'Bronze object `{object}` is corrupt: expected {expected}, found {actual}; nothing from it was replayed', { family: 'source' });
