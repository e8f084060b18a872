/**
 * GeoIP databases older than 30 days. The MaxMind GeoLite2 licence requires using updates within
 * 30 days of release, and stale data mislocates clients. Looks for `*.mmdb` files in the data
 * directory's `geoip/` folder and in `TRIBUTARY_GEOIP_DIR`; age is the file's modification time.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorCheck } from '../doctor-check.js';
import type { Finding } from '../finding.js';

/** Days after which a GeoIP database is reported. */
export const GEOIP_MAX_AGE_DAYS = 30;

/** See the module doc. */
export const geoipAgeCheck: DoctorCheck = {
  id: 'geoip-age',
  description: `GeoIP databases (*.mmdb) are at most ${GEOIP_MAX_AGE_DAYS} days old`,
  run: async (ctx) => {
    const dirs = [join(ctx.dataDir, 'geoip'), ...(ctx.env['TRIBUTARY_GEOIP_DIR'] ? [ctx.env['TRIBUTARY_GEOIP_DIR']] : [])];
    const files: string[] = [];
    for (const d of dirs) {
      try { for (const n of readdirSync(d)) if (n.endsWith('.mmdb')) files.push(join(d, n)); } catch { /* no such dir */ }
    }
    if (files.length === 0) return { skipped: 'no GeoIP database found' };
    const out: Finding[] = [];
    for (const f of files) {
      const age = Math.floor((ctx.now.getTime() - statSync(f).mtimeMs) / 86_400_000);
      if (age <= GEOIP_MAX_AGE_DAYS) continue;
      out.push({
        check: 'geoip-age', severity: 'medium', what: `GeoIP database is ${age} days old`,
        why: 'The MaxMind licence asks for updates within 30 days, and old data mislocates clients.',
        fix: 'Download the current release (geoipupdate, or the @ip-location-db package) and replace the file.', where: f,
      });
    }
    return out;
  },
};
