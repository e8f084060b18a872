/**
 * Schemas for the entries of `sources`, `stages` and `sinks`: each entry is `{ id, type, ...options }`
 * where the options are validated by the config schema of the registered spec for `type`.
 */
import { z } from 'zod';
import type { ComponentSpec } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { ComponentSection } from '../registry-types.js';

/** Component ids and pipeline names: lowercase letters, digits, `_` and `-`. */
export const NAME_PATTERN = /^[a-z0-9_-]+$/;

/** Keys every component entry has; a component config schema must not declare them. */
export const ENTRY_KEYS = Object.freeze(['id', 'type'] as const);

const idSchema = (section: ComponentSection) => {
  const id = z.string().regex(NAME_PATTERN, { error: 'must be lowercase letters, digits, `_` or `-`' }).max(64);
  return section === 'stages'
    ? id.optional().meta({ description: 'Unique id of this stage in the pipeline; defaults to its type.' })
    : id.meta({ description: 'Unique id of this component in the pipeline (used in lineage, metrics and quarantine).' });
};

/**
 * The schema of one entry of `section` for `spec`: the spec's config merged with `{ id, type }`.
 * Object configs are merged directly (and made strict unless they declare their own catchall);
 * any other config schema is applied to the entry without `id` and `type`.
 * Throws TRB_INTERNAL_INVARIANT when the config declares `id` or `type` itself.
 */
export function componentEntrySchema(section: ComponentSection, spec: ComponentSpec) {
  const head = {
    id: idSchema(section),
    type: z.literal(spec.type).meta({ description: spec.description }),
  };
  const config: z.ZodType = spec.config;
  if (config instanceof z.ZodObject) {
    const clash = ENTRY_KEYS.filter((k) => k in config.shape);
    if (clash.length > 0) throw Invariant({ reason: `config of ${spec.kind} type \`${spec.type}\` declares reserved key \`${clash.join('`, `')}\`` });
    const merged = config.def.catchall === undefined ? z.strictObject(head).extend(config.shape) : config.extend(head);
    return merged.meta({ title: `${spec.kind} \`${spec.type}\``, description: spec.description });
  }
  return z.looseObject(head)
    .pipe(z.transform((entry, ctx) => {
      const { id, type, ...options } = entry;
      const r = config.safeParse(options);
      if (!r.success) {
        for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: undefined } as never);
        return z.NEVER;
      }
      return { ...(id === undefined ? {} : { id }), type, ...(r.data as Record<string, unknown>) };
    }))
    .meta({ title: `${spec.kind} \`${spec.type}\``, description: spec.description });
}

/**
 * The schema of one entry of `section`: a union discriminated on `type` over `specs`. With no
 * registered spec every entry fails (the loader reports it as an unknown component).
 */
export function componentSectionSchema(section: ComponentSection, specs: readonly ComponentSpec[]): z.ZodType {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.type)) throw Invariant({ reason: `${s.kind} type \`${s.type}\` is registered twice` });
    seen.add(s.type);
  }
  const entries = specs.map((s) => componentEntrySchema(section, s));
  const [first, ...rest] = entries;
  if (first === undefined) return z.never();
  return z.discriminatedUnion('type', [first, ...rest] as never);
}
