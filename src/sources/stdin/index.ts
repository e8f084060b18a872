/** The `stdin` source spec: standard input as one stream of line chunks. */
import type { SourceContext, SourceSpec } from '../../core/component.js';
import { StdinConfig } from './config.js';
import { StdinSource } from './stdin-source.js';

/** Spec of the `stdin` source: reads `process.stdin` to its end; checkpoints do not apply. */
export const stdinSourceSpec: SourceSpec<StdinConfig> = Object.freeze({
  kind: 'source',
  type: 'stdin',
  description: 'Reads standard input as one stream of lines (no resume).',
  config: StdinConfig,
  create: async (id: string, config: StdinConfig, ctx: SourceContext) => new StdinSource(id, config, ctx),
});

export { StdinConfig } from './config.js';
export { StdinSource } from './stdin-source.js';
