/**
 * What the identity commands (`tributary apikeys`, `tributary users`) take from outside, and how
 * they open the deployment. Tests inject output, stdin, data keys and a role lookup.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openDeployment } from '../engine/bootstrap.js';
import type { Deployment, DeploymentOptions } from '../engine/bootstrap.js';
import type { RolePermissions } from '../security/identity/role-permissions.js';
import { loadRolesFile } from '../security/rbac/load-roles.js';
import { rolePermissionsOf } from '../security/rbac/role-lookup.js';
import { BUILTIN_ROLE_SET } from '../security/rbac/role-set.js';

/** Dependencies of the identity commands; every field has a production default. */
export interface IdentityCommandDeps {
  /** Where output goes (default: stdout). */
  readonly out?: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Password input (default: process.stdin). */
  readonly stdin?: NodeJS.ReadStream;
  /** Prompts go here (default: process.stderr). */
  readonly stderr?: NodeJS.WriteStream;
  /** Deployment options (tests: in-memory data keys). */
  readonly deployment?: DeploymentOptions;
  /**
   * Role lookup from the roles configuration, to validate `--role` and `--scope`. Without it only
   * the syntax is checked; authentication still refuses a credential whose role is unknown.
   */
  readonly rolePermissions?: RolePermissions;
}

/** Opens the deployment at `dataDir`, runs `fn`, and closes it (flushing audit writes). */
export async function withIdentityDeployment<T>(dataDir: string, deps: IdentityCommandDeps, fn: (d: Deployment) => Promise<T>): Promise<T> {
  const d = await openDeployment(resolve(dataDir), deps.env ?? process.env, deps.deployment ?? {});
  try { return await fn(d); } finally { await d.close(); }
}

/**
 * The role lookup the commands validate `--role` and `--scope` against: the injected one, else the
 * roles of `rolesFile` (custom plus built-in), else the built-in roles.
 */
export async function roleLookup(deps: IdentityCommandDeps, rolesFile: string | undefined): Promise<RolePermissions> {
  if (deps.rolePermissions) return deps.rolePermissions;
  return rolePermissionsOf(rolesFile ? await loadRolesFile(resolve(rolesFile)) : BUILTIN_ROLE_SET);
}

/** Writes `value` as one JSON line with `json`, else the human text. */
export function printResult(out: (text: string) => void, json: boolean | undefined, value: unknown, human: string): void {
  out(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

/** How an identity command group writes and which options its subcommands share. */
export interface IdentityCommandGroup {
  /** The group's command (`apikeys`, `users`). */
  readonly cmd: Command;
  readonly out: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Adds `--data-dir` and `--json` to a subcommand. */
  readonly common: (c: Command) => Command;
}

/** Adds command `name` to `program`, with the defaults of `deps` resolved. */
export function identityCommandGroup(program: Command, name: string, description: string, deps: IdentityCommandDeps): IdentityCommandGroup {
  const env = deps.env ?? process.env;
  return {
    cmd: program.command(name).description(description),
    out: deps.out ?? ((text: string) => { process.stdout.write(text); }),
    env,
    common: (c) => c.option('--data-dir <dir>', 'data directory', env.TRIBUTARY_DATA_DIR ?? '.tributary').option('--json', 'print JSON')
      .option('--roles <file>', 'roles YAML with custom roles, as `serve` uses it (default: $TRIBUTARY_ROLES_FILE, else the built-in roles)', env.TRIBUTARY_ROLES_FILE),
  };
}
