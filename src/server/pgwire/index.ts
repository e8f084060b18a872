/** The PostgreSQL wire gateway's public surface (used by `tributary serve`). */
export { startPgWireServer, type PgWireServer, type PgWireServerOptions } from './start-pg-wire-server.js';
export { PgWireConfig, PgWireTlsConfig } from './pgwire-config.js';
export { pgWireOptionsFromConfig, type PgWireDeps } from './pg-wire-options.js';
export type { ScramLookup, WireUserVerifier } from './scram-verifiers.js';
export type { GatewayTls } from './tls-upgrade.js';
