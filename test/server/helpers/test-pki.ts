/** A throwaway PKI made with the system `openssl`: a CA, a server certificate and client certificates. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of the generated PKI (PEM). */
export interface TestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate and key per CN, signed by the CA. */
  client(cn: string): { readonly cert: string; readonly key: string };
  /** A self-signed client certificate (not from the CA). */
  readonly rogue: { readonly cert: string; readonly key: string };
}

const ossl = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
const newKey = (file: string): void => ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', file]);

/** Generates the PKI into `dir`. */
export function makeTestPki(dir: string): TestPki {
  const f = (n: string): string => join(dir, n);
  newKey(f('ca.key'));
  ossl(['req', '-x509', '-new', '-key', f('ca.key'), '-days', '60', '-subj', '/CN=Tributary Test CA', '-out', f('ca.pem')]);
  const signed = (name: string, cn: string, ext: string): { cert: string; key: string } => {
    newKey(f(`${name}.key`));
    ossl(['req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`)]);
    writeFileSync(f(`${name}.ext`), ext);
    ossl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '60', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`)]);
    return { cert: f(`${name}.pem`), key: f(`${name}.key`) };
  };
  const server = signed('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  newKey(f('rogue.key'));
  ossl(['req', '-x509', '-new', '-key', f('rogue.key'), '-days', '60', '-subj', '/CN=ingest-worker', '-out', f('rogue.pem')]);
  return {
    caCert: f('ca.pem'), serverCert: server.cert, serverKey: server.key,
    client: (cn) => signed(`client-${cn}`, cn, 'extendedKeyUsage=clientAuth\n'),
    rogue: { cert: f('rogue.pem'), key: f('rogue.key') },
  };
}
