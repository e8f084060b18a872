/**
 * The age of the databases a `geoip` stage reads, for the run summary (and a warning when one is
 * older than the MaxMind licence's 30 days). Age is the database's own build time (mmdb metadata),
 * else the file's modification time. Runs on the main thread, once per run (`prepare`).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Reader } from 'maxmind';
import type { StagePrepareContext, StagePreparation } from '../../core/component.js';
import type { GeoipConfig } from './config.js';
import { builtinCountryDb } from './geoip-stage.js';

/** Days after which a (non-shipped) GeoIP database is reported as stale. */
export const GEOIP_MAX_AGE_DAYS = 30;

/** Build time of an mmdb file (metadata), else its modification time. Throws when the file cannot be read. */
export function mmdbBuiltAt(file: string): Date {
  try {
    return new Reader(readFileSync(file)).metadata.buildEpoch;
  } catch {
    return new Date(statSync(file).mtimeMs);
  }
}

/** One database of a stage, as reported. */
export interface DatabaseAge {
  readonly kind: 'country' | 'city' | 'asn';
  /** `builtin` for the shipped CC0 country database, else the absolute path. */
  readonly file: string;
  /** ISO date of the build. */
  readonly built: string;
  readonly ageDays: number;
}

/** The databases `config` uses, with their build date and age on `now`. Throws the OS error of a missing file. */
export function databaseAges(config: Pick<GeoipConfig, 'country_db' | 'city_db' | 'asn_db'>, now: Date): DatabaseAge[] {
  const files: [DatabaseAge['kind'], string | undefined][] = [['country', config.country_db], ['city', config.city_db], ['asn', config.asn_db]];
  const out: DatabaseAge[] = [];
  for (const [kind, f] of files) {
    if (f === undefined) continue;
    const path = f === 'builtin' ? builtinCountryDb() : resolve(f);
    const built = mmdbBuiltAt(path);
    out.push({ kind, file: f === 'builtin' ? 'builtin' : path, built: built.toISOString().slice(0, 10), ageDays: Math.floor((now.getTime() - built.getTime()) / 86_400_000) });
  }
  return out;
}

/** The geoip stage's `prepare`: reports database ages (`facts.databases`) and warns about stale, non-shipped ones. */
export async function prepareGeoip(raw: Readonly<Record<string, unknown>>, ctx: StagePrepareContext, config: GeoipConfig): Promise<StagePreparation> {
  const databases = databaseAges(config, new Date());
  for (const d of databases) {
    if (d.file !== 'builtin' && d.ageDays > GEOIP_MAX_AGE_DAYS) {
      ctx.log.warn({ stage: ctx.stageId, database: d.file, built: d.built, ageDays: d.ageDays }, `GeoIP ${d.kind} database is ${d.ageDays} days old: swap in a current release (the stage reloads it without a restart)`);
    }
  }
  return { config: raw, facts: { databases }, close: () => Promise.resolve() };
}
