/**
 * Secret resolution: the loaded config holds unresolved {@link SecretValue}s wherever the file said
 * `${secret:NAME}`; before components are built the engine swaps them for resolved ones read from
 * the vault (each read audited as `secret.read` with the pipeline as purpose). Values stay wrapped
 * in SecretValue, so they print as `[redacted]` in logs, errors and run records.
 */
import { isTributaryError } from '../core/errors.js';
import { isSecretValue, type SecretValue } from '../core/secret-value.js';
import { SecretResolveFailed } from './config-errors.js';
import type { LoadedPipeline } from './load-config.js';

/** What resolution needs from the vault. */
export interface SecretSource {
  get(name: string, opts: { readonly actor?: string; readonly purpose?: string }): Promise<SecretValue>;
}

/**
 * A copy of `loaded.config` with every SecretValue resolved. Each distinct secret is read once.
 * Throws `TRB_SECRET_RESOLVE_FAILED` naming the secret, file, line and path, with the vault's error
 * (sealed, not found, corrupted) as cause and reason. A config without secrets is returned as is.
 */
export async function resolveConfigSecrets<C>(
  loaded: Pick<LoadedPipeline, 'file' | 'secretRefs'> & { readonly config: C }, vault: SecretSource, opts: { readonly actor?: string; readonly pipeline?: string } = {},
): Promise<C> {
  if (loaded.secretRefs.length === 0) return loaded.config;
  const values = new Map<string, string>();
  for (const ref of loaded.secretRefs) {
    if (values.has(ref.name)) continue;
    try {
      const v = await vault.get(ref.name, { actor: opts.actor ?? 'engine', purpose: `pipeline ${opts.pipeline ?? loaded.file}` });
      values.set(ref.name, v.reveal());
    } catch (err) {
      const reason = isTributaryError(err) ? err.message : String(err);
      throw SecretResolveFailed({ file: loaded.file, path: ref.path, secret: ref.name, reason, ...(ref.line === undefined ? {} : { line: ref.line }) }, err);
    }
  }
  const lookup = (name: string): string => values.get(name) as string;
  const walk = (v: unknown): unknown => {
    if (isSecretValue(v)) return v.resolve(lookup);
    if (Array.isArray(v)) return Object.freeze(v.map(walk));
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.freeze(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])));
    }
    return v;
  };
  return walk(loaded.config) as C;
}
