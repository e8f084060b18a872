/**
 * The `pgwire:` section of the server configuration: the single declaration of the PostgreSQL
 * wire gateway's options, defaults and docs (the lead wires it into `tributary serve`).
 */
import { z } from 'zod';

/** TLS files of the listener. */
export const PgWireTlsConfig = z.strictObject({
  cert_file: z.string().min(1).meta({ description: 'PEM certificate chain presented to clients.', examples: ['/etc/tributary/pgwire.crt'] }),
  key_file: z.string().min(1).meta({ description: 'PEM private key of the certificate (keep it mode 0600).', examples: ['/etc/tributary/pgwire.key'] }),
  min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').meta({ description: 'Lowest TLS version accepted; TLS 1.3 is always preferred when the client offers it.' }),
});

/** Options of the PostgreSQL wire gateway. */
export const PgWireConfig = z.strictObject({
  enabled: z.boolean().default(false).meta({ description: 'Start the PostgreSQL wire gateway with `tributary serve`.' }),
  host: z.string().min(1).default('127.0.0.1').meta({ description: 'Address to listen on.', examples: ['0.0.0.0', '127.0.0.1'] }),
  port: z.number().int().min(0).max(65535).default(5433).meta({ description: 'TCP port (0 picks a free one).' }),
  tls: PgWireTlsConfig.optional().meta({ description: 'TLS certificate and key; required unless `insecure_no_tls` is set.' }),
  insecure_no_tls: z.boolean().default(false).meta({
    description: 'Development only: accept plain-text connections without TLS. SCRAM still protects the password, but queries and results travel in clear.',
  }),
  max_connections: z.number().int().min(1).max(10_000).default(64).meta({ description: 'Concurrent client connections; one more is refused with SQLSTATE 53300.' }),
  idle_timeout_secs: z.number().int().min(1).default(900).meta({ description: 'Closes a session with no query in progress after this many seconds of silence (SQLSTATE 57P05).' }),
  auth_timeout_secs: z.number().int().min(1).max(600).default(30).meta({ description: 'Time a client has to finish TLS and SCRAM authentication.' }),
  max_message_bytes: z.number().int().min(1024).max(1 << 30).default(1 << 20).meta({ description: 'Largest frontend message accepted (a query text with its parameters); a larger one closes the session with SQLSTATE 54000.' }),
  scram_iterations: z.number().int().min(4096).default(4096).meta({ description: 'PBKDF2 iterations of the dummy verifier sent for unknown users, so they look like real ones (match the iteration count of stored verifiers).' }),
});

/** Parsed `pgwire:` options. */
export type PgWireConfig = z.infer<typeof PgWireConfig>;
