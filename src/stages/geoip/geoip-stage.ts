/** The `geoip` stage: location and network columns for the client address. */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BoundedCache } from '../../core/bounded-cache.js';
import type { RecordBatch, Stage, StageCallContext } from '../../core/component.js';
import type { StageResult } from '../../core/outcome.js';
import type { ColumnSchema } from '../../core/record.js';
import { clientAddress, parseTrustedProxies, type TrustedProxies } from './client-address.js';
import type { GeoipConfig } from './config.js';
import { classifyIp } from './ip-class.js';
import { MmdbFile } from './mmdb-file.js';

const col = (name: string, type: ColumnSchema['type'], description: string): ColumnSchema => Object.freeze({ name, type, nullable: true, description });

/** Columns the stage adds, in order. */
export const GEOIP_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  col('ip_class', 'varchar', 'public, private, loopback, link_local, unique_local, cgnat, multicast, reserved, unspecified or broadcast; only public addresses are looked up.'),
  col('geo_country', 'varchar', 'ISO 3166-1 alpha-2 country of the client address.'),
  col('geo_region', 'varchar', 'Region / first subdivision (with a city database).'),
  col('geo_city', 'varchar', 'City (with a city database).'),
  col('geo_asn', 'bigint', 'Autonomous system number (with an ASN database).'),
  col('geo_as_org', 'varchar', 'Autonomous system organisation (with an ASN database).'),
]);

/** The country database shipped as a dependency (`@ip-location-db/geo-whois-asn-country-mmdb`, CC0). */
export function builtinCountryDb(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
}

interface Geo {
  readonly ip_class: string | null;
  readonly geo_country: string | null;
  readonly geo_region: string | null;
  readonly geo_city: string | null;
  readonly geo_asn: number | null;
  readonly geo_as_org: string | null;
}

const NONE: Geo = Object.freeze({ ip_class: null, geo_country: null, geo_region: null, geo_city: null, geo_asn: null, geo_as_org: null });
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const en = (v: unknown): string | null => str((v as { names?: { en?: unknown } } | undefined)?.names?.en);

/** Country from either layout: ip-location-db (`country_code`) or MaxMind (`country.iso_code`). */
function country(r: Record<string, unknown> | null): string | null {
  if (r === null) return null;
  return str(r['country_code']) ?? str((r['country'] as { iso_code?: unknown } | undefined)?.iso_code);
}

/**
 * Sets {@link GEOIP_COLUMNS} on every record from `client_ip` (or, for requests from a trusted
 * proxy, the rightmost untrusted X-Forwarded-For hop). Lookups are cached per worker by address and
 * database generation; databases are re-read when their file is swapped. Every record passes.
 */
export class GeoipStage<R = Record<string, unknown>> implements Stage<RecordBatch<R>, RecordBatch<R>> {
  readonly id: string;
  readonly type = 'geoip';
  readonly #country: MmdbFile;
  readonly #city: MmdbFile | undefined;
  readonly #asn: MmdbFile | undefined;
  readonly #proxies: TrustedProxies;
  readonly #cache: BoundedCache<string, Geo>;
  #generation = '';

  /** Opens the databases (paths relative to the working directory); throws when one cannot be read. */
  constructor(id: string, config: GeoipConfig) {
    this.id = id;
    const checkMs = config.reload_check_secs * 1000;
    this.#country = new MmdbFile(config.country_db === 'builtin' ? builtinCountryDb() : resolve(config.country_db), checkMs);
    this.#city = config.city_db ? new MmdbFile(resolve(config.city_db), checkMs) : undefined;
    this.#asn = config.asn_db ? new MmdbFile(resolve(config.asn_db), checkMs) : undefined;
    this.#proxies = parseTrustedProxies(config.trusted_proxies);
    this.#cache = new BoundedCache(config.cache_size);
  }

  /** Build time of the country database (reported so stale databases are noticed). */
  get countryDbBuiltAt(): Date {
    return this.#country.builtAt;
  }

  /** The columns for one address (uncached). */
  locate(ip: string): Geo {
    const c = classifyIp(ip);
    if (c === undefined) return NONE;
    if (c.cls !== 'public') return { ...NONE, ip_class: c.cls };
    const city = this.#city?.get(c.address) ?? null;
    const asn = this.#asn?.get(c.address) ?? null;
    const sub = (city?.['subdivisions'] as unknown[] | undefined)?.[0];
    return Object.freeze({
      ip_class: 'public',
      geo_country: country(city) ?? country(this.#country.get(c.address)),
      geo_region: city === null ? null : str(city['state1']) ?? en(sub),
      geo_city: city === null ? null : str(city['city']) ?? en(city['city']),
      geo_asn: asn === null ? null : (typeof asn['autonomous_system_number'] === 'number' ? asn['autonomous_system_number'] : null),
      geo_as_org: asn === null ? null : str(asn['autonomous_system_organization']),
    });
  }

  /** See the class contract. */
  process(batch: RecordBatch<R>, _ctx: StageCallContext): StageResult<RecordBatch<R>> {
    const now = Date.now();
    for (const db of [this.#country, this.#city, this.#asn]) db?.maybeReload(now);
    const generation = [this.#country, this.#city, this.#asn].map((d) => d?.generation ?? 0).join('.');
    if (generation !== this.#generation) { this.#cache.clear(); this.#generation = generation; }
    for (const rec of batch.records as readonly Record<string, unknown>[]) {
      const ip = clientAddress(typeof rec['client_ip'] === 'string' ? rec['client_ip'] : null,
        typeof rec['x_forwarded_for'] === 'string' ? rec['x_forwarded_for'] : null, this.#proxies);
      Object.assign(rec, ip === null ? NONE : this.#cache.get(ip, (k) => this.locate(k)));
    }
    return { passed: batch, rejected: [], filtered: 0 };
  }
}
