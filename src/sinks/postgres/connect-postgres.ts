/**
 * Opens the sink's PostgreSQL session from its config: URL or parts, the vault password, TLS, a
 * UTC session time zone. Connection failures become typed `TRB_CONNECT_POSTGRES_*` errors.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { TributaryError } from '../../core/errors.js';
import type { PostgresConfig, PostgresTls } from './config.js';
import { PostgresAuthFailed, PostgresTlsFailed, PostgresUnreachable } from './errors.js';

/** Host, port, database and user of a connection URL or parts (a URL's missing parts: `localhost`, 5432, user name). */
export function connectionParts(connection: PostgresConfig['connection']): { host: string; port: number; database: string; user: string } {
  if (typeof connection !== 'string') return connection;
  const u = new URL(connection);
  const user = decodeURIComponent(u.username);
  return {
    host: decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost', port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || user, user,
  };
}

/** `host:port/database` of a config, for messages and `location()` (never a password). */
export function serverLabel(config: Pick<PostgresConfig, 'connection'>): string {
  const c = connectionParts(config.connection);
  return `${c.host}:${c.port}/${c.database}`;
}

/** Node TLS options for a `tls` section; `false` for `disable`. Reads `ca` relative to `baseDir`. */
export function tlsOptions(tls: PostgresTls, baseDir: string): false | ConnectionOptions {
  if (tls.mode === 'disable') return false;
  const base: ConnectionOptions = { minVersion: tls.min_version };
  if (tls.mode === 'require') return { ...base, rejectUnauthorized: false };
  const opts: ConnectionOptions = { ...base, rejectUnauthorized: true };
  if (tls.ca !== undefined) opts.ca = readFileSync(isAbsolute(tls.ca) ? tls.ca : resolve(baseDir, tls.ca), 'utf8');
  return opts;
}

/**
 * The `pg.Client` options of a config (password revealed here and only here). The session's
 * `application_name` is `tributary-sink:<sink id>`, so `pg_stat_activity` shows which sink it is.
 * Throws `TRB_CONNECT_POSTGRES_TLS_FAILED` when `tls.ca` cannot be read, `TRB_SECRET_UNRESOLVED`
 * when the password was not resolved from the vault.
 */
export function clientConfig(config: PostgresConfig, baseDir: string, sink = 'sink'): pg.ClientConfig {
  const c = config.connection;
  let ssl: false | ConnectionOptions;
  try { ssl = tlsOptions(config.tls, baseDir); } catch (err) {
    throw PostgresTlsFailed({ sink, server: serverLabel(config), reason: `cannot read tls.ca: ${(err as Error).message}` }, err);
  }
  const common: pg.ClientConfig = {
    ssl,
    connectionTimeoutMillis: config.connect_timeout_secs * 1000,
    application_name: `tributary-sink:${sink}`.slice(0, 63),
    options: '-c TimeZone=UTC -c DateStyle=ISO',
  };
  if (config.password !== undefined) common.password = config.password.reveal();
  // Parts, never `connectionString`: pg would let the URL's (absent) password override `password`.
  const { host, port, database, user } = connectionParts(c);
  return { ...common, host, port, database, user };
}

const AUTH_SQLSTATE = new Set(['28P01', '28000']);
/** Node / OpenSSL error codes of a failed TLS handshake or certificate check. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|HOSTNAME_MISMATCH|EPROTO$)/;

/** Maps a connection failure to its `TRB_CONNECT_POSTGRES_*` error (reason = driver message, which never holds the password). */
export function connectError(sink: string, server: string, err: unknown): TributaryError {
  const e = err as { code?: unknown; message?: unknown } | null;
  const reason = typeof e?.message === 'string' ? e.message : String(err);
  const details = { sink, server, reason };
  if (typeof e?.code === 'string' && AUTH_SQLSTATE.has(e.code)) return PostgresAuthFailed(details, err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  // pg rejects with a code-less Error when the server answers the SSL request with "no": its text is the only signal.
  if ((code !== undefined && TLS_CODES.test(code)) || (code === undefined && /does not support SSL/.test(reason))) return PostgresTlsFailed(details, err);
  return PostgresUnreachable(details, err);
}

/** Connects a new client; throws `TRB_CONNECT_POSTGRES_*` on failure. An idle connection error is passed to `onError`. */
export async function connectPostgres(sink: string, config: PostgresConfig, baseDir: string, onError: (err: Error) => void): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(config, baseDir, sink));
  client.on('error', onError);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw connectError(sink, serverLabel(config), err);
  }
  return client;
}
