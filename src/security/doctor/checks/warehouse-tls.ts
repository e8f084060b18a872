/**
 * TLS to the PostgreSQL warehouse: a `postgres` sink of the given pipeline files with
 * `tls.mode: disable` sends credentials and personal data in clear (high, unless the host is
 * loopback: medium), and `require` encrypts without checking who answers (medium). The default,
 * `verify-full`, passes.
 */
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';
import { readPipelineDoc } from '../read-pipeline.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

function hostOf(connection: unknown): string | undefined {
  if (typeof connection === 'string') { try { return new URL(connection).hostname; } catch { return undefined; } }
  if (connection !== null && typeof connection === 'object') {
    const h = (connection as { host?: unknown }).host;
    return typeof h === 'string' ? h : undefined;
  }
  return undefined;
}

/** See the module doc. */
export const warehouseTlsCheck: DoctorCheck = {
  id: 'warehouse-tls',
  description: 'Connections to a PostgreSQL warehouse use TLS with the server certificate verified',
  run: async (ctx) => {
    const sinks = ctx.pipelineFiles.flatMap((f) => (readPipelineDoc(f)?.sinks ?? []).filter((s) => s?.['type'] === 'postgres').map((s) => [f, s] as const));
    if (sinks.length === 0) return { skipped: 'no postgres sink in the given pipeline files' };
    const out: Finding[] = [];
    for (const [file, s] of sinks) {
      const mode = (s['tls'] as { mode?: unknown } | undefined)?.mode ?? 'verify-full';
      const host = hostOf(s['connection']) ?? '(unknown host)';
      const id = typeof s['id'] === 'string' ? s['id'] : 'postgres';
      if (mode === 'disable') {
        out.push({
          check: 'warehouse-tls', severity: LOOPBACK.test(host) ? 'medium' : 'high', where: file,
          what: `postgres sink \`${id}\` connects to ${host} without TLS (tls.mode: disable)`,
          why: 'The password exchange and every row loaded (personal data included) cross the network in clear.',
          fix: 'Enable TLS on the server and remove `tls.mode` (the default is verify-full), with `tls.ca` for a private CA.',
        });
      } else if (mode === 'require') {
        out.push({
          check: 'warehouse-tls', severity: 'medium', where: file,
          what: `postgres sink \`${id}\` does not verify the server certificate of ${host} (tls.mode: require)`,
          why: 'Traffic is encrypted, but anyone who can intercept it can pose as the server and receive the password and the data.',
          fix: 'Use `tls.mode: verify-full` (the default) with `tls.ca` pointing at the CA that signed the server certificate.',
        });
      }
    }
    return out;
  },
};
