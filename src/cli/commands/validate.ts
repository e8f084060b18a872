/** `tributary validate <pipeline.yaml>`: structural validation, every problem with file:line and path. */
import type { Command } from 'commander';
import { loadPipelineFile } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';

/** Registers `validate`. */
export function registerValidate(program: Command): void {
  program.command('validate')
    .description('Validate a pipeline file (unknown keys, types, components) without running it')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit code 0 when valid, 2 with every problem listed (file:line, path, reason) otherwise.')
    .action(async (file: string, o: { json?: boolean }) => {
      const loaded = await loadPipelineFile(file, registry);
      const cfg = loaded.config as unknown as { name: string; sources: readonly unknown[]; stages: readonly unknown[]; sinks: readonly unknown[] };
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ valid: true, file: loaded.file, pipeline: cfg.name, configHash: loaded.configHash, secretRefs: loaded.secretRefs })}\n`);
      } else {
        process.stdout.write(`✔ ${loaded.file} is valid: pipeline \`${cfg.name}\` with ${cfg.sources.length} source(s), ${cfg.stages.length} stage(s), ${cfg.sinks.length} sink(s)\n`);
      }
    });
}
