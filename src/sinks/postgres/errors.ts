/**
 * Run-level errors of the `postgres` sink's connection (family `connect`). Failures of a load are
 * the shared `TRB_SINK_*` codes. Messages name the server as `host:port/database`, never a password.
 */
import { defineError } from '../../core/errors.js';

/** Details of the connection errors. */
export type PostgresConnectDetails = {
  readonly sink: string;
  /** `host:port/database`. */
  readonly server: string;
  readonly reason: string;
};

/** The server could not be reached (refused, DNS, timeout, dropped connection): retrying later may help. */
export const PostgresUnreachable = defineError<PostgresConnectDetails>(
  'TRB_CONNECT_POSTGRES_UNREACHABLE',
  'Sink `{sink}` cannot reach PostgreSQL at {server}: {reason} (check that the server runs and the host and port are right)',
  { family: 'connect', retry: 'backoff' });

/** The server refused the login (wrong password, unknown role, no `pg_hba.conf` entry): retrying does not help. */
export const PostgresAuthFailed = defineError<PostgresConnectDetails>(
  'TRB_CONNECT_POSTGRES_AUTH_FAILED',
  'Sink `{sink}` could not log in to PostgreSQL at {server}: {reason} (check the user, the vault secret behind `password` and pg_hba.conf)',
  { family: 'connect', retry: 'never' });

/** The TLS handshake failed or the server does not offer TLS: the `tls` options and the server's certificate disagree. */
export const PostgresTlsFailed = defineError<PostgresConnectDetails>(
  'TRB_CONNECT_POSTGRES_TLS_FAILED',
  'Sink `{sink}` could not set up TLS with PostgreSQL at {server}: {reason} (check `tls.mode`, `tls.ca` and the server certificate)',
  { family: 'connect', retry: 'never' });
