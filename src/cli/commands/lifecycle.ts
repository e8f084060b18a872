/**
 * `tributary lifecycle run <pipeline.yaml> [--dry-run] [--json] [--every <interval>]`: applies the
 * pipeline's `retention:` (bronze, silver, quarantine, gold; optional cold storage), audited as
 * `lifecycle.*`. With `--every` it keeps running, once per interval, until SIGINT or SIGTERM.
 * See docs/operations.md (Lifecycle).
 */
import type { Command } from 'commander';
import { toTributaryError } from '../../core/errors.js';
import { LifecycleOptionInvalid } from '../../ops/lifecycle/errors.js';
import { lifecycleFromPipelineFile, type LifecycleOptions } from '../../ops/lifecycle/run-lifecycle.js';
import { renderLifecycle } from '../../ops/lifecycle/render-lifecycle.js';
import { parseScheduleInterval, runEvery } from '../../ops/lifecycle/lifecycle-schedule.js';
import { cliActor } from '../cli-actor.js';

interface LifecycleFlags {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly every?: string;
  readonly at?: string;
  readonly dataDir?: string;
  readonly compact?: boolean;
}

function parseAt(text: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw LifecycleOptionInvalid({ option: '--at', reason: `\`${text}\` is not an ISO-8601 time such as \`2026-12-01T00:00:00Z\`` });
  }
  return d;
}

/** Registers `lifecycle` and its `run` subcommand. */
export function registerLifecycle(program: Command): void {
  const lifecycle = program.command('lifecycle').description('Data lifecycle: apply the pipeline\'s retention per layer (bronze, silver, quarantine, gold)');
  lifecycle.command('run')
    .description('Delete (or move to cold storage) what is older than the pipeline\'s `retention:`; audited')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--dry-run', 'report exactly what would be removed (per layer: objects, partitions, rows, bytes); change nothing')
    .option('--json', 'print the report as JSON (one line per run with --every)')
    .option('--every <interval>', 'keep running: once now, then every interval (`1h`, `15m`, `30s`, `1d`) until SIGINT/SIGTERM')
    .option('--at <time>', 'evaluate retention as of this ISO-8601 time instead of now (previews)')
    .option('--compact', 'rewrite each warehouse file after deleting, so the expired rows\' bytes are gone (slower; default: the space is reused)')
    .option('--data-dir <dir>', 'override the data directory')
    .addHelpText('after', [
      '',
      'Examples:',
      '  tributary lifecycle run pipeline.yaml --dry-run',
      '  tributary lifecycle run pipeline.yaml --json',
      '  tributary lifecycle run pipeline.yaml --every 1h      # or from cron: 15 * * * * tributary lifecycle run /etc/tributary/web.yaml',
      '',
      'Defaults: bronze 7d, silver 90d, gold 2y, quarantine 30d (see `retention:` in the pipeline reference).',
      'The pipeline\'s run lock is held meanwhile: a run waits for lifecycle, and lifecycle for a run (TRB_PIPELINE_BUSY; retried at the next tick with --every).',
      'Exit codes: 0 done (or dry run), 1 bad option / pipeline running, 2 config or secret, 3 lake or warehouse, 6 control store or bronze.',
    ].join('\n'))
    .action(async (file: string, o: LifecycleFlags) => {
      const opts: LifecycleOptions = {
        dryRun: o.dryRun ?? false, compact: o.compact ?? false, actor: cliActor(),
        ...(o.at ? { at: parseAt(o.at) } : {}),
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      };
      const once = async (): Promise<void> => {
        const report = await lifecycleFromPipelineFile(file, opts);
        process.stdout.write(o.json ? `${JSON.stringify(report, null, o.every ? undefined : 2)}\n` : `${renderLifecycle(report)}\n`);
      };
      if (o.every === undefined) { await once(); return; }
      const interval = parseScheduleInterval(o.every);
      const ac = new AbortController();
      const stop = (): void => { if (!ac.signal.aborted) { process.stderr.write('Stopping after the current lifecycle run…\n'); ac.abort(); } };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        await runEvery(interval, ac.signal, once, (err) => {
          const e = toTributaryError(err);
          process.stderr.write(`lifecycle run failed: error[${e.code}]: ${e.message}\n`);
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
