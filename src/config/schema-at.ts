/** Finds the zod schema that validates a given path of a config value (for "did you mean" hints). */
import type { z } from 'zod';

type AnyDef = { readonly type: string } & Readonly<Record<string, unknown>>;
const defOf = (s: z.core.$ZodType): AnyDef => s._zod.def as unknown as AnyDef;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** `schema` without optional/default/pipe/lazy wrappers; a union resolves to the option matching `value`. */
function unwrap(schema: z.core.$ZodType, value: unknown): z.core.$ZodType {
  let s = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) s = def.innerType as z.core.$ZodType;
    else if (def.type === 'pipe') s = def.in as z.core.$ZodType;
    else if (def.type === 'lazy') s = (def.getter as () => z.core.$ZodType)();
    else if (def.type === 'union') {
      const picked = pickOption(def.options as z.core.$ZodType[], def.discriminator as string | undefined, value);
      if (picked === undefined) return s;
      s = picked;
    } else return s;
  }
  return s;
}

function pickOption(options: readonly z.core.$ZodType[], discriminator: string | undefined, value: unknown): z.core.$ZodType | undefined {
  const data = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  if (discriminator !== undefined) {
    const tag = data?.[discriminator];
    return options.find((o) => o._zod.propValues?.[discriminator]?.has(tag as never));
  }
  // Undiscriminated: the object option sharing the most keys with the value.
  let best: z.core.$ZodType | undefined;
  let bestScore = -1;
  for (const o of options) {
    const keys = objectKeys(unwrap(o, value));
    if (keys === undefined) continue;
    const score = data ? Object.keys(data).filter((k) => keys.includes(k)).length : 0;
    if (score > bestScore) { best = o; bestScore = score; }
  }
  return best;
}

function objectKeys(s: z.core.$ZodType): readonly string[] | undefined {
  const def = defOf(s);
  return def.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

/**
 * The keys allowed by the object schema found at `path` inside `root` (walking `value` alongside to
 * choose union options), or an empty list when the path does not lead to an object schema.
 */
export function allowedKeysAt(root: z.core.$ZodType, path: readonly PropertyKey[], value: unknown): readonly string[] {
  let s = unwrap(root, value);
  let v = value;
  for (const seg of path) {
    const def = defOf(s);
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
    let next: z.core.$ZodType | undefined;
    if (def.type === 'object') next = (def.shape as Record<PropertyKey, z.core.$ZodType>)[seg];
    else if (def.type === 'array') next = def.element as z.core.$ZodType;
    else if (def.type === 'record') next = def.valueType as z.core.$ZodType;
    else if (def.type === 'tuple' && typeof seg === 'number') next = (def.items as z.core.$ZodType[])[seg];
    if (next === undefined) return [];
    s = unwrap(next, v);
  }
  return objectKeys(s) ?? [];
}
