/**
 * `tributary users`: users of the PostgreSQL wire protocol (psql, BI tools), authenticated with
 * SCRAM-SHA-256. Passwords come from a hidden prompt (asked twice) or, with `--password-stdin`,
 * from stdin; never from argv. Only SCRAM verifiers are stored. Every change is audited.
 *
 *   users create <name> --role R [--password-stdin] [--json]
 *   users list [--json]
 *   users passwd <name> [--password-stdin] [--json]
 *   users delete <name> [--json]
 */
import type { Command } from 'commander';
import type { Deployment } from '../../engine/bootstrap.js';
import { WireUserInvalid } from '../../security/identity/errors.js';
import { createWireUser, deleteWireUser, listWireUsers, setWireUserPassword } from '../../security/identity/wire-users.js';
import type { WireUserAdminDeps } from '../../security/identity/wire-users.js';
import { cliActor } from '../cli-actor.js';
import { identityCommandGroup, printResult, roleLookup, withIdentityDeployment } from '../identity-command-deps.js';
import type { IdentityCommandDeps } from '../identity-command-deps.js';
import { readSecretInput } from '../input/read-secret.js';
import { formatTable } from '../output/format-table.js';

interface Common { readonly dataDir: string; readonly json?: boolean; readonly roles?: string }

/** The password, from stdin (`--password-stdin`) or a hidden prompt asked twice. */
async function readPassword(user: string, fromStdin: boolean, deps: IdentityCommandDeps): Promise<string> {
  const stdin = deps.stdin ?? process.stdin;
  const stderr = deps.stderr ?? process.stderr;
  if (fromStdin === Boolean(stdin.isTTY)) {
    throw WireUserInvalid({ field: 'password', reason: fromStdin ? 'stdin is a terminal: pipe the password in, or drop --password-stdin to be prompted' : 'no terminal to prompt on: pass --password-stdin and pipe the password in' });
  }
  const first = await readSecretInput(`user ${user} (password)`, stdin, stderr);
  try {
    const password = first.toString('utf8');
    if (!fromStdin) {
      const again = await readSecretInput(`user ${user} (again)`, stdin, stderr);
      const same = again.equals(first);
      again.fill(0);
      if (!same) throw WireUserInvalid({ field: 'password', reason: 'the two entries differ' });
    }
    return password;
  } finally {
    first.fill(0);
  }
}

async function adminDeps(d: Deployment, deps: IdentityCommandDeps, rolesFile: string | undefined): Promise<WireUserAdminDeps> {
  return { store: d.control.wireUsers, audit: d.audit, rolePermissions: await roleLookup(deps, rolesFile) };
}

/** Registers `users` and its subcommands. */
export function registerUsers(program: Command, deps: IdentityCommandDeps = {}): void {
  const { cmd, out, env, common } = identityCommandGroup(program, 'users', 'Manage PostgreSQL-wire users (SCRAM-SHA-256; passwords from a hidden prompt or stdin, never argv)', deps);

  common(cmd.command('create <name>'))
    .description('Create a user with a role; the password is prompted for (hidden) or read from stdin')
    .requiredOption('--role <role>', 'role whose grants the user has')
    .option('--password-stdin', 'read the password from stdin (one line) instead of prompting')
    .action(async (name: string, o: Common & { role: string; passwordStdin?: boolean }) => {
      const password = await readPassword(name, o.passwordStdin === true, deps);
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const u = await createWireUser({ name, role: o.role, password, actor: cliActor(env) }, await adminDeps(d, deps, o.roles));
        printResult(out, o.json, u, `Created wire user ${u.name} with role ${u.role} (SCRAM-SHA-256, ${u.iterations} iterations).`);
      });
    });

  common(cmd.command('list'))
    .description('List users: name, role, dates (never a password or verifier)')
    .action(async (o: Common) => {
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const users = await listWireUsers({ store: d.control.wireUsers });
        if (o.json) { out(`${JSON.stringify(users)}\n`); return; }
        const rows = users.map((u) => [u.name, u.role, u.iterations, u.createdAt, u.createdBy, u.updatedAt]);
        out(`${formatTable({ columns: ['name', 'role', 'iterations', 'created', 'by', 'password changed'], rows })}\n`);
      });
    });

  common(cmd.command('passwd <name>'))
    .description('Set a new password for a user (prompted for, or read from stdin)')
    .option('--password-stdin', 'read the password from stdin (one line) instead of prompting')
    .action(async (name: string, o: Common & { passwordStdin?: boolean }) => {
      const password = await readPassword(name, o.passwordStdin === true, deps);
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        await setWireUserPassword(name, password, cliActor(env), await adminDeps(d, deps, o.roles));
        printResult(out, o.json, { name, changed: true }, `Changed the password of wire user ${name}; new logins need it.`);
      });
    });

  common(cmd.command('delete <name>'))
    .description('Delete a user; it cannot log in any more')
    .action(async (name: string, o: Common) => {
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        await deleteWireUser(name, cliActor(env), await adminDeps(d, deps, o.roles));
        printResult(out, o.json, { name, deleted: true }, `Deleted wire user ${name}.`);
      });
    });
}
