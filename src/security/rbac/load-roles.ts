/**
 * Loading the roles file: YAML → strict schema → resolved custom roles. Every problem names the
 * file, line and dotted path (`TRB_CONFIG_INVALID`), as the pipeline loader's do, and all problems
 * of the file are reported together.
 */
import { readFile } from 'node:fs/promises';
import { ConfigInvalid, type TributaryError } from '../../core/errors.js';
import { combineProblems } from '../../config/load-config.js';
import { mapZodIssues } from '../../config/map-zod-issues.js';
import { parseYamlText } from '../../config/parse-yaml-text.js';
import { BUILTIN_ROLES, isBuiltinRole } from './builtin-roles.js';
import type { Permission } from '../identity/identity.js';
import type { DatasetGrant, Role } from './role.js';
import { RolesFileConfig } from './roles-config.js';
import { createRoleSet, type RoleSet } from './role-set.js';

const NO_COMPONENTS = { sources: [], stages: [], sinks: [] } as const;

/**
 * Parses roles file `text` (read from `file`) into a {@link RoleSet} of the built-in roles plus the
 * file's roles. Throws `TRB_CONFIG_INVALID` (one problem) or `TRB_CONFIG_ISSUES` (several), each
 * naming file, line and path: YAML syntax, unknown keys, unknown permissions, bad CIDRs, a custom
 * role reusing a built-in name.
 */
export function parseRolesText(text: string, file: string): RoleSet {
  const parsedYaml = parseYamlText(text, file);
  if (!parsedYaml.ok) throw combineProblems(file, parsedYaml.problems);
  const { doc, sourceMap } = parsedYaml;
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = RolesFileConfig.safeParse(data);
  const problems: TributaryError[] = parsed.success ? [] : mapZodIssues(parsed.error.issues, { file, registry: NO_COMPONENTS, schema: RolesFileConfig, data, sourceMap });
  const declared = (data as { roles?: unknown } | null)?.roles;
  if (declared !== null && typeof declared === 'object' && !Array.isArray(declared)) {
    for (const name of Object.keys(declared)) {
      if (isBuiltinRole(name)) {
        problems.push(ConfigInvalid({ file, line: sourceMap.locate(['roles', name]).line, path: `roles.${name}`, reason: `\`${name}\` is a built-in role; give the custom role another name and write \`extends: ${name}\`` }));
      }
    }
  }
  if (problems.length > 0 || !parsed.success) throw combineProblems(file, problems);
  return createRoleSet(Object.entries(parsed.data.roles).map(([name, r]) => {
    const base = r.extends === undefined ? undefined : BUILTIN_ROLES[r.extends];
    const own: DatasetGrant[] = Object.entries(r.datasets).map(([pattern, g]) => ({
      pattern, columns: g.columns === 'all' ? 'all' : Object.freeze([...g.columns]), ...(g.row_filter === undefined ? {} : { rowFilter: g.row_filter }),
    }));
    const permissions = new Set<Permission>([...(base?.permissions ?? []), ...r.permissions]);
    const cidrs = r.allowed_cidrs ?? base?.allowedCidrs;
    const role: Role = {
      name, description: r.description, builtin: false, permissions,
      datasets: Object.freeze([...own, ...(base?.datasets ?? [])]),
      ...(r.extends === undefined ? {} : { extends: r.extends }),
      ...(cidrs === undefined ? {} : { allowedCidrs: Object.freeze([...cidrs]) }),
    };
    return Object.freeze(role);
  }));
}

/** Reads and parses the roles file at `file` (see {@link parseRolesText}); an unreadable file is `TRB_CONFIG_INVALID`. */
export async function loadRolesFile(file: string): Promise<RoleSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ConfigInvalid({ file, path: '(file)', reason: `cannot read the roles file (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path` }, err);
  }
  return parseRolesText(text, file);
}
