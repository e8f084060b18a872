/**
 * `tributary apikeys`: API keys for the REST and SQL-over-HTTP interfaces.
 *
 *   apikeys create --role R [--name N] [--scope P ...] [--expires 90d|DATE] [--json]   prints the key ONCE
 *   apikeys list [--json]                                                               never a secret
 *   apikeys revoke <id> [--json]                                                        at once, on every server
 *   apikeys rotate <id> [--grace 1h] [--json]                                           new key, same role and scopes
 *
 * Every action is audited with the OS user as actor (`cli:<user>`); the key never is.
 */
import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../security/apikeys/api-key-admin.js';
import type { ApiKeyAdminDeps, CreatedApiKey } from '../../security/apikeys/api-key-admin.js';
import { ApiKeyRequestInvalid } from '../../security/apikeys/errors.js';
import { PERMISSIONS } from '../../security/identity/identity.js';
import { parseDuration, parseInstant } from '../../security/identity/parse-duration.js';
import type { Deployment } from '../../engine/bootstrap.js';
import { cliActor } from '../cli-actor.js';
import { identityCommandGroup, printResult, roleLookup, withIdentityDeployment } from '../identity-command-deps.js';
import type { IdentityCommandDeps } from '../identity-command-deps.js';
import { formatTable } from '../output/format-table.js';

interface Common { readonly dataDir: string; readonly json?: boolean; readonly roles?: string }

async function adminDeps(d: Deployment, deps: IdentityCommandDeps, rolesFile: string | undefined): Promise<ApiKeyAdminDeps> {
  return { store: d.control.apiKeys, audit: d.audit, rolePermissions: await roleLookup(deps, rolesFile) };
}

function shownOnce(k: CreatedApiKey, verb: string): string {
  return [
    `${verb} API key ${k.id} (${k.name}): role ${k.role}, scopes ${k.scopes.length ? k.scopes.join(' ') : "all of the role's"}, expires ${k.expiresAt ?? 'never'}.`,
    'The key is shown only now; store it in a secret manager. Send it as `Authorization: Bearer <key>`.',
    k.key,
  ].join('\n');
}

/** Registers `apikeys` and its subcommands. */
export function registerApiKeys(program: Command, deps: IdentityCommandDeps = {}): void {
  const { cmd, out, env, common } = identityCommandGroup(program, 'apikeys', 'Manage API keys for the REST and SQL-over-HTTP interfaces (stored hashed; shown once)', deps);

  common(cmd.command('create'))
    .description('Create a key for a role; prints it once')
    .requiredOption('--role <role>', 'role whose grants the key carries (admin, engineer, analyst, security, auditor or a custom role)')
    .option('--name <name>', 'a label, e.g. the client using it')
    .option('--scope <permission...>', `narrow the key to these permissions (default: all of the role's): ${PERMISSIONS.join(', ')}`)
    .option('--expires <when>', 'expiry as a duration (90d, 12h, 2w) or an ISO date (2027-01-01)')
    .action(async (o: Common & { role: string; name?: string; scope?: string[]; expires?: string }) => {
      const expiresAt = o.expires === undefined ? null : parseInstant(o.expires, new Date());
      if (expiresAt === undefined) throw ApiKeyRequestInvalid({ field: 'expires', reason: `must be a duration like 90d or an ISO date (got \`${o.expires}\`)` });
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const k = await createApiKey({ role: o.role, ...(o.name !== undefined ? { name: o.name } : {}), scopes: o.scope ?? [], expiresAt, actor: cliActor(env) }, await adminDeps(d, deps, o.roles));
        printResult(out, o.json, k, shownOnce(k, 'Created'));
      });
    });

  common(cmd.command('list'))
    .description('List keys: id, name, role, scopes, status (active, expired, revoked), dates; never a secret')
    .action(async (o: Common) => {
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const keys = await listApiKeys({ store: d.control.apiKeys });
        if (o.json) { out(`${JSON.stringify(keys)}\n`); return; }
        const rows = keys.map((k) => [k.id, k.name, k.role, k.scopes.join(' ') || '(role)', k.status, k.createdAt, k.createdBy, k.expiresAt ?? '', k.revokedAt ?? '', k.lastUsedAt ?? '']);
        out(`${formatTable({ columns: ['id', 'name', 'role', 'scopes', 'status', 'created', 'by', 'expires', 'revoked', 'last used'], rows })}\n`);
      });
    });

  common(cmd.command('revoke <id>'))
    .description('Revoke a key now; every server process sharing the control store refuses it from its next request')
    .action(async (id: string, o: Common) => {
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const r = await revokeApiKey(id, cliActor(env), await adminDeps(d, deps, o.roles));
        printResult(out, o.json, r, r.changed ? `Revoked API key ${id}.` : `API key ${id} was already revoked.`);
      });
    });

  common(cmd.command('rotate <id>'))
    .description('Replace a key by a new one with the same role, scopes and lifetime; the old key is revoked (after --grace)')
    .option('--grace <duration>', 'keep the old key working this long (e.g. 1h, 30m, 1d)')
    .action(async (id: string, o: Common & { grace?: string }) => {
      const graceMs = o.grace === undefined ? 0 : parseDuration(o.grace);
      if (graceMs === undefined) throw ApiKeyRequestInvalid({ field: 'grace', reason: `must be a duration like 1h or 30m (got \`${o.grace}\`)` });
      await withIdentityDeployment(o.dataDir, deps, async (d) => {
        const k = await rotateApiKey(id, { actor: cliActor(env), graceMs }, await adminDeps(d, deps, o.roles));
        printResult(out, o.json, k, `${shownOnce(k, 'Rotated to')}\nOld key ${id} stops working at ${k.oldKeyRevokedAt}.`);
      });
    });
}
