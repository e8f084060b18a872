/**
 * The PostgreSQL warehouse path of a backup: `pg_dump --format=custom` streams a consistent
 * snapshot (one repeatable-read transaction) straight into an encrypted member, and
 * `pg_restore --single-transaction` loads it back (all or nothing). The connection URL is turned
 * into libpq environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) for
 * the child, so a password never appears in a process listing; messages never repeat it either.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BackupPostgresFailed } from './errors.js';

/** What to dump or where to restore. */
export interface PostgresTarget {
  /** `postgres://user[:password]@host[:port]/database[?sslmode=...]`. */
  readonly url: string;
  /** Dump only this schema (pg_dump `--schema`); default: the whole database. */
  readonly schema?: string;
}

/** libpq environment for `url` (throws `TRB_BACKUP_POSTGRES_FAILED` for a malformed URL). */
export function libpqEnv(url: string): Record<string, string> {
  let u: URL;
  try { u = new URL(url); } catch (err) {
    throw BackupPostgresFailed({ step: 'reading the connection URL', database: '?', reason: 'it is not a URL (postgres://user@host:port/database)' }, err);
  }
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw BackupPostgresFailed({ step: 'reading the connection URL', database: '?', reason: 'it must start with postgres://' });
  const env: Record<string, string> = {};
  if (u.hostname) env['PGHOST'] = decodeURIComponent(u.hostname);
  if (u.port) env['PGPORT'] = u.port;
  if (u.username) env['PGUSER'] = decodeURIComponent(u.username);
  if (u.password) env['PGPASSWORD'] = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db) env['PGDATABASE'] = db;
  const ssl = u.searchParams.get('sslmode');
  if (ssl) env['PGSSLMODE'] = ssl;
  return env;
}

/** `user@host:port/database` of a URL, for messages and the manifest (never the password). */
export function describePostgres(url: string): string {
  const e = libpqEnv(url);
  return `${e['PGUSER'] ?? ''}${e['PGUSER'] ? '@' : ''}${e['PGHOST'] ?? 'localhost'}:${e['PGPORT'] ?? '5432'}/${e['PGDATABASE'] ?? ''}`;
}

/** A running pg_dump / pg_restore: its exit, as a promise that rejects with its stderr. */
interface PgChild {
  readonly child: ChildProcess;
  readonly done: Promise<void>;
}

function run(tool: 'pg_dump' | 'pg_restore', args: readonly string[], target: PostgresTarget, step: string, stdin: 'pipe' | 'ignore'): PgChild {
  const env = { ...process.env, ...libpqEnv(target.url) };
  const child = spawn(tool, args, { env, stdio: [stdin, stdin === 'ignore' ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
  const database = describePostgres(target.url);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(BackupPostgresFailed({ step, database, reason: `${tool} could not start (${(err as NodeJS.ErrnoException).code ?? err.message}); install the PostgreSQL client tools` }, err)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(BackupPostgresFailed({ step, database, reason: `${tool} exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` }));
    });
  });
  done.catch(() => undefined); // observed by the caller; never an unhandled rejection meanwhile
  return { child, done };
}

/** Starts `pg_dump --format=custom` of `target`; read `stdout`, then await `done`. */
export function startPgDump(target: PostgresTarget): { readonly stdout: Readable; readonly done: Promise<void> } {
  const args = ['--format=custom', '--no-owner', '--no-privileges', ...(target.schema ? [`--schema=${target.schema}`] : [])];
  const p = run('pg_dump', args, target, 'dumping PostgreSQL (pg_dump)', 'ignore');
  return { stdout: p.child.stdout!, done: p.done };
}

/**
 * Starts `pg_restore --single-transaction --clean --if-exists --no-owner` into `target`: write the
 * dump to `stdin`, end it, then await `done`. All or nothing: a failure leaves the database as it was.
 */
export function startPgRestore(target: PostgresTarget): { readonly stdin: Writable; readonly done: Promise<void> } {
  const args = ['--single-transaction', '--clean', '--if-exists', '--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${libpqEnv(target.url)['PGDATABASE'] ?? 'postgres'}`];
  const p = run('pg_restore', args, target, 'restoring PostgreSQL (pg_restore)', 'pipe');
  return { stdin: p.child.stdin!, done: p.done };
}
