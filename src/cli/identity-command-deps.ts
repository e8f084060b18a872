/**
 * What the identity commands (`tributary apikeys`, `tributary users`) take from outside, and how
 * they open the deployment. Tests inject output, stdin, data keys and a role lookup.
 */
import { resolve } from 'node:path';
import { openDeployment } from '../engine/bootstrap.js';
import type { Deployment, DeploymentOptions } from '../engine/bootstrap.js';
import type { RolePermissions } from '../security/identity/role-permissions.js';

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

/** Writes `value` as one JSON line with `json`, else the human text. */
export function printResult(out: (text: string) => void, json: boolean | undefined, value: unknown, human: string): void {
  out(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}
