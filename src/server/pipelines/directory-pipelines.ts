/**
 * The {@link PipelineService} over a directory of pipeline files: a pipeline's name is its file stem
 * (`web-logs.yaml` → `web-logs`). Runs go to the server's data directory (so the server's control
 * store records them) with trigger `api` and the caller as audit actor; they run in the background
 * and {@link DirectoryPipelines.close} aborts and awaits them.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFound, Validation } from '../../core/errors.js';
import type { Logger } from '../../core/component.js';
import { validatePipelineFile } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { runPipelineFile } from '../../engine/runtime/run-pipeline.js';
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import type { PipelineInfo, PipelineService, RunReader } from '../app-deps.js';

/** Options of {@link createDirectoryPipelines}. */
export interface DirectoryPipelinesOptions {
  readonly dir: string;
  readonly dataDir: string;
  readonly runs: RunReader;
  readonly audit: AuditTrail;
  readonly log: Logger;
  /** How long `start` waits to see the run recorded (default 5000 ms). */
  readonly startWaitMs?: number;
}

/** A pipeline service that also owns its background runs. */
export interface DirectoryPipelines extends PipelineService {
  /** Aborts running runs (they finish their current commit) and waits for them. */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Creates the service (see the module doc). */
export function createDirectoryPipelines(o: DirectoryPipelinesOptions): DirectoryPipelines {
  const abort = new AbortController();
  const running = new Set<Promise<unknown>>();
  const list = async (): Promise<readonly PipelineInfo[]> => {
    const entries = await readdir(o.dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile() && ['.yaml', '.yml'].includes(extname(e.name)))
      .map((e) => ({ name: e.name.slice(0, -extname(e.name).length), file: e.name }))
      .filter((p) => NAME.test(p.name))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  const fileOf = async (name: string): Promise<string> => {
    if (!NAME.test(name)) throw Validation({ reason: 'invalid pipeline name', field: 'name' });
    const p = (await list()).find((x) => x.name === name);
    if (!p) throw NotFound({ what: 'Pipeline', name });
    return join(o.dir, p.file);
  };
  return {
    list,
    async validate(name) {
      const v = await validatePipelineFile(await fileOf(name), registry);
      return {
        ok: v.ok,
        problems: v.problems.map((e) => ({
          code: e.code, message: e.message,
          ...(typeof e.details['line'] === 'number' ? { line: e.details['line'] } : {}),
          ...(typeof e.details['path'] === 'string' ? { path: e.details['path'] } : {}),
        })),
      };
    },
    async start(name, actor) {
      const file = await fileOf(name);
      const [before] = await o.runs.listRuns({ limit: 1 });
      const run = runPipelineFile(file, { trigger: 'api', actor, audit: o.audit, dataDir: o.dataDir, log: o.log, signal: abort.signal })
        .catch((err: unknown) => o.log.error({ pipeline: name, code: (err as { code?: string }).code ?? 'TRB_INTERNAL' }, 'API-triggered run failed to start'));
      running.add(run);
      void run.finally(() => running.delete(run));
      const deadline = Date.now() + (o.startWaitMs ?? 5000);
      while (Date.now() < deadline) {
        const recent = await o.runs.listRuns({ limit: 10 });
        const mine = recent.find((r) => r.trigger === 'api' && (before === undefined || r.id > before.id));
        if (mine) return { runId: mine.id };
        if (!running.has(run)) break;
        await sleep(50);
      }
      return { runId: undefined };
    },
    async close() {
      abort.abort();
      await Promise.allSettled([...running]);
    },
  };
}
