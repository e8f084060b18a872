/**
 * The audit events of a pipeline run: `config.load` (file and sha256 of its text), `run.start`,
 * `bronze.replay` (privileged: a replay re-reads archived raw input) and `run.end` (status and
 * counts). All entries of one run share the run id as `requestId`. Without an audit trail every
 * call is a no-op.
 */
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import type { RunSummary } from './run-summary.js';

/** The audit calls of one run (see the module doc). */
export interface RunAudit {
  /** Records `config.load` and `run.start`. Never rejects. */
  start(loaded: { readonly file: string; readonly configHash: string }, o: { readonly trigger: string; readonly dataDir: string }): Promise<void>;
  /**
   * Records `bronze.replay` (privileged) when a source of the run is `bronze`. Rejects with
   * `TRB_AUDIT_WRITE_FAILED` in fail-closed mode when the entry cannot be written: the replay must
   * then not run.
   */
  replay(sources: readonly { readonly type: string; readonly streams?: unknown }[], o: { readonly from: string; readonly to: string }): Promise<void>;
  /** Records `run.end` with the summary's status and counts. Never rejects. */
  end(s: RunSummary): Promise<void>;
}

/** The {@link RunAudit} of run `runId` of `pipeline`, recording as `actor` into `audit` (if any). */
export function createRunAudit(audit: AuditTrail | undefined, actor: string, runId: string, pipeline: string): RunAudit {
  const base = { actor, requestId: runId } as const;
  return {
    async start(loaded, o) {
      if (!audit) return;
      await audit.record({ ...base, action: 'config.load', target: loaded.file, outcome: 'ok', details: { pipeline, sha256: loaded.configHash } });
      await audit.record({ ...base, action: 'run.start', target: pipeline, outcome: 'ok', details: { runId, trigger: o.trigger, dataDir: o.dataDir } });
    },
    async replay(sources, o) {
      const bronze = sources.find((s) => s.type === 'bronze');
      if (!audit || !bronze) return;
      const streams = Array.isArray(bronze.streams) ? bronze.streams : null;
      await audit.record({ ...base, action: 'bronze.replay', target: pipeline, outcome: 'ok', details: { runId, from: o.from, to: o.to, streams } },
        { privileged: true });
    },
    async end(s) {
      if (!audit) return;
      await audit.record({ ...base, action: 'run.end', target: pipeline, outcome: s.status === 'succeeded' || s.status === 'interrupted' ? 'ok' : 'error',
        details: { runId, status: s.status, linesRead: s.linesRead, bytesRead: s.bytesRead, landed: s.landed, quarantined: s.quarantined,
          filtered: s.filtered, duplicates: s.duplicates, commits: s.commits, seconds: s.seconds, errorCode: s.error?.code ?? null } });
    },
  };
}

/** Records a failed `config.load` of `file` (the error's code only, never its text). Never rejects. */
export async function auditConfigLoadFailed(audit: AuditTrail | undefined, actor: string, file: string, err: unknown): Promise<void> {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'TRB_INTERNAL';
  await audit?.record({ actor, action: 'config.load', target: file, outcome: 'error', details: { errorCode: code } });
}
