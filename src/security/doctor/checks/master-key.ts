/**
 * Where the vault's master key lives and whether it is protected: a key file inside the data
 * directory (or one that holds it) travels with every copy and backup of the data, so both halves
 * of the envelope sit together; a key file readable by others; a vault that holds entries but has
 * no master key (sealed); a master key older than its rotation period.
 */
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { KeyFileInsecure } from '../../errors.js';
import { assertKeyFileSecure, defaultKeyFile } from '../../vault/master-key/file-master-key.js';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

/** Rotation period of the master key in days unless `TRIBUTARY_MASTER_KEY_ROTATE_DAYS` says otherwise. */
export const DEFAULT_MASTER_KEY_ROTATE_DAYS = 365;

const inside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
};

/** See the module doc. */
export const masterKeyCheck: DoctorCheck = {
  id: 'master-key',
  description: 'The master key is available, outside the data directory, private to its owner and not overdue for rotation',
  run: async (ctx) => {
    const out: Finding[] = [];
    const provider = ctx.vault.provider;
    const entries = await ctx.vault.list();
    const available = await ctx.vault.unsealed().catch(() => false);
    if (!available) {
      if (entries.length > 0) {
        out.push({
          check: 'master-key', severity: 'high', what: `The vault is sealed: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} but no master key (${provider.location})`,
          why: 'Pipelines that use secrets, encrypted archives and the audit MAC cannot work until the key is back.',
          fix: 'Restore the key file or set TRIBUTARY_MASTER_KEY / the KMS module (docs/security/model.md).',
        });
      }
      return out;
    }
    if (provider.kind === 'file') {
      const file = resolve(defaultKeyFile(ctx.env));
      const dataDir = resolve(ctx.dataDir);
      if (inside(file, dataDir) || inside(dataDir, resolve(file, '..'))) {
        out.push({
          check: 'master-key', severity: 'critical', what: `The master key file ${file} is stored with the data (${dataDir})`,
          why: 'Anyone with a copy or backup of the data directory also gets the key that decrypts its secrets and archives.',
          fix: 'Move the key file out of the data directory (TRIBUTARY_MASTER_KEY_FILE) or use TRIBUTARY_MASTER_KEY / a KMS, and rotate: `tributary secrets rotate --master`.',
          where: file,
        });
      }
      try {
        assertKeyFileSecure(file);
      } catch (err) {
        if (!KeyFileInsecure.is(err)) throw err;
        out.push({
          check: 'master-key', severity: 'critical', what: `The master key file is not private: ${String(err.details['reason'])}`,
          why: 'Other local users could read the master key.', fix: `chmod 600 ${file} (as its owner), then rotate: \`tributary secrets rotate --master\`.`, where: file,
        });
      }
      const days = Number(ctx.env['TRIBUTARY_MASTER_KEY_ROTATE_DAYS'] ?? DEFAULT_MASTER_KEY_ROTATE_DAYS);
      const age = (ctx.now.getTime() - statSync(file).mtimeMs) / 86_400_000;
      if (Number.isFinite(days) && age > days) {
        out.push({
          check: 'master-key', severity: 'low', what: `The master key file was last rotated ${Math.floor(age)} days ago (policy: ${days} days)`,
          why: 'Rotation bounds how much a leaked key exposes.', fix: '`tributary secrets rotate --master`', where: file,
        });
      }
    }
    return out;
  },
};
