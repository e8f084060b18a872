/**
 * `tributary erase <pipeline.yaml> --ip <address> | --visitor <id>`: GDPR erasure of one person's
 * rows from the pipeline's silver lake and warehouse (bronze is reported, never changed), audited as
 * `erase` with the subject recorded as a keyed pseudonym. Shows the counts and asks before changing
 * anything, unless `--yes`; refuses without a terminal to ask on. See docs/security/erasure.md.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { parseEraseSubject } from '../../security/erase/erase-subject.js';
import type { ErasureReport } from '../../security/erase/erase-report.js';
import { EraseConfirmationRequired } from '../../security/erase/errors.js';
import { eraseFromPipelineFile } from '../../security/erase/run-erasure.js';
import { cliActor } from '../cli-actor.js';
import { renderErasure } from '../output/render-erasure.js';

interface EraseFlags {
  readonly ip?: string;
  readonly visitor?: string;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly dataDir?: string;
  readonly compact: boolean;
}

/** Shows the plan on stderr and asks on the terminal; true only for an explicit yes. */
async function askOnTerminal(plan: ErasureReport): Promise<boolean> {
  process.stderr.write(`${renderErasure(plan)}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Erase ${plan.totals.warehouseRows} warehouse row(s) and ${plan.totals.lakeRows} lake row(s)? This cannot be undone. [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally { rl.close(); }
}

/** Registers `erase`. */
export function registerErase(program: Command): void {
  program.command('erase')
    .description('GDPR erasure: remove one person\'s rows from silver (lake) and the warehouse, report what bronze still holds; audited')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--ip <address>', 'the person\'s IPv4 or IPv6 address (matches raw, pseudonymised and encrypted client_ip, X-Forwarded-For, client_id, recomputed visitor ids, quarantined raw lines)')
    .option('--visitor <id>', 'a visitor id `v_…` or a pseudonym `ps<epoch>_…` (matches visitor_id, client_id, client_ip)')
    .option('--dry-run', 'count and report only; change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', 'print the report as JSON')
    .option('--data-dir <dir>', 'override the data directory')
    .option('--no-compact', 'skip rewriting the warehouse file (DuckDB) or VACUUM FULL of the touched partitions (PostgreSQL); deleted rows\' bytes stay until the next erase')
    .addHelpText('after', [
      '',
      'Examples:',
      '  tributary erase pipeline.yaml --ip 203.0.113.7 --dry-run     # counts only',
      '  tributary erase pipeline.yaml --ip 203.0.113.7 --yes --json',
      '  tributary erase pipeline.yaml --visitor v_0123456789abcdef',
      '',
      'Rows whose client_ip is only truncated (e.g. /24) are shared by many people: they are erased only',
      'when a visitor_id or client_id attributes them to this person, and the report says how many were kept.',
      'Bronze (raw input) is never modified: the report lists the segments that still hold the address.',
      'The address never reaches the audit log: it records a keyed pseudonym of it.',
      'Exit codes: 0 done (or dry run), 1 bad target / not confirmed / pipeline running, 2 config or secret, 3 sink, 6 control store.',
    ].join('\n'))
    .action(async (file: string, o: EraseFlags) => {
      const subject = parseEraseSubject({ ip: o.ip, visitor: o.visitor });
      const dryRun = o.dryRun ?? false;
      if (!dryRun && !o.yes && !process.stdin.isTTY) throw EraseConfirmationRequired({ pipeline: file });
      const report = await eraseFromPipelineFile(file, {
        subject, dryRun, actor: cliActor(), compact: o.compact,
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
        ...(dryRun || o.yes ? {} : { confirm: askOnTerminal }),
      });
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderErasure(report)}\n`);
    });
}
