/** The `bronze` source: replays archived raw input through the pipeline's stages. */
import type { SourceContext, SourceSpec } from '../../core/component.js';
import { BronzeConfig } from './config.js';
import { BronzeSource } from './bronze-source.js';

export { BronzeConfig } from './config.js';
export { BronzeSource } from './bronze-source.js';

/** Spec of the `bronze` source type. */
export const bronzeSourceSpec: SourceSpec<BronzeConfig> = Object.freeze({
  kind: 'source' as const,
  type: 'bronze',
  description: 'Replays the bronze layer (archived raw input, sha256-verified) through the stages; used by `tributary replay`.',
  config: BronzeConfig,
  create: async (id: string, config: BronzeConfig, ctx: SourceContext) => new BronzeSource(id, config, ctx),
});
