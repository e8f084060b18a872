/** The engine's audit events: config loads, run start/end with counts, bronze replays (privileged). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPipelineFile } from '../../src/config/load-config.js';
import { registry } from '../../src/engine/registry.js';
import { openDeployment } from '../../src/engine/bootstrap.js';
import { runPipeline, runPipelineFile } from '../../src/engine/runtime/run-pipeline.js';
import { asReplay } from '../../src/cli/commands/replay.js';
import { createSqliteControlStore } from '../../src/seams/control-store/sqlite/index.js';
import { AuditLog } from '../../src/security/audit/audit-log.js';
import type { AuditEvent, AuditTrail } from '../../src/security/audit/audit-trail.js';
import { MemoryDataKeys } from '../helpers/memory-data-keys.js';
import { tmpDir } from '../helpers/tmp.js';

const LINES = [
  '192.0.2.1 - - [10/Oct/2024:13:55:36 -0700] "GET /a HTTP/1.1" 200 5 "-" "x"',
  '192.0.2.2 - - [10/Oct/2024:13:55:37 -0700] "GET /b HTTP/1.1" 404 0 "-" "x"',
  'not a log line',
  '192.0.2.3 - - [10/Oct/2024:13:55:38 -0700] "POST /c HTTP/1.1" 201 9 "-" "x"',
];

/** A pipeline over three good lines and one bad one, into a memory sink; returns its file. */
function pipeline(dir: string, name: string): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'logs', 'access.log'), `${LINES.join('\n')}\n`);
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, `name: ${name}
sources:
  - id: access
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
    format: apache_combined
sinks:
  - id: mem
    type: memory
    store: ${name}
quality:
  max_invalid_ratio: 0.5
`);
  return file;
}

/** An AuditTrail that keeps what it is given. */
class Recorder implements AuditTrail {
  readonly events: { event: AuditEvent; privileged: boolean }[] = [];
  async record(event: AuditEvent, opts: { readonly privileged?: boolean } = {}): Promise<void> {
    this.events.push({ event, privileged: opts.privileged === true });
  }
}

test('a run records config.load (file sha256), run.start and run.end (status, counts) under its run id', async (t) => {
  const dir = tmpDir(t);
  const file = pipeline(dir, 'audit-run');
  const audit = new Recorder();
  const summary = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 1, audit, actor: 'cli:tester' });
  assert.equal(summary.status, 'succeeded');
  assert.deepEqual(audit.events.map((e) => [e.event.action, e.event.target, e.event.outcome, e.privileged]), [
    ['config.load', file, 'ok', false], ['run.start', 'audit-run', 'ok', false], ['run.end', 'audit-run', 'ok', false],
  ]);
  for (const { event } of audit.events) {
    assert.equal(event.actor, 'cli:tester');
    assert.equal(event.requestId, summary.runId);
  }
  assert.deepEqual(audit.events[0]!.event.details, { pipeline: 'audit-run', sha256: createHash('sha256').update(readFileSync(file)).digest('hex') });
  assert.deepEqual(audit.events[1]!.event.details, { runId: summary.runId, trigger: 'cli', dataDir: join(dir, 'data') });
  assert.deepEqual(audit.events[2]!.event.details, {
    runId: summary.runId, status: 'succeeded', linesRead: 4, bytesRead: summary.bytesRead, landed: 3, quarantined: 1, filtered: 0,
    duplicates: 0, commits: summary.commits, seconds: summary.seconds, errorCode: null,
  });
});

test('a config that fails to load is recorded with its error code', async (t) => {
  const dir = tmpDir(t);
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'name: x\nsources: 3\n');
  const audit = new Recorder();
  await assert.rejects(runPipelineFile(file, { audit }));
  assert.equal(audit.events.length, 1);
  assert.deepEqual([audit.events[0]!.event.action, audit.events[0]!.event.outcome, audit.events[0]!.event.target], ['config.load', 'error', file]);
  assert.match(String(audit.events[0]!.event.details?.errorCode), /^TRB_CONFIG_/);
});

test('a run records config.load, run.start and run.end in the deployment\'s audit log, and the chain verifies', async (t) => {
  const dir = tmpDir(t);
  const file = pipeline(dir, 'audit-plain');
  const summary = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(summary.status, 'succeeded');
  const d = await openDeployment(join(dir, 'data'));
  t.after(() => d.close());
  const actions = (await d.control.audit.list()).map((r) => `${r.action}:${r.target}`);
  const at = (a: string): number => actions.findIndex((x) => x.startsWith(a));
  assert.ok(at('config.load') >= 0 && at('config.load') < at('run.start') && at('run.start') < at('run.end'), actions.join(' '));
  assert.ok(actions.includes('key.create:bronze'), 'the bronze age key was created (and audited) on the first run');
  assert.equal((await d.audit.verify()).ok, true);
});

test('a bronze replay is a privileged event; fail-closed with a broken audit store refuses to replay', async (t) => {
  const dir = tmpDir(t);
  const file = pipeline(dir, 'audit-replay');
  const first = await runPipelineFile(file, { dataDir: join(dir, 'data'), workers: 1 });
  assert.equal(first.landed, 3);
  const loaded = await loadPipelineFile(file, registry);

  const audit = new Recorder();
  const replay = await runPipeline(asReplay(loaded, ['s1']), { dataDir: join(dir, 'rebuilt'), bronzeFrom: join(dir, 'data'), workers: 1, audit });
  assert.equal(replay.status, 'succeeded');
  const ev = audit.events.find((e) => e.event.action === 'bronze.replay');
  assert.ok(ev?.privileged, 'replays are privileged');
  assert.deepEqual(ev.event.details, { runId: replay.runId, from: join(dir, 'data'), to: join(dir, 'rebuilt'), streams: ['s1'] });

  const broken = createSqliteControlStore({ path: ':memory:' });
  await broken.close();
  const messages: string[] = [];
  const strict = new AuditLog({ store: broken.audit, keys: new MemoryDataKeys(), failClosed: true, log: (m) => messages.push(m) });
  const refused = await runPipeline(asReplay(loaded), { dataDir: join(dir, 'refused'), bronzeFrom: join(dir, 'data'), workers: 1, audit: strict });
  assert.equal(refused.status, 'failed');
  assert.equal(refused.error?.code, 'TRB_AUDIT_WRITE_FAILED');
  assert.deepEqual([refused.linesRead, refused.landed], [0, 0], 'nothing was replayed');
  assert.ok(messages.some((m) => /run\.start/.test(m)), 'the non-privileged events were only reported');
});
