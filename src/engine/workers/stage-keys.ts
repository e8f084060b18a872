/**
 * Data keys for stages. Worker threads have no vault, so stages whose spec declares `keys(config)`
 * (e.g. `encrypt`) get the current version of each key fetched here, on the main thread, before the
 * worker pool starts; the material travels in the stage definition (structured clone into each
 * worker's init message) and never leaves process memory.
 */
import type { StageKey, StageSpec } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { KeysUnavailable } from '../../security/crypto/errors.js';
import { stageSpecs } from '../stage-registry.js';
import type { StageDef } from './worker-protocol.js';

/**
 * `defs` with `keys` attached to every stage whose spec asks for data keys (others unchanged).
 * Keys missing from the vault are created (version 1). Throws `TRB_SECRET_KEYS_UNAVAILABLE` when a
 * stage needs a key and `keys` is undefined, and the vault's own errors (sealed, kind mismatch).
 */
export async function attachStageKeys(
  defs: readonly StageDef[], keys: DataKeys | undefined, specs: readonly StageSpec<any>[] = stageSpecs,
): Promise<StageDef[]> {
  const out: StageDef[] = [];
  for (const d of defs) {
    const spec = specs.find((s) => s.type === d.type);
    if (!spec) throw Invariant({ reason: `stage type ${d.type} is not registered` });
    const wanted = spec.keys?.(spec.config.parse(d.config)) ?? [];
    if (wanted.length === 0) { out.push(d); continue; }
    const material: StageKey[] = [];
    for (const w of wanted) {
      if (!keys) {
        throw KeysUnavailable({ what: `Stage \`${d.id}\` (${d.type})`, key: w.name, howto: 'Run the pipeline with a vault (the deployment\'s `keys`, or `RunOptions.keys`)' });
      }
      const k = await keys.current(w.name, w.kind, { create: true });
      material.push(Object.freeze({ name: k.name, kind: w.kind, version: k.version, material: new Uint8Array(k.material) }));
    }
    out.push({ ...d, keys: Object.freeze(material) });
  }
  return out;
}
