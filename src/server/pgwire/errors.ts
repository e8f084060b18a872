/**
 * Error codes of the PostgreSQL wire gateway (`config` family: raised when the gateway starts).
 * Per-query failures are not thrown to the caller: they become ErrorResponses (see sqlstate.ts).
 */
import { defineError } from '../../core/errors.js';

/** The gateway was configured without TLS and without the explicit insecure development flag. */
export const PgWireTlsRequired = defineError<Record<string, never>>(
  'TRB_PGWIRE_TLS_REQUIRED',
  'The PostgreSQL wire gateway needs `pgwire.tls` (cert_file and key_file); plain-text listening is only allowed with `insecure_no_tls: true` for local development',
  { family: 'config' });

/** The TLS certificate or key file cannot be read. */
export const PgWireTlsUnreadable = defineError<{ file: string; reason: string }>(
  'TRB_PGWIRE_TLS_UNREADABLE',
  'Cannot read the PostgreSQL wire gateway TLS file `{file}`: {reason}',
  { family: 'config' });
