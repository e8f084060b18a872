/**
 * The `tributary` command line: one file per command under commands/, `--help` everywhere, human
 * output by default and `--json` for machines, exit codes by error family (docs/reference/errors.md).
 */
import { Command, CommanderError } from 'commander';
import { toTributaryError, EXIT_CODES } from '../core/errors.js';
import { scrubSecrets } from '../core/secret-scrubber.js';
import { registerRun } from './commands/run.js';
import { registerDemo } from './commands/demo.js';
import { registerParse } from './commands/parse.js';
import { registerQuery } from './commands/query.js';
import { registerValidate } from './commands/validate.js';
import { registerSchema } from './commands/schema.js';
import { registerGenerate } from './commands/generate.js';
import { registerRuns } from './commands/runs.js';
import { registerReplay } from './commands/replay.js';
import { registerSecrets } from './commands/secrets.js';
import { registerDoctor } from './commands/doctor.js';
import { registerAudit } from './commands/audit.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerErase } from './commands/erase.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerModels } from './commands/models.js';
import { registerBackup } from './commands/backup.js';
import { registerRestore } from './commands/restore.js';
import { registerApiKeys } from './commands/apikeys.js';
import { registerUsers } from './commands/users.js';
import { registerServe } from './commands/serve.js';

/** Builds the program (exported for tests and `--help` snapshots). */
export function buildProgram(): Command {
  const program = new Command('tributary')
    .description('Secure, governed data pipelines: web logs and business data into a medallion lake and a warehouse.')
    .version('0.1.0')
    .option('--verbose', 'print error details and debug logs')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [registerRun, registerDemo, registerParse, registerQuery, registerValidate, registerSchema, registerGenerate, registerRuns, registerReplay,
    registerSecrets, registerAudit, registerDecrypt, registerErase, registerModels, registerLifecycle, registerDoctor,
    registerBackup, registerRestore, registerApiKeys, registerUsers, registerServe]) {
    register(program);
  }
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_CODES.request;
    }
    const e = toTributaryError(err);
    const verbose = program.opts<{ verbose?: boolean }>().verbose ?? argv.includes('--verbose');
    if (argv.includes('--json')) process.stdout.write(`${scrubSecrets(JSON.stringify({ error: e.toJSON() }))}\n`);
    else {
      process.stderr.write(`${scrubSecrets(`error[${e.code}]: ${e.message}`)}\n`);
      if (verbose) {
        if (Object.keys(e.details).length) process.stderr.write(`${scrubSecrets(`details: ${JSON.stringify(e.details, null, 2)}`)}\n`);
        if (e.cause) process.stderr.write(`${scrubSecrets(`cause: ${e.cause instanceof Error ? e.cause.stack : String(e.cause)}`)}\n`);
      }
    }
    return e.exit;
  }
}
