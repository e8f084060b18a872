/**
 * Loads a server configuration file: YAML → `${env:}` placeholders (the config loader's helper) →
 * strict zod validation. Every problem names file, line and path; all problems come together
 * (`TRB_CONFIG_ISSUES`). `${secret:NAME}` stays unresolved (see {@link ServerConfigFile}).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { TributaryError } from '../../core/errors.js';
import { ServerConfigInvalid as ConfigInvalid } from '../errors.js';
import { ConfigEnvMissing, ConfigPlaintextSecret } from '../../config/config-errors.js';
import { PLAINTEXT_SECRET_ISSUE } from '../../config/schema/secret-ref.js';
import { formatPath } from '../../config/config-path.js';
import { deepFreeze } from '../../config/deep-freeze.js';
import { combineProblems } from '../../config/load-config.js';
import { substitutePlaceholders } from '../../config/placeholders.js';
import { parseYamlText } from '../../config/parse-yaml-text.js';
import { ServerConfigFile } from './server-config.js';

/** A loaded server configuration. */
export interface LoadedServerConfig {
  readonly file: string;
  readonly baseDir: string;
  readonly config: ServerConfigFile;
}

/** Parses `text` (from `file`); throws the problem, or `TRB_CONFIG_ISSUES` listing all of them. */
export function loadServerConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedServerConfig {
  const parsedYaml = parseYamlText(text, file, ({ file: f, line, path, reason }, cause) => ConfigInvalid({ file: f, line, path, reason }, cause));
  if (!parsedYaml.ok) throw combineProblems(file, parsedYaml.problems);
  const { doc, sourceMap: map } = parsedYaml;
  const problems: TributaryError[] = substitutePlaceholders(doc, env).map((p) => p.kind === 'env_missing'
    ? ConfigEnvMissing({ file, line: map.locate(p.path).line, path: formatPath(p.path), variable: p.variable })
    : ConfigInvalid({ file, line: map.locate(p.path).line, path: formatPath(p.path), reason: p.reason }));
  const parsed = ServerConfigFile.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      const line = map.locate(path).line;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(ConfigInvalid({ file, line: map.locate([...path, key]).line, path: formatPath([...path, key]), reason: 'unknown key (see docs/reference/server-configuration.md)' }));
        continue;
      }
      if (issue.code === 'custom' && (issue.params as { trb?: string } | undefined)?.trb === PLAINTEXT_SECRET_ISSUE) {
        problems.push(ConfigPlaintextSecret({ file, line, path: formatPath(path) }));
        continue;
      }
      problems.push(ConfigInvalid({ file, line, path: formatPath(path) || '(root)', reason: issue.message }));
    }
  }
  if (problems.length > 0 || !parsed.success) throw combineProblems(file, problems);
  const abs = resolve(file);
  return deepFreeze({ file: abs, baseDir: dirname(abs), config: parsed.data });
}

/** Reads and loads `file` (see {@link loadServerConfigText}). */
export async function loadServerConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedServerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ConfigInvalid({ file, path: '(file)', reason: `cannot read the server config (${(err as NodeJS.ErrnoException).code ?? 'EIO'})` }, err);
  }
  return loadServerConfigText(text, file, env);
}
