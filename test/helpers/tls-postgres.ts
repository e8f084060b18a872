/**
 * A throwaway PostgreSQL cluster with TLS for tests of TLS and password authentication: `initdb` in a
 * temp dir (as the `postgres` OS user when the tests run as root), a private CA and a server
 * certificate for `localhost` made with the `openssl` CLI, `ssl = on`, and a pg_hba.conf that allows
 * TLS only (`hostssl`): `postgres` by trust, role `app` by scram-sha-256. Needs the PostgreSQL server
 * binaries and openssl (Debian: postgresql, openssl); throws when they are missing, never skips.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running TLS cluster. */
export interface TlsPostgres {
  readonly port: number;
  /** PEM file of the CA that signed the server certificate (subject alt name `DNS:localhost` only). */
  readonly caFile: string;
  /** PEM file of another CA that signed nothing this server uses. */
  readonly otherCaFile: string;
  /** Login role with a password (scram-sha-256), owning schema `wh` of database `postgres`. */
  readonly appUser: string;
  readonly appPassword: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('PostgreSQL server binaries missing (/usr/lib/postgresql/<version>/bin); install postgresql');
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const openssl = (dir: string, args: readonly string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };

function makeCerts(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const name of ['ca', 'other-ca']) {
    openssl(dir, ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=tributary test ${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf']);
  chmodSync(join(dir, 'server.key'), 0o600);
}

/** Starts the cluster (a few seconds). Call `stop()` when done. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'trb-pgtls-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: readonly string[]): void => {
    const full = join(bin, cmd);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
    else execFileSync(full, args, { stdio: 'pipe' });
  };
  chmodSync(dir, 0o755);
  makeCerts(dir);
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  run('initdb', ['-D', data, '--auth=trust', '--username=postgres', '--no-sync', '--encoding=UTF8']);
  const port = await freePort();
  appendFileSync(join(data, 'postgresql.conf'), [
    `port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'fsync = off',
    'ssl = on', `ssl_cert_file = '${join(dir, 'server.crt')}'`, `ssl_key_file = '${join(dir, 'server.key')}'`,
    "ssl_min_protocol_version = 'TLSv1.2'", "password_encryption = 'scram-sha-256'", '',
  ].join('\n'));
  writeFileSync(join(data, 'pg_hba.conf'), ['local all all trust', 'hostssl all postgres 127.0.0.1/32 trust',
    'hostssl all app 127.0.0.1/32 scram-sha-256', 'hostnossl all all 127.0.0.1/32 reject', ''].join('\n'));
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', 'start']);
  const stop = async (): Promise<void> => {
    try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } finally { rmSync(dir, { recursive: true, force: true }); }
  };
  try {
    const appPassword = 'tls-test-pw-7f3a';
    const admin = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE app LOGIN PASSWORD '${appPassword}'`);
      await admin.query('CREATE SCHEMA wh AUTHORIZATION app');
    } finally { await admin.end(); }
    return { port, caFile: join(dir, 'ca.pem'), otherCaFile: join(dir, 'other-ca.pem'), appUser: 'app', appPassword, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
