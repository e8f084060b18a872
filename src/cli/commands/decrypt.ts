/**
 * `tributary decrypt`: PRIVILEGED recovery of values the `encrypt` stage turned into tokens. It
 * reads the field keys from the deployment's vault and is audited as `field.decrypt` (attempt before,
 * outcome after; refused by a fail-closed trail), so only
 * someone who can open the vault (master key) can run it. Tokens come from the arguments or, when
 * none are given, one per line from stdin (so they stay out of shell history and `ps`).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Validation } from '../../core/errors.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { decryptFieldToken, parseFieldToken, type FieldContext } from '../../security/crypto/field-cipher.js';
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import { cliActor } from '../cli-actor.js';
import type { DataKeys } from '../../security/vault/data-keys.js';

/** Opens the key service (and audit trail) of a data directory; `close` releases it. */
export type OpenKeys = (dataDir: string) => Promise<{ readonly keys: DataKeys; readonly audit?: AuditTrail; close(): Promise<void> }>;

/** Default {@link OpenKeys}: the deployment's vault keys and audit log. */
export const openDeploymentKeys: OpenKeys = async (dataDir) => {
  const d = await openDeployment(resolve(dataDir));
  return { keys: d.keys, audit: d.audit, close: () => d.close() };
};

/** Options of {@link decryptTokens}. */
export interface DecryptOptions extends FieldContext {
  /** When set, every token must name this key (a guard against decrypting the wrong column). */
  readonly key?: string;
}

/**
 * PRIVILEGED: the plaintexts of `tokens`, in order. Throws on the first token that does not
 * decrypt (`TRB_SECRET_TOKEN_INVALID`, `TRB_SECRET_DECRYPT_FAILED`, the vault's errors) or that
 * names another key than `opts.key` (`TRB_VALIDATION`); never prints a partial or wrong value.
 */
export async function decryptTokens(tokens: readonly string[], keys: DataKeys, opts: DecryptOptions): Promise<string[]> {
  const out: string[] = [];
  for (const token of tokens) {
    if (opts.key !== undefined) {
      const named = parseFieldToken(token, opts.field).keyName;
      if (named !== opts.key) throw Validation({ reason: `a token names key \`${named}\`, not \`${opts.key}\` (--key)`, field: 'key' });
    }
    out.push(await decryptFieldToken(token, keys, { dataset: opts.dataset, field: opts.field }));
  }
  return out;
}

async function stdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) if (line.trim()) lines.push(line.trim());
  return lines;
}

/** Registers `decrypt` (`openKeys` is replaceable for tests and other deployments). */
export function registerDecrypt(program: Command, openKeys: OpenKeys = openDeploymentKeys): void {
  program.command('decrypt')
    .description('PRIVILEGED: recover values encrypted by the `encrypt` stage (reads field keys from the vault; audited)')
    .argument('[token...]', 'tokens `enc:v1:...` (default: one per line from stdin)')
    .requiredOption('--field <name>', 'the field the tokens come from (bound into each token), e.g. client_ip')
    .option('--dataset <name>', 'the `dataset` of the encrypt stage', 'requests')
    .option('--key <name>', 'refuse tokens of any other vault key')
    .option('--data-dir <dir>', 'data directory whose vault holds the keys', process.env.TRIBUTARY_DATA_DIR ?? '.tributary')
    .option('--json', 'print a JSON array of { token, value }')
    .addHelpText('after', '\nExample: tributary query "select client_ip from requests limit 3" --format csv | tail -n +2 | tributary decrypt --field client_ip\n'
      + 'Whoever can run this can read every encrypted value: restrict access to the vault master key.')
    .action(async (args: string[], o: { field: string; dataset: string; key?: string; dataDir: string; json?: boolean }) => {
      const tokens = args.length > 0 ? args : await stdinLines();
      if (tokens.length === 0) throw Validation({ reason: 'no tokens given (pass them as arguments or on stdin, one per line)' });
      const { keys, audit, close } = await openKeys(o.dataDir);
      try {
        // Privileged: recorded before any value is decrypted (a fail-closed trail refuses here).
        const event = { actor: cliActor(), action: 'field.decrypt', target: `${o.dataset}.${o.field}`, requestId: randomUUID() };
        const details = { tokens: tokens.length, ...(o.key === undefined ? {} : { key: o.key }) };
        await audit?.record({ ...event, outcome: 'attempt', details }, { privileged: true });
        let values: string[];
        try {
          values = await decryptTokens(tokens, keys, { field: o.field, dataset: o.dataset, ...(o.key === undefined ? {} : { key: o.key }) });
        } catch (err) {
          await audit?.record({ ...event, outcome: 'error', details: { ...details, error: String((err as { code?: unknown }).code ?? 'TRB_INTERNAL') } });
          throw err;
        }
        await audit?.record({ ...event, outcome: 'ok', details }, { privileged: true });
        process.stdout.write(o.json
          ? `${JSON.stringify(tokens.map((token, i) => ({ token, value: values[i] })))}\n`
          : `${values.join('\n')}\n`);
      } finally {
        await close();
      }
    });
}
