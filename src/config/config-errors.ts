/**
 * Error codes owned by pipeline configuration. `TRB_CONFIG_INVALID` and
 * `TRB_CONFIG_UNKNOWN_COMPONENT` are shared codes from `core/errors.ts`; the ones below are specific
 * to loading pipeline files.
 */
import { defineError } from '../core/errors.js';

/** A `${env:NAME}` placeholder names a variable that is not set and has no `:-default`. */
export const ConfigEnvMissing = defineError<{ file: string; line: number; path: string; variable: string }>(
  'TRB_CONFIG_ENV_MISSING',
  'Environment variable `{variable}` is not set, used in {file}:{line} at `{path}`; set it or write `${env:{variable}:-default}`',
  { family: 'config' });

/**
 * Several problems in one pipeline file. `details.issues` lists every message (in file order) and
 * `cause` is an `AggregateError` of the individual TributaryErrors.
 */
export const ConfigIssues = defineError<{ file: string; count: number; issues: readonly string[]; list: string }>(
  'TRB_CONFIG_ISSUES',
  '{count} problems in pipeline config {file}:{list}',
  { family: 'config' });

/** A field declared with `secretRef()` holds a literal value instead of `${secret:NAME}`. */
export const ConfigPlaintextSecret = defineError<{ file: string; line?: number; path: string }>(
  'TRB_CONFIG_PLAINTEXT_SECRET',
  'Plaintext secret in {file}:{line} at `{path}`: write `${secret:NAME}` and store the value with `tributary secrets set NAME`',
  { family: 'config' });

/** A `${secret:NAME}` appears in a field that is not declared as secret (its value could be printed). */
export const ConfigSecretNotAllowed = defineError<{ file: string; line?: number; path: string; secret: string }>(
  'TRB_CONFIG_SECRET_NOT_ALLOWED',
  'Secret `{secret}` is used in {file}:{line} at `{path}`, a field that is not secret (its value would be logged and stored in run records); secrets are accepted only in fields documented as secret',
  { family: 'config' });

/** A `${secret:NAME}` of a pipeline could not be resolved through the vault (sealed, missing, corrupted). */
export const SecretResolveFailed = defineError<{ file: string; line?: number; path: string; secret: string; reason: string }>(
  'TRB_SECRET_RESOLVE_FAILED',
  'Cannot resolve secret `{secret}` used in {file}:{line} at `{path}`: {reason}',
  { family: 'secret' });
