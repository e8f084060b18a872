/**
 * GeoIP databases older than 30 days. The MaxMind GeoLite2 licence requires using updates within
 * 30 days of release, and stale data mislocates clients. Looks at the `*.mmdb` files in the data
 * directory's `geoip/` folder and in `TRIBUTARY_GEOIP_DIR`, and at the `country_db`, `city_db` and
 * `asn_db` files that `geoip` stages of the given pipeline files use. Age is the database's own
 * build time (mmdb metadata), else the file's modification time. The shipped CC0 country database
 * (`country_db: builtin`) is not under that licence: its build date is shown as a note.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinCountryDb } from '../../../stages/geoip/geoip-stage.js';
import { GEOIP_MAX_AGE_DAYS, mmdbBuiltAt } from '../../../stages/geoip/database-ages.js';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';
import { readPipelineDoc } from '../read-pipeline.js';

export { GEOIP_MAX_AGE_DAYS, mmdbBuiltAt };

/** The `geoip` stages of the given pipeline files. */
function geoipStages(pipelineFiles: readonly string[]): readonly Readonly<Record<string, unknown>>[] {
  return pipelineFiles.flatMap((f) => (readPipelineDoc(f)?.stages ?? []).filter((s) => s?.['type'] === 'geoip'));
}

function configuredFiles(pipelineFiles: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of geoipStages(pipelineFiles)) {
    for (const k of ['country_db', 'city_db', 'asn_db']) {
      const v = s[k];
      if (typeof v === 'string' && v !== 'builtin') out.push(resolve(v));
    }
  }
  return out;
}

/** See the module doc. */
export const geoipAgeCheck: DoctorCheck = {
  id: 'geoip-age',
  description: `GeoIP databases (*.mmdb) are at most ${GEOIP_MAX_AGE_DAYS} days old`,
  run: async (ctx) => {
    const dirs = [join(ctx.dataDir, 'geoip'), ...(ctx.env['TRIBUTARY_GEOIP_DIR'] ? [ctx.env['TRIBUTARY_GEOIP_DIR']] : [])];
    const files = new Set<string>(configuredFiles(ctx.pipelineFiles));
    for (const d of dirs) {
      try { for (const n of readdirSync(d)) if (n.endsWith('.mmdb')) files.add(join(d, n)); } catch { /* no such dir */ }
    }
    if (files.size === 0) return { skipped: 'no GeoIP database file configured or found' };
    const out: Finding[] = [];
    for (const f of files) {
      let built: Date;
      try { built = mmdbBuiltAt(f); } catch {
        out.push({ check: 'geoip-age', severity: 'medium', what: 'A configured GeoIP database file is missing', why: 'The geoip stage will fail to start.', fix: 'Restore the file or fix the path.', where: f });
        continue;
      }
      const age = Math.floor((ctx.now.getTime() - built.getTime()) / 86_400_000);
      if (age <= GEOIP_MAX_AGE_DAYS) continue;
      out.push({
        check: 'geoip-age', severity: 'medium', what: `GeoIP database is ${age} days old (built ${built.toISOString().slice(0, 10)})`,
        why: 'The MaxMind licence asks for updates within 30 days, and old data mislocates clients.',
        fix: 'Download the current release (geoipupdate, or the @ip-location-db packages) and swap the file in (the geoip stage reloads it without a restart).', where: f,
      });
    }
    return out;
  },
  notes: async (ctx) => {
    if (!geoipStages(ctx.pipelineFiles).some((s) => (s['country_db'] ?? 'builtin') === 'builtin')) return [];
    const built = mmdbBuiltAt(builtinCountryDb());
    return [`the shipped CC0 country database was built ${built.toISOString().slice(0, 10)} (${Math.floor((ctx.now.getTime() - built.getTime()) / 86_400_000)} days ago); \`npm update @ip-location-db/geo-whois-asn-country-mmdb\` refreshes it`];
  },
};
