/** `tributary generate`: the deterministic access-log generator behind `demo` and `bench`. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { generateDemoLogs } from '../../generator/index.js';

/** Registers `generate`. */
export function registerGenerate(program: Command): void {
  program.command('generate')
    .description('Write realistic, deterministic Apache and Nginx access logs (with a small share of malformed lines)')
    .argument('<dir>', 'output directory')
    .option('--lines <n>', 'number of lines', (v) => Number.parseInt(v, 10), 1_000_000)
    .option('--seed <n>', 'seed (same seed → same bytes)', (v) => Number.parseInt(v, 10), 42)
    .option('--json', 'print what was written as JSON')
    .action(async (dir: string, o: { lines: number; seed: number; json?: boolean }) => {
      const g = await generateDemoLogs(resolve(dir), { lines: o.lines, seed: o.seed });
      process.stdout.write(o.json ? `${JSON.stringify(g)}\n` : `Wrote ${g.lines.toLocaleString('en-US')} lines (${(g.bytes / 1e6).toFixed(1)} MB) to ${g.files.join(', ')}\n`);
    });
}
