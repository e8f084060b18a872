/**
 * A real warehouse for the access-control tests, built by running a small pipeline: generated
 * access logs plus known rows (a server error on a secret path that row filters hide, a quarantined
 * line), every enrichment, privacy, and `user_agent` encrypted. Built once per test file.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAccessLog } from '../../src/generator/index.js';
import { runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { openDeployment } from '../../src/engine/bootstrap.js';
import type { PiiClass } from '../../src/core/pii.js';
import type { DataKeys } from '../../src/security/vault/data-keys.js';
import { ENRICHED_STAGES, logPipeline } from './log-pipeline.js';

/** The path of the row that `status < 500` filters hide. */
export const HIDDEN_PATH = '/hidden/4242-secret';

/** A built warehouse. */
export interface RbacWarehouse {
  readonly dir: string;
  readonly warehouse: string;
  /** The run summary's column classifications. */
  readonly columns: Readonly<Record<string, PiiClass>>;
  /** The deployment's field keys (for decryption). */
  readonly keys: DataKeys;
  cleanup(): Promise<void>;
}

const line = (ip: string, ts: string, path: string, status: number): string =>
  `${ip} - - [${ts}] "GET ${path} HTTP/1.1" ${status} 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"\n`;

/** Runs the pipeline into a fresh directory (XDG_CONFIG_HOME must point at a throwaway directory). */
export async function buildRbacWarehouse(lines = 400): Promise<RbacWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), 'trb-rbac-'));
  mkdirSync(join(dir, 'logs'));
  const log = join(dir, 'logs', 'a.log');
  await generateAccessLog({ lines, seed: 7, format: 'apache_combined', malformedRatio: 0.02 }, log);
  appendFileSync(log, line('198.51.100.77', '01/Mar/2026:10:00:00 +0000', HIDDEN_PATH, 503) + 'this line is not a log line\n');
  const stages = ['validate', 'dedupe', ...ENRICHED_STAGES, '  - type: encrypt\n    fields: [user_agent]\n'];
  writeFileSync(join(dir, 'p.yaml'), logPipeline({ name: 'rbac', format: 'apache_combined', stages, extra: 'gold:\n  after_run: true\n' }));
  const data = join(dir, 'data');
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir: data, workers: 1 });
  if (run.status !== 'succeeded') throw new Error(`fixture pipeline failed: ${run.error?.message}`);
  const d = await openDeployment(data);
  return {
    dir, warehouse: join(data, 'warehouse.duckdb'), columns: run.columns, keys: d.keys,
    async cleanup() {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
