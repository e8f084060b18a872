/**
 * The server configuration file (`tributary serve --config server.yaml`): the single declaration of
 * every server option, strict (unknown keys are errors), with defaults and descriptions from which
 * docs/reference/server-configuration.md is generated. `${env:NAME}` works anywhere, and the only
 * secret (the Redis URL) must be `${secret:NAME}`.
 */
import { z } from 'zod';
import { PgWireConfig } from '../pgwire/pgwire-config.js';
import { secretRef } from '../../config/schema/secret-ref.js';

const cidr = z.string().min(1).meta({ description: 'An IPv4 or IPv6 CIDR (`10.0.0.0/8`, `::1/128`) or a single address.' });

/** TLS of one listener. */
export const ListenerTlsConfig = z.strictObject({
  cert_file: z.string().min(1).meta({ description: 'PEM certificate chain file.' }),
  key_file: z.string().min(1).meta({ description: 'PEM private key file (keep it 0600).' }),
  min_version: z.enum(['1.2', '1.3']).default('1.2').meta({ description: 'Lowest TLS version accepted; 1.3 is always preferred when the client offers it.' }),
}).meta({ description: 'TLS certificate and key. Required unless the server runs with `--dev-cert` or `--insecure-http`.' });

/** Mutual TLS of one listener: client certificates signed by `ca_file` map to identities. */
export const MtlsConfig = z.strictObject({
  ca_file: z.string().min(1).meta({ description: 'PEM file of the CA(s) that sign client certificates.' }),
  required: z.boolean().default(false).meta({ description: 'Refuse TLS handshakes without a valid client certificate (else API keys still work).' }),
  subjects: z.record(z.string().min(1), z.string().min(1)).default({}).meta({
    description: 'Client certificate subject common name (CN) → role. A verified certificate whose CN is not listed is refused.',
    examples: [{ 'ingest-worker': 'engineer' }],
  }),
}).meta({ description: 'Optional mutual TLS for component-to-component calls.' });

/** One listener (address and port with its own TLS and allowlist). */
export const ListenerConfig = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/).default('main').meta({ description: 'Name used in logs, doctor findings and errors.' }),
  host: z.string().min(1).default('127.0.0.1').meta({ description: 'Address to bind.' }),
  port: z.number().int().min(0).max(65535).default(8443).meta({ description: 'TCP port (0 = any free port).' }),
  tls: ListenerTlsConfig.optional(),
  mtls: MtlsConfig.optional(),
  allow_cidrs: z.array(cidr).default([]).meta({ description: 'Client addresses allowed on this listener; empty = any.' }),
});

/** One rate-limit budget. */
export const RateBudget = z.strictObject({
  max: z.number().int().positive().meta({ description: 'Requests allowed per window.' }),
  window_secs: z.number().int().positive().default(60).meta({ description: 'Window length in seconds.' }),
});

/** Rate limits (per API key or client certificate, and per client address). */
export const RateLimitConfig = z.strictObject({
  per_key: RateBudget.default({ max: 600, window_secs: 60 }).meta({ description: 'Budget of one authenticated identity.' }),
  per_address: RateBudget.default({ max: 1200, window_secs: 60 }).meta({ description: 'Budget of one client address (every route but health probes).' }),
  redis_url: secretRef({ description: 'Redis URL `${secret:NAME}`; when set, budgets are shared by every server process using it.' }).optional(),
});

/** Request and result limits. */
export const LimitsConfig = z.strictObject({
  body_max_bytes: z.number().int().positive().default(1_048_576).meta({ description: 'Largest request body accepted (413 beyond).' }),
  sql_max_chars: z.number().int().positive().default(100_000).meta({ description: 'Longest SQL text accepted by `POST /v1/sql`.' }),
  key_recheck_ms: z.number().int().min(0).default(1000).meta({ description: 'While a result streams, the API key is re-checked at most this often (revocation stops the stream).' }),
  request_timeout_secs: z.number().int().positive().default(300).meta({ description: 'Whole-request timeout, including streamed results.' }),
});

/** CORS: off unless origins are listed. */
export const CorsConfig = z.strictObject({
  origins: z.array(z.string().url()).default([]).meta({ description: 'Allowed browser origins; empty = CORS off.' }),
  credentials: z.boolean().default(false).meta({ description: 'Send `Access-Control-Allow-Credentials`.' }),
});

/** The warehouse `/readyz` probes and the query engine reads. */
export const WarehouseConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('duckdb').meta({ description: 'A DuckDB warehouse file.' }),
    path: z.string().min(1).meta({ description: 'DuckDB database file.' }),
    encryption_key: secretRef({ description: 'Key `${secret:NAME}` of an encrypted warehouse (the same secret as the duckdb sink\'s `encryption_key`).' }).optional(),
  }),
  z.strictObject({
    type: z.literal('postgres').meta({ description: 'A PostgreSQL warehouse.' }),
    url: secretRef({ description: 'PostgreSQL URL `${secret:NAME}` of the serving login role: never the owner, a superuser or BYPASSRLS (checked at start).' }),
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('public').meta({ description: 'Schema of the warehouse tables (the `postgres` sink\'s `schema`).' }),
    admin_url: secretRef({ description: 'PostgreSQL URL `${secret:NAME}` of the warehouse owner (or a CREATEROLE role); when set, the roles are applied as PostgreSQL roles, grants and row-level security policies at start.' }).optional(),
    role_prefix: z.string().regex(/^[a-z_][a-z0-9_]{0,15}$/).default('trb_').meta({ description: 'Prefix of the PostgreSQL group roles and view schemas (cluster-wide names: unique per deployment).' }),
  }),
]).meta({ description: 'The warehouse served over SQL.' });

/** The SQL access layer (both `/v1/sql` and the PostgreSQL wire gateway). */
export const QueryConfig = z.strictObject({
  timeout_secs: z.number().int().positive().default(30).meta({ description: 'Statement timeout; the query is interrupted beyond it.' }),
  max_rows: z.number().int().positive().default(100_000).meta({ description: 'Most rows one query may return (the query fails beyond it, never a silent cut).' }),
  max_result_bytes: z.number().int().positive().default(64 * 1024 * 1024).meta({ description: 'Largest result one query may return, in bytes of its values.' }),
  connections: z.number().int().min(1).max(64).default(4).meta({ description: 'Queries run at once (DuckDB connections or PostgreSQL pool size).' }),
  refresh_secs: z.number().int().min(1).default(15).meta({ description: 'DuckDB: how often the server looks for newly finished runs and, when there are, serves a fresh snapshot of the warehouse.' }),
});

/** The `server:` section. */
export const ServerSection = z.strictObject({
  listeners: z.array(ListenerConfig).min(1).default([{ name: 'main', host: '127.0.0.1', port: 8443, allow_cidrs: [] }]).meta({ description: 'Listeners; each has its own TLS, mTLS and allowlist.' }),
  cors: CorsConfig.default({ origins: [], credentials: false }).meta({ description: 'Cross-origin requests from browsers; off unless origins are listed.' }),
  rate_limit: RateLimitConfig.default({ per_key: { max: 600, window_secs: 60 }, per_address: { max: 1200, window_secs: 60 } }).meta({ description: 'Request budgets per identity and per client address (429 beyond).' }),
  limits: LimitsConfig.default({ body_max_bytes: 1_048_576, sql_max_chars: 100_000, key_recheck_ms: 1000, request_timeout_secs: 300 }).meta({ description: 'Request size, SQL length, revocation re-check and timeout limits.' }),
  pipelines_dir: z.string().min(1).default('pipelines').meta({ description: 'Directory of the pipeline files the API lists, validates and runs (relative to the config file).' }),
  warehouse: WarehouseConfig.optional(),
  query: QueryConfig.default({ timeout_secs: 30, max_rows: 100_000, max_result_bytes: 64 * 1024 * 1024, connections: 4, refresh_secs: 15 }).meta({ description: 'Limits and connections of the SQL access layer.' }),
  roles_file: z.string().min(1).optional().meta({ description: 'Roles YAML (see the security guide); built-in roles only when absent.' }),
  trust_proxy: z.union([z.boolean(), z.array(cidr)]).default(false).meta({ description: 'Take the client address from `X-Forwarded-For` when the peer is one of these proxies (true = any; only behind a proxy you control).' }),
});

/** The whole server configuration file. */
export const ServerConfigFile = z.strictObject({
  data_dir: z.string().min(1).optional().meta({ description: 'Data directory (control store, audit log, vault); `TRIBUTARY_DATA_DIR` overrides it.' }),
  server: ServerSection.default(ServerSection.parse({})),
  pgwire: PgWireConfig.optional().meta({ description: 'The PostgreSQL wire gateway (psql, BI tools); see the SQL-over-PostgreSQL-wire guide.' }),
});

/** A parsed server configuration file. */
export type ServerConfigFile = z.infer<typeof ServerConfigFile>;
/** The `server:` section, parsed. */
export type ServerSection = z.infer<typeof ServerSection>;
/** One listener, parsed. */
export type ListenerConfig = z.infer<typeof ListenerConfig>;
