/**
 * `tributary erase` as a service: removes one person's rows from a pipeline's silver lake and
 * warehouse, reports the bronze segments that still hold their address, and audits it all. Steps:
 * load the pipeline, open its deployment, take its run lock (no run writes meanwhile), record an
 * `erase` attempt in the audit log (privileged: a fail-closed log refuses here), plan (find and
 * count everything), ask for confirmation, apply, and record the outcome with the counts.
 *
 * The address never reaches the audit log or a log line: the subject is recorded as a keyed
 * pseudonym (`erase.subject` under the pipeline's pseudonym key), which whoever holds the vault can
 * recompute to answer "was this address erased?".
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadPipelineFile, resolveConfigSecrets, type LoadedPipeline } from '../../config/load-config.js';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import { createBronzeReader } from '../../engine/bronze/bronze-reader.js';
import { registry } from '../../engine/registry.js';
import { acquireRunLock } from '../../engine/runtime/run-lock.js';
import { pseudonym } from '../../stages/privacy/pseudonym.js';
import type { DataKeys } from '../vault/data-keys.js';
import { buildErasureReport } from './build-erasure-report.js';
import type { EraseSubject } from './erase-subject.js';
import type { ErasureReport, SubjectRef } from './erase-report.js';
import { ErasureSession } from './erasure-session.js';
import { erasureTargets } from './erasure-targets.js';
import { EraseDeclined } from './errors.js';
import { readIdentifierPolicies, type IdentifierPolicies } from './identifier-policies.js';
import { resolveSubjectIdentifiers } from './subject-identifiers.js';

/** How to erase. */
export interface EraseOptions {
  readonly subject: EraseSubject;
  /** Count and report only; change nothing (still audited). */
  readonly dryRun?: boolean;
  /** Override the pipeline's data directory. */
  readonly dataDir?: string;
  /** Who erases, as the audit log names it (the CLI passes `cli:<user>`). Default `engine`. */
  readonly actor?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Rewrite warehouse files so deleted rows' bytes are gone (default true). */
  readonly compact?: boolean;
  /** Data keys instead of the deployment's vault (tests). */
  readonly keys?: DataKeys;
  /**
   * Asked with the plan (counts, nothing changed yet) before anything is changed; resolving false
   * cancels with `TRB_ERASE_DECLINED`. Absent = no question (the CLI asks unless `--yes`).
   */
  readonly confirm?: (plan: ErasureReport) => Promise<boolean>;
}

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;

/** Loads `file` and erases (see {@link erasePipeline}). */
export async function eraseFromPipelineFile(file: string, opts: EraseOptions): Promise<ErasureReport> {
  return erasePipeline(await loadPipelineFile(file, registry, { env: opts.env ?? process.env }), opts);
}

/** The subject as the audit log records it (see the module doc). Creates the pseudonym key on first use. */
async function subjectRef(subject: EraseSubject, policies: IdentifierPolicies, keys: DataKeys): Promise<SubjectRef> {
  const name = policies.pseudonymKeys[0]!;
  const key = await keys.current(name, 'hmac', { create: true });
  const value = subject.kind === 'ip' ? subject.ip : subject.id;
  return { kind: subject.kind === 'ip' ? 'ip' : subject.idKind, ref: pseudonym(key.material, key.version, 'erase.subject', value), key: name };
}

/**
 * Erases `opts.subject` from the stores of `loaded` and returns the report. Throws
 * `TRB_PIPELINE_BUSY` when a run holds the pipeline, `TRB_AUDIT_WRITE_FAILED` when a fail-closed
 * audit log cannot record the attempt, `TRB_ERASE_DECLINED` when `confirm` says no, and the
 * `TRB_ERASE_*`, store and vault errors of the steps; every failure after the attempt is audited.
 */
export async function erasePipeline(loaded: LoadedPipeline, opts: EraseOptions): Promise<ErasureReport> {
  const env = opts.env ?? process.env;
  const actor = opts.actor ?? 'engine';
  const d = await openDeployment(opts.dataDir ?? loaded.dataDir, env, opts.keys ? { keys: opts.keys } : {});
  try {
    const cfg = await resolveConfigSecrets(loaded, d.vault, { actor, pipeline: loaded.config.name }) as unknown as {
      name: string; stages: readonly Entry[]; sinks: readonly Entry[];
    };
    const lock = acquireRunLock(d.dataDir, cfg.name);
    try {
      return await eraseLocked(loaded, cfg, d, opts, actor);
    } finally { lock.release(); }
  } finally {
    await d.close();
  }
}

async function eraseLocked(
  loaded: LoadedPipeline, cfg: { name: string; stages: readonly Entry[]; sinks: readonly Entry[] }, d: Deployment, opts: EraseOptions, actor: string,
): Promise<ErasureReport> {
  const dryRun = opts.dryRun ?? false;
  const policies = readIdentifierPolicies(cfg.stages, registry.stages);
  const subject = await subjectRef(opts.subject, policies, d.keys);
  const requestId = randomUUID();
  const event = { actor, action: 'erase', target: `${cfg.name}/${subject.ref}`, requestId } as const;
  await d.audit.record({ ...event, outcome: 'attempt', details: { dryRun, subject: subject.kind } }, { privileged: true });
  let session: ErasureSession | undefined;
  try {
    const ids = await resolveSubjectIdentifiers(opts.subject, policies, d.keys);
    const targets = erasureTargets(cfg.sinks, registry.sinks, { baseDir: loaded.baseDir, dataDir: d.dataDir }, policies.outputDatasets);
    session = await ErasureSession.open({
      pipeline: cfg.name, control: d.control, bronze: createBronzeReader(d.control, d.bronze, d.keys), targets, ids, keys: d.keys,
      tokenDatasets: [...policies.tokenDatasets, 'requests'], visitorsBehindProxies: policies.behindProxies, tempDir: join(d.stagingDir, `erase-${requestId}`),
    });
    const plan = await session.plan();
    const input = { pipeline: cfg.name, requestId, subject, dryRun, plan, ids, policies, targets, bronzeRetention: loaded.config.retention.bronze };
    const planned = buildErasureReport(input);
    if (dryRun) {
      await d.audit.record({ ...event, outcome: 'ok', details: auditDetails(planned) }, { privileged: true });
      return planned;
    }
    if (opts.confirm && !(await opts.confirm(planned))) {
      await d.audit.record({ ...event, outcome: 'denied', details: { dryRun, reason: 'not confirmed' } });
      throw EraseDeclined({ pipeline: cfg.name });
    }
    const compact = opts.compact ?? true;
    const outcome = await session.apply(plan, `erase-${requestId.replaceAll('-', '').slice(0, 12)}`, compact);
    const report = buildErasureReport({ ...input, applied: { ...outcome, compact } });
    await d.audit.record({ ...event, outcome: 'ok', details: auditDetails(report) }, { privileged: true });
    return report;
  } catch (err) {
    if (!EraseDeclined.is(err)) {
      await d.audit.record({ ...event, outcome: 'error', details: { dryRun, error: isTributaryError(err) ? err.code : 'TRB_INTERNAL' } });
    }
    throw err;
  } finally {
    await session?.close();
  }
}

/** Counts for the audit log: per table and file, never a value. */
function auditDetails(r: ErasureReport): Record<string, unknown> {
  return {
    dryRun: r.dryRun, subject: r.subject.kind,
    warehouse: Object.fromEntries(r.warehouses.flatMap((w) => w.tables.map((t) => [`${w.sink}.${t.table}`, r.applied ? t.deleted : t.matched]))),
    lake: Object.fromEntries(r.lake.map((f) => [f.path, { rows: f.matched, newPath: f.newPath ?? null }])),
    compaction: Object.fromEntries(r.warehouses.map((w) => [w.sink, w.compaction])),
    bronzeSegments: r.bronze.segments.map((s) => s.objectKey),
    visitorIds: r.identifiers.visitorIds, sharedRows: r.totals.sharedRows, undecryptable: r.identifiers.undecryptable,
  };
}
