/**
 * Loading pipeline files: YAML → placeholders → schema validation → a deep-frozen
 * {@link LoadedPipeline}. Every problem names the file, line and dotted path, and all problems of
 * a file are reported together, not just the first.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigInvalid, TributaryError } from '../core/errors.js';
import { ConfigEnvMissing, ConfigIssues, ConfigSecretNotAllowed } from './config-errors.js';
import { formatPath } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import { mapZodIssues } from './map-zod-issues.js';
import { substitutePlaceholders } from './placeholders.js';
import type { ComponentRegistry } from './registry-types.js';
import { buildPipelineSchema, type PipelineConfig } from './schema/pipeline.js';
import { locateSecretFields, locateSecretRefs, type SecretRef } from './schema/secret-ref.js';
import { parseYamlText } from './parse-yaml-text.js';

/** Options for loading a pipeline. */
export interface LoadOptions {
  /** Environment for `${env:NAME}` and `TRIBUTARY_DATA_DIR` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  readonly cwd?: string;
}

/** A validated pipeline and where it came from. Deep-frozen. */
export interface LoadedPipeline {
  /** Absolute path of the pipeline file. */
  readonly file: string;
  /** Directory of the pipeline file; relative paths in component options resolve against it. */
  readonly baseDir: string;
  /** sha256 (hex) of the file text as read, before placeholder substitution. */
  readonly configHash: string;
  readonly config: PipelineConfig;
  /** Absolute data directory: `TRIBUTARY_DATA_DIR`, else `data_dir` (relative to baseDir), else `<baseDir>/.tributary`. */
  readonly dataDir: string;
  /** Every `${secret:NAME}` the config uses (still unresolved in `config`). */
  readonly secretRefs: readonly SecretRef[];
}

/** Outcome of {@link validatePipelineText}: the pipeline, or every problem found (sorted by line). */
export type PipelineValidation =
  | { readonly ok: true; readonly pipeline: LoadedPipeline; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly TributaryError[] };

/**
 * Validates pipeline `text` (as read from `file`) against `registry` without throwing. Problems
 * are TributaryErrors: `TRB_CONFIG_INVALID` (YAML syntax, with line and column; wrong types,
 * unknown keys with suggestions, missing keys, duplicate ids), `TRB_CONFIG_UNKNOWN_COMPONENT`,
 * `TRB_CONFIG_ENV_MISSING` and `TRB_CONFIG_PLAINTEXT_SECRET`; each carries `file`, `line` and `path`
 * in its details. YAML syntax errors stop validation there; every other problem is collected.
 */
export function validatePipelineText(text: string, file: string, registry: ComponentRegistry, opts: LoadOptions = {}): PipelineValidation {
  const env = opts.env ?? process.env;
  const parsedYaml = parseYamlText(text, file);
  if (!parsedYaml.ok) return fail(parsedYaml.problems);
  const { doc, sourceMap } = parsedYaml;
  const placeholderProblems = substitutePlaceholders(doc, env);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail([ConfigInvalid({ file, line: 1, path: '(root)', reason: `cannot read the YAML: ${(err as Error).message}` }, err)]);
  }
  const problems: TributaryError[] = placeholderProblems.map((p) => {
    const line = sourceMap.locate(p.path).line;
    return p.kind === 'env_missing'
      ? ConfigEnvMissing({ file, line, path: formatPath(p.path), variable: p.variable })
      : ConfigInvalid({ file, line, path: formatPath(p.path), reason: p.reason });
  });
  const placeholderPaths = new Set(placeholderProblems.map((p) => formatPath(p.path)));
  const schema = buildPipelineSchema(registry);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const mapped = mapZodIssues(parsed.error.issues, { file, registry, schema, data, sourceMap });
    // A value whose placeholder failed is already reported; its follow-on type error is noise.
    problems.push(...mapped.filter((e) => !placeholderPaths.has(String(e.details['path']))));
  }
  if (parsed.success) {
    // A secret may only sit in a field declared with secretRef(): anywhere else it would be printed.
    const secretFields = new Set(locateSecretFields(parsed.data).map(formatPath));
    for (const r of locateSecretRefs(data)) {
      const path = formatPath(r.path);
      if (!secretFields.has(path)) problems.push(ConfigSecretNotAllowed({ file, line: sourceMap.locate(r.path).line, path, secret: r.name }));
    }
  }
  if (problems.length > 0 || !parsed.success) return fail(problems);

  const absFile = resolve(opts.cwd ?? process.cwd(), file);
  const baseDir = dirname(absFile);
  const config = deepFreeze(parsed.data);
  const override = env['TRIBUTARY_DATA_DIR'];
  const dataDir = override !== undefined && override !== ''
    ? resolve(opts.cwd ?? process.cwd(), override)
    : resolve(baseDir, config.data_dir ?? '.tributary');
  const secretRefs = locateSecretRefs(config).map(({ name, path }) => ({ name, path: formatPath(path), line: sourceMap.locate(path).line }));
  const pipeline: LoadedPipeline = deepFreeze({
    file: absFile, baseDir, configHash: createHash('sha256').update(text).digest('hex'), config, dataDir, secretRefs,
  });
  return { ok: true, pipeline, problems: [] };
}

function fail(problems: readonly TributaryError[]): PipelineValidation {
  const sorted = [...problems].sort((a, b) => Number(a.details['line'] ?? 0) - Number(b.details['line'] ?? 0));
  return { ok: false, problems: Object.freeze(sorted) };
}

/**
 * Loads pipeline `text` (as read from `file`; relative paths resolve against `opts.cwd`). Throws
 * the single problem itself when there is one, or `TRB_CONFIG_ISSUES` listing all of them (its
 * `cause` is an `AggregateError` of the individual errors; see {@link configProblems}).
 */
export function loadPipelineText(text: string, file: string, registry: ComponentRegistry, opts: LoadOptions = {}): LoadedPipeline {
  const r = validatePipelineText(text, file, registry, opts);
  if (r.ok) return r.pipeline;
  throw combineProblems(file, r.problems);
}

/**
 * Reads and loads the pipeline file `file` (see {@link loadPipelineText}). An unreadable file is
 * `TRB_CONFIG_INVALID` with the OS error as `cause`.
 */
export async function loadPipelineFile(file: string, registry: ComponentRegistry, opts: LoadOptions = {}): Promise<LoadedPipeline> {
  return loadPipelineText(await readPipelineFile(file, opts), file, registry, opts);
}

/** Reads and validates the pipeline file `file` without throwing for config problems (for `tributary validate`). */
export async function validatePipelineFile(file: string, registry: ComponentRegistry, opts: LoadOptions = {}): Promise<PipelineValidation> {
  let text: string;
  try {
    text = await readPipelineFile(file, opts);
  } catch (err) {
    if (err instanceof TributaryError) return { ok: false, problems: [err] };
    throw err;
  }
  return validatePipelineText(text, file, registry, opts);
}

async function readPipelineFile(file: string, opts: LoadOptions): Promise<string> {
  try {
    return await readFile(resolve(opts.cwd ?? process.cwd(), file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw ConfigInvalid({ file, path: '(file)', reason: `cannot read the pipeline file (${code}); check the path` }, err);
  }
}

/** One error for a non-empty list of problems: the problem itself, or `TRB_CONFIG_ISSUES` wrapping them all. */
export function combineProblems(file: string, problems: readonly TributaryError[]): TributaryError {
  const [first] = problems;
  if (problems.length === 1 && first) return first;
  const issues = problems.map((p) => p.message);
  return ConfigIssues({ file, count: problems.length, issues, list: issues.map((m) => `\n  - ${m}`).join('') }, new AggregateError(problems));
}

/** The individual problems behind `err`: the errors wrapped by `TRB_CONFIG_ISSUES`, else `[err]` for a TributaryError, else `[]`. */
export function configProblems(err: unknown): readonly TributaryError[] {
  if (!(err instanceof TributaryError)) return [];
  if (ConfigIssues.is(err) && err.cause instanceof AggregateError) return err.cause.errors.filter((e): e is TributaryError => e instanceof TributaryError);
  return [err];
}

export { resolveConfigSecrets } from './resolve-secrets.js';
