/** Configuration of the `postgres` sink: the single declaration of its options, defaults and docs. */
import { z } from 'zod';
import { secretRef } from '../../config/schema/secret-ref.js';

/** Longest table name: partitions and indexes append up to 15 characters within PostgreSQL's 63. */
export const MAX_TABLE_NAME = 48;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A plain SQL identifier of at most `max` characters. */
const pgIdentifier = (max: number): z.ZodString =>
  z.string().max(max, `at most ${max} characters`)
    .regex(IDENT, 'must be a plain SQL identifier: letters, digits and _, not starting with a digit');

/** Connection parameters given one by one instead of a URL. */
const ConnectionParts = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').meta({ description: 'Server host name or address (the name TLS `verify-full` checks the certificate against).' }),
  port: z.number().int().min(1).max(65535).default(5432).meta({ description: 'Server port.' }),
  database: z.string().min(1).meta({ description: 'Database name.' }),
  user: z.string().min(1).meta({ description: 'Role to log in as (needs CREATE on the schema, or the schema already made by an administrator).' }),
});

/** A `postgres://user@host:port/database` URL without a password or query parameters (TLS and the password have their own fields). */
const ConnectionUrl = z.string().superRefine((v, ctx) => {
  let url: URL;
  try { url = new URL(v); } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a `postgres://user@host:port/database` URL', input: '[redacted]' });
    return;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    ctx.addIssue({ code: 'custom', message: 'must start with `postgres://` or `postgresql://`', input: url.protocol });
  }
  if (url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not hold a password: put it in the vault and set `password: ${secret:NAME}`', input: '[redacted]', params: { trb: 'plaintext_secret' } });
  }
  for (const k of url.searchParams.keys()) {
    ctx.addIssue({ code: 'custom', message: `must not set \`${k}\` in the URL: TLS and the password have their own options (\`tls\`, \`password\`), other parameters are not supported`, input: k });
  }
});

/** TLS settings of the connection. */
export const PostgresTls = z.strictObject({
  mode: z.enum(['disable', 'require', 'verify-full']).default('verify-full').meta({
    description: '`disable`: plain TCP (only for a server on the same host or a private network). `require`: encrypted, '
      + 'but the server certificate is not checked (protects against eavesdropping, not against an impostor). '
      + '`verify-full`: encrypted, certificate chain checked against `ca` (or the system CAs) and the host name against the certificate.',
  }),
  ca: z.string().min(1).optional().meta({
    description: 'PEM file with the CA certificate(s) that signed the server certificate (`verify-full`); relative paths resolve against the pipeline file. Default: the system CAs.',
    examples: ['/etc/tributary/pg-ca.pem'],
  }),
  min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').meta({ description: 'Lowest TLS version accepted.' }),
});

/** Parsed `tls` options of the `postgres` sink. */
export type PostgresTls = z.infer<typeof PostgresTls>;

/** Options of the PostgreSQL warehouse sink. */
export const PostgresConfig = z.strictObject({
  connection: z.union([ConnectionUrl, ConnectionParts]).meta({
    description: 'Where the server is: a `postgres://user@host:port/database` URL (no password and no `?` parameters such as `sslmode`: use `password` and `tls`), '
      + 'or `{ host, port, database, user }` (host default `127.0.0.1`, port default 5432).',
    examples: ['postgres://tributary@db.internal:5432/analytics'],
  }),
  password: secretRef({
    description: 'Password of the login role, from the vault (`${secret:NAME}`); never logged. Omit for trust or peer authentication.',
    examples: ['${secret:pg_warehouse_password}'],
  }).optional(),
  tls: PostgresTls.prefault({}).meta({
    description: 'TLS of the connection: `mode` (`disable`, `require` = encrypted without certificate check, `verify-full` = chain and host name checked; default `verify-full`), '
      + '`ca` (PEM file of the CA, relative to the pipeline file; default the system CAs), `min_version` (`TLSv1.2` default, or `TLSv1.3`).',
    examples: [{ mode: 'verify-full', ca: './pg-ca.pem' }],
  }),
  schema: pgIdentifier(63).default('public').meta({ description: 'Schema the tables and views live in (created when missing).' }),
  table: pgIdentifier(MAX_TABLE_NAME).default('requests').meta({
    description: 'Table the rows are inserted into: record schema + lineage columns, partitioned by day on `ts` (created when missing).',
  }),
  quarantine_table: pgIdentifier(MAX_TABLE_NAME).default('quarantine').meta({
    description: 'Table rejected records are inserted into, with their origin, code and reason.',
  }),
  partition_days_ahead: z.number().int().min(0).max(366).default(7).meta({
    description: 'Daily partitions created ahead of today (UTC) at open and on each commit, so inserts at midnight never wait on DDL.',
  }),
  partition_days_back: z.number().int().min(0).max(36_600).default(3650).meta({
    description: 'Oldest day (before today, UTC) that gets its own partition on demand. Rows older than that, more than '
      + '`partition_days_ahead` in the future, or with a NULL `ts` go to the `<table>_default` partition.',
  }),
  connect_timeout_secs: z.number().int().min(1).max(600).default(10).meta({ description: 'How long to wait for the server when connecting.' }),
});

/** Parsed `postgres` sink options. */
export type PostgresConfig = z.infer<typeof PostgresConfig>;
