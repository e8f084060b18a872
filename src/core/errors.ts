/**
 * Run-level errors. Every exception Tributary throws is a {@link TributaryError} made by
 * {@link defineError}: it carries a stable `code`, a `family` that decides the HTTP status and the
 * CLI exit code, a retry policy and structured `details`. Record-level problems are never thrown:
 * they are {@link import('./outcome.js').Rejection}s routed to quarantine.
 */

/** Error families; each fixes the HTTP status, the CLI exit code and the default retry policy. */
export type ErrorFamily =
  | 'config' | 'secret' | 'connect' | 'source' | 'sink' | 'schema'
  | 'auth' | 'request' | 'store' | 'quality' | 'internal';

/** Whether retrying the failed operation can help. */
export type RetryPolicy = 'never' | 'backoff';

/** Structured, user-safe fields attached to an error (file, line, path, field, pipeline, ...). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | undefined | readonly string[]>>;

/** CLI exit code per family (documented in docs/reference/errors.md). */
export const EXIT_CODES: Readonly<Record<ErrorFamily, number>> = Object.freeze({
  request: 1, config: 2, secret: 2, connect: 3, source: 3, sink: 3, schema: 4,
  auth: 5, store: 6, quality: 7, internal: 70,
});

/** HTTP status per family. */
export const HTTP_STATUS: Readonly<Record<ErrorFamily, number>> = Object.freeze({
  request: 400, config: 400, secret: 500, connect: 503, source: 502, sink: 502, schema: 409,
  auth: 401, store: 500, quality: 422, internal: 500,
});

/** Options fixed when an error code is defined. */
export interface ErrorOptions {
  readonly family: ErrorFamily;
  readonly retry?: RetryPolicy;
  readonly status?: number;
}

/** Base class of every error Tributary throws on purpose. */
export class TributaryError extends Error {
  /** Stable machine code, `TRB_<AREA>_<WHAT>`. */
  readonly code: string;
  readonly family: ErrorFamily;
  readonly retry: RetryPolicy;
  readonly status: number;
  readonly exit: number;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, opts: ErrorOptions, details: ErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TributaryError';
    this.code = code;
    this.family = opts.family;
    this.retry = opts.retry ?? (opts.family === 'connect' ? 'backoff' : 'never');
    this.status = opts.status ?? HTTP_STATUS[opts.family];
    this.exit = EXIT_CODES[opts.family];
    this.details = Object.freeze({ ...details });
  }

  /** A JSON shape safe to print or return over HTTP (no stack, no cause internals). */
  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** A constructor for one error code; `template` placeholders `{name}` are filled from details. */
export interface ErrorFactory<D extends ErrorDetails> {
  (details: D, cause?: unknown): TributaryError;
  readonly code: string;
  readonly family: ErrorFamily;
  readonly template: string;
  /** True when `err` is a TributaryError with this factory's code. */
  is(err: unknown): err is TributaryError;
}

const registry = new Map<string, ErrorFactory<ErrorDetails>>();

/**
 * Defines an error code. `template` may reference any detail as `{name}`; a missing detail prints
 * as `?`. Codes are unique: defining one twice throws at import time.
 */
export function defineError<D extends ErrorDetails = ErrorDetails>(
  code: string, template: string, opts: ErrorOptions,
): ErrorFactory<D> {
  if (!/^TRB_[A-Z0-9_]+$/.test(code)) throw new Error(`Bad error code ${code}`);
  if (registry.has(code)) throw new Error(`Error code ${code} is defined twice`);
  const make = ((details: D, cause?: unknown) => {
    const message = template.replace(/\{(\w+)\}/g, (_m, k: string) => {
      const v = details[k];
      return v === undefined || v === null ? '?' : Array.isArray(v) ? v.join(', ') : String(v);
    });
    return new TributaryError(code, message, opts, details, cause);
  }) as ErrorFactory<D>;
  Object.defineProperties(make, {
    code: { value: code }, family: { value: opts.family }, template: { value: template },
    is: { value: (err: unknown) => err instanceof TributaryError && err.code === code },
  });
  registry.set(code, make as unknown as ErrorFactory<ErrorDetails>);
  return make;
}

/** Every defined error code, for the docs and the docs-in-sync test. */
export function listErrorCodes(): readonly ErrorFactory<ErrorDetails>[] {
  return [...registry.values()];
}

/** True when `err` is a TributaryError (any code). */
export function isTributaryError(err: unknown): err is TributaryError {
  return err instanceof TributaryError;
}

/**
 * Wraps anything thrown into a TributaryError: TributaryErrors pass through, anything else becomes
 * `TRB_INTERNAL` with the original kept as `cause`.
 */
export function toTributaryError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return Internal({ reason: message }, err);
}

// ---- Codes shared across the platform (components define their own next to their code) ----

/** Catch-all for unexpected failures; the message never leaks internals over HTTP. */
export const Internal = defineError<{ reason: string }>('TRB_INTERNAL', 'Internal error: {reason}', { family: 'internal' });
/** A stage or batch whose counts do not add up (in != passed + rejected + filtered). */
export const CountMismatch = defineError<{ stage: string; in: number; passed: number; rejected: number; filtered: number }>(
  'TRB_INTERNAL_COUNT_MISMATCH',
  'Counts do not balance in stage `{stage}`: in={in} but passed={passed} + rejected={rejected} + filtered={filtered}',
  { family: 'internal' });
/** A broken internal invariant. */
export const Invariant = defineError<{ reason: string }>('TRB_INTERNAL_INVARIANT', 'Internal invariant broken: {reason}', { family: 'internal' });
/** Invalid pipeline configuration (structure or values). */
export const ConfigInvalid = defineError<{ file: string; line?: number; path: string; reason: string }>(
  'TRB_CONFIG_INVALID', 'Invalid pipeline config in {file}:{line} at `{path}`: {reason}', { family: 'config' });
/** A pipeline refers to a component type that is not registered. */
export const UnknownComponent = defineError<{ file: string; line?: number; path: string; kind: string; type: string; known: readonly string[] }>(
  'TRB_CONFIG_UNKNOWN_COMPONENT', 'Unknown {kind} type `{type}` in {file}:{line} at `{path}` (known: {known})', { family: 'config' });
/** Bad command-line usage or request input. */
export const Validation = defineError<{ reason: string; field?: string }>('TRB_VALIDATION', 'Invalid input: {reason}', { family: 'request' });
/** Something asked for does not exist. */
export const NotFound = defineError<{ what: string; name: string }>('TRB_NOT_FOUND', '{what} `{name}` not found', { family: 'request', status: 404 });
/** The quality gate failed the run. */
export const QualityGateFailed = defineError<{ pipeline: string; invalid: number; total: number; ratio: string; threshold: string }>(
  'TRB_QUALITY_GATE_FAILED',
  'Quality gate failed for pipeline `{pipeline}`: {invalid} of {total} lines invalid ({ratio} > {threshold}); see the quarantine table',
  { family: 'quality' });
