/** The `geoip` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { GeoipConfig } from './config.js';
import { GEOIP_COLUMNS, GeoipStage } from './geoip-stage.js';

export { GeoipConfig } from './config.js';
export { builtinCountryDb, GEOIP_COLUMNS, GeoipStage } from './geoip-stage.js';

/** Declaration of the `geoip` stage: it adds {@link GEOIP_COLUMNS}. Put it before `privacy`. */
export const geoipStageSpec: StageSpec<GeoipConfig> = Object.freeze({
  kind: 'stage',
  type: 'geoip',
  description: 'Country (built-in CC0 database), region, city and ASN (configured mmdb files, read with `maxmind`) of the client; private and reserved ranges labelled; X-Forwarded-For honoured only from trusted proxies.',
  config: GeoipConfig,
  columns: () => GEOIP_COLUMNS,
  create: (id: string, config: GeoipConfig) => new GeoipStage(id, config),
});
