/** Rebuilds a stage chain from (type, config) definitions through the stage registry. */
import type { Stage } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import { stageSpecs } from '../stage-registry.js';
import type { StageDef } from './worker-protocol.js';

/** Creates the stages in order; an unknown type is an internal invariant (config was validated). */
export function buildStages(defs: readonly StageDef[]): Stage<unknown, unknown>[] {
  return defs.map((d) => {
    const spec = stageSpecs.find((s) => s.type === d.type);
    if (!spec) throw Invariant({ reason: `stage type ${d.type} is not registered` });
    return spec.create(d.id, spec.config.parse(d.config), { keys: d.keys ?? [] });
  });
}
