/** Runs doctor checks and summarises their findings. */
import type { DoctorCheck, DoctorContext } from './doctor-check.js';
import { SEVERITIES, type CheckResult, type Finding, type Severity } from './finding.js';

/** The doctor's report. */
export interface DoctorReport {
  readonly dataDir: string;
  readonly checkedAt: string;
  readonly results: readonly CheckResult[];
  /** Every finding, most severe first. */
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<Severity, number>>;
  /** True when there is no finding. */
  readonly ok: boolean;
}

/**
 * Runs `checks` in order. A check that throws becomes a `high` finding saying it could not run
 * (a doctor that silently skips a broken check would report a clean bill of health it did not check).
 */
export async function runDoctor(ctx: DoctorContext, checks: readonly DoctorCheck[]): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  for (const c of checks) {
    try {
      const r = await c.run(ctx);
      const notes = c.notes ? await c.notes(ctx) : [];
      const extra = notes.length > 0 ? { notes } : {};
      if ('skipped' in r) results.push({ check: c.id, status: 'skipped', findings: [], reason: r.skipped, ...extra });
      else results.push({ check: c.id, status: r.length === 0 ? 'ok' : 'findings', findings: r, ...extra });
    } catch (err) {
      results.push({
        check: c.id, status: 'findings', findings: [{
          check: c.id, severity: 'high', what: `The check could not run: ${err instanceof Error ? err.message : String(err)}`,
          why: 'An unchecked area may hide a weakness.', fix: 'Fix the cause and run `tributary doctor` again.',
        }],
      });
    }
  }
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  const findings = results.flatMap((r) => r.findings).sort((a, b) => rank(a.severity) - rank(b.severity));
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  return { dataDir: ctx.dataDir, checkedAt: ctx.now.toISOString(), results, findings, counts, ok: findings.length === 0 };
}
