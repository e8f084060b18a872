/** `tributary validate <pipeline.yaml>`: structural validation, every problem with file:line and path. */
import type { Command } from 'commander';
import { validatePipelineFile } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { EXIT_CODES } from '../../core/errors.js';

/** Registers `validate`. */
export function registerValidate(program: Command): void {
  program.command('validate')
    .description('Validate a pipeline file (unknown keys, types, components) without running it')
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit code 0 when valid, 2 with every problem listed (file:line, path, reason) otherwise.')
    .action(async (file: string, o: { json?: boolean }) => {
      const v = await validatePipelineFile(file, registry);
      if (!v.ok) {
        if (o.json) process.stdout.write(`${JSON.stringify({ valid: false, file, problems: v.problems.map((p) => p.toJSON()) })}\n`);
        else {
          process.stderr.write(`✖ ${file}: ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'}\n`);
          for (const p of v.problems) process.stderr.write(`  error[${p.code}]: ${p.message}\n`);
        }
        process.exitCode = EXIT_CODES.config;
        return;
      }
      const loaded = v.pipeline;
      const cfg = loaded.config;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ valid: true, file: loaded.file, pipeline: cfg.name, configHash: loaded.configHash, secretRefs: loaded.secretRefs })}\n`);
      } else {
        process.stdout.write(`✔ ${loaded.file} is valid: pipeline \`${cfg.name}\` with ${cfg.sources.length} source(s), ${cfg.stages.length} stage(s), ${cfg.sinks.length} sink(s)\n`);
      }
    });
}
