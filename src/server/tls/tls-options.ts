/**
 * TLS options of one listener: certificate and key from files, TLS 1.2 minimum (1.3 when the
 * configuration asks for it; always preferred, since Node negotiates the highest version both
 * sides offer), and for mutual TLS the client CA with `requestCert` (and `rejectUnauthorized` when
 * the listener requires a certificate).
 */
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { resolve } from 'node:path';
import type { ListenerConfig } from '../config/server-config.js';
import { TlsConfigInvalid } from '../errors.js';

/** Certificate and key files (from the listener's `tls`, or the development certificate). */
export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Builds the https options of `listener`; relative paths resolve against `baseDir`. Throws `TRB_SERVER_TLS_INVALID`. */
export async function buildTlsOptions(listener: ListenerConfig, files: CertFiles, baseDir: string): Promise<ServerOptions> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(resolve(baseDir, file));
    } catch (err) {
      throw TlsConfigInvalid({ listener: listener.name, reason: `cannot read the ${what} file ${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})` }, err);
    }
  };
  const [cert, key] = await Promise.all([read(files.certFile, 'certificate'), read(files.keyFile, 'private key')]);
  const opts: ServerOptions = {
    cert, key,
    minVersion: listener.tls?.min_version === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    honorCipherOrder: true,
  };
  if (!listener.mtls) return opts;
  return { ...opts, ca: await read(listener.mtls.ca_file, 'client CA'), requestCert: true, rejectUnauthorized: listener.mtls.required };
}
