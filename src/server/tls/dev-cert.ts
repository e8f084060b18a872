/**
 * The self-signed development certificate (`tributary serve --dev-cert` only): generated with the
 * system `openssl` binary into `<data_dir>/tls/`, valid 30 days for localhost, 127.0.0.1 and ::1,
 * reused while more than a day of validity is left. `tributary doctor` flags a server using it.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DevCertFailed } from '../errors.js';
import type { CertFiles } from './tls-options.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

/** Where the development certificate lives in a data directory. */
export function devCertFiles(dataDir: string): CertFiles {
  return { certFile: join(dataDir, 'tls', 'dev-cert.pem'), keyFile: join(dataDir, 'tls', 'dev-key.pem') };
}

/** Returns the development certificate files, generating them when missing or about to expire. Throws `TRB_SERVER_DEV_CERT_FAILED`. */
export async function ensureDevCert(dataDir: string, now: Date = new Date()): Promise<CertFiles> {
  const files = devCertFiles(dataDir);
  const existing = await readFile(files.certFile).then((b) => new X509Certificate(b), () => undefined);
  if (existing && Date.parse(existing.validTo) - now.getTime() > DAY_MS) return files;
  await mkdir(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-keyout', files.keyFile, '-out', files.certFile,
    ], { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw DevCertFailed({ reason: e.code === 'ENOENT' ? 'the `openssl` binary is not installed' : (e.stderr ?? e.message).trim().split('\n')[0] ?? 'failed' }, err);
  }
  await chmod(files.keyFile, 0o600);
  return files;
}
