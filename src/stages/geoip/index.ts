/** The `geoip` stage type, as listed in `engine/stage-registry.ts`. */
import type { StagePrepareContext, StageSpec } from '../../core/component.js';
import { GeoipConfig } from './config.js';
import { GEOIP_COLUMNS, GeoipStage } from './geoip-stage.js';
import { prepareGeoip } from './database-ages.js';

export { GeoipConfig } from './config.js';
export { builtinCountryDb, GEOIP_COLUMNS, GeoipStage } from './geoip-stage.js';
export { databaseAges, GEOIP_MAX_AGE_DAYS, mmdbBuiltAt, type DatabaseAge } from './database-ages.js';

/** Declaration of the `geoip` stage: it adds {@link GEOIP_COLUMNS}. Put it before `privacy`. */
export const geoipStageSpec: StageSpec<GeoipConfig> = Object.freeze({
  kind: 'stage',
  type: 'geoip',
  description: 'Country (built-in CC0 database), region, city and ASN (configured mmdb files, read with `maxmind`) of the client; private and reserved ranges labelled; X-Forwarded-For honoured only from trusted proxies.',
  config: GeoipConfig,
  columns: () => GEOIP_COLUMNS,
  prepare: (raw: Readonly<Record<string, unknown>>, ctx: StagePrepareContext) => prepareGeoip(raw, ctx, GeoipConfig.parse(raw)),
  create: (id: string, config: GeoipConfig) => new GeoipStage(id, config),
});
