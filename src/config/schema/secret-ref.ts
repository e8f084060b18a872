/**
 * Secret references. A secret is never written in a pipeline file: the file says `${secret:NAME}`
 * and the value comes from the vault at run time. Loading keeps the reference text as-is and
 * records where it was used.
 */
import { z } from 'zod';
import { isSecretValue, SecretValue } from '../../core/secret-value.js';
import { formatPath, type ConfigPath } from '../config-path.js';

/** Where a pipeline uses `${secret:NAME}`: the secret name, the dotted config path and its line. */
export interface SecretRef {
  readonly name: string;
  /** Dotted path of the string holding the reference, e.g. `sinks[0].password`. */
  readonly path: string;
  /** 1-based line in the pipeline file, when known. */
  readonly line?: number;
}

/** Matches one `${secret:NAME}` reference (global; capture 1 = NAME). */
export const SECRET_REF_PATTERN = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

const HAS_SECRET_REF = /\$\{secret:[A-Za-z_][A-Za-z0-9_.-]*\}/;

/** Marker set in a secret field's zod metadata and in its JSON Schema. */
export const SECRET_META_KEY = 'x-tributary-secret';

/** `params.trb` of the zod issue raised by {@link secretRef} for a literal value. */
export const PLAINTEXT_SECRET_ISSUE = 'plaintext_secret';

/**
 * Schema for a field that holds a secret. Accepted: a string with at least one `${secret:NAME}` —
 * the whole value (`${secret:api_token}`) or a template (`postgres://app:${secret:pg_password}@db/app`)
 * — which parses into an unresolved {@link SecretValue}, or an already parsed SecretValue (components
 * re-parse their resolved config). A literal value fails with `TRB_CONFIG_PLAINTEXT_SECRET` naming
 * file, line and path, and is never echoed. Pass the field's description here (calling `.meta()`
 * afterwards would drop the secret marker).
 */
export function secretRef(meta: { readonly description?: string; readonly examples?: readonly string[] } = {}) {
  return z.unknown()
    .superRefine((v, ctx) => {
      if (isSecretValue(v)) return;
      if (typeof v !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'must be a string with a secret reference `${secret:NAME}`', input: v });
      } else if (!HAS_SECRET_REF.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be a secret reference `${secret:NAME}`, not a literal value', input: '[redacted]', params: { trb: PLAINTEXT_SECRET_ISSUE } });
      }
    })
    .meta({
      type: 'string', description: 'Secret reference `${secret:NAME}`.', examples: ['${secret:NAME}'], ...meta,
      pattern: HAS_SECRET_REF.source, [SECRET_META_KEY]: true,
    })
    .transform((v): SecretValue => (isSecretValue(v) ? v : SecretValue.reference(v as string)));
}

/**
 * Every `${secret:NAME}` inside the strings of `config` (depth-first, in key order), with the path
 * of each string. A string may hold several references. Never reads the vault.
 */
export function findSecretRefs(config: unknown): readonly SecretRef[] {
  return Object.freeze(locateSecretRefs(config).map(({ name, path }) => Object.freeze({ name, path: formatPath(path) })));
}

/** Like {@link findSecretRefs} but with the path as segments (for mapping to YAML lines). */
export function locateSecretRefs(config: unknown): readonly { readonly name: string; readonly path: ConfigPath }[] {
  const found: { name: string; path: ConfigPath }[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(SECRET_REF_PATTERN)) found.push({ name: m[1] ?? '', path });
    } else if (isSecretValue(v)) {
      for (const m of v.template.matchAll(SECRET_REF_PATTERN)) found.push({ name: m[1] ?? '', path });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(config, []);
  return found;
}

/** Paths of the {@link SecretValue}s inside a parsed config (the fields declared with secretRef()). */
export function locateSecretFields(config: unknown): readonly ConfigPath[] {
  const found: ConfigPath[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (isSecretValue(v)) found.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(config, []);
  return found;
}
