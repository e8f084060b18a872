/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made with
 * the system `openssl` in a temporary directory, for TLS tests with real clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files and their paths. */
export interface ThrowawayCa {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Creates the CA and a server certificate it signed (EC P-256, one day). */
export function createThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'pgwire-ca-'));
  const f = (n: string): string => join(dir, n);
  const ossl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'),
    '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=Tributary test CA');
  ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'),
    '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ossl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('server.crt'), '-days', '1', '-extfile', f('ext.cnf'));
  return {
    dir, caFile: f('ca.crt'), ca: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('server.crt'), 'utf8'), key: readFileSync(f('server.key'), 'utf8'),
  };
}
