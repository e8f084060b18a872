/**
 * Secret resolution. The vault is not part of this build yet, so any `${secret:NAME}` in a config
 * fails the run up front instead of reaching a component as literal text.
 */
import { SecretVaultUnavailable } from './config-errors.js';
import type { LoadedPipeline } from './load-config.js';

/**
 * Throws `TRB_SECRET_VAULT_UNAVAILABLE` naming the first secret reference (file, line, path) when
 * `loaded` uses any `${secret:NAME}`; returns normally otherwise. Call before building components.
 */
export function assertNoSecretRefs(loaded: Pick<LoadedPipeline, 'file' | 'secretRefs'>): void {
  const [first] = loaded.secretRefs;
  if (first === undefined) return;
  throw SecretVaultUnavailable({ file: loaded.file, path: first.path, secret: first.name, ...(first.line === undefined ? {} : { line: first.line }) });
}
