/** `tributary run <pipeline.yaml>`: one-shot run, or `--watch` to keep following the sources. */
import type { Command } from 'commander';
import { EXIT_CODES, listErrorCodes } from '../../core/errors.js';
import { runPipelineFile } from '../../engine/runtime/run-pipeline.js';
import type { RunSummary } from '../../engine/runtime/run-summary.js';
import { createLogger } from '../../observe/logger.js';
import { cliActor } from '../cli-actor.js';
import { createProgress } from '../output/progress.js';
import { renderSummary } from '../output/print-summary.js';

/** Exit code for a finished run: 0, or the family code of its error. */
export function exitCodeFor(s: RunSummary): number {
  if (s.status === 'succeeded' && s.gold && 'error' in s.gold) {
    const code = s.gold.error.code;
    const def = listErrorCodes().find((d) => d.code === code);
    return def ? EXIT_CODES[def.family] : EXIT_CODES.internal;
  }
  if (s.status === 'succeeded' || s.status === 'interrupted') return 0;
  if (s.status === 'gate_failed') return EXIT_CODES.quality;
  const def = listErrorCodes().find((d) => d.code === s.error?.code);
  return def ? EXIT_CODES[def.family] : EXIT_CODES.internal;
}

/** Registers `run`. */
export function registerRun(program: Command): void {
  program.command('run')
    .description('Run a pipeline file once (or keep following its sources with --watch)')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--watch', 'keep following the sources (appends, new files, rotation) until Ctrl-C')
    .option('--workers <n>', 'worker threads (default: the pipeline engine.workers setting)', (v) => Number.parseInt(v, 10))
    .option('--data-dir <dir>', 'override the data directory')
    .option('--json', 'print the run summary as JSON')
    .option('--no-progress', 'do not show a progress bar')
    .addHelpText('after', '\nExit codes: 0 ok, 2 config, 3 source/sink, 6 control store, 7 quality gate failed, 70 internal.\nExample: tributary run examples/web-logs/pipeline.yaml')
    .action(async (file: string, o: { watch?: boolean; workers?: number; dataDir?: string; json?: boolean; progress: boolean }) => {
      const summary = await runWithTerminal(file, o);
      process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
      process.exitCode = exitCodeFor(summary);
    });
}

/** Runs a pipeline with a progress bar and Ctrl-C handling (first Ctrl-C stops cleanly). */
export async function runWithTerminal(
  file: string, o: { watch?: boolean; workers?: number; dataDir?: string; json?: boolean; progress?: boolean; label?: string },
): Promise<RunSummary> {
  const ac = new AbortController();
  const stop = (): void => { if (!ac.signal.aborted) { process.stderr.write('\nStopping: finishing the current commit…\n'); ac.abort(); } else process.exit(130); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const progress = createProgress(o.label ?? (o.watch ? 'watching' : 'ingesting'), (o.progress ?? true) && !o.json && !o.watch);
  const watchLog = o.watch && !o.json;
  try {
    return await runPipelineFile(file, {
      signal: ac.signal, log: createLogger(), trigger: o.watch ? 'watch' : 'cli', actor: cliActor(),
      ...(o.watch ? { watch: true } : {}), ...(o.workers ? { workers: o.workers } : {}), ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      onProgress: (p) => progress.update(p),
      ...(watchLog ? { onCommit: (c) => process.stderr.write(`${new Date(c.committedAt).toISOString()} committed ${c.rows} rows (${c.rejected} quarantined) [${c.commitId}]\n`) } : {}),
    });
  } finally {
    progress.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
