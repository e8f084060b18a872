/**
 * Builds {@link startPgWireServer}'s options from the parsed `pgwire:` config section: reads the
 * TLS files (`TRB_PGWIRE_TLS_UNREADABLE` when one cannot be read) and converts the units. The
 * caller supplies the engine, the SCRAM lookup, the identity factory and the audit trail.
 */
import { readFileSync } from 'node:fs';
import type { PgWireConfig } from './pgwire-config.js';
import type { PgWireServerOptions } from './start-pg-wire-server.js';
import { PgWireTlsUnreadable } from './errors.js';

/** The parts of the options that do not come from the config file. */
export type PgWireDeps = Pick<PgWireServerOptions, 'engine' | 'scram' | 'identityFor' | 'audit'>;

/** Options for `startPgWireServer` from `config` and `deps`. */
export function pgWireOptionsFromConfig(config: PgWireConfig, deps: PgWireDeps): PgWireServerOptions {
  const read = (file: string): Buffer => {
    try { return readFileSync(file); } catch (err) {
      throw PgWireTlsUnreadable({ file, reason: (err as NodeJS.ErrnoException).code ?? 'unreadable' }, err);
    }
  };
  return {
    ...deps,
    scram: { ...deps.scram, iterations: deps.scram.iterations ?? config.scram_iterations },
    host: config.host,
    port: config.port,
    ...(config.tls ? { tls: { cert: read(config.tls.cert_file), key: read(config.tls.key_file), minVersion: config.tls.min_version } } : {}),
    insecureNoTls: config.insecure_no_tls,
    maxConnections: config.max_connections,
    idleTimeoutMs: config.idle_timeout_secs * 1000,
    authTimeoutMs: config.auth_timeout_secs * 1000,
    maxMessageBytes: config.max_message_bytes,
  };
}
