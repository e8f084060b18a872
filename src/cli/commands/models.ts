/**
 * `tributary models run|test|list <pipeline.yaml>`: the gold layer of a pipeline (its `gold:`
 * section) in its DuckDB or PostgreSQL warehouse — build the models in dependency order
 * (incremental ones only where data changed), run the model tests, or list the models with their
 * dependencies.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadPipelineFile, resolveConfigSecrets } from '../../config/load-config.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { cliActor } from '../cli-actor.js';
import { registry } from '../../engine/registry.js';
import { buildGold, type GoldReport } from '../../models/build-gold.js';
import type { GoldConfig } from '../../models/config.js';
import { ModelTestsFailed } from '../../models/errors.js';
import { ConfigInvalid } from '../../core/errors.js';

async function goldOf(file: string): Promise<{ loaded: Awaited<ReturnType<typeof loadPipelineFile>>; gold: GoldConfig }> {
  const loaded = await loadPipelineFile(file, registry, { env: process.env });
  const gold = (loaded.config as { gold?: GoldConfig }).gold;
  if (gold === undefined) throw ConfigInvalid({ file: loaded.file, path: 'gold', reason: 'the pipeline has no `gold:` section (add `gold: {}` for the built-in web models)' });
  if (loaded.secretRefs.length === 0) return { loaded, gold };
  // A PostgreSQL warehouse's password comes from the vault (each read audited, as for a run).
  const d = await openDeployment(loaded.dataDir, process.env);
  try {
    const config = await resolveConfigSecrets(loaded, d.vault, { actor: cliActor(), pipeline: loaded.config.name });
    return { loaded: { ...loaded, config }, gold };
  } finally {
    await d.close();
  }
}

/** Human rendering of a gold report. */
export function renderGold(r: GoldReport): string {
  const out = [`Gold models in ${r.warehouse} (${r.seconds.toFixed(2)} s)`];
  for (const m of r.models) {
    const what = m.action === 'incremental' ? `${m.partitions} partition${m.partitions === 1 ? '' : 's'} rebuilt` : m.action;
    out.push(`  ${m.model.padEnd(28)} ${m.materialized.padEnd(11)} ${what.padEnd(24)} ${m.rows >= 0 ? `${m.rows.toLocaleString('en-US')} rows` : ''}  (${m.seconds.toFixed(2)} s)`);
  }
  if (r.tests) {
    const failed = r.tests.filter((t) => !t.passed);
    out.push(`  tests: ${r.tests.length - failed.length} passed, ${failed.length} failed`);
    for (const t of failed) out.push(pc.red(`    ✖ ${t.name}: ${t.error ?? `${t.failures} failing row${t.failures === 1 ? '' : 's'}`}`));
  }
  return out.join('\n');
}

/** Registers `models`. */
export function registerModels(program: Command): void {
  const models = program.command('models').description('Gold layer: build, test and list the SQL models of a pipeline');
  models.command('run').argument('<pipeline>', 'pipeline file with a `gold:` section')
    .description('Build the models in dependency order (incremental ones only for days whose data changed)')
    .option('--full-refresh', 'rebuild incremental models whole')
    .option('--test', 'run the model tests afterwards (exit 7 when one fails)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { fullRefresh?: boolean; test?: boolean; json?: boolean }) => {
      const { loaded, gold } = await goldOf(file);
      report(await buildGold(loaded, gold, { ...(o.fullRefresh ? { fullRefresh: true } : {}), ...(o.test ? { test: true } : {}) }), o.json);
    });
  models.command('test').argument('<pipeline>', 'pipeline file with a `gold:` section')
    .description('Run the model tests (not_null, unique, accepted_values, relationships, row_count, custom SQL) against the built models')
    .option('--json', 'print the results as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const { loaded, gold } = await goldOf(file);
      report(await buildGold(loaded, gold, { build: false, test: true }), o.json);
    });
}

function report(r: GoldReport, json: boolean | undefined): void {
  process.stdout.write(json ? `${JSON.stringify(r, null, 2)}\n` : `${renderGold(r)}\n`);
  const failed = r.tests?.filter((t) => !t.passed) ?? [];
  if (failed.length > 0) {
    const e = ModelTestsFailed({ failed: failed.length, total: r.tests!.length, first: failed[0]!.name });
    process.stderr.write(`${pc.red(`error[${e.code}]`)}: ${e.message}\n`);
    process.exitCode = e.exit;
  }
}
