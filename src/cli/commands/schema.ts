/** `tributary schema`: the JSON Schema of pipeline files (for editors and CI linting). */
import type { Command } from 'commander';
import { pipelineJsonSchema } from '../../config/json-schema.js';
import { registry } from '../../engine/registry.js';

/** Registers `schema`. */
export function registerSchema(program: Command): void {
  program.command('schema')
    .description('Print the JSON Schema (draft 2020-12) of pipeline files')
    .option('--json', 'compact JSON on one line')
    .addHelpText('after', '\nExample (VS Code YAML extension):\n  tributary schema > pipeline.schema.json\n  # yaml-language-server: $schema=./pipeline.schema.json')
    .action((o: { json?: boolean }) => {
      process.stdout.write(`${JSON.stringify(pipelineJsonSchema(registry), null, o.json ? 0 : 2)}\n`);
    });
}
