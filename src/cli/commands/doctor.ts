/**
 * `tributary doctor`: scans a deployment for weak security settings and exits 7 (the `quality`
 * family: "checks failed") when it finds anything; 0 on a clean deployment.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import fg from 'fast-glob';
import pc from 'picocolors';
import { EXIT_CODES } from '../../core/errors.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { DOCTOR_CHECKS } from '../../security/doctor/checks/index.js';
import { runDoctor, type DoctorReport } from '../../security/doctor/run-doctor.js';
import { cliActor } from '../cli-actor.js';

/** Registers `doctor`. */
export function registerDoctor(program: Command): void {
  program.command('doctor [pipelines...]')
    .description('Scan a deployment for weak security settings (plaintext secrets, key storage, permissions, rotation, audit chain, encryption); exit 7 on findings')
    .option('--data-dir <dir>', 'data directory', process.env.TRIBUTARY_DATA_DIR ?? '.tributary')
    .option('--list', 'list the checks and exit')
    .option('--json', 'print JSON')
    .action(async (pipelines: string[], o: { dataDir: string; list?: boolean; json?: boolean }) => {
      if (o.list) {
        for (const c of DOCTOR_CHECKS) process.stdout.write(`${c.id.padEnd(22)} ${c.description}\n`);
        return;
      }
      const files = pipelines.length > 0 ? pipelines.map((p) => resolve(p))
        : await fg(['*.{yml,yaml}', 'pipelines/**/*.{yml,yaml}'], { absolute: true, onlyFiles: true, deep: 4 });
      const d = await openDeployment(resolve(o.dataDir));
      let report: DoctorReport;
      try {
        report = await runDoctor({ dataDir: d.dataDir, env: process.env, pipelineFiles: files, control: d.control, vault: d.vault, now: new Date() }, DOCTOR_CHECKS);
        await d.audit.record({ actor: cliActor(), action: 'doctor.run', target: d.dataDir, outcome: report.ok ? 'ok' : 'error', details: { findings: report.findings.length, ...report.counts } });
      } finally {
        await d.close();
      }
      if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderReport(report));
      if (!report.ok) process.exitCode = EXIT_CODES.quality;
    });
}

function renderReport(r: DoctorReport): string {
  const color = { critical: pc.red, high: pc.red, medium: pc.yellow, low: pc.cyan } as const;
  const lines: string[] = [`tributary doctor: ${r.dataDir}`, ''];
  for (const res of r.results) {
    const mark = res.status === 'ok' ? pc.green('ok     ') : res.status === 'skipped' ? pc.dim('skipped') : pc.red('FOUND  ');
    lines.push(`${mark} ${res.check}${res.reason ? pc.dim(` (${res.reason})`) : ''}`);
    for (const n of res.notes ?? []) lines.push(pc.dim(`        note: ${n}`));
  }
  if (r.findings.length > 0) lines.push('');
  for (const f of r.findings) {
    lines.push(`${color[f.severity](f.severity.toUpperCase())} ${f.what}`);
    if (f.where) lines.push(`  where: ${f.where}`);
    lines.push(`  why:   ${f.why}`, `  fix:   ${f.fix}`);
  }
  lines.push('', r.ok ? pc.green('No findings.') : `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}: ${Object.entries(r.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ')}`, '');
  return lines.join('\n');
}
