/**
 * How `tributary serve` last secured its listeners (`<data_dir>/server/listeners.json`, written at
 * every start): plain HTTP (`--insecure-http`) and the self-signed development certificate
 * (`--dev-cert`) are findings, as are certificate files that are self-signed, expired or close to
 * expiry, and a minimum TLS version below 1.2 (impossible through the config, checked anyway).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readListenerState, type ListenerState } from '../../../server/serve/listener-state.js';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

const ID = 'server-tls';
const SOON_MS = 14 * 86_400_000;

/** See the module doc. */
export const serverTlsCheck: DoctorCheck = {
  id: ID,
  description: 'The API server\'s listeners use TLS with a real certificate (no plain HTTP, no dev certificate)',
  async run(ctx) {
    const listeners = await readListenerState(ctx.dataDir);
    if (listeners === undefined) return { skipped: '`tributary serve` has not run with this data directory' };
    const findings: Finding[] = [];
    for (const l of listeners) findings.push(...await listenerFindings(l, ctx.now));
    return findings;
  },
};

async function listenerFindings(l: ListenerState, now: Date): Promise<Finding[]> {
  const where = `listener ${l.name} (${l.host}:${l.port})`;
  if (l.tls === 'insecure_http' && l.name === 'pgwire') {
    return [{ check: ID, severity: 'high', where, what: 'The PostgreSQL wire gateway accepts sessions without TLS (`pgwire.insecure_no_tls`)', why: 'Queries and results (personal data for pii:read roles) cross the network unencrypted', fix: 'Give `pgwire.tls.cert_file` and `pgwire.tls.key_file`, remove `insecure_no_tls` and restart' }];
  }
  if (l.tls === 'insecure_http') {
    return [{ check: ID, severity: 'high', where, what: 'The API server serves plain HTTP (`--insecure-http`)', why: 'API keys and query results cross the network unencrypted; anyone on the path can read or replay them', fix: 'Give the listener `tls.cert_file` and `tls.key_file` in the server config and restart without --insecure-http' }];
  }
  if (l.tls === 'dev_cert') {
    return [{ check: ID, severity: 'high', where, what: 'The API server uses the self-signed development certificate (`--dev-cert`)', why: 'Clients cannot verify the server, so they either fail or are told to skip verification, which allows interception', fix: 'Use a certificate from your CA: set `tls.cert_file` and `tls.key_file` and restart without --dev-cert' }];
  }
  const out: Finding[] = [];
  const pem = l.cert_file ? await readFile(l.cert_file).catch(() => undefined) : undefined;
  if (!pem) return [{ check: ID, severity: 'medium', where, what: `The listener's certificate file ${l.cert_file ?? '(none)'} cannot be read`, why: 'The server will fail to start or serve a certificate nobody can check', fix: 'Fix the path or permissions of `tls.cert_file`' }];
  const cert = new X509Certificate(pem);
  if (cert.issuer === cert.subject && cert.verify(cert.publicKey)) {
    out.push({ check: ID, severity: 'medium', where, what: 'The listener\'s certificate is self-signed', why: 'Clients cannot verify the server without pinning this exact certificate', fix: 'Use a certificate signed by your CA' });
  }
  const left = Date.parse(cert.validTo) - now.getTime();
  if (left <= 0) out.push({ check: ID, severity: 'high', where, what: `The listener's certificate expired on ${new Date(cert.validTo).toISOString()}`, why: 'Clients refuse the connection', fix: 'Renew the certificate and restart the server' });
  else if (left < SOON_MS) out.push({ check: ID, severity: 'medium', where, what: `The listener's certificate expires on ${new Date(cert.validTo).toISOString()}`, why: 'Clients will refuse the connection once it expires', fix: 'Renew the certificate before it expires' });
  if (l.min_version !== '1.2' && l.min_version !== '1.3') out.push({ check: ID, severity: 'high', where, what: `Minimum TLS version ${String(l.min_version)}`, why: 'TLS below 1.2 has known attacks', fix: 'Set `tls.min_version` to 1.2 or 1.3' });
  return out;
}
