/**
 * `tributary secrets`: the vault from the command line. Values come from stdin or a hidden prompt,
 * never from argv. Every read, write and rotation is audited with the OS user as actor.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import type { DataKeyKind } from '../../security/vault/data-keys.js';
import { cliActor } from '../cli-actor.js';
import { readSecretInput } from '../input/read-secret.js';
import { formatTable } from '../output/format-table.js';

const KEY_TYPES: readonly DataKeyKind[] = ['hmac', 'field', 'age', 'audit'];

async function withDeployment<T>(dataDir: string, fn: (d: Deployment) => Promise<T>): Promise<T> {
  const d = await openDeployment(resolve(dataDir));
  try { return await fn(d); } finally { await d.close(); }
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${v}`);
  return n;
};

/** Registers `secrets` and its subcommands. */
export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets')
    .description('Manage the secret vault: secrets, data keys and the master key (values from stdin or a prompt, never argv)');
  const dataDir = (c: Command): Command => c.option('--data-dir <dir>', 'data directory', process.env.TRIBUTARY_DATA_DIR ?? '.tributary');

  dataDir(secrets.command('set <name>'))
    .description('Store a secret (a new version if it exists); the value is read from stdin or a hidden prompt')
    .option('--rotate-after-days <n>', 'rotation policy checked by `tributary doctor`', positiveInt)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { dataDir: string; rotateAfterDays?: number; json?: boolean }) => {
      const value = await readSecretInput(name);
      await withDeployment(o.dataDir, async (d) => {
        const version = await d.vault.set(name, value, { actor: cliActor(), ...(o.rotateAfterDays ? { rotateAfterDays: o.rotateAfterDays } : {}) });
        value.fill(0);
        print(o.json, { name, version }, `Stored ${name} version ${version}.`);
      });
    });

  dataDir(secrets.command('get <name>'))
    .description('Print a secret\'s value to stdout (audited)')
    .option('--secret-version <n>', 'a specific version (default: the latest)', positiveInt)
    .option('--json', 'print JSON with name, version and value')
    .action(async (name: string, o: { dataDir: string; secretVersion?: number; json?: boolean }) => {
      await withDeployment(o.dataDir, async (d) => {
        const v = await d.vault.get(name, { actor: cliActor(), purpose: 'cli get', ...(o.secretVersion ? { version: o.secretVersion } : {}) });
        if (o.json) process.stdout.write(`${JSON.stringify({ name, value: v.reveal() })}\n`);
        else process.stdout.write(`${v.reveal()}\n`);
      });
    });

  dataDir(secrets.command('list'))
    .description('List entries: name, kind, versions, age and master key (never values)')
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      await withDeployment(o.dataDir, async (d) => {
        const entries = await d.vault.list();
        if (o.json) { process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`); return; }
        const rows = entries.map((e) => [e.name, e.kind, e.version, e.updatedAt, e.updatedBy, e.rotateAfterDays ?? '', e.masterKeyIds.join(' ')]);
        process.stdout.write(`${formatTable({ columns: ['name', 'kind', 'version', 'updated', 'by', 'rotate after (days)', 'master key'], rows })}\n`);
      });
    });

  dataDir(secrets.command('rm <name>'))
    .description('Delete every version of an entry (its values become unrecoverable)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { dataDir: string; json?: boolean }) => {
      await withDeployment(o.dataDir, async (d) => {
        const n = await d.vault.remove(name, { actor: cliActor() });
        print(o.json, { name, removedVersions: n }, `Removed ${name} (${n} version${n === 1 ? '' : 's'}).`);
      });
    });

  dataDir(secrets.command('generate <name>'))
    .description('Create a data key with fresh random material: hmac (pseudonyms), field (field encryption), age (archives), audit')
    .requiredOption('--type <type>', `one of ${KEY_TYPES.join(', ')}`)
    .option('--rotate-after-days <n>', 'rotation policy checked by `tributary doctor`', positiveInt)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { dataDir: string; type: string; rotateAfterDays?: number; json?: boolean }) => {
      if (!(KEY_TYPES as readonly string[]).includes(o.type)) throw new Error(`--type must be one of ${KEY_TYPES.join(', ')}`);
      await withDeployment(o.dataDir, async (d) => {
        const k = await d.vault.createKey(name, o.type as DataKeyKind, { actor: cliActor(), ...(o.rotateAfterDays ? { rotateAfterDays: o.rotateAfterDays } : {}) });
        print(o.json, { name, kind: k.kind, version: k.version, ...k.meta }, `Created ${k.kind} key ${name} version ${k.version}.${typeof k.meta['recipient'] === 'string' ? ` Recipient: ${k.meta['recipient']}` : ''}`);
      });
    });

  dataDir(secrets.command('rotate [name]'))
    .description('New version of a secret (value from stdin/prompt) or data key (generated); --master re-wraps every entry under a new master key')
    .option('--master', 'rotate the master key instead of one entry')
    .option('--rewrap-only', 'with --master: do not create a key, re-wrap entries under the provider\'s current key (env provider, or after a KMS rotated)')
    .option('--retire-old', 'with --master: drop old master key versions from the key file once nothing uses them')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, o: { dataDir: string; master?: boolean; rewrapOnly?: boolean; retireOld?: boolean; json?: boolean }) => {
      if (o.master) {
        await withDeployment(o.dataDir, async (d) => {
          await d.vault.unsealed(); // picks the provider, so its kind is known
          const newKey = o.rewrapOnly !== true && d.vault.provider.kind !== 'env';
          const r = await d.vault.rotateMaster({ actor: cliActor(), newKey, retireOld: o.retireOld === true });
          print(o.json, r, `Master key is now ${r.to}: re-wrapped ${r.rewrapped} entr${r.rewrapped === 1 ? 'y' : 'ies'} (${r.alreadyCurrent} already current).`);
        });
        return;
      }
      if (name === undefined) throw new Error('name the entry to rotate, or pass --master');
      await withDeployment(o.dataDir, async (d) => {
        const entry = (await d.vault.list()).find((e) => e.name === name);
        const value = entry?.kind === 'secret' ? await readSecretInput(name) : undefined;
        const version = await d.vault.rotate(name, { actor: cliActor(), ...(value ? { value } : {}) });
        value?.fill(0);
        print(o.json, { name, version }, `Rotated ${name}: version ${version} is current; older versions stay readable.`);
      });
    });

  dataDir(secrets.command('status'))
    .description('Is the vault sealed? Which master key provider, where, and which key versions')
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; json?: boolean }) => {
      await withDeployment(o.dataDir, async (d) => {
        const entries = await d.vault.list();
        const unsealed = await d.vault.unsealed();
        const keyIds = unsealed ? await d.vault.provider.keyIds() : [];
        const status = { sealed: !unsealed, provider: d.vault.provider.kind, location: d.vault.provider.location, keyIds, entries: entries.length };
        print(o.json, status, [
          `vault: ${unsealed ? 'unsealed' : 'SEALED'}`, `provider: ${status.provider} (${status.location})`,
          `master keys: ${keyIds.join(', ') || '-'}`, `entries: ${entries.length}`,
        ].join('\n'));
      });
    });
}

function print(json: boolean | undefined, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}
