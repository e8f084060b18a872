/**
 * Runs a pipeline file end to end: load and validate the config, open the deployment, sources,
 * sinks and worker pool, pump every source through a {@link PipelineRun}, evaluate the quality
 * gate, record the run, and return its summary.
 */
import { scrubSecrets } from '../../core/secret-scrubber.js';
import { availableParallelism } from 'node:os';
import type { Logger, Sink, SinkContext, Source, SourceContext, SinkSpec, SourceSpec, StageSpec, StagePrepareContext, StagePreparation } from '../../core/component.js';
import type { ControlStore } from '../../seams/control-store/control-store.js';
import { isReconcilingSink } from '../../core/component.js';
import { ACCESS_SCHEMA, ERROR_SCHEMA, type ColumnSchema, type RecordSchema } from '../../core/record.js';
import { ConfigInvalid, QualityGateFailed, toTributaryError } from '../../core/errors.js';
import { snapshotCounts } from '../../core/counts.js';
import { loadPipelineFile, resolveConfigSecrets, type LoadedPipeline } from '../../config/load-config.js';
import { getFormat } from '../../formats/index.js';
import { registry } from '../registry.js';
import { classifyColumns } from './column-classification.js';
import { openDeployment } from '../bootstrap.js';
import { cleanBronzeStaging } from '../bronze/bronze-writer.js';
import { createBronzeReader } from '../bronze/bronze-reader.js';
import { openBronzeCipher, type BronzeSettings } from '../bronze/bronze-cipher.js';
import { attachStageKeys } from '../workers/stage-keys.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { WorkerPool } from '../workers/worker-pool.js';
import type { StageDef } from '../workers/worker-protocol.js';
import { silentLogger } from '../../observe/logger.js';
import { PipelineRun } from './pipeline-run.js';
import { KeyedPhase, type KeyedStageDef } from './keyed-phase.js';
import { openQuarantineProtection, type QuarantineSettings } from './quarantine-protection.js';
import { StreamFormatDetector } from './stream-format-detector.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import type { CommitInfo, RunProgress, RunSummary, StageSummary } from './run-summary.js';
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import { auditConfigLoadFailed, createRunAudit } from './run-audit.js';
import { buildGold } from '../../models/build-gold.js';
import { watchGoldRefresh, type WatchGoldRefresh } from '../../models/watch-gold-refresh.js';
import type { GoldConfig } from '../../models/config.js';

/** How to run a pipeline. */
export interface RunOptions {
  readonly trigger?: 'cli' | 'watch' | 'schedule' | 'api' | 'bench';
  /** Keep following the sources until `signal` aborts. */
  readonly watch?: boolean;
  readonly signal?: AbortSignal;
  /** Override the number of worker threads. */
  readonly workers?: number;
  /** Override the pipeline's data directory. */
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  readonly onProgress?: (p: RunProgress) => void;
  readonly onCommit?: (c: CommitInfo) => void;
  /** Data directory whose bronze layer `bronze` sources replay (default: the run's own). */
  readonly bronzeFrom?: string;
  /** Where the run's audit events go (default: the deployment's audit log, when it has one). */
  readonly audit?: AuditTrail;
  /** Who started the run, as the audit log names it (default `engine`; the CLI passes `cli:<user>`). */
  readonly actor?: string;
  /**
   * Vault data keys for encryption at rest (bronze age key, stage keys such as `encrypt`'s field
   * key, and decrypting replayed bronze). Default: the deployment's `keys` (for replay: those of
   * the `bronzeFrom` deployment).
   */
  readonly keys?: DataKeys;
  /** Do not refresh the gold models after the run even when `gold.after_run` is set (replays, benchmarks). */
  readonly skipGold?: boolean;
}

/** Raw lines stored with a rejection are cut to this many characters (documented in docs/record-schema.md). */
const MAX_RAW_CHARS = 16_384;

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;
const strip = ({ id: _id, type: _type, ...rest }: Entry): Record<string, unknown> => rest;

/** Loads `file` and runs it. Throws TributaryErrors for config problems; run failures are in the summary. */
export async function runPipelineFile(file: string, opts: RunOptions = {}): Promise<RunSummary> {
  const loaded = await loadPipelineFile(file, registry, { env: opts.env ?? process.env })
    .catch(async (err: unknown) => { await auditConfigLoadFailed(opts.audit, opts.actor ?? 'engine', file, err); throw err; });
  return runPipeline(loaded, opts);
}

/**
 * Worker threads for `engine.workers: auto`: one per core but one, which is left to the main thread
 * and the sinks' DuckDB threads (measured on 2 vCPUs: 1 worker is as fast as 2 and uses ~100 MB
 * less), at most 8.
 */
export function autoWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 8));
}

/** The record schema a pipeline produces, from its parse stage's format. */
export function pipelineSchema(stages: readonly Entry[]): RecordSchema {
  const parse = stages[0];
  const format = typeof parse?.format === 'string' ? parse.format : 'auto';
  const base = format === 'auto' || typeof parse?.log_format === 'string' || getFormat(format).schema !== 'error' ? ACCESS_SCHEMA : ERROR_SCHEMA;
  // Enrichment stages append their columns, in stage order.
  const added: ColumnSchema[] = [];
  const names = new Set(base.columns.map((c) => c.name));
  for (const e of stages.slice(1)) {
    const spec = registry.stages.find((s) => s.type === e.type) as StageSpec<unknown> | undefined;
    if (!spec?.columns) continue;
    for (const c of spec.columns(spec.config.parse(strip(e)))) {
      if (names.has(c.name)) throw ConfigInvalid({ file: '(pipeline)', path: `stages.${e.id}`, reason: `stage \`${e.id}\` adds column \`${c.name}\`, which the record already has` });
      names.add(c.name);
      added.push(c);
    }
  }
  // Keyed stages' columns come last: the engine thread fills them after the workers (keyed-phase.ts).
  for (const d of keyedStageDefs(stages)) {
    for (const c of d.spec.keyed!.columns(d.config)) {
      if (names.has(c.name)) throw ConfigInvalid({ file: '(pipeline)', path: `stages.${d.id}`, reason: `stage \`${d.id}\` adds column \`${c.name}\`, which the record already has` });
      names.add(c.name);
      added.push(c);
    }
  }
  if (added.length === 0) return base;
  return Object.freeze({ name: `${base.name}+${stages.slice(1).map((e) => e.type).join('+')}`, columns: Object.freeze([...base.columns, ...added]) });
}

/** The pipeline's keyed (stateful) stages, in chain order, with their parsed configs. */
export function keyedStageDefs(stages: readonly Entry[]): KeyedStageDef[] {
  const out: KeyedStageDef[] = [];
  for (const e of stages) {
    const spec = registry.stages.find((s) => s.type === e.type) as StageSpec<unknown> | undefined;
    if (spec?.keyed) out.push({ id: e.id, spec, config: spec.config.parse(strip(e)) });
  }
  return out;
}

/**
 * Creates and opens the sinks into `out` (so the caller can close those opened before a failure),
 * removing what an interrupted commit left in reconciling sinks.
 */
async function openSinks(
  pipeline: string, entries: readonly Entry[], ctx: SinkContext, control: ControlStore, out: { sink: Sink; dataset: string }[],
): Promise<void> {
  for (const e of entries) {
    const spec = registry.sinks.find((s) => s.type === e.type) as SinkSpec<unknown>;
    const sink = await spec.create(e.id, spec.config.parse(strip(e)), ctx);
    out.push({ sink, dataset: typeof e.dataset === 'string' ? e.dataset : typeof e.table === 'string' ? e.table : 'requests' });
    await sink.open();
    if (isReconcilingSink(sink)) {
      const known = new Set((await control.listLakeFiles({ pipeline, sink: e.id })).map((f) => f.path));
      const removed = await sink.reconcile(known);
      if (removed.length) ctx.log.warn({ sink: e.id, removed: removed.length }, 'Removed files of an interrupted commit');
    }
  }
}

/** Creates the sources from their committed checkpoints, noting each stream's committed offset in `committed`. */
async function openSources(
  pipeline: string, entries: readonly Entry[], control: ControlStore, committed: Map<string, number>,
  ctxFor: (checkpoints: ReadonlyMap<string, Readonly<Record<string, unknown>>>) => SourceContext,
): Promise<Source[]> {
  const out: Source[] = [];
  for (const e of entries) {
    const checkpoints = await control.getCheckpoints(pipeline, e.id);
    for (const [key, v] of checkpoints) if (typeof v.offset === 'number') committed.set(key, v.offset);
    const spec = registry.sources.find((s) => s.type === e.type) as SourceSpec<unknown>;
    out.push(await spec.create(e.id, spec.config.parse(strip(e)), ctxFor(checkpoints)));
  }
  return out;
}

/**
 * Runs each stage spec's main-thread `prepare` (in stage order) and returns the stage definitions
 * the workers get; every preparation is pushed to `out` as soon as it exists, so the caller closes
 * them even when a later one fails.
 */
async function prepareStages(
  entries: readonly Entry[], ctx: Omit<StagePrepareContext, 'stageId'>, out: StagePreparation[], facts: Record<string, Readonly<Record<string, unknown>>>,
): Promise<StageDef[]> {
  const defs: StageDef[] = [];
  for (const e of entries) {
    const spec = registry.stages.find((s) => s.type === e.type) as StageSpec<unknown> | undefined;
    let config: Readonly<Record<string, unknown>> = strip(e);
    if (spec?.prepare) {
      const p = await spec.prepare(config, { ...ctx, stageId: e.id });
      out.push(p);
      config = p.config;
      if (p.facts) facts[e.id] = p.facts;
    }
    defs.push({ id: e.id, type: e.type, config });
  }
  return defs;
}

/** Runs an already loaded pipeline. */
export async function runPipeline(loaded: LoadedPipeline, opts: RunOptions = {}): Promise<RunSummary> {
  const raw = loaded.config as unknown as {
    name: string; sources: readonly Entry[]; stages: readonly Entry[]; sinks: readonly Entry[];
    quality: { max_invalid_ratio: number; min_lines: number };
    gold?: GoldConfig | undefined;
    engine: { workers: number | 'auto'; commit_lines: number; commit_interval_ms: number; max_inflight_batches: number; bronze: BronzeSettings; quarantine: QuarantineSettings };
  };
  const log = opts.log ?? silentLogger;
  if (raw.stages[0]?.type !== 'parse') {
    throw ConfigInvalid({ file: loaded.file, path: 'stages[0]', reason: 'the first stage must be `parse` (it turns lines into records)' });
  }
  const started = Date.now();
  const deployment = await openDeployment(opts.dataDir ?? loaded.dataDir, opts.env ?? process.env);
  let cfg: typeof raw;
  try {
    cfg = await resolveConfigSecrets({ ...loaded, config: raw }, deployment.vault, { pipeline: raw.name });
  } catch (err) { await deployment.close(); throw err; }
  let lock: RunLock;
  try { lock = acquireRunLock(deployment.dataDir, cfg.name); } catch (err) { await deployment.close(); throw err; }
  try {
    const { control } = deployment;
    const runId = await control.startRun({ pipeline: cfg.name, configHash: loaded.configHash, trigger: opts.trigger ?? (opts.watch ? 'watch' : 'cli') });
    const audited = createRunAudit(opts.audit ?? deployment.audit, opts.actor ?? 'engine', runId, cfg.name);
    await audited.start(loaded, { trigger: opts.trigger ?? (opts.watch ? 'watch' : 'cli'), dataDir: deployment.dataDir });
    const schema = pipelineSchema(cfg.stages);
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) ac.abort();
    const sinks: { sink: Sink; dataset: string }[] = [];
    const sources: Source[] = [];
    let pool: WorkerPool | undefined;
    let run: PipelineRun | undefined;
    let timer: NodeJS.Timeout | undefined;
    let goldRefresh: WatchGoldRefresh | undefined;
    let failure: unknown;
    let keyed: KeyedPhase | undefined;
    const preparations: StagePreparation[] = [];
    const reference: Record<string, Readonly<Record<string, unknown>>> = {};
    const replayFrom = opts.bronzeFrom ? await openDeployment(opts.bronzeFrom, opts.env ?? process.env) : undefined;
    const keys = opts.keys ?? deployment.keys;
    const bronze = createBronzeReader((replayFrom ?? deployment).control, (replayFrom ?? deployment).bronze, opts.keys ?? (replayFrom ?? deployment).keys);
    try {
      await audited.replay(cfg.sources, { from: opts.bronzeFrom ?? deployment.dataDir, to: deployment.dataDir });
      await cleanBronzeStaging(deployment.bronze);
      const keyedDefs = keyedStageDefs(cfg.stages);
      const { outputs } = KeyedPhase.describe(keyedDefs);
      await openSinks(cfg.name, cfg.sinks, { pipeline: cfg.name, baseDir: loaded.baseDir, dataDir: deployment.dataDir, schema, outputs, log }, control, sinks);
      keyed = keyedDefs.length > 0 ? await KeyedPhase.open(keyedDefs, control, cfg.name) : undefined;
      const committed = new Map<string, number>();
      const ctxFor = (checkpoints: ReadonlyMap<string, Readonly<Record<string, unknown>>>): SourceContext => ({
        pipeline: cfg.name, baseDir: loaded.baseDir, checkpoints, watch: opts.watch ?? false, signal: ac.signal, log, bronze,
      });
      sources.push(...await openSources(cfg.name, cfg.sources, control, committed, ctxFor));
      const prepared = await prepareStages(cfg.stages, { pipeline: cfg.name, baseDir: loaded.baseDir, dataDir: deployment.dataDir, watch: opts.watch ?? false, signal: ac.signal, log }, preparations, reference);
      const stageDefs: StageDef[] = await attachStageKeys(prepared, keys);
      const bronzeCipher = await openBronzeCipher(cfg.engine.bronze, keys, log);
      const protectRejection = await openQuarantineProtection(cfg.engine.quarantine, cfg.stages.some((e) => e.type === 'privacy'), keys);
      const workers = opts.workers ?? (cfg.engine.workers === 'auto' ? autoWorkers() : cfg.engine.workers);
      pool = await WorkerPool.start(workers, {
        kind: 'init', stages: stageDefs, schema, maxRawChars: MAX_RAW_CHARS,
        ...(keyed ? { keyed: { stages: keyed.stageIds, deferredColumns: keyed.deferredColumns } } : {}),
      });
      const totals = await Promise.all(sources.map((s) => (typeof (s as { totalBytes?: unknown }).totalBytes === 'function'
        ? (s as unknown as { totalBytes(): Promise<number | undefined> }).totalBytes() : Promise.resolve(undefined))));
      const totalBytes = totals.every((t) => typeof t === 'number') ? totals.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
      const parse = cfg.stages[0]!;
      const detector = parse.format === 'auto' && parse.log_format === undefined
        ? new StreamFormatDetector(typeof parse.sample_lines === 'number' ? parse.sample_lines : 1000) : undefined;
      const r = new PipelineRun({
        ...(detector ? { detector } : {}),
        pipeline: cfg.name, runId, schema, control, pool, sinks, bronze: deployment.bronze, stagingDir: deployment.stagingDir,
        ...(bronzeCipher ? { bronzeCipher } : {}),
        ...(keyed ? { keyed } : {}),
        ...(protectRejection ? { protectRejection } : {}),
        committed, log, ...(opts.onCommit ? { onCommit: opts.onCommit } : {}),
        ...(opts.onProgress ? { onResult: () => opts.onProgress!({ linesRead: r.linesRead, bytesRead: r.bytesRead, landed: r.landed, quarantined: r.quarantined, elapsedMs: Date.now() - started, totalBytes }) } : {}),
      }, { maxInflight: workers * cfg.engine.max_inflight_batches, commitLines: cfg.engine.commit_lines });
      run = r;
      if (opts.watch) timer = setInterval(() => { if (r.currentAgeMs() >= cfg.engine.commit_interval_ms) r.closeCurrent(); }, Math.max(20, Math.floor(cfg.engine.commit_interval_ms / 4)));
      if (opts.watch && cfg.gold?.after_run && cfg.gold.watch_refresh_secs > 0 && !opts.skipGold) {
        goldRefresh = watchGoldRefresh(cfg.gold, () => r.landed, () => buildGold({ ...loaded, dataDir: deployment.dataDir, config: cfg as unknown as LoadedPipeline['config'] }, cfg.gold!), log);
      }
      const results = await Promise.allSettled(opts.watch ? sources.map((s) => r.consume(s)) : [sources.reduce((p, s) => p.then(() => r.consume(s)), Promise.resolve())]);
      const rejected = results.find((x) => x.status === 'rejected');
      if (rejected) throw rejected.reason;
      await r.flush();
    } catch (err) {
      failure = err;
      log.error({ err: err instanceof Error ? err.stack : String(err) }, 'Run failed');
    } finally {
      if (timer) clearInterval(timer);
      await goldRefresh?.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      if (run && failure) { await run.flush().catch(() => undefined); await run.discard(); }
      await Promise.allSettled(sources.map((s) => s.close()));
      await pool?.close();
      await Promise.allSettled(preparations.map((p) => p.close()));
    }
    const parsedStages = cfg.stages.map((e) => ({ ...(registry.stages.find((x) => x.type === e.type)?.config.parse(strip(e)) as object), type: e.type }));
    const summary = buildSummary(cfg, runId, started, run, sinks.map((s) => s.sink), failure, opts, pool?.size ?? 0, detectorOf(run),
      classifyColumns(schema, parsedStages), keyed?.stats(), reference);
    await Promise.allSettled(sinks.map((s) => s.sink.close()));
    await control.finishRun(runId, {
      status: summary.status, counts: summary,
      ...(summary.error ? { error: summary.error } : {}),
    });
    await audited.end(summary);
    await deployment.close();
    await replayFrom?.close();
    const gold = cfg.gold;
    // A watch that stopped cleanly refreshes once more, so gold holds everything it landed.
    if (gold === undefined || !gold.after_run || summary.status !== 'succeeded' || opts.skipGold) return summary;
    // Under the run lock: nothing else writes the warehouse while the models are refreshed.
    try {
      return { ...summary, gold: await buildGold({ ...loaded, dataDir: deployment.dataDir, config: cfg as unknown as LoadedPipeline['config'] }, gold) };
    } catch (err) {
      const e = toTributaryError(err);
      log.error({ code: e.code }, 'Gold models failed');
      return { ...summary, gold: { error: { code: e.code, message: scrubSecrets(e.message) } } };
    }
  } finally {
    lock.release();
  }
}

const detectorOf = (run: PipelineRun | undefined): RunSummary['formats'] =>
  (run?.detector?.detections() ?? []).map((d) => ({ uri: d.uri, stream: d.stream, format: d.format, confidence: d.confidence }));

function buildSummary(
  cfg: { name: string; quality: { max_invalid_ratio: number; min_lines: number } },
  runId: string, started: number, run: PipelineRun | undefined, sinks: readonly Sink[], failure: unknown, opts: RunOptions, workers: number,
  formats: RunSummary['formats'], columns: RunSummary['columns'], keyedStats?: RunSummary['keyed'], reference: RunSummary['reference'] = {},
): RunSummary {
  const seconds = (Date.now() - started) / 1000;
  const counts = run ? snapshotCounts(run.counts) : {};
  const stages: Record<string, StageSummary> = {};
  for (const [id, c] of Object.entries(counts)) stages[id] = { ...c, seconds: Math.round(((run?.stageNanos.get(id) ?? 0) / 1e9) * 1000) / 1000 };
  const linesRead = run?.linesRead ?? 0;
  const quarantined = run?.quarantined ?? 0;
  const ratio = linesRead > 0 ? quarantined / linesRead : 0;
  const gatePassed = linesRead < cfg.quality.min_lines || ratio <= cfg.quality.max_invalid_ratio;
  let error: RunSummary['error'];
  let status: RunSummary['status'] = 'succeeded';
  if (failure) {
    const e = toTributaryError(failure);
    error = { code: e.code, message: scrubSecrets(e.message) };
    status = 'failed';
  } else if (!gatePassed) {
    const e = QualityGateFailed({ pipeline: cfg.name, invalid: quarantined, total: linesRead, ratio: ratio.toFixed(4), threshold: String(cfg.quality.max_invalid_ratio) });
    error = { code: e.code, message: e.message };
    status = 'gate_failed';
  } else if (opts.signal?.aborted && !opts.watch) status = 'interrupted';
  const filtered = Object.values(counts).reduce((a, c) => a + c.filtered, 0);
  const dedupe = Object.entries(counts).find(([id]) => id.startsWith('dedupe'));
  return {
    runId, pipeline: cfg.name, status, startedAt: new Date(started).toISOString(), seconds,
    linesRead, bytesRead: run?.bytesRead ?? 0, parsed: counts[Object.keys(counts)[0] ?? '']?.passed ?? 0,
    quarantined, quarantineByReason: Object.fromEntries(run?.quarantineByReason ?? []), filtered,
    duplicates: dedupe?.[1].filtered ?? 0, landed: run?.landed ?? 0, commits: run?.commits ?? 0,
    linesPerSec: seconds > 0 ? Math.round(linesRead / seconds) : 0,
    mbPerSec: seconds > 0 ? Math.round(((run?.bytesRead ?? 0) / 1e6 / seconds) * 10) / 10 : 0,
    stages, timings: run?.timingSeconds() ?? {}, locations: sinks.map((s) => s.location()),
    gate: { maxInvalidRatio: cfg.quality.max_invalid_ratio, ratio, passed: gatePassed }, workers, formats, columns,
    ...(keyedStats && Object.keys(keyedStats).length > 0 ? { keyed: keyedStats } : {}),
    ...(reference && Object.keys(reference).length > 0 ? { reference } : {}),
    ...(error ? { error } : {}),
  };
}
