/**
 * `tributary replay <pipeline.yaml>`: runs the pipeline's stages and sinks again over its bronze
 * layer instead of its sources, e.g. to rebuild silver and the warehouse into a fresh data
 * directory after changing a format or a validation rule.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadPipelineFile, type LoadedPipeline } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { runPipeline } from '../../engine/runtime/run-pipeline.js';
import { createLogger } from '../../observe/logger.js';
import { cliActor } from '../cli-actor.js';
import { createProgress } from '../output/progress.js';
import { renderSummary } from '../output/print-summary.js';
import { exitCodeFor } from './run.js';

/** A copy of `loaded` whose only source replays the bronze layer of the same pipeline. */
export function asReplay(loaded: LoadedPipeline, streams?: readonly string[]): LoadedPipeline {
  const source = { id: 'replay', type: 'bronze', pipeline: loaded.config.name, chunk_bytes: 4 * 1024 * 1024, ...(streams?.length ? { streams } : {}) };
  return { ...loaded, config: { ...loaded.config, sources: [source] } as LoadedPipeline['config'] };
}

/** Registers `replay`. */
export function registerReplay(program: Command): void {
  program.command('replay')
    .description('Re-run the stages and sinks of a pipeline over its archived bronze input (sha256-verified)')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--to <dir>', 'data directory to rebuild into (default: the pipeline\'s own; rows already there are skipped)')
    .option('--from <dir>', 'data directory whose bronze layer is read (default: the pipeline\'s own)')
    .option('--stream <id...>', 'only these stream ids (see the source_stream column)')
    .option('--json', 'print the run summary as JSON')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', '\nExample: rebuild silver and the warehouse with a fixed format into a fresh directory:\n  tributary replay examples/web-logs/pipeline.yaml --to ./rebuilt')
    .action(async (file: string, o: { to?: string; from?: string; stream?: string[]; json?: boolean; progress: boolean }) => {
      const loaded = await loadPipelineFile(file, registry);
      const progress = createProgress('replaying', o.progress && !o.json);
      try {
        const summary = await runPipeline(asReplay(loaded, o.stream), {
          trigger: 'cli', log: createLogger(), bronzeFrom: resolve(o.from ?? loaded.dataDir), actor: cliActor(),
          ...(o.to ? { dataDir: resolve(o.to) } : {}), onProgress: (p) => progress.update(p),
        });
        progress.stop();
        process.stdout.write(o.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
        process.exitCode = exitCodeFor(summary);
      } finally { progress.stop(); }
    });
}
