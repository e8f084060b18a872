/**
 * Encryption at rest of the warehouse and the lake. DuckDB database and Parquet encryption need
 * DuckDB's OpenSSL crypto (the httpfs extension). Without it:
 * - a pipeline that asks for it (`encryption_key` on a duckdb or lake sink) will fail: `high`;
 * - a pipeline that lands records without an `encrypt` (or privacy) stage leaves personal data such
 *   as client IPs in plaintext files: `medium`;
 * - otherwise the gap is mitigated and only noted (not a finding).
 * Also flags pipeline files that turn bronze encryption off.
 */
import { detectDuckdbEncryption } from '../../crypto/duckdb-encryption.js';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';
import { readPipelineDoc, type PipelineDoc } from '../read-pipeline.js';

const PROTECTING_STAGES = new Set(['encrypt', 'privacy']);

/** See the module doc. */
export const encryptionCapabilityCheck: DoctorCheck = {
  id: 'encryption-capability',
  description: 'Warehouse and lake files are encrypted (DuckDB OpenSSL crypto) or hold no plaintext personal data; bronze encryption is on',
  run: async (ctx) => {
    const out: Finding[] = [];
    const cap = await detectDuckdbEncryption();
    const pipelines = ctx.pipelineFiles.map((f) => [f, readPipelineDoc(f)] as const).filter((p): p is readonly [string, PipelineDoc] => p[1] !== undefined);
    for (const [file, p] of pipelines) {
      if (p.engine?.bronze?.encryption === 'none') {
        out.push({
          check: 'encryption-capability', severity: 'high', what: 'Bronze encryption is turned off (`engine.bronze.encryption: none`)',
          why: 'Bronze keeps every raw input line, personal data included, for as long as the archive is kept.',
          fix: 'Remove the setting (the default encrypts with age when the vault is available) or set `encryption: age`.', where: file,
        });
      }
      if (cap.available) continue;
      const sinks = (p.sinks ?? []).filter((s) => s.type === 'duckdb' || s.type === 'lake');
      if (sinks.some((s) => s.encryption_key !== undefined)) {
        out.push({
          check: 'encryption-capability', severity: 'high', what: `A sink asks for encryption_key, but DuckDB cannot encrypt here: ${cap.reason}`,
          why: 'The run will refuse to write (Tributary never falls back to DuckDB\'s unsafe built-in crypto).',
          fix: 'Install DuckDB\'s httpfs extension on this host (docs/security/encryption.md).', where: file,
        });
      } else if (sinks.length > 0 && !(p.stages ?? []).some((s) => PROTECTING_STAGES.has(String(s.type)))) {
        out.push({
          check: 'encryption-capability', severity: 'medium',
          what: 'Personal data lands in plaintext warehouse/lake files: DuckDB encryption is unavailable and the pipeline has no `encrypt` stage',
          why: 'Anyone who copies the warehouse or Parquet files reads client IPs, users and referers.',
          fix: 'Add an `encrypt` stage for the personal fields (e.g. `fields: [client_ip, user]`), or install DuckDB\'s httpfs extension and set `encryption_key` on the sinks (docs/security/encryption.md).',
          where: file,
        });
      }
    }
    return out;
  },
  notes: async () => {
    const cap = await detectDuckdbEncryption();
    return cap.available ? [] : [`DuckDB database/Parquet encryption unavailable on this host (${cap.reason}); personal fields must be encrypted or pseudonymised by stages`];
  },
};
