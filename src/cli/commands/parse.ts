/**
 * `tributary parse [FILE]`: parses lines from FILE or stdin and prints one JSON object per input
 * line: the parsed record, or `{"line": N, "error": {"code": "...", "reason": "..."}}`. This exact
 * shape is a stable interface (people pipe it into jq while fixing a format).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Command } from 'commander';
import { resolveFormat } from '../../formats/index.js';
import type { LineFormat } from '../../formats/format.js';

/** Renders one parse result as the documented JSON line (timestamps as ISO-8601 UTC). */
export function renderParseLine(format: LineFormat, line: string, lineNo: number): string {
  const r = format.parse(line);
  // Exactly {line, error: {code, reason}}: the field to blame, if any, is named inside the reason.
  if (!r.ok) return JSON.stringify({ line: lineNo, error: { code: r.code, reason: r.field && !r.reason.includes(r.field) ? `${r.reason} (field ${r.field})` : r.reason } });
  const rec = r.record as unknown as Record<string, unknown>;
  const ts = rec.ts;
  return JSON.stringify(typeof ts === 'number' ? { ...rec, ts: new Date(ts).toISOString() } : rec);
}

/** Registers `parse`. */
export function registerParse(program: Command): void {
  program.command('parse')
    .description('Parse log lines and print one JSON object per line (record or error)')
    .argument('[file]', 'log file (.gz is decompressed); stdin when absent or "-"')
    .option('--format <name>', 'auto or a format name (tributary parse --list)', 'auto')
    .option('--log-format <string>', 'an Apache LogFormat or Nginx log_format string to compile')
    .option('--list', 'list the built-in formats and exit')
    .addHelpText('after', `
Output, one line per input line:
  {"client_ip":"203.0.113.9","ts":"2026-11-01T10:00:00.000Z",...,"format":"apache_combined"}
  {"line":7,"error":{"code":"parse_failed","reason":"..."}}
Examples:
  tributary parse access.log --format nginx_combined | jq .status
  tail -n 5 access.log | tributary parse --log-format '%h %l %u %t "%r" %>s %b %D'`)
    .action(async (file: string | undefined, o: { format: string; logFormat?: string; list?: boolean }) => {
      const { listFormats } = await import('../../formats/index.js');
      if (o.list) {
        for (const f of listFormats()) process.stdout.write(`${f.name.padEnd(22)} ${f.schema.padEnd(7)} ${f.description}\n`);
        return;
      }
      const format = resolveFormat(o.logFormat ? { format: 'log_format', log_format: o.logFormat } : { format: o.format });
      let input: NodeJS.ReadableStream = !file || file === '-' ? process.stdin : createReadStream(file);
      if (file && file !== '-' && /\.gz$/i.test(file)) input = input.pipe(createGunzip());
      const rl = createInterface({ input, crlfDelay: Infinity });
      let n = 0;
      const out: string[] = [];
      for await (const line of rl) {
        out.push(renderParseLine(format, line, ++n));
        if (out.length >= 512) { if (!process.stdout.write(`${out.join('\n')}\n`)) await new Promise((r) => process.stdout.once('drain', r)); out.length = 0; }
      }
      if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    });
}
